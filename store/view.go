package store

import (
	"github.com/larder-go/larder/relationship"
)

// A View reads the cache as it was at one moment: every read through it sees
// the same commits, as a read transaction of a database does. Get one from
// [Cache.Read]; it is valid only inside the function Read runs.
//
// Each call outside a View (PeekRecord, a reference's ID, ...) sees whole
// commits, and a later call never sees an older cache than an earlier one;
// but two calls may see two different commits. Read is for code that reads
// several records and needs them to agree.
type View struct {
	s      *Cache
	g      uint64
	locked bool
}

// viewRetry is the panic that ends a run of a View's function when a commit
// published during it.
type viewRetry struct{}

// optimisticReads is how many times Read runs its function without the
// writer lock before it takes it.
const optimisticReads = 3

// Read runs f with a View of the cache at one moment, and returns f's error.
//
// Read does not block writers at first: f runs, and if a commit published
// while it read, f stops at its next read and runs again on the newer cache.
// After a few such tries, f runs holding the writer lock, so it always
// finishes. f may therefore run more than once, and must do nothing but read:
// it must not write to the store (a write would wait for itself) and should
// have no effects that may not repeat. A panic of f's own is re-panicked.
func (s *Cache) Read(f func(v *View) error) error {
	s.mustBeNew()
	for range optimisticReads {
		v := &View{s: s, g: readBegin(&s.gen)}
		if err, ok := v.run(f); ok {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v := &View{s: s, g: s.gen.Load(), locked: true}
	err, _ := v.run(f)
	return err
}

// run runs f, reporting false when a commit ended it.
func (v *View) run(f func(v *View) error) (err error, ok bool) {
	defer func() {
		if p := recover(); p != nil {
			if _, retry := p.(viewRetry); retry {
				err, ok = nil, false
				return
			}
			panic(p)
		}
	}()
	return f(v), true
}

// check ends the run when a commit published since the View began.
func (v *View) check() {
	if !v.locked && v.s.gen.Load() != v.g {
		panic(viewRetry{})
	}
}

// record finds the record with an id (or, failing that, a lid) and its state
// in the View.
func (v *View) record(tc *typeCache, id string) (*record, *recordState) {
	r := tc.get(id)
	if r == nil {
		r = tc.getLID(id)
	}
	var st *recordState
	if r != nil {
		st = r.state.Load()
	}
	v.check()
	return r, st
}

// ViewRecord returns a copy of the record of model T with an id (or lid) as
// the View sees it, and false when it is not loaded; PeekRecord within a View.
func ViewRecord[T any](v *View, id string) (T, bool) {
	var out T
	tc := mustCacheOf[T](v.s)
	_, st := v.record(tc, id)
	if !st.loaded() {
		return out, false
	}
	return copyOut[T](tc.model, st), true
}

// ViewAll returns copies of the records of model T's live array as the View
// sees it; PeekAll(...).Records() within a View.
func ViewAll[T any](v *View) []T {
	tc := mustCacheOf[T](v.s)
	members := *tc.members.Load()
	sts := make([]*recordState, 0, len(members))
	for _, r := range members {
		if st := r.state.Load(); st.visible() {
			sts = append(sts, st)
		}
	}
	v.check()
	out := make([]T, len(sts))
	for i, st := range sts {
		out[i] = copyOut[T](tc.model, st)
	}
	return out
}

// Related returns the relationship rel of the record of a type with an id (or
// lid) as the View sees it (its linkage with local edits applied, links and
// meta), and false when the record is not loaded or has no such relationship.
func (v *View) Related(typ, id, rel string) (*relationship.State, bool) {
	tc, err := v.s.typeCacheFor(typ)
	if err != nil {
		return nil, false
	}
	i := tc.model.RelationshipIndex(rel)
	if i < 0 {
		return nil, false
	}
	_, st := v.record(tc, id)
	if !st.loaded() {
		return nil, false
	}
	return relAt(&tc.fields.rels[i], st.value), true
}

// State returns the lifecycle state of the record of a type with an id as the
// View sees it.
func (v *View) State(typ, id string) RecordState {
	tc, err := v.s.typeCacheFor(typ)
	if err != nil {
		return RecordState{IsEmpty: true, IsValid: true}
	}
	r, _ := v.record(tc, id)
	out := v.s.stateOf(tc, r, id)
	v.check()
	return out
}
