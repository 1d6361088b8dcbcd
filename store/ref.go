package store

import (
	"context"
	"fmt"
	"unsafe"

	"github.com/larder-go/larder/jsonapi"
)

// A Ref is the handle of one record of model T: Ember Data's RecordReference
// and the record's write half together. It knows the record's identity, lid
// included, before the server gives it an id, so it is how a new record is
// edited and saved. Get one from [GetReference] (for any id, loaded or not),
// [CreateRecord] or [Store.Ref].
//
// A Ref is a small value, safe for concurrent use and cheap to copy; every Ref
// of one identifier reads and writes the same cache entry, so edits through
// two of them serialize and readers never see half an edit. Methods that do
// I/O run in the caller's goroutine under its context.
type Ref[T any] struct {
	s   *Cache
	tc  *typeCache
	id  string
	lid string
	r   *record // the entry when the Ref was made, if any
}

// GetReference returns the handle of the record of model T with the given id,
// as Ember Data's getReference: it does no I/O and works whether or not the
// record is loaded ([Ref.Load] loads it). It panics if T is not registered.
func GetReference[T any](s *Cache, id string) Ref[T] {
	tc := mustCacheOf[T](s)
	ref := Ref[T]{s: s, tc: tc, id: id, r: tc.get(id)}
	if ref.r != nil {
		ref.lid = ref.r.lid
	}
	return ref
}

// Ref is [GetReference] for T.
func (v Store[T]) Ref(id string) Ref[T] { return GetReference[T](v.cache(), id) }

// record returns the cache entry: the one the Ref was made with while it is
// still indexed, else the one now indexed under its lid or id. It may return
// an entry that is no longer loaded (a new record deleted), or nil.
func (ref Ref[T]) record() *record {
	return entry(ref.typeCache(), ref.r, ref.id, ref.lid)
}

// current returns the handle's cache entry and its published state, read
// between commits (see consistency.go): (nil, nil) when there is none.
func (ref Ref[T]) current() (*record, *recordState) {
	return current(ref.typeCache(), ref.r, ref.id, ref.lid)
}

// current finds a handle's cache entry with entry and loads its state, both
// between commits.
func current(tc *typeCache, r *record, id, lid string) (*record, *recordState) {
	for {
		g := readBegin(tc.gen)
		e := entry(tc, r, id, lid)
		var st *recordState
		if e != nil {
			st = e.state.Load()
		}
		if tc.gen.Load() == g {
			return e, st
		}
	}
}

// entry finds a handle's cache entry: r while it is still indexed, else the
// one now indexed under lid or id.
func entry(tc *typeCache, r *record, id, lid string) *record {
	if r != nil && ((r.lid != "" && tc.getLID(r.lid) == r) || (r.lid == "" && id != "" && tc.get(id) == r)) {
		return r
	}
	if lid != "" {
		if x := tc.getLID(lid); x != nil {
			return x
		}
	}
	if id == "" && r != nil {
		if st := r.state.Load(); st != nil {
			id = st.id
		}
	}
	if id != "" {
		if x := tc.get(id); x != nil {
			return x
		}
	}
	return r
}

func (ref Ref[T]) typeCache() *typeCache {
	if ref.tc == nil {
		panic("store: use of a zero store.Ref[T]: get one from store.GetReference or store.CreateRecord")
	}
	return ref.tc
}

// Identifier returns the record's identifier. Its ID is empty until the
// record has one; its LID is the record's for a record created here or pushed
// with one, and Ember's derived "@lid:<type>-<id>" otherwise.
func (ref Ref[T]) Identifier() Identifier {
	if r, _ := ref.current(); r != nil {
		return r.identifier()
	}
	id := Identifier{Type: ref.typeCache().model.Name, ID: ref.id, LID: ref.lid}
	if id.LID == "" && id.ID != "" {
		id.LID = "@lid:" + id.Type + "-" + id.ID
	}
	return id
}

// ID returns the record's id, or "" before it has one.
func (ref Ref[T]) ID() string { return ref.Identifier().ID }

// Value returns a copy of the record's current state, local edits applied,
// and whether it is loaded (Ember's reference.value()). The copy belongs to
// the caller.
func (ref Ref[T]) Value() (T, bool) {
	var out T
	_, st := ref.current()
	if !st.loaded() {
		return out, false
	}
	return copyOut[T](ref.tc.model, st), true
}

// IsLoaded reports whether the record is loaded (or new).
func (ref Ref[T]) IsLoaded() bool {
	_, st := ref.current()
	return st.loaded()
}

// Load returns the record, loading it when [FindRecord]'s rules say so
// (Ember's reference.load()).
func (ref Ref[T]) Load(ctx context.Context, opts ...FindOption) (T, error) {
	return FindRecord[T](ctx, ref.s, ref.ID(), opts...)
}

// Reload fetches the record and waits (Ember's reference.reload() and
// record.reload()). Only the remote state changes: local edits are kept on
// top of it, except those the new remote values now equal.
func (ref Ref[T]) Reload(ctx context.Context, opts ...FindOption) (T, error) {
	return FindRecord[T](ctx, ref.s, ref.ID(), append(opts, Reload(true))...)
}

// Push pushes a document whose primary data is this record (its id may be
// omitted, and is filled in) and returns the record's new state, as Ember's
// reference.push(). Primary data of another type or id is a *DocumentError
// and changes nothing.
func (ref Ref[T]) Push(doc *jsonapi.Document) (T, error) {
	var out T
	if doc == nil || len(doc.Data) != 1 {
		return out, &DocumentError{Pointer: "/data", Err: fmt.Errorf("%w: a reference's push needs one primary resource", ErrShape)}
	}
	id := ref.Identifier()
	d := *doc
	d.Data = []jsonapi.Resource{doc.Data[0]}
	res := &d.Data[0]
	switch {
	case id.ID == "":
		// A new record: the lid names it, and the push may bring its id.
		if res.LID != "" && res.LID != id.LID {
			return out, &DocumentError{Pointer: "/data/lid", Err: fmt.Errorf("%w: want lid %q, have %q", ErrTypeMismatch, id.LID, res.LID)}
		}
		res.LID = id.LID
	case res.ID == "":
		res.ID = id.ID
	case res.ID != id.ID:
		return out, &DocumentError{Pointer: "/data/id", Err: fmt.Errorf("%w: want id %q, have %q", ErrTypeMismatch, id.ID, res.ID)}
	}
	recs, err := Push[T](ref.s, &d)
	if err != nil {
		return out, err
	}
	return recs[0], nil
}

// Update edits the record locally: f gets a copy of its current state to
// change, and the fields f changed become local edits (nothing is saved).
// Reads return the local state; [Ref.ChangedAttributes] says what differs
// from the server's. Setting a field back to its remote value makes it clean
// again. Changing an attribute of a deleted record fails with ErrDeleted, and
// changing the id with ErrIDChanged; neither changes anything.
//
// Update is an atomic read-modify-write, as a compare-and-swap loop: it
// commits f's changes only if the record is still in the state f was given,
// and otherwise runs f again on the newer state. So two goroutines that
// each increment a field never lose an increment, and f always sees
// every change committed before its result. f may run more than once and
// should do nothing but change its argument; it runs in the caller's
// goroutine holding no lock, so it may read the store (a write from f to
// the same record makes Update run f again).
func (ref Ref[T]) Update(f func(*T)) error {
	for {
		r, st := ref.current()
		if !st.loaded() {
			return fmt.Errorf("store: edit %s: %w", ref.Identifier(), ErrNotLoaded)
		}
		work := copyOut[T](ref.tc.model, st)
		f(&work)
		if err := ref.s.edit(ref.tc, r, st, unsafe.Pointer(&work), true); err != errRaced {
			return err
		}
	}
}

// Set is [SetRecord] for this record: every field in which v differs from the
// record's current state becomes a local edit. It works for a new record
// without an id, which SetRecord cannot find. v's id must be the record's.
func (ref Ref[T]) Set(v T) error {
	r, st := ref.current()
	if !st.loaded() {
		return fmt.Errorf("store: set %s: %w", ref.Identifier(), ErrNotLoaded)
	}
	if ref.tc.clone {
		v = cloneRefs(ref.tc.model, v)
	}
	return ref.s.edit(ref.tc, r, st, unsafe.Pointer(&v), false)
}

// Delete marks the record deleted, as [Cache.DeleteRecord].
func (ref Ref[T]) Delete() error {
	return ref.s.deleteRecord(ref.typeCache(), ref.record(), ref.id)
}

// Save sends the record's pending change through the adapter, as Ember Data's
// record.save(): a create (POST) for a new record, a delete (DELETE) for a
// deleted one, and an update (PATCH, or PUT for REST) otherwise, sending only
// the changed attributes and relationships unless the store has
// [WithFullUpdates]. The options [AdapterOptions] and [Include] reach the
// adapter.
//
// A successful answer makes what was sent the remote state, with the
// response's own values (and the server's id for a new record) on top; a 204
// commits what was sent. Edits made while the save was in flight are kept as
// local edits. A validation error (ErrInvalid: 422, or what the adapter's
// [InvalidChecker] says) puts errors per member on the record
// ([Ref.Errors]) and keeps every local value; any other error sets the error
// state ([RecordState].IsError) and keeps them too, so Save again retries.
//
// A Save that finds another in flight for the record waits for it, then sends
// whatever is still pending. A record with nothing pending (a clean record, a
// deleted new record, a deletion already saved) sends nothing.
func (ref Ref[T]) Save(ctx context.Context, opts ...FindOption) error {
	return ref.s.save(ctx, ref.typeCache(), ref.record(), ref.id, buildOptions(opts))
}

// Destroy deletes the record, saves the deletion and unloads it, as Ember
// Data's destroyRecord.
func (ref Ref[T]) Destroy(ctx context.Context, opts ...FindOption) error {
	if err := ref.Delete(); err != nil {
		return err
	}
	if err := ref.Save(ctx, opts...); err != nil {
		return err
	}
	return ref.Unload()
}

// Rollback discards the record's local and in-flight attribute values, its
// validation errors and its error state, and undoes a delete, as Ember Data's
// rollbackAttributes. A new record is unloaded (Ember Data 5.x).
// Relationships keep their local state.
func (ref Ref[T]) Rollback() error {
	r := ref.record()
	if r == nil {
		return nil
	}
	return ref.s.rollback(ref.typeCache(), r)
}

// Unload drops the record from the cache, as [Cache.UnloadRecord]. A record
// whose save is in flight cannot be unloaded: ErrSaving.
func (ref Ref[T]) Unload() error {
	r := ref.record()
	if r == nil {
		return nil
	}
	return ref.s.unloadRecord(ref.typeCache(), r)
}

// State returns the record's lifecycle state.
func (ref Ref[T]) State() RecordState {
	return ref.s.stateOf(ref.typeCache(), ref.record(), ref.id)
}

// ChangedAttributes returns the attributes whose local value differs from the
// server's, as Ember Data's changedAttributes: {name: [remote, local]}, each
// value a copy. A new record's remote values are the zero values.
func (ref Ref[T]) ChangedAttributes() map[string][2]any {
	out := map[string][2]any{}
	st, remote := ref.edited()
	if st == nil {
		return out
	}
	tc := ref.tc
	for i := range tc.fields.attrs {
		f := &tc.fields.attrs[i]
		if !f.eq(st.value, remote) {
			out[tc.model.Attributes[i].Name] = [2]any{f.value(remote), f.value(st.value)}
		}
	}
	return out
}

// edited returns the record's state and remote value when it is loaded and
// has local state, or nil: what ChangedAttributes and ChangedRelationships
// compare.
func (ref Ref[T]) edited() (*recordState, unsafe.Pointer) {
	_, st := ref.current()
	if !st.loaded() || st.local == nil {
		return nil, nil
	}
	return st, ref.tc.remoteOf(st)
}

// HasDirtyAttributes reports whether the record has unsaved changes, by Ember
// Data 5.x's rule: see [RecordState].HasDirtyAttributes.
func (ref Ref[T]) HasDirtyAttributes() bool { return ref.State().HasDirtyAttributes }

// Errors returns the record's validation errors by member name ("base" for
// the record as a whole), from the last save's invalid response.
func (ref Ref[T]) Errors() map[string][]string { return ref.State().Errors }
