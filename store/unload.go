package store

import "fmt"

// UnloadRecord drops the cached data of the record of a type with the given id:
// it leaves live arrays, query results and the indexes, and PeekRecord no longer
// finds it, as Ember Data's unloadRecord moves a record to "empty". Pushing the
// id again makes a new record. Unloading a record the store does not hold does
// nothing. Its cost does not grow with the number of records held. A record
// whose save is in flight cannot be unloaded: ErrSaving.
func (s *Cache) UnloadRecord(typ, id string) error {
	tc, err := s.typeCacheFor(typ)
	if err != nil {
		return err
	}
	r := tc.get(id)
	if r == nil {
		return nil
	}
	return s.unloadRecord(tc, r)
}

// unloadRecord unloads r unless its save is in flight.
func (s *Cache) unloadRecord(tc *typeCache, r *record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := r.state.Load(); st != nil && st.status&stSaving != 0 {
		return fmt.Errorf("store: unload %s: %w", r.identifier(), ErrSaving)
	}
	tx := s.begin(OriginLocal)
	tx.unload(r)
	tx.commit()
	return nil
}

// unload moves a record to empty and takes it out of the graph (Ember
// Data's unloadRecord): an inverse that is sync drops it, as for a client-side
// delete; an async inverse of a loaded record keeps its identifier and is
// marked stale, so its next load refetches it, and the record stays in the
// index as a stub holding those relationships, until they let it go. A new
// record leaves every relationship.
func (tx *txn) unload(r *record) {
	old := tx.cur(r)
	if !old.loaded() {
		return
	}
	var keep func(y *record, j int) bool
	if old.status&stNew == 0 {
		keep = func(y *record, j int) bool {
			return y.model.Rels[j].Async && tx.cur(y).loaded()
		}
	}
	kept := tx.detach(r, keep)
	tx.store(r, &recordState{id: old.id}, ChangeUnloaded)
	tx.drop(r)
	if kept == nil || old.id == "" {
		return
	}
	tc := tx.s.types[r.model.Index]
	stub := tx.create(tc, old.id, "")
	d := tx.draftOf(stub)
	v := tx.mutable(d, remoteSide)
	for i, ids := range kept {
		if len(ids) > 0 {
			f := &tc.fields.rels[i]
			setRelAt(f, v, relAt(f, tx.s.types[r.model.Index].remoteOf(old)).WithLinkage(r.model.Rels[i].Kind, ids))
		}
	}
}

// UnloadAll unloads every record of the given types, or of every type when none
// is given, in one commit. An unknown type is an error and unloads nothing.
// Records whose save is in flight stay, as [Cache.UnloadRecord] refuses to
// unload them: their save's answer needs them, and unloading a record whose
// create is in flight would lose the record the server makes.
func (s *Cache) UnloadAll(types ...string) error {
	tcs := s.types
	if len(types) > 0 {
		tcs = make([]*typeCache, 0, len(types))
		for _, t := range types {
			tc, err := s.typeCacheFor(t)
			if err != nil {
				return fmt.Errorf("store: unload all: %w", err)
			}
			tcs = append(tcs, tc)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tx := s.begin(OriginLocal)
	var rs []*record
	for _, tc := range tcs {
		tc.index.All(func(r *record) bool {
			if st := r.state.Load(); st.loaded() && st.status&stSaving == 0 {
				rs = append(rs, r)
			}
			return true
		})
		tc.lids.All(func(r *record) bool {
			if st := r.state.Load(); r.id == "" && st.loaded() && st.status&stSaving == 0 {
				rs = append(rs, r) // new records without an id
			}
			return true
		})
	}
	for _, r := range rs {
		tx.unload(r)
	}
	tx.commit()
	return nil
}
