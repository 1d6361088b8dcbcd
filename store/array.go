package store

import "iter"

// A RecordArray is the live array of every loaded record of model T, as Ember
// Data's peekAll returns: [PeekAll] gives the same *RecordArray for a type every
// time, and its contents follow the cache, so later pushes add to it and unloads
// remove from it. Records are in the order they joined.
//
// Each method reads the array as it is at that moment and returns caller-owned
// copies. A RecordArray is safe for concurrent use.
type RecordArray[T any] struct {
	s  *Cache
	tc *typeCache
}

// PeekAll returns the live array of model T's records. It never does I/O. It
// panics if T is not a registered model.
func PeekAll[T any](s *Cache) *RecordArray[T] {
	return liveArray[T](s, mustCacheOf[T](s))
}

func liveArray[T any](s *Cache, tc *typeCache) *RecordArray[T] {
	if a, ok := tc.array.Load().(*RecordArray[T]); ok {
		return a
	}
	tc.array.CompareAndSwap(nil, &RecordArray[T]{s: s, tc: tc})
	return tc.array.Load().(*RecordArray[T])
}

// Type returns the model's type name.
func (a *RecordArray[T]) Type() string { return a.tc.model.Name }

// Len returns the number of records in the array now.
func (a *RecordArray[T]) Len() int { return int(a.tc.live.Load()) }

// IsUpdating reports whether a FindAll request for the type is in flight.
func (a *RecordArray[T]) IsUpdating() bool { return a.tc.updating.Load() > 0 }

// states returns the states of the array's records, read between commits:
// the array as one moment of the cache had it.
func (a *RecordArray[T]) states() []*recordState {
	return visibleStates(a.tc.gen, func() []*record { return *a.tc.members.Load() })
}

// Records returns a copy of every record in the array now.
func (a *RecordArray[T]) Records() []T {
	sts := a.states()
	out := make([]T, len(sts))
	for i, st := range sts {
		out[i] = copyOut[T](a.tc.model, st)
	}
	return out
}

// All iterates over copies of the records in the array as it was when the
// iteration began.
func (a *RecordArray[T]) All() iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		for i, st := range a.states() {
			if !yield(i, copyOut[T](a.tc.model, st)) {
				return
			}
		}
	}
}

// IDs returns the ids of the records in the array now.
func (a *RecordArray[T]) IDs() []string {
	sts := a.states()
	out := make([]string, len(sts))
	for i, st := range sts {
		out[i] = st.id
	}
	return out
}
