package store

import (
	"errors"
	"iter"
	"sync/atomic"
	"unsafe"
)

// Stats counts what a store (or one type of it) has done since New, and
// what it holds now. Every counter only grows; the last three fields are
// gauges. A Stats is a plain value the caller owns.
type Stats struct {
	// Peeks counts PeekRecord and Store.Peek calls: a hit found a loaded
	// record, a miss did not.
	Peeks Counts `json:"peeks"`
	// Finds counts FindRecord and Store.Find calls, and FindAll calls: a hit
	// was answered from the cache (a background reload may follow), a miss
	// waited for a request, because the record was not loaded or a Reload
	// option or the reload policy asked for one.
	Finds Counts `json:"finds"`
	// Requests counts requests sent to adapters, by operation. Finds that
	// share a request or are coalesced into one count once here.
	Requests Requests `json:"requests"`
	// Shared counts finds that joined a request of the same record (or
	// array) already in flight instead of sending their own.
	Shared uint64 `json:"shared"`
	// Coalesced counts the findMany requests sent for finds gathered in the
	// coalescing window, and CoalescedFinds the finds they answered.
	Coalesced      uint64 `json:"coalesced"`
	CoalescedFinds uint64 `json:"coalescedFinds"`
	// BackgroundReloads counts background reloads started (of a record by
	// FindRecord, of an array by FindAll).
	BackgroundReloads uint64 `json:"backgroundReloads"`
	// Errors counts failed requests by their condition.
	Errors Errors `json:"errors"`
	// Pushes counts documents pushed: by the program (Push, PushPayload,
	// PushDocument, a stream source's data events) and the responses the
	// store applies. Operations (Apply, ApplyDocument) are not pushes. A
	// store's Stats counts each document once; a type's counts the documents
	// that held records of the type. A push that fails is not counted.
	Pushes uint64 `json:"pushes"`
	// RecordsPushed counts the resources those documents held, included ones
	// too.
	RecordsPushed uint64 `json:"recordsPushed"`

	// Records is the number of loaded records held now, new ones included.
	Records int `json:"records"`
	// Identifiers is the number of ids the store holds an entry for, loaded
	// or not: records being loaded for the first time and unloaded records
	// that relationships still name count too. New records that have no id
	// yet do not.
	Identifiers int `json:"identifiers"`
	// LiveArrays is the number of live arrays (one per type, made by the
	// first PeekAll or FindAll of the type).
	LiveArrays int `json:"liveArrays"`
}

// Counts splits calls into hits and misses.
type Counts struct {
	Hits   uint64 `json:"hits"`
	Misses uint64 `json:"misses"`
}

// Ratio returns the share of hits, from 0 to 1; 0 when there were no calls.
func (c Counts) Ratio() float64 {
	if c.Hits+c.Misses == 0 {
		return 0
	}
	return float64(c.Hits) / float64(c.Hits+c.Misses)
}

// Requests counts requests by operation, one field per Op.
type Requests struct {
	FindRecord    uint64 `json:"findRecord"`
	FindAll       uint64 `json:"findAll"`
	FindMany      uint64 `json:"findMany"`
	Query         uint64 `json:"query"`
	QueryRecord   uint64 `json:"queryRecord"`
	FindBelongsTo uint64 `json:"findBelongsTo"`
	FindHasMany   uint64 `json:"findHasMany"`
	CreateRecord  uint64 `json:"createRecord"`
	UpdateRecord  uint64 `json:"updateRecord"`
	DeleteRecord  uint64 `json:"deleteRecord"`
	Custom        uint64 `json:"custom"`
}

// Of returns the count of one operation; 0 for an unknown one.
func (r Requests) Of(op Op) uint64 {
	if p := r.field(op); p != nil {
		return *p
	}
	return 0
}

// Total returns the count of every operation.
func (r Requests) Total() uint64 {
	var n uint64
	for op := OpFindRecord; op <= OpCustom; op++ {
		n += r.Of(op)
	}
	return n
}

// field returns the counter of op, or nil.
func (r *Requests) field(op Op) *uint64 {
	switch op {
	case OpFindRecord:
		return &r.FindRecord
	case OpFindAll:
		return &r.FindAll
	case OpFindMany:
		return &r.FindMany
	case OpQuery:
		return &r.Query
	case OpQueryRecord:
		return &r.QueryRecord
	case OpFindBelongsTo:
		return &r.FindBelongsTo
	case OpFindHasMany:
		return &r.FindHasMany
	case OpCreateRecord:
		return &r.CreateRecord
	case OpUpdateRecord:
		return &r.UpdateRecord
	case OpDeleteRecord:
		return &r.DeleteRecord
	case OpCustom:
		return &r.Custom
	}
	return nil
}

// Errors counts failed requests by condition: each failure counts once, under
// the condition errors.Is finds first in the order of the fields.
type Errors struct {
	NotFound     uint64 `json:"notFound"`     // ErrNotFound
	Invalid      uint64 `json:"invalid"`      // ErrInvalid
	Unauthorized uint64 `json:"unauthorized"` // ErrUnauthorized
	Forbidden    uint64 `json:"forbidden"`    // ErrForbidden
	Conflict     uint64 `json:"conflict"`     // ErrConflict
	Server       uint64 `json:"server"`       // ErrServer
	Timeout      uint64 `json:"timeout"`      // ErrTimeout
	Aborted      uint64 `json:"aborted"`      // ErrAborted
	Closed       uint64 `json:"closed"`       // ErrClosed
	NoAdapter    uint64 `json:"noAdapter"`    // ErrNoAdapter
	Plugin       uint64 `json:"plugin"`       // ErrPlugin
	Document     uint64 `json:"document"`     // a response the store cannot apply: a *DocumentError
	Adapter      uint64 `json:"adapter"`      // ErrAdapter, and any other error
}

// Total returns the count of every condition.
func (e Errors) Total() uint64 {
	var n uint64
	for k := range errKinds {
		n += *e.field(k)
	}
	return n
}

// All yields each condition's name (as in its JSON field: "notFound") and
// count, in the order of the fields.
func (e Errors) All() iter.Seq2[string, uint64] {
	return func(yield func(string, uint64) bool) {
		for k := range errKinds {
			if !yield(errNames[k], *e.field(k)) {
				return
			}
		}
	}
}

var errNames = [errKinds]string{"notFound", "invalid", "unauthorized", "forbidden", "conflict", "server",
	"timeout", "aborted", "closed", "noAdapter", "plugin", "document", "adapter"}

// An errKind is the index of a condition in Errors.
type errKind uint8

const (
	errNotFound errKind = iota
	errInvalid
	errUnauthorized
	errForbidden
	errConflict
	errServer
	errTimeout
	errAborted
	errClosed
	errNoAdapter
	errPlugin
	errDocument
	errAdapter
	errKinds
)

// errSentinels are the conditions of the kinds before errDocument, in order.
var errSentinels = [...]error{ErrNotFound, ErrInvalid, ErrUnauthorized, ErrForbidden, ErrConflict,
	ErrServer, ErrTimeout, ErrAborted, ErrClosed, ErrNoAdapter, ErrPlugin}

// kindOf classifies a request's error.
func kindOf(err error) errKind {
	for k, target := range errSentinels {
		if errors.Is(err, target) {
			return errKind(k)
		}
	}
	if _, ok := errors.AsType[*DocumentError](err); ok {
		return errDocument
	}
	return errAdapter
}

func (e *Errors) field(k errKind) *uint64 {
	return [...]*uint64{&e.NotFound, &e.Invalid, &e.Unauthorized, &e.Forbidden, &e.Conflict,
		&e.Server, &e.Timeout, &e.Aborted, &e.Closed, &e.NoAdapter, &e.Plugin, &e.Document, &e.Adapter}[k]
}

// statShards is the number of shards of the hit-path counters, a power of
// two. Each goroutine mostly adds to one shard, so hits on several cores do
// not contend for one cache line.
const (
	statShardBits = 4
	statShards    = 1 << statShardBits
)

// hitShard holds one shard of the hit-path counters. Its counters take the
// first 32 bytes of 128, so no two shards' counters share a 64-byte cache
// line whatever the array's alignment.
type hitShard struct {
	peekHit, peekMiss, findHit, findMiss atomic.Uint64
	_                                    [96]byte
}

// counters are one type's statistics (or the store's, for requests of no
// registered type). Every field is safe to update from any goroutine.
type counters struct {
	hot            [statShards]hitShard
	requests       [OpCustom + 1]atomic.Uint64
	errs           [errKinds]atomic.Uint64
	shared         atomic.Uint64
	coalesced      atomic.Uint64
	coalescedFinds atomic.Uint64
	background     atomic.Uint64
	pushes         atomic.Uint64
	pushed         atomic.Uint64
}

// shard returns the hit-path shard of the calling goroutine: chosen from the
// address of a variable on its stack, as goroutines' stacks lie apart. A
// goroutine whose stack moves changes shard, which only spreads its adds.
func (c *counters) shard() *hitShard {
	var marker byte
	p := uint64(uintptr(unsafe.Pointer(&marker)) >> 11)
	return &c.hot[p*0x9E3779B97F4A7C15>>(64-statShardBits)]
}

// peeked counts a peek.
func (c *counters) peeked(hit bool) {
	if hit {
		c.shard().peekHit.Add(1)
	} else {
		c.shard().peekMiss.Add(1)
	}
}

// found counts a find answered from the cache (hit) or by a request.
func (c *counters) found(hit bool) {
	if hit {
		c.shard().findHit.Add(1)
	} else {
		c.shard().findMiss.Add(1)
	}
}

// failed counts a failed request.
func (c *counters) failed(err error) { c.errs[kindOf(err)].Add(1) }

// addTo adds the counters to st.
func (c *counters) addTo(st *Stats) {
	for i := range c.hot {
		h := &c.hot[i]
		st.Peeks.Hits += h.peekHit.Load()
		st.Peeks.Misses += h.peekMiss.Load()
		st.Finds.Hits += h.findHit.Load()
		st.Finds.Misses += h.findMiss.Load()
	}
	for op := OpFindRecord; op <= OpCustom; op++ {
		*st.Requests.field(op) += c.requests[op].Load()
	}
	for k := range errKinds {
		*st.Errors.field(k) += c.errs[k].Load()
	}
	st.Shared += c.shared.Load()
	st.Coalesced += c.coalesced.Load()
	st.CoalescedFinds += c.coalescedFinds.Load()
	st.BackgroundReloads += c.background.Load()
	st.RecordsPushed += c.pushed.Load()
}

// Stats returns the store's statistics: the sum over its types, each
// document pushed counted once. It is safe to call at any time, from any
// goroutine; its cost grows with the number of types, not of records.
func (s *Cache) Stats() Stats {
	s.mustBeNew()
	var st Stats
	s.untyped.addTo(&st)
	st.Pushes = s.untyped.pushes.Load()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, tc := range s.types {
		tc.stats.addTo(&st)
		tc.gauges(&st)
	}
	return st
}

// StatsFor returns the statistics of one type. Its Pushes counts the
// documents that held records of the type.
func (s *Cache) StatsFor(typ string) (Stats, error) {
	tc, err := s.typeCacheFor(typ)
	if err != nil {
		return Stats{}, err
	}
	return s.statsOf(tc), nil
}

// statsOf returns one type's statistics.
func (s *Cache) statsOf(tc *typeCache) Stats {
	var st Stats
	tc.stats.addTo(&st)
	st.Pushes = tc.stats.pushes.Load()
	s.mu.Lock()
	defer s.mu.Unlock()
	tc.gauges(&st)
	return st
}

// gauges adds what the type holds now to st. The caller holds Cache.mu.
func (tc *typeCache) gauges(st *Stats) {
	st.Records += int(tc.live.Load())
	st.Identifiers += tc.index.Len()
	if tc.array.Load() != nil {
		st.LiveArrays++
	}
}

// Stats returns the statistics of the view's type; see [Cache.Stats].
func (v Store[T]) Stats() Stats { return v.s.statsOf(v.typeCache()) }
