package store

import (
	"reflect"
	"sync/atomic"
	"unsafe"

	"github.com/larder-go/larder/model"
	"github.com/larder-go/larder/store/internal/index"
)

// The cache: one typeCache per registered model, each holding its records by id
// (and by lid for records that have one), and the live membership behind PeekAll.
//
// Readers never lock. A record's state is one immutable value behind an atomic
// pointer, swapped whole by writers. The id and lid indexes are lock-free hash
// tables (package index) that writers, serialized by Cache.mu, change in
// place: insertion and removal are amortized O(1) at any size. An unloaded
// record leaves both indexes and never comes back: pushing its id again makes a
// new record, so anything holding the old one (a query result) sees it gone.
//
// The live array is a slice appended to in place (readers hold their own length
// and never read past it). A record that leaves it stays in the slice, skipped
// by readers because its state is no longer visible, until such records
// outnumber the rest; then the writer publishes a compacted copy. Both are
// amortized O(1) per record.

// A record is one cache entry: one per identifier, for the life of the entry.
type record struct {
	model *model.Model
	lid   string // set for records created locally or pushed with a lid
	// id is the key of the record in the id index: set once, before the record
	// is published there, and never changed.
	id    string
	state atomic.Pointer[recordState]
	// member reports that the record is in its type's members slice (perhaps
	// no longer visible, awaiting compaction). Writers only; guarded by Cache.mu.
	member bool
	// dropped reports that the writer's txn takes the record out of the
	// indexes at its commit (txn.drop). Writers only; guarded by Cache.mu.
	dropped bool
	// d is the record's working state in the writer's transaction, or nil.
	// Writers only; guarded by Cache.mu.
	d *draft
}

// newRecord allocates a record with its id. An id of up to 48 bytes (numbers,
// UUIDs) is copied into the record's own allocation, so the index's key
// comparison reads the cache lines it already loaded for the record instead
// of another object's.
func newRecord(m *model.Model, id string) *record {
	switch n := len(id); {
	case n == 0:
		return &record{model: m}
	case n <= 16:
		x := &struct {
			record
			buf [16]byte
		}{record: record{model: m}}
		copy(x.buf[:], id)
		x.id = unsafe.String(&x.buf[0], n)
		return &x.record
	case n <= 48:
		x := &struct {
			record
			buf [48]byte
		}{record: record{model: m}}
		copy(x.buf[:], id)
		x.id = unsafe.String(&x.buf[0], n)
		return &x.record
	}
	return &record{model: m, id: id}
}

// status flags of a record's lifecycle.
type status uint8

const (
	stLoaded            status = 1 << iota // remote data present
	stNew                                  // created locally, not yet saved
	stDeleted                              // deleteRecord called
	stDeletionCommitted                    // the deletion was saved
	stSaving                               // a save of the record is in flight
	stStale                                // Invalidate marked it: the server may have changed it
	stRaced                                // a peer changed it while a request was in flight (stale.go)
)

// recordState is a record's state at one moment. It is never changed once
// published: writers build a new one.
type recordState struct {
	id     string
	status status
	// epoch is the type's staleness epoch when the record's data last came
	// from the server (see stale.go).
	epoch uint32
	// rev is the store's remote revision (Cache.rev) of the commit that last
	// changed the record's remote state: an answer to a request sent before
	// it is older than the record (see answers.go).
	rev uint64
	// value points to the record's remote attributes and relationships, a
	// model.GoType value, or is nil when nothing is loaded. The store never writes
	// through it once published.
	value unsafe.Pointer
	// err is the last adapter error for the record (a failed reload or save
	// that was not a validation error).
	err error
	// local holds the record's remote data and more when it has local edits,
	// a save in flight or validation errors; nil otherwise, so a clean record
	// costs one nil pointer. With local set, value is the local state (what
	// reads return) and local.remote the server's.
	local *edits
}

// edits is what a record with local changes holds beyond its current value.
// Like recordState, it is never changed once published.
type edits struct {
	// remote is the canonical value, a *GoType; nil for a new record the
	// server has not confirmed, whose remote state is the zero value.
	remote unsafe.Pointer
	// inflight is the value a save in flight sent, or nil.
	inflight unsafe.Pointer
	// errors holds validation errors by member name ("base" for the record).
	errors map[string][]string
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
	model     *model.Model
	cell      reflect.Type              // struct{ S recordState; V GoType }: a state and its value in one allocation
	clone     bool                      // the model has attributes that need a deep copy
	policy    ReloadPolicy              // the type's policy, or Ember's defaults; fixed at New
	send      Adapter                   // the type's adapter in the store's middleware; fixed at New
	batcher   BatchAdapter              // the type's adapter as a BatchAdapter, or nil; fixed at New
	grouper   FindManyGrouper           // the type's adapter as a FindManyGrouper, or nil; fixed at New
	index     *index.Table[record]      // loaded records by id
	lids      *index.Table[record]      // loaded records by lid
	members   atomic.Pointer[[]*record] // the live array's records in the order they joined, and some that left
	live      atomic.Int64              // visible records in members
	dead      int                       // records in members no longer visible; guarded by Cache.mu
	array     atomic.Value              // the *RecordArray[T], made on first PeekAll
	updating  atomic.Int32              // FindAll requests in flight
	batch     batcher                   // coalesced finds waiting to be sent
	stats     counters                  // what Stats reports
	gen       *atomic.Uint64            // the store's Cache.gen: see consistency.go
	staleness                           // what Invalidate and InvalidateType marked

	// Writing: fixed at New.
	fields  fields           // offsets and equality of the model's members
	zero    unsafe.Pointer   // a zero GoType value: a new record's remote state
	idgen   IDGenerator      // the type's adapter as an IDGenerator, or nil
	invalid InvalidChecker   // the type's adapter as an InvalidChecker, or nil
	names   MemberResolver   // the type's serializer as a MemberResolver, or nil
	writer  RecordSerializer // the type's serializer as a RecordSerializer, or nil
}

func newTypeCache(m *model.Model) *typeCache {
	tc := &typeCache{
		model: m,
		cell: reflect.StructOf([]reflect.StructField{
			{Name: "S", Type: reflect.TypeFor[recordState]()},
			{Name: "V", Type: m.GoType},
		}),
		clone: len(m.CloneAttributes()) > 0,
		index: index.New(func(r *record) *string { return &r.id }),
		lids:  index.New(func(r *record) *string { return &r.lid }),
	}
	empty := []*record{}
	tc.members.Store(&empty)
	tc.fields = fieldsOf(m)
	tc.zero = reflect.New(m.GoType).UnsafePointer()
	return tc
}

// newCell allocates a record state and a model value side by side, so a read
// that loads the state finds the value in the same cache lines: one allocation
// and one memory fetch fewer per record than two objects. The state's value
// field is left for the caller to point at the returned value.
func (tc *typeCache) newCell() (*recordState, reflect.Value) {
	c := reflect.New(tc.cell)
	return (*recordState)(c.UnsafePointer()), c.Elem().Field(1).Addr()
}

// get returns the record for id, or nil. It never locks.
func (tc *typeCache) get(id string) *record { return tc.index.Get(id) }

// getLID returns the record with a local id, or nil.
func (tc *typeCache) getLID(lid string) *record { return tc.lids.Get(lid) }

// removeLocked takes a record out of both indexes. The caller holds Cache.mu.
func (tc *typeCache) removeLocked(r *record) {
	if r.id != "" && tc.index.Get(r.id) == r {
		tc.index.Delete(r.id)
	}
	if r.lid != "" && tc.lids.Get(r.lid) == r {
		tc.lids.Delete(r.lid)
	}
}

// joinLocked notes that r became visible: it is appended to the live array
// unless it is still in the members slice from before.
func (tc *typeCache) joinLocked(r *record, add *[]*record) {
	tc.live.Add(1)
	if r.member {
		tc.dead--
		return
	}
	r.member = true
	*add = append(*add, r)
}

// leaveLocked notes that r is no longer visible, compacting the members slice
// once most of it has left.
func (tc *typeCache) leaveLocked() {
	tc.live.Add(-1)
	tc.dead++
	if tc.dead < 64 || int64(tc.dead) < tc.live.Load() {
		return
	}
	cur := *tc.members.Load()
	next := make([]*record, 0, tc.live.Load())
	for _, r := range cur {
		if r.state.Load().visible() {
			next = append(next, r)
		} else {
			r.member = false
		}
	}
	tc.dead = 0
	tc.members.Store(&next)
}

// appendMemberLocked adds records to the live array. Appending in place is
// safe: readers hold their own slice length and never read past it.
func (tc *typeCache) appendMemberLocked(rs []*record) {
	if len(rs) == 0 {
		return
	}
	cur := *tc.members.Load()
	next := append(cur, rs...)
	tc.members.Store(&next)
}
