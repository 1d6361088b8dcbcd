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
	tx := s.begin()
	tx.unload(r)
	tx.commit()
	return nil
}

// unload moves a record to empty.
func (tx *txn) unload(r *record) {
	old := r.state.Load()
	if !old.loaded() {
		return
	}
	tx.store(r, old, &recordState{id: old.id}, ChangeUnloaded)
	tx.s.types[r.model.Index].removeLocked(r)
}

// UnloadAll unloads every record of the given types, or of every type when none
// is given. An unknown type is an error and unloads nothing.
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
	var changes []Change
	for _, tc := range tcs {
		for _, r := range *tc.members.Load() {
			old := r.state.Load()
			if !old.visible() {
				continue
			}
			r.state.Store(&recordState{id: old.id})
			changes = append(changes, Change{Record: r.identifier(), Kind: ChangeUnloaded})
		}
		tc.resetLocked()
	}
	s.announce(changes)
	return nil
}
