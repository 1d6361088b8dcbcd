package store

import (
	"reflect"

	"github.com/larder-go/larder/model"
)

// PeekRecord returns a copy of the cached record of model T with the given id,
// and false when it is not loaded. The copy is a value the caller owns:
// changing it never changes the cache. It never does I/O and never locks.
//
// As in Ember Data, only loaded records are returned: a record that is empty,
// still loading for the first time, or unloaded gives false; a new (unsaved)
// record counts as loaded. PeekRecord panics if T is not a registered model.
func PeekRecord[T any](s *Cache, id string) (T, bool) {
	return peek[T](mustCacheOf[T](s), id)
}

// peek is the hit path. It copies the record once, straight into its result:
// returning T through more calls would copy the struct at each.
func peek[T any](tc *typeCache, id string) (out T, ok bool) {
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
	if !st.loaded() {
		tc.stats.peeked(false)
		return out, false
	}
	tc.stats.peeked(true)
	if st.value != nil {
		out = *(*T)(st.value)
	}
	if tc.clone {
		out = cloneRefs(tc.model, out)
	}
	return out, true
}

// copyOut returns a caller-owned copy of a record's value. It allocates nothing
// unless the model has attributes holding references (slices, maps, pointers),
// which are deep-copied. Relationship fields share immutable state and need no
// copy.
func copyOut[T any](m *model.Model, st *recordState) T {
	var out T
	if st.value != nil {
		out = *(*T)(st.value)
	}
	if len(m.CloneAttributes()) > 0 {
		return cloneRefs(m, out)
	}
	return out
}

// cloneRefs deep-copies the reference-holding attributes of v.
func cloneRefs[T any](m *model.Model, v T) T {
	p := new(T)
	*p = v
	rv := reflect.ValueOf(p).Elem()
	for _, i := range m.CloneAttributes() {
		f := rv.FieldByIndex(m.Attributes[i].Index)
		f.Set(model.DeepCopy(f))
	}
	return *p
}

// copyOutAny is copyOut for a model known only at run time; it returns a T in
// an interface.
func copyOutAny(m *model.Model, st *recordState) any {
	out := reflect.New(m.GoType)
	if st.value != nil {
		out.Elem().Set(reflect.NewAt(m.GoType, st.value).Elem())
	}
	for _, i := range m.CloneAttributes() {
		f := out.Elem().FieldByIndex(m.Attributes[i].Index)
		f.Set(model.DeepCopy(f))
	}
	return out.Elem().Interface()
}

// HasRecordForID reports whether a record of the type with the given id is
// loaded, as Ember Data's hasRecordForId: true for loaded and new records, false
// for empty, loading and unloaded ones, and for unknown types.
func (s *Cache) HasRecordForID(typ, id string) bool {
	tc, err := s.typeCacheFor(typ)
	if err != nil {
		return false
	}
	_, st := tc.find(id)
	return st.loaded()
}

// PeekIdentifier returns the identifier of the cached record of a type with the
// given id, whether or not it is loaded, and false when the store has no entry.
func (s *Cache) PeekIdentifier(typ, id string) (Identifier, bool) {
	tc, err := s.typeCacheFor(typ)
	if err != nil {
		return Identifier{}, false
	}
	r, _ := tc.find(id)
	if r == nil {
		return Identifier{}, false
	}
	return r.identifier(), true
}
