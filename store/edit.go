package store

import (
	"errors"
	"fmt"
	"reflect"
	"unsafe"

	"github.com/larder-go/larder/relationship"
)

// normalizeLinkage checks a relationship state a program set, filling in the
// type of a relationship to one model and the id of a member named by the lid
// of a record that has one.
func (s *Cache) normalizeLinkage(tc *typeCache, i int, st *relationship.State) (*relationship.State, error) {
	if !st.HasLinkage() || st.Len() == 0 {
		return st, nil
	}
	info := &tc.model.Rels[i]
	ids := st.Identifiers()
	changed := false
	for j := range ids {
		id := &ids[j]
		if id.Type == "" {
			if info.Target == nil {
				return nil, fmt.Errorf("store: %s.%s: %w: a polymorphic relationship needs each member's type", tc.model.Name, info.Name, ErrTypeMismatch)
			}
			id.Type, changed = info.Target.Name, true
		}
		m, ok := info.Accept(id.Type)
		if !ok {
			return nil, fmt.Errorf("store: %s.%s: %w: cannot hold %q", tc.model.Name, info.Name, ErrTypeMismatch, id.Type)
		}
		if id.ID == "" && id.LID == "" {
			return nil, fmt.Errorf("store: %s.%s: %w", tc.model.Name, info.Name, ErrMissingID)
		}
		if id.ID == "" {
			r := s.types[m.Index].getLID(id.LID)
			if r == nil {
				return nil, fmt.Errorf("store: %s.%s: no %s with lid %q: %w", tc.model.Name, info.Name, m.Name, id.LID, ErrNotLoaded)
			}
			if rid := s.types[m.Index].load(r).id; rid != "" {
				id.ID, changed = rid, true
			}
		}
	}
	if u := unique(ids); len(u) != len(ids) {
		ids, changed = u, true // a member set twice is kept once
	}
	if !changed {
		return st, nil
	}
	return st.WithLinkage(st.Kind(), ids), nil
}

// errRaced is edit's answer to a compare-and-swap whose record changed
// since the state it was given: the caller reads again and retries.
var errRaced = errors.New("store: the record changed")

// edit applies a program's change of a record: the fields in which work
// differs from base (the state the program started from) are set on the
// record's current state, as local edits. Fields the program did not change
// keep whatever a concurrent writer gave them, so two edits of different
// fields never lose each other. With cas, the change commits only if the
// record's state is still base, and errRaced says it is not.
func (s *Cache) edit(tc *typeCache, r *record, base *recordState, work unsafe.Pointer, cas bool) error {
	fs := &tc.fields
	if !fs.id.eq(work, base.value) {
		return fmt.Errorf("store: edit %s %q: %w", tc.model.Name, base.id, ErrIDChanged)
	}
	attrs, rels := newBitset(len(fs.attrs)), newBitset(len(fs.rels))
	changed := false
	for i := range fs.attrs {
		if !fs.attrs[i].eq(work, base.value) {
			attrs.set(i)
			changed = true
		}
	}
	for i := range fs.rels {
		f := &fs.rels[i]
		if f.eq(work, base.value) {
			continue
		}
		st, err := s.normalizeLinkage(tc, i, relAt(f, work))
		if err != nil {
			return err
		}
		setRelAt(f, work, st)
		rels.set(i)
		changed = true
	}
	if !changed {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := r.state.Load()
	if cas && cur != base {
		return errRaced
	}
	if !cur.loaded() {
		return fmt.Errorf("store: edit %s %q: %w", tc.model.Name, base.id, ErrNotLoaded)
	}
	if cur.status&stDeleted != 0 {
		for i := range fs.attrs {
			if attrs.has(i) {
				return fmt.Errorf("store: set %q on %s %q: %w", tc.model.Attributes[i].Name, tc.model.Name, cur.id, ErrDeleted)
			}
		}
		return fmt.Errorf("store: edit %s %q: %w", tc.model.Name, cur.id, ErrDeleted)
	}
	next := withLocal(cur)
	val := tc.newValue(cur.value)
	for i := range fs.attrs {
		if !attrs.has(i) {
			continue
		}
		f := &fs.attrs[i]
		if name := tc.model.Attributes[i].Name; next.local.errors[name] != nil && !f.eq(work, cur.value) {
			// A new value for an invalid attribute clears its error, as
			// Ember's attr setter does.
			errs := cloneErrors(next.local.errors)
			delete(errs, name)
			next.local.errors = errs
		}
		f.copy(val, work)
	}
	for i := range fs.rels {
		if rels.has(i) {
			f := &fs.rels[i]
			setRelAt(f, val, relAt(f, work))
		}
	}
	next.value = val
	tx := s.begin(OriginLocal)
	tx.put(r, next, ChangeEdited, ownValue|ownEdits)
	for i := range fs.rels {
		if rels.has(i) {
			// The inverses follow, locally.
			tx.mirror(localSide, r, i, relAt(&fs.rels[i], cur.value), relAt(&fs.rels[i], val))
		}
	}
	tx.commit()
	return nil
}

// SetRecord sets the record with v's id to v, as local edits: every attribute
// and relationship in which v differs from the record's current state is
// changed, and nothing is saved. It is the value form of [Ref.Update]; a new
// record without an id is edited through its Ref. v is copied: changing it
// afterwards changes nothing.
func SetRecord[T any](s *Cache, v T) error {
	tc, ok := cacheOf[T](s)
	if !ok {
		return unknownModel[T]()
	}
	p := unsafe.Pointer(&v)
	id := idString(reflect.NewAt(tc.model.GoType, p).Elem().FieldByIndex(tc.model.ID.Index))
	r, st := tc.find(id)
	if id == "" || !st.loaded() {
		return fmt.Errorf("store: set %s %q: %w", tc.model.Name, id, ErrNotLoaded)
	}
	if tc.clone {
		v = cloneRefs(tc.model, v)
	}
	return s.edit(tc, r, st, p, false)
}

// DeleteRecord marks the record of a type with the given id deleted, as Ember
// Data's deleteRecord: it stays in live arrays, and readable, until the
// deletion is saved ([Ref.Save]). A new record is unloaded at once instead,
// and saving it afterwards sends nothing. Deleting a deleted record does
// nothing. A record whose save is in flight cannot be deleted until the save
// ends: ErrSaving (Ember Data asserts), so a create in flight is never lost.
func (s *Cache) DeleteRecord(typ, id string) error {
	tc, err := s.typeCacheFor(typ)
	if err != nil {
		return err
	}
	return s.deleteRecord(tc, tc.get(id), id)
}

func (s *Cache) deleteRecord(tc *typeCache, r *record, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var cur *recordState
	if r != nil {
		cur = r.state.Load()
	}
	if !cur.loaded() {
		if cur != nil && cur.status&stDeleted != 0 {
			return nil // a new record, deleted already
		}
		return fmt.Errorf("store: delete %s %q: %w", tc.model.Name, id, ErrNotLoaded)
	}
	if cur.status&stDeleted != 0 {
		return nil
	}
	if cur.status&stSaving != 0 {
		return fmt.Errorf("store: delete %s %q: %w", tc.model.Name, cur.id, ErrSaving)
	}
	tx := s.begin(OriginLocal)
	if cur.status&stNew != 0 {
		tx.unload(r)
		r.d.st.status = stDeleted
	} else {
		next := *cur
		next.status |= stDeleted
		tx.store(r, &next, ChangeState)
	}
	tx.commit()
	return nil
}

// rollback discards a record's local and in-flight attribute values, its
// validation errors and error state, and undoes a delete, as Ember Data's
// rollbackAttributes; a new record is unloaded (Ember Data 5.x).
// Relationships keep their local state.
func (s *Cache) rollback(tc *typeCache, r *record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := r.state.Load()
	if !cur.loaded() {
		return nil
	}
	if cur.status&stSaving != 0 {
		return fmt.Errorf("store: roll back %s: %w", r.identifier(), ErrSaving)
	}
	tx := s.begin(OriginLocal)
	if cur.status&stNew != 0 {
		// Unloaded, and deleted: Ember Data's rollbackAttributes of a new
		// record (3.28 and 5.x) leaves isDeleted true.
		tx.unload(r)
		r.d.st.status = stDeleted
		tx.commit()
		return nil
	}
	next := *cur
	next.status &^= stDeleted
	next.err = nil
	if cur.local != nil {
		l := *cur.local
		l.errors = nil
		next.local = &l
		val := tc.newValue(tc.remoteOf(cur))
		for i := range tc.fields.rels {
			tc.fields.rels[i].copy(val, cur.value)
		}
		next.value = val
		tc.settle(&next)
	}
	tx.store(r, &next, ChangeState)
	tx.commit()
	return nil
}
