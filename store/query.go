package store

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"net/url"
	"time"

	"github.com/larder-go/larder/jsonapi"
)

// FindAll returns the live array of model T (the one PeekAll returns), loading
// it when Ember Data's rules say so:
//
//   - Reload(true), or no Reload option and ShouldReloadAll (by default: the
//     array is empty): fetch and wait;
//   - BackgroundReload(false): return the array;
//   - otherwise return the array at once and refresh it in the background.
//
// The response is merged into the cache, never replacing it: records the backend
// no longer returns stay (Ember Data's behaviour; UnloadAll first for a clean
// slate). The array's IsUpdating reports a request in flight. Concurrent calls
// share one request.
func FindAll[T any](ctx context.Context, s *Cache, opts ...FindOption) (*RecordArray[T], error) {
	tc, ok := cacheOf[T](s)
	if !ok {
		return nil, unknownModel[T]()
	}
	arr := liveArray[T](s, tc)
	o := buildOptions(opts)
	typ := tc.model.Name
	policy := tc.policy
	n := arr.Len()
	if o.reload == yes || (o.reload == unset && (tc.arrayStale() || policy.ShouldReloadAll(typ, n))) {
		tc.stats.found(false)
		return arr, s.loadAll(ctx, tc, o)
	}
	tc.stats.found(true)
	if o.background == yes || (o.background == unset && policy.ShouldBackgroundReloadAll(typ, n)) {
		key := flightKey{op: OpFindAll, tc: tc, include: includeKey(o.include)}
		if _, busy := s.bgPending.LoadOrStore(key, struct{}{}); !busy {
			// The array is updating from the moment FindAll returns, not from
			// when the goroutine gets to run.
			tc.updating.Add(1)
			if !s.bg.goLimited(func(ctx context.Context) {
				tc.stats.background.Add(1)
				defer tc.updating.Add(-1)
				defer s.bgPending.Delete(key)
				ctx, cancel := context.WithTimeout(ctx, s.opts.requestTimeout)
				defer cancel()
				if err := s.loadAll(ctx, tc, o); err != nil {
					s.reportBackground(err)
				}
			}) {
				tc.updating.Add(-1)
				s.bgPending.Delete(key)
			}
		}
	}
	return arr, nil
}

// loadAll sends one findAll request, shared by concurrent callers, and merges
// the answer into the cache.
func (s *Cache) loadAll(ctx context.Context, tc *typeCache, o findOptions) error {
	typ := tc.model.Name
	key := flightKey{op: OpFindAll, tc: tc, include: includeKey(o.include)}
	start := time.Now()
	_, err, joined := s.flights.Do(ctx, s.bg.ctx, key, func(fctx context.Context) (_ *record, err error) {
		tc.updating.Add(1)
		defer tc.updating.Add(-1)
		since := s.requestStarted() // see answers.go
		defer s.requestDone()
		epoch := tc.staleness.epoch.Load()
		defer func() {
			if err == nil {
				tc.staleness.array.Store(epoch)
			}
		}()
		doc, err := s.fetch(fctx, &Request{Op: OpFindAll, Type: typ, Model: tc.model, Include: o.include, AdapterOptions: o.adapterOptions})
		if err != nil {
			return nil, err
		}
		if doc.Shape != jsonapi.Many && doc.Shape != jsonapi.Absent {
			return nil, &DocumentError{Pointer: "/data", Err: fmt.Errorf("%w: findAll needs an array", ErrShape)}
		}
		_, err = s.pushAnswer(since, doc, tc.model)
		return nil, err
	})
	if joined {
		tc.stats.shared.Add(1)
		s.logShared(ctx, OpFindAll, typ, "", time.Since(start), err)
	}
	if err != nil {
		return s.flightError(ctx, &Request{Op: OpFindAll, Type: typ}, err)
	}
	return nil
}

// A Collection is the result of a query: the records in the order the backend
// sent them, with the response's meta and links for pagination. Unlike a
// RecordArray it is not live: later pushes do not add to it, but records
// unloaded since the query drop out of it, as Ember Data's
// AdapterPopulatedRecordArray. A Collection is safe for concurrent use.
type Collection[T any] struct {
	s     *Cache
	o     findOptions // the query's include and adapter options, for paging
	tc    *typeCache
	recs  []*record // an unloaded record never comes back, so a gone one stays gone
	meta  jsonapi.Meta
	links jsonapi.Links
	query url.Values
}

// Query always sends a request (it never answers from the cache and never
// shares a request) and returns the records of model T it answered with. Of the
// options only AdapterOptions and Include reach the adapter.
func Query[T any](ctx context.Context, s *Cache, query url.Values, opts ...FindOption) (*Collection[T], error) {
	tc, ok := cacheOf[T](s)
	if !ok {
		return nil, unknownModel[T]()
	}
	o := buildOptions(opts)
	return runQuery[T](ctx, s, tc, o, &Request{Op: OpQuery, Type: tc.model.Name, Model: tc.model, Query: query, Include: o.include, AdapterOptions: o.adapterOptions})
}

// runQuery sends a query request (or a paging link) and builds its Collection.
func runQuery[T any](ctx context.Context, s *Cache, tc *typeCache, o findOptions, req *Request) (*Collection[T], error) {
	since := s.requestStarted() // see answers.go
	defer s.requestDone()
	doc, err := s.fetch(ctx, req)
	if err != nil {
		return nil, err
	}
	if doc.Shape != jsonapi.Many {
		return nil, &DocumentError{Pointer: "/data", Err: fmt.Errorf("%w: query needs an array, have %s", ErrShape, doc.Shape)}
	}
	recs, err := s.pushAnswer(since, doc, tc.model)
	if err != nil {
		return nil, err
	}
	return &Collection[T]{s: s, o: o, tc: tc, recs: recs, meta: doc.Meta.Clone(), links: doc.Links.Clone(), query: cloneValues(req.Query)}, nil
}

// ErrNoPage reports a paging call on a collection whose response had no link
// to that page (no "next" on the last page, no "prev" on the first).
var ErrNoPage = errors.New("store: no such page")

// Next loads the page the response's "next" link names, through the type's
// adapter and serializer, and returns it as a new Collection; ErrNoPage when
// there is none. A link may be relative or absolute, as servers send them; it
// is the server's input, so the adapter follows it only on its own origin (the
// HTTP adapters refuse others unless allowed, and never send them their
// headers).
func (c *Collection[T]) Next(ctx context.Context) (*Collection[T], error) { return c.page(ctx, "next") }

// Prev loads the page the "prev" link names; see [Collection.Next].
func (c *Collection[T]) Prev(ctx context.Context) (*Collection[T], error) { return c.page(ctx, "prev") }

// First loads the page the "first" link names; see [Collection.Next].
func (c *Collection[T]) First(ctx context.Context) (*Collection[T], error) {
	return c.page(ctx, "first")
}

// Last loads the page the "last" link names; see [Collection.Next].
func (c *Collection[T]) Last(ctx context.Context) (*Collection[T], error) { return c.page(ctx, "last") }

// HasPage reports whether the response linked to the named page ("next",
// "prev", "first", "last").
func (c *Collection[T]) HasPage(name string) bool { return c.links.Href(name) != "" }

func (c *Collection[T]) page(ctx context.Context, name string) (*Collection[T], error) {
	href := c.links.Href(name)
	if href == "" {
		return nil, fmt.Errorf("%w: the %s response has no %q link", ErrNoPage, c.tc.model.Name, name)
	}
	return runQuery[T](ctx, c.s, c.tc, c.o, &Request{Op: OpQuery, Type: c.tc.model.Name, Model: c.tc.model, URL: href, AdapterOptions: c.o.adapterOptions})
}

func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// QueryRecord always sends a request and returns the one record of model T it
// answered with, or nil for "data": null.
func QueryRecord[T any](ctx context.Context, s *Cache, query url.Values, opts ...FindOption) (*T, error) {
	tc, ok := cacheOf[T](s)
	if !ok {
		return nil, unknownModel[T]()
	}
	o := buildOptions(opts)
	since := s.requestStarted() // see answers.go
	defer s.requestDone()
	doc, err := s.fetch(ctx, &Request{Op: OpQueryRecord, Type: tc.model.Name, Model: tc.model, Query: query, Include: o.include, AdapterOptions: o.adapterOptions})
	if err != nil {
		return nil, err
	}
	switch doc.Shape {
	case jsonapi.Null, jsonapi.Absent:
		if len(doc.Included) > 0 {
			if _, err := s.pushAnswer(since, doc, nil); err != nil {
				return nil, err
			}
		}
		return nil, nil
	case jsonapi.Many:
		return nil, &DocumentError{Pointer: "/data", Err: fmt.Errorf("%w: queryRecord needs one resource or null, have an array", ErrShape)}
	}
	recs, err := s.pushAnswer(since, doc, tc.model)
	if err != nil {
		return nil, err
	}
	v := copyOut[T](tc.model, tc.load(recs[0]))
	return &v, nil
}

// states returns the states of the records still in the collection, read
// between commits.
func (c *Collection[T]) states() []*recordState {
	return visibleStates(c.tc.gen, func() []*record { return c.recs })
}

// Len returns the number of records still in the collection.
func (c *Collection[T]) Len() int { return len(c.states()) }

// Records returns copies of the records, in the order the backend sent them.
func (c *Collection[T]) Records() []T {
	sts := c.states()
	out := make([]T, len(sts))
	for i, st := range sts {
		out[i] = copyOut[T](c.tc.model, st)
	}
	return out
}

// All iterates over copies of the records as they were when the iteration
// began.
func (c *Collection[T]) All() iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		for i, st := range c.states() {
			if !yield(i, copyOut[T](c.tc.model, st)) {
				return
			}
		}
	}
}

// IDs returns the records' ids.
func (c *Collection[T]) IDs() []string {
	sts := c.states()
	out := make([]string, len(sts))
	for i, st := range sts {
		out[i] = st.id
	}
	return out
}

// Meta returns a copy of the response's top-level meta.
func (c *Collection[T]) Meta() jsonapi.Meta { return c.meta.Clone() }

// Links returns a copy of the response's top-level links ("next", "prev").
func (c *Collection[T]) Links() jsonapi.Links { return c.links.Clone() }

// Query returns a copy of the query that was sent.
func (c *Collection[T]) Query() url.Values { return maps.Clone(cloneValues(c.query)) }

// FindAll is [FindAll] for T.
func (v Store[T]) FindAll(ctx context.Context, opts ...FindOption) (*RecordArray[T], error) {
	return FindAll[T](ctx, v.cache(), opts...)
}

// Query is [Query] for T.
func (v Store[T]) Query(ctx context.Context, query url.Values, opts ...FindOption) (*Collection[T], error) {
	return Query[T](ctx, v.cache(), query, opts...)
}

// QueryRecord is [QueryRecord] for T.
func (v Store[T]) QueryRecord(ctx context.Context, query url.Values, opts ...FindOption) (*T, error) {
	return QueryRecord[T](ctx, v.cache(), query, opts...)
}
