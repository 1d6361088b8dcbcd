package store

// Answers never undo newer state. Every commit that changes a record's remote
// state (a push of any origin, a response, a save's answer) takes the next
// remote revision of the store (Cache.rev) and writes it in the record's
// state. A request to the adapter notes the revision when it is sent. When
// its answer commits, a record whose revision is newer than that was changed
// by something the server may have done after it answered (a save, a push,
// a stream event, a peer's message, another response): the answer is older
// than the record, so it leaves the record's values as they are and marks the
// record stale, so that its next find reloads it. Every other record of the
// answer is applied as usual.
//
// The rule is conservative: two finds that cross, each including the same
// related record, leave that record stale after the second answer, at the
// cost of one reload. A save's own answer follows its own rule (save.go): it
// lays what it sent, and what the server answered, over the latest remote
// state.

// requestStarted notes a request to the adapter being sent: it returns the
// store's remote revision now, for the answer's commit, and counts the
// request in flight (see stale.go) until requestDone.
func (s *Cache) requestStarted() uint64 {
	s.inflight.Add(1)
	return s.rev.Load()
}

// requestDone ends what requestStarted began.
func (s *Cache) requestDone() { s.inflight.Add(-1) }

// rev returns the remote revision of the txn's commit, taking it on first
// use. The caller holds Cache.mu.
func (tx *txn) rev() uint64 {
	if tx.revision == 0 {
		tx.revision = tx.s.rev.Add(1)
	}
	return tx.revision
}

// crossed reports whether old, a record's state before an answer's txn,
// was changed remotely after the request of the answer was sent, by another
// commit than the txn's own.
func (tx *txn) crossed(old *recordState) bool {
	return tx.answers && old.loaded() && old.rev > tx.since && old.rev != tx.revision
}

// keepNewer is what an answer does to a record it crossed: the values stay,
// and the record is stale. A peer's change that raced a request is the
// change this answer crossed: the mark is spent (see stale.go).
func (tx *txn) keepNewer(r *record, old *recordState) {
	if old.status&stStale != 0 && old.status&stRaced == 0 {
		return
	}
	next := *old
	next.status = next.status&^stRaced | stStale
	tx.store(r, &next, 0)
}
