package store

import (
	"runtime"
	"sync/atomic"
)

// Consistency. Writers are serialized by Cache.mu and build each change in a
// txn that readers cannot see; commit then publishes it (every record's new
// state, every change to the id and lid indexes, the live arrays) inside one
// odd generation of Cache.gen, a sequence lock:
//
//   - the generation is odd while a commit publishes and even otherwise, and
//     each commit moves it on by two;
//   - a read takes an even generation, reads what it needs (index look-ups,
//     state pointers: all immutable once published), and is done if the
//     generation is still the same; otherwise a commit published meanwhile,
//     and it reads again.
//
// So every read, of one record or of many (a relationship and its members, a
// live array, a dump), sees the cache between two commits: all of a commit
// or none of it. Reads are linearizable with commits: a read that saw a
// commit is never followed, in any goroutine, by a read that does not see it.
// Readers never block writers; a reader waits only while a commit publishes,
// which is a short loop over the records the commit changed (a txn's
// decoding and graph work happen before, outside the window).
//
// Nothing a reader can reach changes outside a window: a txn that drops or
// adds records changes the indexes at commit, and what it builds before is
// its own (see txn.go).

// publishBegin opens a commit's window; the caller holds Cache.mu.
func (s *Cache) publishBegin() { s.gen.Add(1) }

// publishEnd closes it.
func (s *Cache) publishEnd() { s.gen.Add(1) }

// readBegin returns an even generation, waiting out a commit that is
// publishing.
func readBegin(gen *atomic.Uint64) uint64 {
	for spins := 0; ; spins++ {
		g := gen.Load()
		if g&1 == 0 {
			return g
		}
		if spins > 16 {
			runtime.Gosched()
		}
	}
}

// load returns the published state of r (nil r: nil), read between commits.
func (tc *typeCache) load(r *record) *recordState {
	if r == nil {
		return nil
	}
	for {
		g := readBegin(tc.gen)
		st := r.state.Load()
		if tc.gen.Load() == g {
			return st
		}
	}
}

// find returns the record with an id and its published state, both read
// between commits: (nil, nil) when the cache holds no entry.
func (tc *typeCache) find(id string) (*record, *recordState) {
	for {
		g := readBegin(tc.gen)
		r := tc.index.Get(id)
		var st *recordState
		if r != nil {
			st = r.state.Load()
		}
		if tc.gen.Load() == g {
			return r, st
		}
	}
}

// visibleStates returns the published states of the records of rs that are
// visible (in live arrays), in order, all read between two commits. rs is
// called again on each attempt, so it may load a slice that commits replace.
func visibleStates(gen *atomic.Uint64, rs func() []*record) []*recordState {
	var out []*recordState
	for {
		g := readBegin(gen)
		recs := rs()
		if out == nil {
			out = make([]*recordState, 0, len(recs))
		}
		out = out[:0]
		for _, r := range recs {
			if st := r.state.Load(); st.visible() {
				out = append(out, st)
			}
		}
		if gen.Load() == g {
			return out
		}
	}
}

// loadAll returns the published states of rs, in order, read between two
// commits.
func loadAll(gen *atomic.Uint64, rs []*record) []*recordState {
	out := make([]*recordState, len(rs))
	for {
		g := readBegin(gen)
		for i, r := range rs {
			out[i] = r.state.Load()
		}
		if gen.Load() == g {
			return out
		}
	}
}
