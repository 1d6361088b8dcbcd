package store

import (
	"hash/maphash"
	"maps"
	"slices"
	"unsafe"

	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/model"
	"github.com/larder-go/larder/relationship"
)

// The relationship graph. Both sides of every relationship with an inverse
// are kept in step, in the same txn, on two sides each: the remote side (what
// the server said) and the local side (what reads return, with the program's
// unsaved edits), as Ember Data's graph keeps canonical and current state.
//
//   - A push of a relationship's data replaces its remote members; each member
//     that came or went gets the record added to or removed from its inverse,
//     remote and local. The record's own local members become the remote ones
//     (Ember Data 3.x), except unsaved new records, which stay.
//   - A local edit changes the local side, and each inverse's local side.
//   - A to-one that takes a new member drops the old one, whose inverse then
//     drops the record: one hop further, never more, so no operation recurses
//     with the size of the graph.
//   - A relationship with no inverse keeps an implicit one (Cache.implicit),
//     so that a record deleted or unloaded leaves the relationships naming it.
//
// A record the graph names before it is loaded gets a stub: an entry that is
// not loaded (reads do not see it) holding only its relationships, so that the
// record's inverse state is there when it loads. A stub nothing refers to any
// more is dropped at commit.

// side is the remote or local side of a relationship, or both.
type side uint8

const (
	remoteSide side = 1 << iota
	localSide
	bothSides = remoteSide | localSide
)

// implicitKey names a record named by relationships without an inverse.
type implicitKey struct {
	model   int
	id, lid string
}

// edge is one relationship of one record.
type edge struct {
	holder *record
	rel    int
}

// relWork is a to-many's member list while a txn changes it, so that many
// changes cost one state at commit rather than one each. It reads the
// members the txn started from in place and keeps what it adds beside them;
// a list that only grew becomes its next state by an append
// (relationship.State.Append), in time that depends on what was added only.
type relWork struct {
	base    *relationship.State
	n       int                  // base's members
	added   []jsonapi.Identifier // members added; removed ones have an empty Type
	gone    []uint64             // base members removed, a bit each; nil until one is
	idx     *memberIndex         // member positions, once the list is long
	key     indexKey             // where the writer keeps idx between txns
	c       *Cache
	changed bool
}

// memberIndex maps a long to-many's members to their positions: base's
// members first, then those a txn added. The writer keeps it between txns,
// in Cache.indexes, for the state it indexes, so that a to-many of a million
// members that gains ten does not hash a million again.
type memberIndex struct {
	st       *relationship.State // the state indexed; nil while a txn changes it
	pos      map[uint64]int32
	collided bool // two members hashed alike: a miss must be confirmed by a scan
}

// indexKey names a relationship side of a record in Cache.indexes.
type indexKey struct {
	holder *record
	slot   int
}

const relWorkIndexAt = 32 // members from which a relWork keeps a position map

func keyOf(id jsonapi.Identifier) jsonapiKey {
	if id.ID != "" {
		return jsonapiKey{typ: id.Type, id: id.ID}
	}
	return jsonapiKey{typ: id.Type, lid: id.LID}
}

// memberHash hashes a member's type and id, or type and lid (byID false).
func memberHash(typ, key string, byID bool) uint64 {
	h := maphash.String(pendingSeed, key) ^ maphash.String(pendingSeed, typ)*0x9e3779b97f4a7c15
	if !byID {
		h = ^h
	}
	return h
}

// same reports whether two identifiers name one record.
// Identifiers with ids compare by id; a member known only by lid compares by
// lid.
func same(a, b jsonapi.Identifier) bool {
	if a.Type != b.Type {
		return false
	}
	if a.ID != "" && b.ID != "" {
		return a.ID == b.ID
	}
	return a.LID != "" && a.LID == b.LID
}

// unique returns ids with each member once, at its first position, as
// Ember Data's graph keeps a to-many's members: ids itself when no member
// repeats, so the common case allocates nothing.
func unique(ids []jsonapi.Identifier) []jsonapi.Identifier {
	if len(ids) < 2 {
		return ids
	}
	first := -1 // the first repeat
	if len(ids) <= 16 {
		// Members whose ids hash apart are different: compare the rest
		// only when the hashes meet (a push's members nearly always differ).
		var h [16]uint64
		for i := range ids {
			h[i] = maphash.String(pendingSeed, ids[i].ID)
		}
	scan:
		for i := 1; i < len(ids); i++ {
			for j := range i {
				if h[i] == h[j] && same(ids[i], ids[j]) {
					first = i
					break scan
				}
			}
		}
	} else {
		seen := make(map[jsonapiKey]struct{}, len(ids))
		for i, id := range ids {
			k := keyOf(id)
			if _, dup := seen[k]; dup {
				first = i
				break
			}
			seen[k] = struct{}{}
		}
	}
	if first < 0 {
		return ids
	}
	out := slices.Clone(ids[:first])
	for _, id := range ids[first+1:] {
		if !slices.ContainsFunc(out, func(m jsonapi.Identifier) bool { return same(m, id) }) {
			out = append(out, id)
		}
	}
	return out
}

// newRelWork starts the member list of relationship slot of x from st,
// taking the index the writer kept for st when there is one.
func (tx *txn) newRelWork(x *record, slot int, st *relationship.State) *relWork {
	w := &relWork{base: st, n: st.Len(), key: indexKey{holder: x, slot: slot}, c: tx.s}
	if w.n < relWorkIndexAt {
		return w
	}
	if idx := tx.s.indexes[w.key]; idx != nil && idx.st == st {
		idx.st = nil // changing: valid again only for the state flush makes
		w.idx = idx
		return w
	}
	w.index()
	return w
}

// index builds the list's position map and keeps it for later txns.
func (w *relWork) index() {
	w.idx = &memberIndex{pos: make(map[uint64]int32, w.n+len(w.added))}
	for i := range w.n + len(w.added) {
		if m := w.at(i); m.Type != "" {
			w.indexAt(i, m)
		}
	}
	if w.c.indexes == nil {
		w.c.indexes = map[indexKey]*memberIndex{}
	}
	w.c.indexes[w.key] = w.idx
}

// indexAt notes that member y is at position i.
func (w *relWork) indexAt(i int, y jsonapi.Identifier) {
	put := func(h uint64) {
		if _, ok := w.idx.pos[h]; ok {
			w.idx.collided = true
			return
		}
		w.idx.pos[h] = int32(i)
	}
	if y.ID != "" {
		put(memberHash(y.Type, y.ID, true))
	}
	if y.LID != "" {
		put(memberHash(y.Type, y.LID, false))
	}
}

// unindex forgets member y.
func (w *relWork) unindex(y jsonapi.Identifier) {
	if y.ID != "" {
		delete(w.idx.pos, memberHash(y.Type, y.ID, true))
	}
	if y.LID != "" {
		delete(w.idx.pos, memberHash(y.Type, y.LID, false))
	}
}

// at returns the member at position i; a removed one has an empty Type.
func (w *relWork) at(i int) jsonapi.Identifier {
	if i >= w.n {
		return w.added[i-w.n]
	}
	if w.gone != nil && w.gone[i/64]&(1<<(i%64)) != 0 {
		return jsonapi.Identifier{}
	}
	return memberAt(w.base, i)
}

func (w *relWork) find(y jsonapi.Identifier) int {
	if w.idx != nil {
		probe := func(h uint64) int {
			if i, ok := w.idx.pos[h]; ok {
				if m := w.at(int(i)); m.Type != "" && same(m, y) {
					return int(i)
				}
			}
			return -1
		}
		if y.ID != "" {
			if i := probe(memberHash(y.Type, y.ID, true)); i >= 0 {
				return i
			}
		}
		if y.LID != "" {
			if i := probe(memberHash(y.Type, y.LID, false)); i >= 0 {
				return i
			}
		}
		if !w.idx.collided {
			return -1
		}
	}
	for i := range w.n + len(w.added) {
		if m := w.at(i); m.Type != "" && same(m, y) {
			return i
		}
	}
	return -1
}

func (w *relWork) add(y jsonapi.Identifier) bool {
	if w.find(y) >= 0 {
		return false
	}
	w.added = append(w.added, y)
	if w.idx != nil {
		w.indexAt(w.n+len(w.added)-1, y)
	} else if w.n+len(w.added) >= relWorkIndexAt {
		w.index()
	}
	w.changed = true
	return true
}

func (w *relWork) remove(y jsonapi.Identifier) bool {
	i := w.find(y)
	if i < 0 {
		return false
	}
	if w.idx != nil {
		w.unindex(w.at(i))
	}
	if i >= w.n {
		w.added[i-w.n] = jsonapi.Identifier{}
	} else {
		if w.gone == nil {
			w.gone = make([]uint64, (w.n+63)/64)
		}
		w.gone[i/64] |= 1 << (i % 64)
	}
	w.changed = true
	return true
}

// state returns the list as a state. An index stays valid for it when the
// list only grew; otherwise positions moved and the index is dropped.
func (w *relWork) state() *relationship.State {
	added := w.added[:0]
	for _, id := range w.added {
		if id.Type != "" {
			added = append(added, id)
		}
	}
	var st *relationship.State
	if w.gone == nil {
		st = w.base.Append(relationship.KindHasMany, added)
	} else {
		out := make([]jsonapi.Identifier, 0, w.n+len(added))
		for i := range w.n {
			if m := w.at(i); m.Type != "" {
				out = append(out, m)
			}
		}
		st = w.base.WithMembers(relationship.KindHasMany, append(out, added...))
	}
	if w.idx != nil {
		if w.gone == nil && len(added) == len(w.added) {
			w.idx.st = st
		} else {
			delete(w.c.indexes, w.key)
		}
	}
	return st
}

// sideValue returns the value of side sd of st, or nil when it has none.
func sideValue(st *recordState, sd side) unsafe.Pointer {
	if st == nil || st.value == nil {
		return nil
	}
	if st.local == nil || sd == localSide {
		return st.value
	}
	return st.local.remote
}

// slot is where a draft keeps the work on relationship i's side sd: a record
// without local state has one side.
func (d *draft) slot(i int, sd side) int {
	if d.st == nil || d.st.local == nil || sd == remoteSide {
		return 2 * i
	}
	return 2*i + 1
}

// relOf returns relationship i of r on side sd as the txn has it, and the
// pending work on it, without starting a draft.
func (tx *txn) relOf(r *record, i int, sd side) (*relationship.State, *relWork) {
	tc := tx.s.types[r.model.Index]
	f := &tc.fields.rels[i]
	if d := r.d; d != nil {
		if d.work != nil {
			if w := d.work[d.slot(i, sd)]; w != nil {
				return nil, w
			}
		}
		if v := sideValue(d.st, sd); v != nil {
			return relAt(f, v), nil
		}
		return nil, nil
	}
	if v := sideValue(r.state.Load(), sd); v != nil {
		return relAt(f, v), nil
	}
	return nil, nil
}

// hasSide reports whether side sd of r exists: the remote side of a new
// record the server has not confirmed does not.
func (tx *txn) hasSide(r *record, sd side) bool {
	st := r.state.Load()
	if r.d != nil {
		st = r.d.st
	}
	return sd == localSide || st == nil || st.local == nil || st.local.remote != nil
}

// holds reports whether r's relationship i holds y on side sd.
func (tx *txn) holds(r *record, i int, sd side, y jsonapi.Identifier) bool {
	st, w := tx.relOf(r, i, sd)
	if w != nil {
		return w.find(y) >= 0
	}
	if st.Len() >= relWorkIndexAt && st.Kind() == relationship.KindHasMany {
		// Long: ask the member list, which keeps an index between txns.
		return tx.work(tx.draftOf(r), i, sd).find(y) >= 0
	}
	for k := range st.Len() {
		if same(memberAt(st, k), y) {
			return true
		}
	}
	return false
}

// memberAt is st.At(i) without the member's meta.
func memberAt(st *relationship.State, i int) jsonapi.Identifier {
	return jsonapi.Identifier{Type: st.TypeAt(i), ID: st.ID(i), LID: st.LIDAt(i)}
}

// work returns the pending member list of d's relationship i on side sd.
func (tx *txn) work(d *draft, i int, sd side) *relWork {
	if d.work == nil {
		d.work = make([]*relWork, 2*len(d.r.model.Rels))
	}
	k := d.slot(i, sd)
	if w := d.work[k]; w != nil {
		return w
	}
	st, _ := tx.relOf(d.r, i, sd)
	w := tx.newRelWork(d.r, k, st)
	d.work[k] = w
	return w
}

// flush writes a draft's pending member lists into its values.
func (tx *txn) flush(d *draft) {
	if d.work == nil {
		return
	}
	work := d.work
	d.work = nil
	f := tx.s.types[d.r.model.Index].fields.rels
	for k, w := range work {
		if w == nil {
			continue
		}
		if !w.changed {
			if w.idx != nil {
				w.idx.st = w.base // still what it indexes
			}
			continue
		}
		sd := remoteSide
		if k%2 == 1 {
			sd = localSide
		}
		if v := tx.mutable(d, sd); v != nil {
			setRelAt(&f[k/2], v, w.state())
		}
	}
}

// setRel sets relationship i of d on side sd.
func (tx *txn) setRel(d *draft, i int, sd side, st *relationship.State) {
	tx.flush(d)
	if v := tx.mutable(d, sd); v != nil {
		setRelAt(&tx.s.types[d.r.model.Index].fields.rels[i], v, st)
	}
}

// toOne returns a to-one state naming y with base's links and meta; states
// without links or meta are shared within the txn.
func (tx *txn) toOne(base *relationship.State, y jsonapi.Identifier) *relationship.State {
	if base.Links() != nil || base.Meta() != nil || base.IsStale() {
		return base.WithLinkage(relationship.KindBelongsTo, []jsonapi.Identifier{y})
	}
	k := keyOf(y)
	if tx.lastOne != nil && tx.lastKey == k {
		return tx.lastOne // the members of one to-many, in a row
	}
	st := tx.ones[k]
	if st == nil {
		st = base.WithLinkage(relationship.KindBelongsTo, []jsonapi.Identifier{y})
		if tx.ones == nil {
			tx.ones = map[jsonapiKey]*relationship.State{}
		}
		tx.ones[k] = st
	}
	tx.lastKey, tx.lastOne = k, st
	return st
}

// ident returns r's identifier as relationships name it: type and id, or the
// lid of a record without one.
func (tx *txn) ident(r *record) jsonapi.Identifier {
	id := r.id
	if id == "" {
		if st := tx.cur(r); st != nil {
			id = st.id
		}
	}
	if id == "" {
		return jsonapi.Identifier{Type: r.model.Name, LID: r.lid}
	}
	return jsonapi.Identifier{Type: r.model.Name, ID: id}
}

// resolve returns the record y names, making a stub for it when create is
// set and the store has none.
func (tx *txn) resolve(y jsonapi.Identifier, create bool) *record {
	m, ok := tx.s.reg.ByName(y.Type)
	if !ok {
		return nil
	}
	return tx.resolveIn(m, y, create)
}

// resolveIn is resolve for a member of model m.
func (tx *txn) resolveIn(m *model.Model, y jsonapi.Identifier, create bool) *record {
	tc := tx.s.types[m.Index]
	var r *record
	if tc.index.Len() > 0 || tc.lids.Len() > 0 || !tx.lids.empty() || !tx.added.empty() {
		r = tx.lookup(tc, y.ID, y.LID)
	}
	if r == nil && create && y.ID != "" {
		r = tx.create(tc, y.ID, "")
		tx.draftOf(r)
		tx.materialize(r)
	}
	return r
}

// Pending inverses. A to-many naming records the store has never loaded (an
// album's songs, not included) would need a stub per member to hold each
// member's to-one inverse. Instead the store notes, per member and per
// to-one inverse, which record names it (Cache.pending: a hash of type, id
// and inverse to the holder, 16 bytes a member), and gives the member its
// inverses when it arrives, after checking that each holder still names it.
// A member named by two to-manys with different inverses (a writer's books
// and a shelf's books) keeps both; one whose to-one inverse another holder
// takes (an album's songs pushed under a new album) leaves the old holder at
// once, as a loaded member would. Only the remote side is kept this way: a
// local edit naming a record never loaded makes a stub.

// pendingKey hashes a member's model, id and the to-one inverse j that a
// holder names it through.
func pendingKey(m *model.Model, id string, j int) uint64 {
	return maphash.String(pendingSeed, id) ^ uint64(m.Index+1)*0x9e3779b97f4a7c15 ^ uint64(j+1)*0xc2b2ae3d27d4eb4f
}

var pendingSeed = maphash.MakeSeed()

// pend notes (add) or forgets that x's relationship i names the record of
// model m with the given id, which the store has not loaded, through the
// member's to-one inverse j. A to-one holds one record: a holder that takes
// it from another makes the other drop the member, on both sides.
func (tx *txn) pend(m *model.Model, id string, j int, x *record, i int, add bool) {
	k := pendingKey(m, id, j)
	tx.notePending(k)
	e := edge{holder: x, rel: i}
	if !add {
		if tx.s.pending[k] == e {
			delete(tx.s.pending, k)
		}
		return
	}
	if old, ok := tx.s.pending[k]; ok && old != e {
		y := jsonapi.Identifier{Type: m.Name, ID: id}
		tx.unlink(remoteSide, old.holder, old.rel, y, false)
		tx.unlink(localSide, old.holder, old.rel, y, false)
	}
	tx.s.pending[k] = e
}

// reservePending makes room for n more pending inverses before a commit adds
// them, so a push naming thousands of records never loaded grows the map
// once, to its size, rather than by doubling: growth by doubling leaves
// garbage about the size of the map, and rehashes every entry on the way.
// A map already large against n is left to grow as maps do, so the copy
// here costs at most a constant per entry added.
func (s *Cache) reservePending(n int) {
	if s.opts.noGraph || n < 64 || 2*len(s.pending) > n {
		return
	}
	m := make(map[uint64]edge, len(s.pending)+n)
	for k, e := range s.pending {
		m[k] = e
	}
	s.pending = m
}

// pendingBound is at most how many pending inverses applying p can add: the
// members of its to-many linkage whose inverse is a to-one.
func (p *prepared) pendingBound() int {
	n := 0
	for i := range p.rels {
		rp := &p.rels[i]
		info := &p.tc.model.Rels[rp.index]
		if !rp.hasData || info.Kind != relationship.KindHasMany || info.Target == nil {
			continue
		}
		if j := info.InverseFor(info.Target); j >= 0 && info.Target.Rels[j].Kind == relationship.KindBelongsTo {
			n += rp.state.Len()
		}
	}
	return n
}

// notePending notes how to put pending entry k back.
func (tx *txn) notePending(k uint64) {
	if tx.journal {
		e, ok := tx.s.pending[k]
		tx.note(func() {
			if ok {
				tx.s.pending[k] = e
			} else {
				delete(tx.s.pending, k)
			}
		})
	}
}

// materialize gives a record the txn just created the inverses holders noted
// for it while it was not loaded, each if its holder still names it.
func (tx *txn) materialize(r *record) {
	if tx.s.opts.noGraph || len(tx.s.pending) == 0 || r.id == "" {
		return
	}
	y := jsonapi.Identifier{Type: r.model.Name, ID: r.id}
	for j := range r.model.Rels {
		if r.model.Rels[j].Kind != relationship.KindBelongsTo {
			continue
		}
		k := pendingKey(r.model, r.id, j)
		e, ok := tx.s.pending[k]
		if !ok {
			continue
		}
		tx.notePending(k)
		delete(tx.s.pending, k)
		if !tx.holds(e.holder, e.rel, remoteSide, y) || !tx.cur(e.holder).loaded() || e.holder.model.Rels[e.rel].InverseFor(r.model) != j {
			continue
		}
		x := tx.ident(e.holder)
		tx.link(remoteSide, r, j, x, false)
		tx.link(localSide, r, j, x, false)
	}
}

func kindFor(sd side) ChangeKind {
	if sd == localSide {
		return ChangeEdited
	}
	return ChangeUpdated
}

// link makes x's relationship i hold y on side sd; a to-one drops its old
// member, whose inverse drops x. With mirror, y's inverse takes x too.
func (tx *txn) link(sd side, x *record, i int, y jsonapi.Identifier, mirror bool) {
	if !tx.hasSide(x, sd) {
		return
	}
	info := &x.model.Rels[i]
	if info.Kind == relationship.KindBelongsTo {
		cur, _ := tx.relOf(x, i, sd)
		if cur.Len() == 1 && same(memberAt(cur, 0), y) {
			return
		}
		d := tx.draftOf(x)
		if sd == localSide {
			tx.split(d)
		}
		tx.setRel(d, i, sd, tx.toOne(cur, y))
		d.touched(kindFor(sd))
		if cur.Len() == 1 {
			tx.counter(sd, x, i, memberAt(cur, 0), false)
		}
	} else {
		if tx.holds(x, i, sd, y) {
			return
		}
		d := tx.draftOf(x)
		if sd == localSide {
			tx.split(d)
		}
		tx.work(d, i, sd).add(y)
		d.touched(kindFor(sd))
	}
	if mirror {
		tx.counter(sd, x, i, y, true)
	}
}

// unlink takes y out of x's relationship i on side sd; with mirror, x out of
// y's inverse too.
func (tx *txn) unlink(sd side, x *record, i int, y jsonapi.Identifier, mirror bool) {
	if !tx.hasSide(x, sd) || !tx.holds(x, i, sd, y) {
		return
	}
	d := tx.draftOf(x)
	if sd == localSide {
		tx.split(d)
	}
	if x.model.Rels[i].Kind == relationship.KindBelongsTo {
		cur, _ := tx.relOf(x, i, sd)
		tx.setRel(d, i, sd, cur.WithLinkage(relationship.KindBelongsTo, nil))
	} else {
		tx.work(d, i, sd).remove(y)
	}
	d.touched(kindFor(sd))
	if mirror {
		tx.counter(sd, x, i, y, false)
	}
}

// counter changes the other end of x's relationship i to member y: y's
// inverse takes (add) or drops x, or, without an inverse, the implicit one
// notes it.
func (tx *txn) counter(sd side, x *record, i int, y jsonapi.Identifier, add bool) {
	info := &x.model.Rels[i]
	m := info.Target
	if m == nil || m.Name != y.Type {
		var ok bool
		if m, ok = tx.s.reg.ByName(y.Type); !ok {
			return
		}
	}
	j := info.InverseFor(m)
	if j < 0 {
		tx.implicitEdge(sd, m, y, x, i, add)
		return
	}
	pend := sd == bothSides && y.ID != "" && m.Rels[j].Kind == relationship.KindBelongsTo
	yr := tx.resolveIn(m, y, add && !pend)
	if yr == nil {
		if pend {
			tx.pend(m, y.ID, j, x, i, add)
		}
		return
	}
	xid := tx.ident(x)
	for _, s := range [2]side{remoteSide, localSide} {
		if sd&s == 0 {
			continue
		}
		if add {
			tx.link(s, yr, j, xid, false)
		} else {
			tx.unlink(s, yr, j, xid, false)
		}
	}
}

// implicitEdge notes (add) or forgets that x's relationship i names y on
// side sd, for a relationship without an inverse.
func (tx *txn) implicitEdge(sd side, m *model.Model, y jsonapi.Identifier, x *record, i int, add bool) {
	k := implicitKey{model: m.Index, id: y.ID}
	if y.ID == "" {
		k.lid = y.LID
	}
	e := edge{holder: x, rel: i}
	held := tx.s.implicit[k]
	if tx.journal {
		was := maps.Clone(held)
		tx.note(func() {
			if was == nil {
				delete(tx.s.implicit, k)
			} else {
				tx.s.implicit[k] = was
			}
		})
	}
	if add {
		if held == nil {
			held = map[edge]side{}
			tx.s.implicit[k] = held
		}
		held[e] |= sd
		return
	}
	if held == nil {
		return
	}
	if held[e] &^= sd; held[e] == 0 {
		delete(held, e)
	}
	if len(held) == 0 {
		delete(tx.s.implicit, k)
	}
}

// mirror follows a change of x's relationship i from old to next on side(s)
// sd, made by the caller: each member that left drops x from its inverse,
// each member that came takes it.
func (tx *txn) mirror(sd side, x *record, i int, old, next *relationship.State) {
	if tx.s.opts.noGraph || old == next || old.Len() == 0 && next.Len() == 0 {
		return
	}
	if old.Len() == 0 {
		for k := range next.Len() { // every member came: no diff to take
			tx.counter(sd, x, i, memberAt(next, k), true)
		}
		return
	}
	diffMembers(old, next, func(y jsonapi.Identifier, added bool) {
		tx.counter(sd, x, i, y, added)
	})
}

// diffMembers calls fn for each member of old not in next (added false) and
// each member of next not in old (added true).
func diffMembers(old, next *relationship.State, fn func(y jsonapi.Identifier, added bool)) {
	if old.SameLinkage(next) {
		return
	}
	n, m := old.Len(), next.Len()
	if n*m <= 1024 {
		for i := range n {
			y := memberAt(old, i)
			if !contains(next, y) {
				fn(y, false)
			}
		}
		for i := range m {
			y := memberAt(next, i)
			if !contains(old, y) {
				fn(y, true)
			}
		}
		return
	}
	in := func(st *relationship.State) map[jsonapiKey]bool {
		set := make(map[jsonapiKey]bool, st.Len())
		for i := range st.Len() {
			set[keyOf(memberAt(st, i))] = true
		}
		return set
	}
	was, is := in(old), in(next)
	for i := range n {
		if y := memberAt(old, i); !is[keyOf(y)] {
			fn(y, false)
		}
	}
	for i := range m {
		if y := memberAt(next, i); !was[keyOf(y)] {
			fn(y, true)
		}
	}
}

func contains(st *relationship.State, y jsonapi.Identifier) bool {
	for i := range st.Len() {
		if same(memberAt(st, i), y) {
			return true
		}
	}
	return false
}

// orphan reports whether a stub holds nothing any more: no member on either
// side and no relationship naming it without an inverse.
func (tx *txn) orphan(d *draft) bool {
	f := tx.s.types[d.r.model.Index].fields.rels
	for _, sd := range [2]side{remoteSide, localSide} {
		if v := sideValue(d.st, sd); v != nil {
			for i := range f {
				if relAt(&f[i], v).Len() > 0 {
					return false
				}
			}
		}
	}
	if len(tx.s.implicit) == 0 {
		return true
	}
	return len(tx.s.implicit[implicitKey{model: d.r.model.Index, id: d.st.id, lid: lidIfNoID(d.st.id, d.r.lid)}]) == 0
}

func lidIfNoID(id, lid string) string {
	if id == "" {
		return lid
	}
	return ""
}

// memberUnion returns the members of r's relationship i on both sides, each
// once, remote first.
func (tx *txn) memberUnion(r *record, i int) []jsonapi.Identifier {
	var out []jsonapi.Identifier
	for _, sd := range [2]side{remoteSide, localSide} {
		st, w := tx.relOf(r, i, sd)
		if w != nil {
			st = w.state()
		}
		for k := range st.Len() {
			y := memberAt(st, k)
			dup := false
			for _, o := range out {
				if same(o, y) {
					dup = true
					break
				}
			}
			if !dup {
				out = append(out, y)
			}
		}
	}
	return out
}

// detach takes r out of every relationship that names it, on both sides:
// the inverses of its members (except those keep says to keep) and the
// relationships without an inverse that hold it. It returns, per
// relationship of r, the members whose inverse kept r.
func (tx *txn) detach(r *record, keep func(y *record, j int) bool) [][]jsonapi.Identifier {
	if tx.s.opts.noGraph {
		return nil
	}
	xid := tx.ident(r)
	var kept [][]jsonapi.Identifier
	for i := range r.model.Rels {
		info := &r.model.Rels[i]
		for _, y := range tx.memberUnion(r, i) {
			m, ok := tx.s.reg.ByName(y.Type)
			if !ok {
				continue
			}
			j := info.InverseFor(m)
			if j < 0 {
				tx.implicitEdge(bothSides, m, y, r, i, false)
				continue
			}
			yr := tx.resolve(y, false)
			if yr == nil {
				continue
			}
			if keep != nil && keep(yr, j) {
				tx.markStale(yr, j)
				if kept == nil {
					kept = make([][]jsonapi.Identifier, len(r.model.Rels))
				}
				kept[i] = append(kept[i], y)
				continue
			}
			tx.unlink(remoteSide, yr, j, xid, false)
			tx.unlink(localSide, yr, j, xid, false)
		}
	}
	k := implicitKey{model: r.model.Index, id: xid.ID, lid: xid.LID}
	if held := tx.s.implicit[k]; len(held) > 0 {
		holders := make([]edge, 0, len(held))
		for e := range held {
			holders = append(holders, e)
		}
		for _, e := range holders {
			tx.unlink(remoteSide, e.holder, e.rel, xid, true)
			tx.unlink(localSide, e.holder, e.rel, xid, true)
		}
	}
	return kept
}

// markStale marks r's relationship i stale on both sides: a member it keeps
// was unloaded, and the next load refetches it.
func (tx *txn) markStale(r *record, i int) {
	d := tx.draftOf(r)
	tx.flush(d)
	for _, sd := range [2]side{remoteSide, localSide} {
		if sd == localSide && (d.st == nil || d.st.local == nil) {
			break
		}
		st, _ := tx.relOf(r, i, sd)
		if !st.IsStale() {
			tx.setRel(d, i, sd, st.Stale())
		}
	}
	d.touched(ChangeUpdated)
}

// release takes a record whose deletion was saved out of every relationship
// that names it, and empties its own, as Ember Data's graph does for a
// committed delete.
func (tx *txn) release(r *record) {
	tx.detach(r, nil)
	d := tx.draftOf(r)
	for i := range r.model.Rels {
		for _, sd := range [2]side{remoteSide, localSide} {
			if st, _ := tx.relOf(r, i, sd); st.Len() > 0 {
				tx.setRel(d, i, sd, st.WithLinkage(st.Kind(), nil))
			}
		}
	}
}

// renamed updates the inverses naming a new record by lid once the server
// gave it an id.
func (tx *txn) renamed(r *record, lid, id string) {
	next := jsonapi.Identifier{Type: r.model.Name, ID: id}
	for i := range r.model.Rels {
		info := &r.model.Rels[i]
		for _, y := range tx.memberUnion(r, i) {
			m, ok := tx.s.reg.ByName(y.Type)
			if !ok {
				continue
			}
			j := info.InverseFor(m)
			yr := tx.resolve(y, false)
			if j < 0 || yr == nil {
				continue
			}
			tx.renameMember(yr, j, bothSides, lid, next)
		}
	}
	// Relationships without an inverse, polymorphic ones among them, name
	// the record too: the implicit inverse knows which.
	old := implicitKey{model: r.model.Index, lid: lid}
	held := tx.s.implicit[old]
	if held == nil {
		return
	}
	for e, sd := range held {
		tx.renameMember(e.holder, e.rel, sd, lid, next)
	}
	key := implicitKey{model: r.model.Index, id: id}
	was := tx.s.implicit[key]
	if tx.journal {
		prev := maps.Clone(was)
		tx.note(func() {
			tx.s.implicit[old] = held
			if prev == nil {
				delete(tx.s.implicit, key)
			} else {
				tx.s.implicit[key] = prev
			}
		})
	}
	merged := maps.Clone(was)
	if merged == nil {
		merged = make(map[edge]side, len(held))
	}
	for e, sd := range held {
		merged[e] |= sd
	}
	tx.s.implicit[key] = merged
	delete(tx.s.implicit, old)
}

// renameMember renames, in x's relationship i on the sides sd, the member
// known by lid to next, the identifier the server gave it.
func (tx *txn) renameMember(x *record, i int, sd side, lid string, next jsonapi.Identifier) {
	for _, s := range [2]side{remoteSide, localSide} {
		if sd&s == 0 || !tx.hasSide(x, s) {
			continue
		}
		st, w := tx.relOf(x, i, s)
		if w != nil {
			st = w.state()
		}
		ids := st.Identifiers()
		changed := false
		for k := range ids {
			if ids[k].ID == "" && ids[k].LID == lid && ids[k].Type == next.Type {
				ids[k] = next
				changed = true
			}
		}
		if changed {
			d := tx.draftOf(x)
			tx.setRel(d, i, s, st.WithLinkage(st.Kind(), ids))
			d.touched(kindFor(s))
		}
	}
}
