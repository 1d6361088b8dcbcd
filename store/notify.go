package store

import (
	"strconv"
	"sync/atomic"
)

// ChangeKind says what happened to a record.
type ChangeKind uint8

const (
	// ChangeLoaded: the record received data for the first time (or after an unload).
	ChangeLoaded ChangeKind = iota + 1
	// ChangeUpdated: the record's remote data changed.
	ChangeUpdated
	// ChangeUnloaded: the record was unloaded.
	ChangeUnloaded
	// ChangeCreated: the record was created locally (CreateRecord).
	ChangeCreated
	// ChangeEdited: the record's local state changed (an edit).
	ChangeEdited
	// ChangeState: the record's lifecycle state changed (deleted, saving,
	// rolled back, a save failed).
	ChangeState
	// ChangeSaved: a save of the record was committed.
	ChangeSaved
)

var changeKindNames = [...]string{ChangeLoaded: "loaded", ChangeUpdated: "updated", ChangeUnloaded: "unloaded",
	ChangeCreated: "created", ChangeEdited: "edited", ChangeState: "state", ChangeSaved: "saved"}

// String returns the kind's name: "loaded", "updated", "unloaded",
// "created", "edited", "state" or "saved".
func (k ChangeKind) String() string {
	if int(k) < len(changeKindNames) && changeKindNames[k] != "" {
		return changeKindNames[k]
	}
	return "ChangeKind(" + strconv.Itoa(int(k)) + ")"
}

// A Change is one record's change in a commit.
type Change struct {
	// Record is the record's type and id, and its lid when it has one (a
	// record created locally, or pushed with a lid): unlike Ref.Identifier,
	// no lid is made up for a record that came from the server.
	Record Identifier
	Kind   ChangeKind
	// Fields are the attributes and relationships whose value, as reads see
	// it, the commit changed. A record loaded or created lists the fields it
	// has that are not zero; an unloaded one lists none.
	Fields FieldSet
}

// notifier is the one place every committed change is announced. Readers wait
// on a channel that is closed and replaced at each commit, as go-memdb's watch
// channels are, so a watcher costs nothing while nothing changes.
type notifier struct {
	version atomic.Uint64
	ch      atomic.Pointer[chan struct{}]
}

// announce is called by writers with Cache.mu held, after publishing a
// commit that changed a record. It returns the commit's number.
func (s *Cache) announce() uint64 {
	seq := s.note.version.Add(1)
	if ch := s.note.ch.Swap(nil); ch != nil {
		close(*ch)
	}
	return seq
}

// Changed returns a channel that is closed at the next commit that changes any
// record. Take a new channel after each wake-up.
func (s *Cache) Changed() <-chan struct{} {
	for {
		if p := s.note.ch.Load(); p != nil {
			return *p
		}
		ch := make(chan struct{})
		if s.note.ch.CompareAndSwap(nil, &ch) {
			return ch
		}
	}
}

// Version returns a counter that grows with every commit that changes a record.
func (s *Cache) Version() uint64 { return s.note.version.Load() }
