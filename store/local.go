package store

import (
	"reflect"
	"unsafe"
)

// Local state. A record with local edits keeps three values, as Ember Data's
// cache keeps three layers of attributes: the remote (canonical) value, the
// value a save in flight sent, and the current value that reads return. Dirty
// tracking compares them field by field, so setting a field back to its remote
// value makes it clean again, and a push that brings the remote value up to a
// local edit drops the edit.

// remoteOf returns the record's remote value: its own value when it has no
// local state, the zero value for a new record the server has not confirmed.
func (tc *typeCache) remoteOf(st *recordState) unsafe.Pointer {
	if st.local == nil {
		return st.value
	}
	if st.local.remote == nil {
		return tc.zero
	}
	return st.local.remote
}

// differs reports whether any attribute or relationship linkage of a differs
// from b's.
func (tc *typeCache) differs(a, b unsafe.Pointer) bool {
	return tc.attrsDiffer(a, b) || tc.relsDiffer(a, b)
}

func (tc *typeCache) attrsDiffer(a, b unsafe.Pointer) bool {
	for i := range tc.fields.attrs {
		if !tc.fields.attrs[i].eq(a, b) {
			return true
		}
	}
	return false
}

func (tc *typeCache) relsDiffer(a, b unsafe.Pointer) bool {
	for i := range tc.fields.rels {
		if !tc.fields.rels[i].eq(a, b) {
			return true
		}
	}
	return false
}

// newValue allocates a model value holding a copy of src.
func (tc *typeCache) newValue(src unsafe.Pointer) unsafe.Pointer {
	v := reflect.New(tc.model.GoType)
	if src != nil {
		v.Elem().Set(reflect.NewAt(tc.model.GoType, src).Elem())
	}
	return v.UnsafePointer()
}

// rebase returns a new value: next with the local edits of cur (its fields
// that differ from base) on top. keepRel says which relationships keep their
// local linkage; a kept one takes next's links and meta.
func (tc *typeCache) rebase(cur, base, next unsafe.Pointer, keepRel func(i int) bool) unsafe.Pointer {
	out := tc.newValue(next)
	for i := range tc.fields.attrs {
		f := &tc.fields.attrs[i]
		if !f.eq(cur, base) {
			f.copy(out, cur)
		}
	}
	for i := range tc.fields.rels {
		f := &tc.fields.rels[i]
		if !f.eq(cur, base) && (keepRel == nil || keepRel(i)) {
			local := relAt(f, cur)
			remote := relAt(f, next)
			setRelAt(f, out, remote.Merge(local, true, false, false))
		}
	}
	return out
}

// settle drops a state's local part when nothing is left in it: no field
// differs from the remote value, no save is in flight, no validation error,
// and the record is not new.
func (tc *typeCache) settle(st *recordState) {
	l := st.local
	if l == nil || l.inflight != nil || len(l.errors) > 0 || st.status&stNew != 0 || l.remote == nil {
		return
	}
	if tc.differs(st.value, l.remote) {
		return
	}
	st.value, st.local = l.remote, nil
}

// dirtyAttrs reports whether any attribute differs from the remote value.
func (tc *typeCache) dirtyAttrs(st *recordState) bool {
	if st.local == nil {
		return false
	}
	return tc.attrsDiffer(st.value, tc.remoteOf(st))
}

// withLocal returns a copy of st with local state, keeping what st has.
func withLocal(st *recordState) *recordState {
	next := *st
	if st.local == nil {
		next.local = &edits{remote: st.value}
	} else {
		l := *st.local
		next.local = &l
	}
	return &next
}
