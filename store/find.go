package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/relationship"
	"github.com/larder-go/larder/store/internal/flight"
)

// A FindOption changes how FindRecord, FindAll, Query and QueryRecord load,
// after Ember Data's options hash. Options are plain values, so passing them
// costs no allocation.
type FindOption struct {
	kind    optionKind
	on      bool
	include []string
	values  map[string]any
}

type optionKind uint8

const (
	optReload optionKind = iota + 1
	optBackground
	optInclude
	optAdapterOptions
	optPreload
)

type tristate uint8

const (
	unset tristate = iota
	yes
	no
	// asked: no Reload option, and the policy, asked once on the hit path,
	// wants a blocking reload. Unlike Reload(true), it shares a request in
	// flight.
	asked
)

func tri(b bool) tristate {
	if b {
		return yes
	}
	return no
}

type findOptions struct {
	reload, background tristate
	include            []string
	adapterOptions     map[string]any
	preload            map[string]any
}

// Reload forces (true) or forbids (false) a blocking request for a record that
// is already loaded. Without it the adapter's ReloadPolicy decides.
func Reload(b bool) FindOption { return FindOption{kind: optReload, on: b} }

// BackgroundReload forces (true) or forbids (false) refreshing a cached record in
// the background after returning it. Without it the adapter's ReloadPolicy
// decides, and by default, as in Ember Data, every cache hit is refreshed.
func BackgroundReload(b bool) FindOption { return FindOption{kind: optBackground, on: b} }

// Include asks the backend to side-load related records ("artist",
// "songs.writer"); it reaches the adapter as Request.Include.
func Include(paths ...string) FindOption { return FindOption{kind: optInclude, include: paths} }

// AdapterOptions passes values through to the adapter as Request.AdapterOptions.
func AdapterOptions(m map[string]any) FindOption {
	return FindOption{kind: optAdapterOptions, values: m}
}

// Preload writes values into the record before it is fetched, as Ember Data's
// preload option: attribute values by member name, and relationship values as
// an id (string) for a belongsTo or ids ([]string) for a hasMany. A record that
// was not loaded is then fetched with Reload(true).
func Preload(values map[string]any) FindOption { return FindOption{kind: optPreload, values: values} }

func buildOptions(opts []FindOption) findOptions {
	var o findOptions
	for _, f := range opts {
		switch f.kind {
		case optReload:
			o.reload = tri(f.on)
		case optBackground:
			o.background = tri(f.on)
		case optInclude:
			o.include = append(o.include, f.include...)
		case optAdapterOptions:
			o.adapterOptions = f.values
		case optPreload:
			o.preload = f.values
		}
	}
	return o
}

// defaultPolicy is Ember Data's base Adapter: never reload a loaded record,
// always reload it in the background; reload all when the array is empty, and
// always reload all in the background.
type defaultPolicy struct{}

func (defaultPolicy) ShouldReloadRecord(string, string) bool           { return false }
func (defaultPolicy) ShouldBackgroundReloadRecord(string, string) bool { return true }
func (defaultPolicy) ShouldReloadAll(_ string, n int) bool             { return n == 0 }
func (defaultPolicy) ShouldBackgroundReloadAll(string, int) bool       { return true }

// FindRecord returns the record of model T with the given id, loading it when
// Ember Data's rules say so:
//
//   - not loaded: fetch it and wait;
//   - Reload(true), or no Reload option and ShouldReloadRecord: fetch and wait;
//   - BackgroundReload(false): return the cached record;
//   - otherwise return the cached record at once, and refresh it in the
//     background when BackgroundReload(true) or ShouldBackgroundReloadRecord
//     (true by default).
//
// Each ReloadPolicy hook is asked at most once per call. Concurrent calls for
// one record share one request; a caller whose ctx ends fails alone, with
// ErrAborted or ErrTimeout, and the request goes on for the others until the
// last of them leaves, which cancels it. With a BatchAdapter that coalesces the
// type, concurrent finds of different ids become one findMany request, and ids
// missing from its response fail alone with ErrNotFound.
//
// A failed first load leaves no record, so the id can be found again; a failed
// reload keeps the record and records the error (see [Cache.StateOf]).
func FindRecord[T any](ctx context.Context, s *Cache, id string, opts ...FindOption) (out T, err error) {
	tc, ok := cacheOf[T](s)
	if !ok {
		return out, unknownModel[T]()
	}
	// The hit path, kept in this frame: the record is copied once, straight
	// into the result, and only the two reload flags are read from opts.
	reload, background, preload := reloadFlags(opts)
	if id != "" && !preload {
		// The sequence lock's fast path, inline (see consistency.go): an
		// even generation that did not move while the record was read.
		g := tc.gen.Load()
		var st *recordState
		if r := tc.index.Get(id); r != nil {
			st = r.state.Load()
		}
		if g&1 != 0 || tc.gen.Load() != g {
			_, st = tc.find(id)
		}
		if st != nil {
			if st.loaded() {
				if !mustReload(tc, st, id, reload) {
					if wantsBackground(tc, id, background) {
						s.backgroundFind(tc, id, buildOptions(opts))
					}
					if st.value != nil {
						out = *(*T)(st.value)
					}
					if tc.clone {
						out = cloneRefs(tc.model, out)
					}
					tc.stats.found(true)
					return out, nil
				}
				if reload == unset {
					// The policy asked for a blocking reload; do not ask it again.
					reload = asked
				}
			}
		}
	}
	return findRecord[T](ctx, s, tc, id, opts, reload)
}

// reloadFlags reads the options a cache hit needs.
func reloadFlags(opts []FindOption) (reload, background tristate, preload bool) {
	for _, f := range opts {
		switch f.kind {
		case optReload:
			reload = tri(f.on)
		case optBackground:
			background = tri(f.on)
		case optPreload:
			preload = true
		}
	}
	return reload, background, preload
}

// findRecord is FindRecord past the hit path. reload is the Reload option, or
// asked when the hit path's policy already asked for a reload.
func findRecord[T any](ctx context.Context, s *Cache, tc *typeCache, id string, opts []FindOption, reload tristate) (out T, err error) {
	if id == "" {
		return out, &AdapterError{Op: OpFindRecord, Type: tc.model.Name, Err: ErrMissingID}
	}
	o := buildOptions(opts)
	o.reload = reload
	if o.preload != nil {
		if _, st := tc.find(id); !st.loaded() {
			o.reload = yes
		}
		if err := s.preload(tc, id, o.preload); err != nil {
			return out, err
		}
	}
	if o.reload != yes && o.reload != asked {
		// Not loaded at the hit path (or a preload): the record may have
		// arrived since.
		if _, st := tc.find(id); st != nil {
			if st.loaded() && !mustReload(tc, st, id, o.reload) {
				if wantsBackground(tc, id, o.background) {
					s.backgroundFind(tc, id, o)
				}
				tc.stats.found(true)
				return copyOut[T](tc.model, st), nil
			}
		}
	}
	tc.stats.found(false)
	r, err := s.loadRecord(ctx, tc, id, o)
	if err != nil {
		return out, err
	}
	return copyOut[T](tc.model, tc.load(r)), nil
}

// wantsBackground reports whether a cache hit is refreshed in the background.
func wantsBackground(tc *typeCache, id string, background tristate) bool {
	return background == yes || (background == unset && tc.policy.ShouldBackgroundReloadRecord(tc.model.Name, id))
}

// mustReload reports whether a loaded record, in state st, needs a blocking
// fetch: the option says so, or it does not and the record is stale or the
// policy wants one.
func mustReload(tc *typeCache, st *recordState, id string, reload tristate) bool {
	switch reload {
	case yes, asked:
		return true
	case no:
		return false
	}
	return tc.stale(st) || tc.policy.ShouldReloadRecord(tc.model.Name, id)
}

// A flightKey names a shared request: the operation, the type, the record and
// the include set. Keys are compared as structs, so no id or type name can make
// two different requests look alike.
type flightKey struct {
	op      Op
	tc      *typeCache
	id      string
	include string // the include set, canonical: see includeKey
}

// includeKey encodes an include list as a set: sorted, without duplicates,
// each path length-prefixed so no path can run into the next.
func includeKey(include []string) string {
	switch len(include) {
	case 0:
		return ""
	case 1:
		return strconv.Itoa(len(include[0])) + ":" + include[0]
	}
	paths := slices.Clone(include)
	slices.Sort(paths)
	paths = slices.Compact(paths)
	var b strings.Builder
	for _, p := range paths {
		b.WriteString(strconv.Itoa(len(p)))
		b.WriteByte(':')
		b.WriteString(p)
	}
	return b.String()
}

// loadRecord fetches a record and waits for it. Concurrent loads of one record
// with the same include set share one request, except a forced reload of a
// loaded record, which Ember Data never matches against a request in flight.
func (s *Cache) loadRecord(ctx context.Context, tc *typeCache, id string, o findOptions) (*record, error) {
	if o.reload == yes {
		if _, st := tc.find(id); st.loaded() {
			return s.fetchRecord(ctx, tc, id, o)
		}
	}
	key := flightKey{op: OpFindRecord, tc: tc, id: id, include: includeKey(o.include)}
	start := time.Now()
	r, err, joined := s.flights.Do(ctx, s.bg.ctx, key, func(fctx context.Context) (*record, error) {
		return s.fetchRecord(fctx, tc, id, o)
	})
	if joined {
		tc.stats.shared.Add(1)
		s.logShared(ctx, OpFindRecord, tc.model.Name, id, time.Since(start), err)
	}
	if err != nil {
		return nil, s.flightError(ctx, &Request{Op: OpFindRecord, Type: tc.model.Name, ID: id}, err)
	}
	return r, nil
}

// flightError turns what a shared request's waiter got into the store's
// errors: the caller's own context ending, a store that closed before the
// request started, or a panic the flight recovered.
func (s *Cache) flightError(ctx context.Context, req *Request, err error) error {
	var pe *flight.PanicError
	switch {
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return transportError(ctx, req, err)
	case errors.Is(err, flight.ErrNotStarted):
		return &AdapterError{Op: req.Op, Type: req.Type, ID: req.ID, Err: ErrClosed}
	case errors.As(err, &pe):
		return &AdapterError{Op: req.Op, Type: req.Type, ID: req.ID, Err: ErrPlugin,
			Cause: &PluginError{Plugin: "request", Op: req.Op, Type: req.Type, Err: pe}}
	}
	return err
}

// fetchRecord sends one findRecord request (or joins a coalesced findMany) and
// pushes the answer.
func (s *Cache) fetchRecord(ctx context.Context, tc *typeCache, id string, o findOptions) (*record, error) {
	since := s.requestStarted() // see answers.go
	defer s.requestDone()
	defer s.loads.start(tc, id)()
	if len(o.include) == 0 && o.adapterOptions == nil && tc.coalesces() {
		return s.batchFind(ctx, tc, id)
	}
	req := &Request{Op: OpFindRecord, Type: tc.model.Name, Model: tc.model, ID: id, Include: o.include, AdapterOptions: o.adapterOptions}
	doc, err := s.fetch(ctx, req)
	if err != nil {
		s.recordFailure(tc, id, err)
		return nil, err
	}
	r, err := s.pushFound(since, tc, id, doc)
	if err != nil {
		s.recordFailure(tc, id, err)
	}
	return r, err
}

// pushFound pushes a findRecord response. As in Ember Data, a response for
// another id is put on the requested one (with a warning), and a response with
// no primary data is an error.
func (s *Cache) pushFound(since uint64, tc *typeCache, id string, doc *jsonapi.Document) (*record, error) {
	switch {
	case doc.Shape == jsonapi.Many && len(doc.Data) == 1:
	case doc.Shape != jsonapi.One:
		return nil, &AdapterError{Op: OpFindRecord, Type: tc.model.Name, ID: id, Err: ErrNotFound,
			Cause: fmt.Errorf("response has no primary %s (data is %s)", tc.model.Name, doc.Shape)}
	}
	if got := doc.Data[0].ID; got != id {
		s.opts.logger.Warn("store: findRecord response has another id; keeping the requested one",
			"type", tc.model.Name, "requested", id, "received", got)
		d := *doc
		d.Data = []jsonapi.Resource{doc.Data[0]}
		d.Data[0].ID = id
		doc = &d
	}
	recs, err := s.pushAnswer(since, doc, tc.model)
	if err != nil {
		return nil, err
	}
	return recs[0], nil
}

// recordFailure keeps a failed reload's error on a loaded record. A failed
// first load leaves nothing behind.
func (s *Cache) recordFailure(tc *typeCache, id string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := tc.get(id)
	if r == nil {
		return
	}
	st := r.state.Load()
	if !st.loaded() {
		return
	}
	next := *st
	next.err = err
	s.publishBegin()
	r.state.Store(&next)
	s.publishEnd()
}

// backgroundFind refreshes a record in a store-owned goroutine, unless a refresh
// of it is already under way. It joins a blocking find of the same record in
// flight. Nobody waits for it, so it runs under the store's request timeout.
// Its errors go to the logger and error handler.
func (s *Cache) backgroundFind(tc *typeCache, id string, o findOptions) {
	key := flightKey{op: OpFindRecord, tc: tc, id: id, include: includeKey(o.include)}
	if _, busy := s.bgPending.LoadOrStore(key, struct{}{}); busy {
		return
	}
	started := s.bg.goLimited(func(ctx context.Context) {
		tc.stats.background.Add(1)
		defer s.bgPending.Delete(key)
		ctx, cancel := context.WithTimeout(ctx, s.opts.requestTimeout)
		defer cancel()
		_, err, _ := s.flights.Do(ctx, s.bg.ctx, key, func(fctx context.Context) (*record, error) {
			return s.fetchRecord(fctx, tc, id, o)
		})
		if err != nil {
			s.reportBackground(s.flightError(ctx, &Request{Op: OpFindRecord, Type: tc.model.Name, ID: id}, err))
		}
	})
	if !started {
		s.bgPending.Delete(key)
	}
}

// reportBackground hands an error no caller receives (a background reload's,
// a reload policy's panic) to the program. A panic in the
// error handler is logged, not raised: it would end the process from a
// goroutine the program cannot recover in.
func (s *Cache) reportBackground(err error) {
	s.opts.logger.Error("store: error in work no caller waits for", "err", err)
	if s.opts.onError == nil {
		return
	}
	defer func() {
		if v := recover(); v != nil {
			s.opts.logger.Error("store: error handler panicked", "err", recovered(v))
		}
	}()
	s.opts.onError(err)
}

// preload pushes option values into a record as remote data.
func (s *Cache) preload(tc *typeCache, id string, values map[string]any) error {
	m := tc.model
	res := jsonapi.Resource{Type: m.Name, ID: id, Attributes: map[string]json.RawMessage{}, Relationships: map[string]*jsonapi.Relationship{}}
	for k, v := range values {
		if i := m.RelationshipIndex(k); i >= 0 {
			info := &m.Rels[i]
			target := ""
			if info.Target != nil {
				target = info.Target.Name
			}
			rel := &jsonapi.Relationship{}
			switch x := v.(type) {
			case nil:
				rel.Shape = jsonapi.Null
			case string:
				rel.Shape, rel.Data = jsonapi.One, []jsonapi.Identifier{{Type: target, ID: x}}
			case []string:
				rel.Shape = jsonapi.Many
				for _, id := range x {
					rel.Data = append(rel.Data, jsonapi.Identifier{Type: target, ID: id})
				}
			default:
				return &DocumentError{Pointer: "/relationships/" + escape(k), Err: fmt.Errorf("%w: preload a string id or []string ids, not %T", ErrTypeMismatch, v)}
			}
			if info.Kind == relationship.KindHasMany && rel.Shape == jsonapi.One {
				rel.Shape = jsonapi.Many
			}
			res.Relationships[k] = rel
			continue
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return &DocumentError{Pointer: "/attributes/" + escape(k), Err: err}
		}
		res.Attributes[k] = raw
	}
	_, err := s.push(OriginLocal, &jsonapi.Document{Shape: jsonapi.One, Data: []jsonapi.Resource{res}}, m)
	return err
}

// Store methods that load.

// Find is [FindRecord] for T.
func (v Store[T]) Find(ctx context.Context, id string, opts ...FindOption) (T, error) {
	return FindRecord[T](ctx, v.cache(), id, opts...)
}
