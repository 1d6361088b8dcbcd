package store

import (
	"sync/atomic"
	"unsafe"

	"github.com/larder-go/larder/model"
)

// The cache: one typeCache per registered model, each holding its records by id
// (and by lid for records that have one), and the live membership behind PeekAll.
//
// Readers never lock. A record's state is one immutable value behind an atomic
// pointer, swapped whole by writers. The id index is an immutable map published
// atomically; new records land in a small "recent" map beside it that is merged
// into the base map once it grows past about the square root of the total, so
// inserting is amortized O(sqrt n) and a hit costs one map lookup. Writers are
// serialized by Cache.mu.

// A record is one cache entry: one per identifier, for the life of the entry.
type record struct {
	model *model.Model
	lid   string // set for records created locally or pushed with a lid
	state atomic.Pointer[recordState]
}

// status flags of a record's lifecycle.
type status uint8

const (
	stLoaded  status = 1 << iota // remote data present
	stNew                        // created locally, not yet saved
	stDeleted                    // deleteRecord called
	stDeletionCommitted
)

// recordState is a record's state at one moment. It is never changed once
// published: writers build a new one.
type recordState struct {
	id     string
	status status
	// value points to the record's remote attributes and relationships, a
	// model.GoType value, or is nil when nothing is loaded. The store never writes
	// through it once published.
	value unsafe.Pointer
	// err is the last adapter error for the record (a failed reload).
	err error
	// unloads counts the record's unloads, so a query result can tell the record
	// it returned from the same id pushed again after an unload.
	unloads uint32
}

func (st *recordState) loaded() bool { return st != nil && st.status&(stLoaded|stNew) != 0 }

// visible reports whether the record belongs in live arrays (Ember's
// isHiddenFromRecordArrays, inverted).
func (st *recordState) visible() bool {
	if !st.loaded() {
		return false
	}
	if st.status&stDeletionCommitted != 0 {
		return false
	}
	return !(st.status&stNew != 0 && st.status&stDeleted != 0)
}

// identifier returns the record's identifier. Records pushed without a lid get
// Ember's derived form "@lid:type-id".
func (r *record) identifier() Identifier {
	st := r.state.Load()
	id := Identifier{Type: r.model.Name, LID: r.lid}
	if st != nil {
		id.ID = st.id
	}
	if id.LID == "" {
		id.LID = "@lid:" + id.Type + "-" + id.ID
	}
	return id
}

// typeCache holds the records of one model.
type typeCache struct {
	model    *model.Model
	clone    bool         // the model has attributes that need a deep copy
	policy   ReloadPolicy // the type's policy, or Ember's defaults; fixed at New
	send     Adapter      // the type's adapter in the store's middleware; fixed at New
	index    atomic.Pointer[idMaps]
	lids     atomic.Pointer[map[string]*record]
	members  atomic.Pointer[[]*record] // visible records in insertion order
	array    atomic.Value              // the *RecordArray[T], made on first PeekAll
	empties  int                       // records in index with no data; guarded by Cache.mu
	updating atomic.Int32              // FindAll requests in flight
	batch    batcher                   // coalesced finds waiting to be sent
}

// idMaps is one published version of the id index.
type idMaps struct {
	base   map[string]*record
	recent map[string]*record
}

func newTypeCache(m *model.Model) *typeCache {
	tc := &typeCache{model: m, clone: len(m.CloneAttributes()) > 0}
	tc.index.Store(&idMaps{})
	empty := []*record{}
	tc.members.Store(&empty)
	lids := map[string]*record{}
	tc.lids.Store(&lids)
	return tc
}

// get returns the record for id, or nil. It never locks.
func (tc *typeCache) get(id string) *record {
	m := tc.index.Load()
	if r, ok := m.base[id]; ok {
		return r
	}
	if len(m.recent) > 0 {
		return m.recent[id]
	}
	return nil
}

// getLID returns the record with a local id, or nil.
func (tc *typeCache) getLID(lid string) *record { return (*tc.lids.Load())[lid] }

// insertLocked publishes new records in the id index. The caller holds Cache.mu.
func (tc *typeCache) insertLocked(add map[string]*record) {
	old := tc.index.Load()
	total := len(old.base) + len(old.recent) + len(add)
	limit := 64
	for limit*limit < total {
		limit *= 2
	}
	next := &idMaps{base: old.base}
	if len(old.recent)+len(add) > limit {
		next.base = make(map[string]*record, total-tc.empties)
		tc.empties = 0
		for _, m := range [...]map[string]*record{old.base, old.recent, add} {
			for id, r := range m {
				if r.state.Load().loaded() {
					next.base[id] = r
				} else if _, fresh := add[id]; fresh {
					next.base[id] = r
				}
			}
		}
	} else {
		next.recent = make(map[string]*record, len(old.recent)+len(add))
		for id, r := range old.recent {
			next.recent[id] = r
		}
		for id, r := range add {
			next.recent[id] = r
		}
	}
	tc.index.Store(next)
}

// insertLIDLocked publishes records by lid. The caller holds Cache.mu.
func (tc *typeCache) insertLIDLocked(add map[string]*record) {
	old := *tc.lids.Load()
	next := make(map[string]*record, len(old)+len(add))
	for k, r := range old {
		next[k] = r
	}
	for k, r := range add {
		next[k] = r
	}
	tc.lids.Store(&next)
}

// compactLocked drops records with no data from the index once they are a
// quarter of it, so unloaded records do not hold memory for long.
func (tc *typeCache) compactLocked() {
	old := tc.index.Load()
	n := len(old.base) + len(old.recent)
	if tc.empties < 64 || tc.empties*4 < n {
		return
	}
	next := &idMaps{base: make(map[string]*record, n-tc.empties)}
	for _, m := range [...]map[string]*record{old.base, old.recent} {
		for id, r := range m {
			if r.state.Load().loaded() {
				next.base[id] = r
			}
		}
	}
	tc.empties = 0
	tc.index.Store(next)
	lids := map[string]*record{}
	for k, r := range *tc.lids.Load() {
		if r.state.Load().loaded() {
			lids[k] = r
		}
	}
	tc.lids.Store(&lids)
}

// resetLocked empties the type's cache (UnloadAll).
func (tc *typeCache) resetLocked() {
	tc.index.Store(&idMaps{})
	lids := map[string]*record{}
	tc.lids.Store(&lids)
	empty := []*record{}
	tc.members.Store(&empty)
	tc.empties = 0
}

// appendMemberLocked adds a record to the live array. Appending in place is safe:
// readers hold their own slice length and never read past it.
func (tc *typeCache) appendMemberLocked(rs []*record) {
	if len(rs) == 0 {
		return
	}
	cur := *tc.members.Load()
	next := append(cur, rs...)
	tc.members.Store(&next)
}

// removeMembersLocked removes records from the live array by copying it, so
// readers holding the old slice are unaffected.
func (tc *typeCache) removeMembersLocked(drop map[*record]bool) {
	cur := *tc.members.Load()
	next := make([]*record, 0, len(cur))
	for _, r := range cur {
		if !drop[r] {
			next = append(next, r)
		}
	}
	tc.members.Store(&next)
}
