package store

import (
	"slices"
	"sync"
	"sync/atomic"
)

// RecordState describes a record's lifecycle with Ember Data's flags (its
// RecordState and Model properties). Get one with [Cache.StateOf] or
// [Ref.State]; it is a snapshot, owned by the caller.
type RecordState struct {
	IsEmpty             bool // not new and nothing loaded: before loading, after an unload or a failed first load
	IsLoading           bool // not loaded, and a find of it is in flight
	IsLoaded            bool // data is cached, or the record is new
	IsNew               bool // created locally and not yet confirmed by the server
	IsSaving            bool // a save is in flight
	IsDeleted           bool // marked deleted (DeleteRecord)
	IsDeletionCommitted bool // the deletion was saved
	IsValid             bool // no validation errors
	IsError             bool // the last find or save failed with an error other than a validation error
	IsReloading         bool // loaded, and a find of it is in flight
	// IsStale: loaded, and the server may have changed it since (Invalidate,
	// InvalidateType, fan-out): the next FindRecord waits for a reload.
	IsStale bool
	// HasDirtyAttributes follows Ember Data 5.x: true for a new record, a
	// record with changed attributes, and a deleted record; false once the
	// deletion is saved and for a new record that was deleted. Relationships
	// do not count.
	HasDirtyAttributes bool
	// DirtyType is "created", "updated", "deleted" or "".
	DirtyType string
	// Err is the error that set IsError.
	Err error
	// Errors holds validation errors by member name, as the model declares it
	// ("songCount"); "base" holds errors about the record as a whole.
	Errors map[string][]string
}

// Name returns Ember Data's state name: "root.empty", "root.loading",
// "root.loaded.saved", "root.loaded.created.uncommitted" (or inFlight,
// invalid), "root.loaded.updated.uncommitted" (likewise) and
// "root.deleted.uncommitted" (or inFlight, invalid, saved).
func (st RecordState) Name() string {
	phase := "uncommitted"
	switch {
	case st.IsSaving:
		phase = "inFlight"
	case !st.IsValid:
		phase = "invalid"
	}
	switch {
	case !st.IsLoaded && !st.IsLoading:
		// A new record deleted or rolled back is empty again, deleted or
		// not (Ember Data 3.28's state of a deleted new record).
		return "root.empty"
	case st.IsDeleted && st.IsDeletionCommitted:
		return "root.deleted.saved"
	case st.IsDeleted:
		return "root.deleted." + phase
	case st.IsLoading:
		return "root.loading"
	case !st.IsLoaded:
		return "root.empty"
	case st.IsNew:
		return "root.loaded.created." + phase
	case st.HasDirtyAttributes || st.IsSaving || !st.IsValid:
		return "root.loaded.updated." + phase
	}
	return "root.loaded.saved"
}

// String returns the state's name.
func (st RecordState) String() string { return st.Name() }

// StateOf returns the state of the record of a type with the given id. A record
// the store does not hold is empty (or loading, while a find of it is in
// flight).
func (s *Cache) StateOf(typ, id string) RecordState {
	tc, err := s.typeCacheFor(typ)
	if err != nil {
		return RecordState{IsEmpty: true, IsValid: true}
	}
	r, _ := tc.find(id)
	return s.stateOf(tc, r, id)
}

// stateOf builds the RecordState of r (nil for a record the store does not
// hold) with the given id.
func (s *Cache) stateOf(tc *typeCache, r *record, id string) RecordState {
	out := RecordState{IsValid: true}
	var st *recordState
	if r != nil {
		st = tc.load(r)
		if st != nil && st.id != "" {
			id = st.id
		}
	}
	pending := id != "" && s.loads.pending(tc, id)
	if st == nil || !st.loaded() {
		out.IsEmpty = true
		out.IsLoading = pending
		out.IsDeleted = st != nil && st.status&stDeleted != 0
		return out
	}
	out.IsLoaded = true
	out.IsReloading = pending
	out.IsNew = st.status&stNew != 0
	out.IsSaving = st.status&stSaving != 0
	out.IsDeleted = st.status&stDeleted != 0
	out.IsDeletionCommitted = st.status&stDeletionCommitted != 0
	out.IsStale = !out.IsNew && tc.stale(st)
	out.Err = st.err
	out.IsError = st.err != nil
	if st.local != nil && len(st.local.errors) > 0 {
		out.IsValid = false
		out.Errors = cloneErrors(st.local.errors)
	}
	changed := tc.dirtyAttrs(st)
	switch {
	case out.IsDeletionCommitted:
	case out.IsDeleted:
		out.HasDirtyAttributes, out.DirtyType = true, "deleted"
	case out.IsNew:
		out.HasDirtyAttributes, out.DirtyType = true, "created"
	case changed:
		out.HasDirtyAttributes, out.DirtyType = true, "updated"
	}
	return out
}

func cloneErrors(m map[string][]string) map[string][]string {
	out := make(map[string][]string, len(m))
	for k, v := range m {
		out[k] = slices.Clone(v)
	}
	return out
}

// loads counts the finds in flight per record, for IsLoading and IsReloading.
type loads struct {
	m sync.Map // loadKey -> *atomic.Int32
}

type loadKey struct {
	tc *typeCache
	id string
}

func (l *loads) start(tc *typeCache, id string) func() {
	k := loadKey{tc, id}
	v, ok := l.m.Load(k)
	if !ok {
		v, _ = l.m.LoadOrStore(k, new(atomic.Int32))
	}
	n := v.(*atomic.Int32)
	n.Add(1)
	return func() {
		if n.Add(-1) == 0 {
			l.m.CompareAndDelete(k, n)
		}
	}
}

func (l *loads) pending(tc *typeCache, id string) bool {
	v, ok := l.m.Load(loadKey{tc, id})
	return ok && v.(*atomic.Int32).Load() > 0
}
