package store

import (
	"unsafe"

	"github.com/larder-go/larder/relationship"
)

// txn is one writer's batch of changes, used with Cache.mu held. Every record
// it touches gets a draft: the state the commit will publish, which the txn
// may change in place until then (an apply, then the inverse of another
// record's relationship). Nothing is visible to readers before commit, and
// commit publishes every draft, and every change to the indexes, inside one
// odd generation (Cache.gen): see consistency.go.
type txn struct {
	s       *Cache
	origin  Origin
	added   recordSet // records given an id in this txn, not yet in the index
	lids    recordSet // records with a lid, not yet in the lid index
	members map[*typeCache][]*record
	drafts  []*draft
	slab    []draft                            // drafts are carved from here, a chunk at a time
	ones    map[jsonapiKey]*relationship.State // to-one states the graph built, shared
	lastKey jsonapiKey                         // the last of ones used
	lastOne *relationship.State
	dropped []*record // records leaving the indexes at commit (record.dropped set)
	dropBuf [2]*record
	// answers: the txn commits an answer to a request sent at remote
	// revision since (see answers.go). revision is the txn's own, or 0.
	answers  bool
	since    uint64
	revision uint64
	journal  bool     // note how to undo what changes before commit (Apply)
	undo     []func() // those notes, in order
}

// jsonapiKey names a member: its type and its id, or its lid without one.
type jsonapiKey struct{ typ, id, lid string }

// draft is a record's working state inside a txn.
type draft struct {
	r    *record
	old  *recordState // published when the txn first touched the record
	st   *recordState // what commit publishes; the struct is the txn's own
	kind ChangeKind   // the change to announce; 0 until something changes
	own  ownership    // which of st's values the txn allocated and may change
	work []*relWork   // member lists the graph is changing, per relationship and side
}

// ownership says which values of a draft's state were allocated by the txn,
// so that the graph may change them in place; others are shared with
// published states and are copied first.
type ownership uint8

const (
	ownState  ownership = 1 << iota // the st struct
	ownValue                        // st.value
	ownEdits                        // the st.local struct
	ownRemote                       // st.local.remote
)

// begin starts a txn whose commit announces changes of origin o.
func (s *Cache) begin(o Origin) *txn { return &txn{s: s, origin: o} }

// draftOf returns r's draft, starting one from its published state.
func (tx *txn) draftOf(r *record) *draft {
	if r.d != nil {
		return r.d
	}
	if len(tx.slab) == 0 {
		tx.slab = make([]draft, 32)
	}
	d := &tx.slab[0]
	tx.slab = tx.slab[1:]
	d.r = r
	d.old = r.state.Load()
	d.st = d.old
	r.d = d
	tx.drafts = append(tx.drafts, d)
	return d
}

// owned returns d's state as the txn's own to change, copying it first. A
// record the txn created without a state gets one with a zero value: a stub.
func (tx *txn) owned(d *draft) *recordState {
	if d.own&ownState != 0 {
		return d.st
	}
	if d.st == nil {
		tc := tx.s.types[d.r.model.Index]
		st, v := tc.newCell()
		st.id, st.value = d.r.id, v.UnsafePointer()
		if st.id != "" {
			_ = tc.setIDAt(st.value, st.id)
		}
		d.st = st
		d.own |= ownState | ownValue
		return st
	}
	st := new(recordState)
	*st = *d.st
	d.st = st
	d.own |= ownState
	return st
}

// cur returns r's state as the txn has it so far.
func (tx *txn) cur(r *record) *recordState {
	if r.d != nil {
		tx.flush(r.d)
		return r.d.st
	}
	return r.state.Load()
}

// put makes next r's state at commit. own says which of next's values the
// caller allocated for this txn alone.
func (tx *txn) put(r *record, next *recordState, kind ChangeKind, own ownership) {
	d := tx.draftOf(r)
	d.work = nil // next was built from tx.cur, which flushed it
	d.st, d.own = next, own|ownState
	if d.kind == 0 || d.kind == ChangeUpdated || d.kind == ChangeEdited {
		d.kind = kind
	}
}

// store makes next r's state at commit; next's values are shared.
func (tx *txn) store(r *record, next *recordState, kind ChangeKind) {
	tx.put(r, next, kind, 0)
}

// touched notes a change the graph made to a draft: a remote change is an
// update, a local one an edit, unless a direct change named the kind.
func (d *draft) touched(kind ChangeKind) {
	if d.kind == 0 || (d.kind == ChangeEdited && kind == ChangeUpdated) {
		d.kind = kind
	}
}

// lookup finds a record by lid or id as the txn has the indexes: records it
// added count, records it dropped do not. The indexes readers use change only
// when commit publishes (see consistency.go).
func (tx *txn) lookup(tc *typeCache, id, lid string) *record {
	if lid != "" {
		if r := tx.lids.get(tc, lid); r != nil {
			return r
		}
		if r := tc.getLID(lid); r != nil && !tx.isDropped(r) {
			return r
		}
	}
	if id == "" {
		return nil
	}
	if r := tx.added.get(tc, id); r != nil {
		return r
	}
	if r := tc.get(id); r != nil && !tx.isDropped(r) {
		return r
	}
	return nil
}

// isDropped reports whether the txn took r out of the indexes.
func (tx *txn) isDropped(r *record) bool { return r.dropped }

// create adds a record to the txn. A record with an id no entry has goes
// into the id index at once: without a state until commit, readers find it
// not loaded, as they find no entry, and the commit need not put it there.
// One that replaces an entry (a stub after an unload) waits for the commit.
func (tx *txn) create(tc *typeCache, id, lid string) *record {
	r := newRecord(tc.model, id)
	r.lid = lid
	switch {
	case id == "":
	case tc.get(id) == nil:
		tc.index.Put(r)
		tx.note(func() { tc.removeLocked(r) })
	default:
		tx.addID(tc, id, r)
	}
	if lid != "" {
		tx.addLID(tc, lid, r)
	}
	return r
}

// addID records a record given an id (a new record the server confirmed),
// to be put in the index at commit, when its state says so.
func (tx *txn) addID(tc *typeCache, id string, r *record) { tx.added.put(tc, id, r) }

// addLID records a record under a lid, to be published at commit.
func (tx *txn) addLID(tc *typeCache, lid string, r *record) { tx.lids.put(tc, lid, r) }

// drop takes r out of the indexes: at once if the txn added it, at commit
// if readers can find it.
func (tx *txn) drop(r *record) {
	tc := tx.s.types[r.model.Index]
	if r.id != "" {
		tx.added.remove(tc, r.id, r)
	}
	if r.lid != "" {
		tx.lids.remove(tc, r.lid, r)
	}
	if !r.dropped && ((r.id != "" && tc.index.Get(r.id) == r) || (r.lid != "" && tc.lids.Get(r.lid) == r)) {
		r.dropped = true
		if tx.dropped == nil {
			tx.dropped = tx.dropBuf[:0]
		}
		tx.dropped = append(tx.dropped, r)
	}
	if len(tx.s.indexes) > 0 {
		for k := range 2 * len(r.model.Rels) {
			delete(tx.s.indexes, indexKey{holder: r, slot: k})
		}
	}
}

// commit finishes every draft (pending member lists, local state that no
// longer differs, stubs nothing refers to), publishes them and new records
// inside one odd generation, keeps live arrays in step, then announces the
// changes.
func (tx *txn) commit() {
	s := tx.s
	for _, d := range tx.drafts {
		tx.flush(d)
		if d.own&ownState == 0 {
			continue
		}
		tc := s.types[d.r.model.Index]
		if d.st.local != nil {
			tc.settle(d.st)
		}
		if !d.st.loaded() && d.st.value != nil && tx.orphan(d) {
			d.st.value, d.st.local = nil, nil
			tx.drop(d.r)
		}
	}
	// What the commit announces is worked out before its window, so that
	// readers wait only for the stores.
	var changes []pendingChange
	watched := s.hub.open.Load() > 0
	if watched {
		changes = make([]pendingChange, 0, len(tx.drafts))
	}
	changed := false
	for _, d := range tx.drafts {
		if d.own&ownState == 0 {
			if d.old == nil {
				tx.drop(d.r) // created, never given a state
			}
			continue
		}
		tc := s.types[d.r.model.Index]
		if d.kind != 0 && (d.old.loaded() || d.st.loaded()) && !tc.unchanged(d.old, d.st) {
			changed = true
			if watched {
				changes = append(changes, pendingChange{r: d.r, kind: d.kind, old: d.old, new: d.st})
			}
		}
	}
	s.publishBegin()
	pause, breakOne := s.test.pause, s.test.late // nil and false but in tests
	var late *draft                              // the broken commit of tests: see testCommit
	for _, d := range tx.drafts {
		r := d.r
		r.d = nil
		if d.own&ownState == 0 {
			continue
		}
		if breakOne && late == nil && d.old.loaded() {
			late = d
		} else {
			r.state.Store(d.st)
		}
		if pause != nil {
			pause()
		}
		tc := s.types[r.model.Index]
		switch was, is := d.old.visible(), d.st.visible(); {
		case !was && is:
			if tx.members == nil {
				tx.members = map[*typeCache][]*record{}
			}
			add := tx.members[tc]
			tc.joinLocked(r, &add)
			tx.members[tc] = add
		case was && !is:
			tc.leaveLocked()
		}
	}
	for _, r := range tx.dropped {
		r.dropped = false
		s.types[r.model.Index].removeLocked(r)
	}
	tx.added.each(func(tc *typeCache, r *record) { tc.index.Put(r) })
	tx.lids.each(func(tc *typeCache, r *record) { tc.lids.Put(r) })
	for tc, rs := range tx.members {
		tc.appendMemberLocked(rs)
	}
	s.publishEnd()
	if late != nil {
		for range 100 {
			pause()
		}
		late.r.state.Store(late.st)
	}
	if changed {
		seq := s.announce()
		if watched {
			s.publish(seq, tx.origin, changes)
		}
	}
}

// mutable returns the value of side sd of d's state, owned by the txn, so
// the graph may change it. For a record without local state both sides are
// one value. It returns nil for the remote side of a new record the server
// has not confirmed, which has no remote state to change.
func (tx *txn) mutable(d *draft, sd side) unsafe.Pointer {
	tc := tx.s.types[d.r.model.Index]
	st := tx.owned(d)
	if st.value == nil {
		// A record the graph names before it is loaded: a stub holding its
		// relationships only.
		st.value = tc.newValue(tc.zero)
		if st.id != "" {
			_ = tc.setIDAt(st.value, st.id)
		}
		d.own |= ownValue
	}
	if st.local == nil || sd == localSide {
		if d.own&ownValue == 0 {
			st.value = tc.newValue(st.value)
			d.own |= ownValue
		}
		return st.value
	}
	if st.local.remote == nil {
		return nil
	}
	if d.own&ownEdits == 0 {
		l := *st.local
		st.local = &l
		d.own |= ownEdits
	}
	if d.own&ownRemote == 0 {
		st.local.remote = tc.newValue(st.local.remote)
		d.own |= ownRemote
	}
	return st.local.remote
}

// split gives a draft without local state a local value apart from its
// remote one, before a change to its local side only.
func (tx *txn) split(d *draft) {
	if d.st != nil && d.st.local != nil {
		return
	}
	tx.flush(d)
	tc := tx.s.types[d.r.model.Index]
	remote := tx.mutable(d, remoteSide)
	st := d.st
	st.local = &edits{remote: remote}
	st.value = tc.newValue(remote)
	d.own |= ownValue | ownEdits | ownRemote
}
