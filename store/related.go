package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/model"
	"github.com/larder-go/larder/relationship"
)

// Related records. A record's relationship is reached through a reference,
// Ember Data's BelongsToReference and HasManyReference: [BelongsTo] and
// [HasMany] make one from a record's [Ref] and the relationship's name, typed
// by the related model R (an interface type for a polymorphic relationship,
// whose reads return the concrete values behind it). A reference never does
// I/O unless asked: Peek returns the related records that are loaded, Load
// follows Ember Data's decision (see [HasManyRef.Load]).

// relRef is what both references hold: the parent record's handle and the
// relationship's index.
type relRef struct {
	s    *Cache
	tc   *typeCache
	id   string
	lid  string
	r    *record
	i    int
	info *model.RelInfo
}

func newRelRef[R, T any](ref Ref[T], name string, kind relationship.Kind) (relRef, error) {
	tc := ref.typeCache()
	i := tc.model.RelationshipIndex(name)
	if i < 0 || tc.model.Rels[i].Kind != kind {
		return relRef{}, fmt.Errorf("store: %s has no %v %q: %w", tc.model.Name, kind, name, ErrNoRelationship)
	}
	info := &tc.model.Rels[i]
	rt := reflect.TypeFor[R]()
	ok := rt == info.Relationship.Target
	if !ok && rt.Kind() == reflect.Interface {
		ok = true
		for _, m := range info.Accepts {
			ok = ok && (m.GoType.Implements(rt) || reflect.PointerTo(m.GoType).Implements(rt))
		}
	}
	if !ok {
		return relRef{}, fmt.Errorf("store: %s.%s holds %s, not %s: %w", tc.model.Name, name, info.Relationship.Target, rt, ErrTypeMismatch)
	}
	return relRef{s: ref.s, tc: tc, id: ref.id, lid: ref.lid, r: ref.r, i: i, info: info}, nil
}

// state returns the relationship's current state (local edits applied) and
// the parent's, or nil when the parent is not loaded.
func (x relRef) state() (*relationship.State, *recordState) {
	_, st := current(x.tc, x.r, x.id, x.lid)
	if !st.loaded() {
		return nil, nil
	}
	return relAt(&x.tc.fields.rels[x.i], st.value), st
}

// member returns the cache entry of the i'th member of st, or nil.
func (x relRef) member(st *relationship.State, k int) (*typeCache, *record) {
	typ := st.TypeAt(k)
	var tc *typeCache
	if t := x.info.Target; t != nil && t.Name == typ {
		tc = x.s.types[t.Index]
	} else if c, err := x.s.typeCacheFor(typ); err == nil {
		tc = c
	} else {
		return nil, nil
	}
	if id := st.ID(k); id != "" {
		return tc, tc.get(id)
	}
	return tc, tc.getLID(st.LIDAt(k))
}

// peekMembers appends to out the loaded members of the relationship, read
// within one generation of the cache so a commit never shows half of a
// change.
func peekMembers[R any](x relRef, out []R) []R {
	var direct *typeCache // R is the members' model: copy without reflection
	if t := x.info.Target; t != nil && t.GoType == reflect.TypeFor[R]() {
		direct = x.s.types[t.Index]
	}
	base := len(out)
	for {
		g := x.s.gen.Load()
		if g&1 != 0 {
			runtime.Gosched() // a commit is publishing
			continue
		}
		out = out[:base]
		if st, _ := x.state(); st.Len() > 0 {
			out = slices.Grow(out, st.Len())
			for k := range st.Len() {
				if direct != nil && st.TypeAt(k) == direct.model.Name {
					var r *record
					if id := st.ID(k); id != "" {
						r = direct.get(id)
					} else {
						r = direct.getLID(st.LIDAt(k))
					}
					if r == nil {
						continue
					}
					if rs := r.state.Load(); rs.loaded() {
						out = append(out, copyOut[R](direct.model, rs))
					}
					continue
				}
				tc, r := x.member(st, k)
				if r == nil {
					continue
				}
				if v, ok := valueAs[R](tc, r.state.Load()); ok {
					out = append(out, v)
				}
			}
		}
		if x.s.gen.Load() == g {
			return out
		}
	}
}

// valueAs returns a caller-owned copy of a loaded record as an R: the model
// itself, or an interface it (or a pointer to it) implements.
func valueAs[R any](tc *typeCache, st *recordState) (R, bool) {
	var zero R
	if !st.loaded() {
		return zero, false
	}
	if tc.model.GoType == reflect.TypeFor[R]() {
		return copyOut[R](tc.model, st), true
	}
	v := copyOutAny(tc.model, st)
	if out, ok := v.(R); ok {
		return out, true
	}
	p := reflect.New(tc.model.GoType)
	p.Elem().Set(reflect.ValueOf(v))
	out, ok := p.Interface().(R)
	return out, ok
}

// allLoaded reports whether every member of st is loaded.
func (x relRef) allLoaded(st *relationship.State) bool {
	for k := range st.Len() {
		if tc, r := x.member(st, k); r == nil || !tc.load(r).loaded() {
			return false
		}
	}
	return true
}

// useLink is Ember Data's async fetch decision: follow the related link when
// there is one and a reload is asked, the relationship is stale, its members
// are unknown or known only in part, or not all of them are loaded.
func (x relRef) useLink(st *relationship.State, reload bool) bool {
	if st.Link("related") == "" {
		return false
	}
	return reload || st.IsStale() || !st.HasLinkage() || st.IsPartial() || !x.allLoaded(st)
}

// loadLink fetches the related link and puts its answer in the cache, in
// one commit: the records it holds, the parent's relationship set to them
// (with the response's links and meta), and each record's inverse forced to
// the parent, as Ember Data's findHasMany and findBelongsTo.
func (x relRef) loadLink(ctx context.Context, parent *recordState, link string, o findOptions) error {
	since := x.s.requestStarted() // see answers.go
	defer x.s.requestDone()
	op := x.findOp()
	req := &Request{Op: op, Type: x.tc.model.Name, Model: x.tc.model, ID: parent.id, Relationship: x.info.Name,
		URL: link, Include: o.include, AdapterOptions: o.adapterOptions}
	if x.info.Target != nil && !x.info.Polymorphic {
		req.RelatedType = x.info.Target.Name
	}
	doc, err := x.s.fetch(ctx, req)
	if err != nil {
		return err
	}
	// The response's links are merged over the relationship's, so that its
	// related link survives a response that has only "self" (Ember Data
	// replaces them whole, losing the link to reload by).
	links := parentLinks(x, parent)
	for k, l := range doc.Links {
		if links == nil {
			links = jsonapi.Links{}
		}
		links[k] = l
	}
	rel := &jsonapi.Relationship{Links: links, Meta: doc.Meta}
	switch {
	case op == OpFindHasMany && (doc.Shape == jsonapi.Many || doc.Shape == jsonapi.Absent && len(doc.Data) == 0):
		rel.Shape = jsonapi.Many
	case op == OpFindBelongsTo && (doc.Shape == jsonapi.One || doc.Shape == jsonapi.Null):
		rel.Shape = doc.Shape
	default:
		return &AdapterError{Op: op, Type: req.Type, ID: req.ID, Err: ErrShape,
			Cause: &DocumentError{Pointer: "/data", Err: fmt.Errorf("%w: %v %q answered data of shape %s", ErrShape, op, x.info.Name, doc.Shape)}}
	}
	for _, res := range doc.Data {
		rel.Data = append(rel.Data, jsonapi.Identifier{Type: res.Type, ID: res.ID, LID: res.LID})
	}
	push := &jsonapi.Document{
		Shape:    jsonapi.One,
		Data:     []jsonapi.Resource{{Type: x.tc.model.Name, ID: parent.id, Relationships: map[string]*jsonapi.Relationship{x.info.Name: rel}}},
		Included: append(append([]jsonapi.Resource(nil), doc.Included...), doc.Data...),
	}
	_, err = x.s.pushThen(answerTo(since), push, x.tc.model, func(tx *txn, recs []*record) {
		parentID := tx.ident(recs[0])
		for _, y := range rel.Data {
			m, ok := x.s.reg.ByName(y.Type)
			if !ok {
				continue
			}
			j := x.info.InverseFor(m)
			yr := tx.resolveIn(m, y, false)
			if j < 0 || yr == nil {
				continue
			}
			if st, _ := tx.relOf(yr, j, remoteSide); m.Rels[j].Kind == relationship.KindBelongsTo && st.Len() == 1 && !same(memberAt(st, 0), parentID) {
				x.s.opts.logger.Debug("store: a related link's record names another parent; its inverse is set to the one loaded",
					"type", y.Type, "id", y.ID, "relationship", m.Rels[j].Name)
			}
			tx.link(remoteSide, yr, j, parentID, false)
			tx.link(localSide, yr, j, parentID, false)
		}
	})
	return err
}

// parentLinks returns a copy of the relationship's links on the parent.
func parentLinks(x relRef, parent *recordState) jsonapi.Links {
	return relAt(&x.tc.fields.rels[x.i], parent.value).Links()
}

// loadIDs loads the members of st that are not loaded (all of them with
// reload), concurrently, so that an adapter that coalesces sends them as
// findMany. A member that fails fails alone: its error is returned, joined
// with the others', and the rest load.
func (x relRef) loadIDs(ctx context.Context, st *relationship.State, o findOptions) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for k := range st.Len() {
		tc, r := x.member(st, k)
		if tc == nil || st.ID(k) == "" {
			continue
		}
		if r != nil && tc.load(r).loaded() && o.reload != yes {
			continue
		}
		id := st.ID(k)
		wg.Go(func() {
			if _, err := x.s.loadRecord(ctx, tc, id, o); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// load runs the fetch decision for the relationship.
func (x relRef) load(ctx context.Context, opts []FindOption) error {
	o := buildOptions(opts)
	st, parent := x.state()
	if parent == nil {
		return &AdapterError{Op: OpFindHasMany, Type: x.tc.model.Name, ID: x.id, Err: ErrNotLoaded}
	}
	if x.useLink(st, o.reload == yes) {
		link := st.Link("related")
		if o.reload == yes {
			// A forced reload is never matched against a request in
			// flight, as FindRecord's.
			return x.loadLink(ctx, parent, link, o)
		}
		return x.sharedLoadLink(ctx, parent, link, o)
	}
	return x.loadIDs(ctx, st, o)
}

// findOp is the operation of a load of the relationship through its link.
func (x relRef) findOp() Op {
	if x.info.Kind == relationship.KindBelongsTo {
		return OpFindBelongsTo
	}
	return OpFindHasMany
}

// sharedLoadLink is loadLink shared by concurrent loads of one relationship
// through one link with one include set: one request, as Ember Data's
// relationship keeps one fetch promise.
func (x relRef) sharedLoadLink(ctx context.Context, parent *recordState, link string, o findOptions) error {
	op := x.findOp()
	key := flightKey{op: op, tc: x.tc, id: parent.id,
		include: strconv.Itoa(x.i) + ":" + strconv.Itoa(len(link)) + ":" + link + includeKey(o.include)}
	start := time.Now()
	_, err, joined := x.s.flights.Do(ctx, x.s.bg.ctx, key, func(fctx context.Context) (*record, error) {
		return nil, x.loadLink(fctx, parent, link, o)
	})
	if joined {
		x.tc.stats.shared.Add(1)
		x.s.logShared(ctx, op, x.tc.model.Name, parent.id, time.Since(start), err)
	}
	if err != nil {
		return x.s.flightError(ctx, &Request{Op: op, Type: x.tc.model.Name, ID: parent.id, Relationship: x.info.Name, URL: link}, err)
	}
	return nil
}

// edit sets the relationship, as a local edit of the parent.
// It is a read-modify-write, as [Ref.Update]: f runs again on the newer
// state when another change of the record committed meanwhile, so two
// concurrent Adds keep both members.
func (x relRef) edit(f func(*relationship.State) *relationship.State) error {
	for {
		r, base := current(x.tc, x.r, x.id, x.lid)
		if !base.loaded() {
			return fmt.Errorf("store: edit %s %q: %w", x.tc.model.Name, x.id, ErrNotLoaded)
		}
		work := x.tc.newValue(base.value)
		fd := &x.tc.fields.rels[x.i]
		setRelAt(fd, work, f(relAt(fd, work)))
		if err := x.s.edit(x.tc, r, base, work, true); err != errRaced {
			return err
		}
	}
}

// remoteType is Ember's remoteType: "link" when the relationship has a
// related link and no linkage, else what names its members.
func remoteType(st *relationship.State, ids string) string {
	if st.Link("related") != "" && !st.HasLinkage() {
		return "link"
	}
	return ids
}

// A BelongsToRef is a reference to a record's to-one relationship to model
// R, as Ember Data's BelongsToReference: it reads the relationship's state
// without materializing anything, and loads or sets the related record. Get
// one from [BelongsTo]. It is a small value, safe for concurrent use.
type BelongsToRef[R any] struct{ x relRef }

// BelongsTo returns the reference to the to-one relationship name of the
// record ref names. R is the related model, or an interface every model the
// relationship accepts implements. An unknown name, a hasMany, or an R that
// does not fit is an error (ErrNoRelationship, ErrTypeMismatch).
func BelongsTo[R, T any](ref Ref[T], name string) (BelongsToRef[R], error) {
	x, err := newRelRef[R](ref, name, relationship.KindBelongsTo)
	return BelongsToRef[R]{x}, err
}

// State returns the relationship's current state: linkage with local edits
// applied, links, meta, and whether it is stale. Nil when the parent is not
// loaded.
func (b BelongsToRef[R]) State() *relationship.State { st, _ := b.x.state(); return st }

// ID returns the related record's id, or "".
func (b BelongsToRef[R]) ID() string {
	if st := b.State(); st.Len() == 1 {
		return st.ID(0)
	}
	return ""
}

// Identifier returns the related record's identifier, and false when the
// relationship is empty or unknown.
func (b BelongsToRef[R]) Identifier() (jsonapi.Identifier, bool) {
	if st := b.State(); st.Len() == 1 {
		return st.At(0), true
	}
	return jsonapi.Identifier{}, false
}

// RemoteType returns "link" when the relationship is known by its related
// link only, else "id".
func (b BelongsToRef[R]) RemoteType() string { return remoteType(b.State(), "id") }

// Peek returns a copy of the related record when it is loaded (Ember's
// reference.value()). It never does I/O.
func (b BelongsToRef[R]) Peek() (R, bool) {
	var one [1]R
	out := peekMembers[R](b.x, one[:0])
	if len(out) == 0 {
		var zero R
		return zero, false
	}
	return out[0], true
}

// Load returns the related record, loading it by Ember Data's decision: the
// related link when there is one and the relationship is stale, unknown, its
// record not loaded, or [Reload](true) is given; otherwise the record by id
// (a find, coalesced with others under way). ok is false when the
// relationship is empty.
func (b BelongsToRef[R]) Load(ctx context.Context, opts ...FindOption) (v R, ok bool, err error) {
	if err := b.x.load(ctx, opts); err != nil {
		return v, false, err
	}
	v, ok = b.Peek()
	return v, ok, nil
}

// Reload is Load with [Reload](true): it refetches the related record.
func (b BelongsToRef[R]) Reload(ctx context.Context, opts ...FindOption) (R, bool, error) {
	return b.Load(ctx, append(opts, Reload(true))...)
}

// Set points the relationship at the record with the given id, as a local
// edit of the parent; the inverse follows.
func (b BelongsToRef[R]) Set(id string) error {
	return b.SetIdentifier(jsonapi.Identifier{ID: id})
}

// SetIdentifier is Set for an identifier: a polymorphic member's type, or
// the lid of a new record.
func (b BelongsToRef[R]) SetIdentifier(id jsonapi.Identifier) error {
	return b.x.edit(func(st *relationship.State) *relationship.State {
		return st.WithLinkage(relationship.KindBelongsTo, []jsonapi.Identifier{id})
	})
}

// SetNull empties the relationship, as a local edit.
func (b BelongsToRef[R]) SetNull() error {
	return b.x.edit(func(st *relationship.State) *relationship.State {
		return st.WithLinkage(relationship.KindBelongsTo, nil)
	})
}

// A HasManyRef is a reference to a record's to-many relationship to model R,
// as Ember Data's HasManyReference and the ManyArray's operations together.
// Get one from [HasMany]. It is a small value, safe for concurrent use.
type HasManyRef[R any] struct{ x relRef }

// HasMany returns the reference to the to-many relationship name of the
// record ref names; see [BelongsTo].
func HasMany[R, T any](ref Ref[T], name string) (HasManyRef[R], error) {
	x, err := newRelRef[R](ref, name, relationship.KindHasMany)
	return HasManyRef[R]{x}, err
}

// State returns the relationship's current state: see [BelongsToRef.State].
func (h HasManyRef[R]) State() *relationship.State { st, _ := h.x.state(); return st }

// IDs returns the related ids, in order, loaded or not (Ember's
// hasMany(k).ids()).
func (h HasManyRef[R]) IDs() []string { return h.State().IDs() }

// Identifiers returns the related identifiers, in order.
func (h HasManyRef[R]) Identifiers() []jsonapi.Identifier { return h.State().Identifiers() }

// RemoteType returns "link" when the relationship is known by its related
// link only, else "ids".
func (h HasManyRef[R]) RemoteType() string { return remoteType(h.State(), "ids") }

// Peek returns copies of the related records that are loaded, in order, as
// Ember Data's ManyArray: members not loaded are left out (their ids stay in
// IDs). It never does I/O.
func (h HasManyRef[R]) Peek() []R {
	return peekMembers[R](h.x, nil)
}

// AppendPeek is Peek appending to dst, as strconv's Append functions do, so
// a caller that reads often can reuse one slice.
func (h HasManyRef[R]) AppendPeek(dst []R) []R {
	return peekMembers[R](h.x, dst)
}

// Load returns the related records, loading them by Ember Data's decision:
// the related link when there is one and a reload is asked ([Reload](true)),
// the relationship is stale, its members are unknown or known only in part,
// or some are not loaded; otherwise the members that are not loaded, by id,
// through finds that an adapter which coalesces sends as one findMany. A
// member that fails to load fails alone: Load returns the others with the
// failures' errors joined.
func (h HasManyRef[R]) Load(ctx context.Context, opts ...FindOption) ([]R, error) {
	err := h.x.load(ctx, opts)
	return h.Peek(), err
}

// Reload is Load with [Reload](true).
func (h HasManyRef[R]) Reload(ctx context.Context, opts ...FindOption) ([]R, error) {
	return h.Load(ctx, append(opts, Reload(true))...)
}

// Add appends the records of the given ids that are not members yet, as a
// local edit; their inverses follow.
func (h HasManyRef[R]) Add(ids ...string) error {
	return h.x.edit(func(st *relationship.State) *relationship.State {
		f := relationship.HasMany[R]{}
		relationship.Bind(&f, st)
		f.Add(ids...)
		return relationship.StateOf(&f)
	})
}

// AddIdentifiers is Add for identifiers: polymorphic members, or new
// records by lid.
func (h HasManyRef[R]) AddIdentifiers(ids ...jsonapi.Identifier) error {
	return h.x.edit(func(st *relationship.State) *relationship.State {
		f := relationship.HasMany[R]{}
		relationship.Bind(&f, st)
		f.AddIdentifiers(ids...)
		return relationship.StateOf(&f)
	})
}

// Remove takes the records of the given ids out, as a local edit.
func (h HasManyRef[R]) Remove(ids ...string) error {
	return h.x.edit(func(st *relationship.State) *relationship.State {
		f := relationship.HasMany[R]{}
		relationship.Bind(&f, st)
		f.Remove(ids...)
		return relationship.StateOf(&f)
	})
}

// Replace makes the records of the given ids the members, in order, as a
// local edit.
func (h HasManyRef[R]) Replace(ids ...string) error {
	return h.x.edit(func(st *relationship.State) *relationship.State {
		f := relationship.HasMany[R]{}
		relationship.Bind(&f, st)
		f.Set(ids...)
		return relationship.StateOf(&f)
	})
}

// Create creates a record of model R from v, as [CreateRecord], and appends
// it to the relationship (Ember's ManyArray createRecord). R must be a model,
// not an interface.
func (h HasManyRef[R]) Create(v R) (Ref[R], error) {
	ref, err := CreateRecord(h.x.s, v)
	if err != nil {
		return ref, err
	}
	return ref, h.AddIdentifiers(ref.Identifier().Linkage())
}
