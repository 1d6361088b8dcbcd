package store

import "sync/atomic"

// Staleness. A record is stale when the server may have changed it without
// the cache being told: another instance said so (package fanout), or the
// program did (Invalidate). A stale record is still read by peeks, which never
// do I/O, but FindRecord waits for a reload of it, as with Reload(true)
// (sharing a request in flight), unless the call says Reload(false). A
// record becomes fresh again when the server's own data for it arrives: a
// load, a save's response, a push by the program or a stream. A change from
// another instance (OriginPeer) updates its values but leaves it stale, as
// it cannot vouch for the fields it did not send.
//
// Invalidating a whole type costs O(1) whatever its size: each type has an
// epoch, every record state notes the epoch of its last fresh data, and a
// record is stale when its epoch is behind its type's.

// staleness is a type's epoch and that of its live array's last load.
type staleness struct {
	epoch atomic.Uint32 // bumped by InvalidateType
	array atomic.Uint32 // the epoch the last FindAll load started in
}

// stale reports whether st, a loaded state of a record of tc, is stale.
func (tc *typeCache) stale(st *recordState) bool {
	return st.status&stStale != 0 || st.epoch != tc.staleness.epoch.Load()
}

// arrayStale reports whether the live array was invalidated since its last
// load, so that FindAll waits for a reload.
func (tc *typeCache) arrayStale() bool {
	return tc.staleness.array.Load() != tc.staleness.epoch.Load()
}

// freshen sets next's freshness after data of origin o arrived for the
// record whose state was old: the server's data makes it fresh, a peer's
// keeps what old had.
//
// A peer's change and a response of the store's own adapter can cross: the
// response, made by the server before the peer's change, committed after
// it, would put the older value back. So a peer's change that changed the
// record's remote value while any request is in flight marks it raced, and the next response of the
// adapter to reach it leaves it stale rather than fresh: its next find
// reloads it, and fan-out sends it as invalidation, not as values. Raced is
// conservative (the request in flight may be of anything); its cost is one
// reload.
func (s *Cache) freshen(tc *typeCache, next, old *recordState, o Origin, changed bool) {
	switch {
	case o == OriginPeer:
		if old.loaded() {
			next.epoch = old.epoch
			next.status = next.status&^(stStale|stRaced) | old.status&(stStale|stRaced)
		} else {
			next.epoch = tc.staleness.epoch.Load()
		}
		if changed && s.inflight.Load() > 0 {
			next.status |= stRaced
		}
	case o == OriginAdapter && old != nil && old.status&stRaced != 0:
		next.epoch = tc.staleness.epoch.Load()
		next.status = next.status&^stRaced | stStale
	default:
		next.epoch = tc.staleness.epoch.Load()
		next.status &^= stStale | stRaced
	}
}

// Invalidate marks the records named stale (see the package documentation
// on staleness): their next FindRecord waits for a reload. Records the
// cache does not hold loaded, and types it does not know, are ignored: there
// is nothing stale to serve. Invalidate announces nothing, as no value
// changed; RecordState.IsStale reports it.
func (s *Cache) Invalidate(ids ...Identifier) {
	s.mustBeNew()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.publishBegin()
	defer s.publishEnd()
	for _, y := range ids {
		tc, err := s.typeCacheFor(y.Type)
		if err != nil {
			continue
		}
		var r *record
		if y.ID != "" {
			r = tc.get(y.ID)
		}
		if r == nil && y.LID != "" {
			r = tc.getLID(y.LID)
		}
		if r == nil {
			continue
		}
		st := r.state.Load()
		if !st.loaded() || st.status&stStale != 0 {
			continue
		}
		next := *st
		next.status |= stStale
		r.state.Store(&next)
	}
}

// InvalidateType marks every record of typ stale, and its live array: the
// next FindAll of the type waits for a reload, as the next FindRecord of each
// record does. It costs O(1), whatever the number of records. It fails only
// for a type the store does not know.
func (s *Cache) InvalidateType(typ string) error {
	s.mustBeNew()
	tc, err := s.typeCacheFor(typ)
	if err != nil {
		return err
	}
	tc.staleness.epoch.Add(1)
	return nil
}
