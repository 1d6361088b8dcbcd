package store

import (
	"iter"
	"math/bits"
	"strings"

	"github.com/larder-go/larder/model"
	"github.com/larder-go/larder/relationship"
)

// What changed. Every commit (a push, an unload, a local edit, a save, a
// delete, a relationship change, a batch of operations) makes one ChangeSet:
// for each record it changed, its identifier, what happened and which fields
// changed. Subscriptions (subscribe.go) receive them. A commit builds its
// change set only while some subscription is open, so a store nobody watches
// pays nothing for it.

// A FieldSet names attributes and relationships of one model, by their
// member names ("title", "artist"). It is a value: copying it shares nothing a
// holder could change.
type FieldSet struct {
	m    *model.Model
	bits uint64
	more []uint64 // fields past the 64th, a bit each; never changed once set
}

// fieldName returns the name of field i: attributes first, then relationships.
func fieldName(m *model.Model, i int) string {
	if i < len(m.Attributes) {
		return m.Attributes[i].Name
	}
	return m.Relationships[i-len(m.Attributes)].Name
}

func (f FieldSet) has(i int) bool {
	if i < 64 {
		return f.bits&(1<<i) != 0
	}
	i -= 64
	return i/64 < len(f.more) && f.more[i/64]&(1<<(i%64)) != 0
}

func (f *FieldSet) set(i int) {
	if i < 64 {
		f.bits |= 1 << i
		return
	}
	i -= 64
	for len(f.more) <= i/64 {
		f.more = append(f.more, 0)
	}
	f.more[i/64] |= 1 << (i % 64)
}

// Len returns the number of fields in the set.
func (f FieldSet) Len() int {
	n := bits.OnesCount64(f.bits)
	for _, w := range f.more {
		n += bits.OnesCount64(w)
	}
	return n
}

// Has reports whether the set holds the field with the given member name.
func (f FieldSet) Has(name string) bool {
	if f.m == nil {
		return false
	}
	for i := range len(f.m.Attributes) + len(f.m.Relationships) {
		if fieldName(f.m, i) == name {
			return f.has(i)
		}
	}
	return false
}

// All yields the fields' names, attributes first, in field order.
func (f FieldSet) All() iter.Seq[string] {
	return func(yield func(string) bool) {
		if f.m == nil {
			return
		}
		for i := range len(f.m.Attributes) + len(f.m.Relationships) {
			if f.has(i) && !yield(fieldName(f.m, i)) {
				return
			}
		}
	}
}

// Names returns the fields' names in a new slice, attributes first.
func (f FieldSet) Names() []string {
	var out []string
	for n := range f.All() {
		out = append(out, n)
	}
	return out
}

// String formats the set as "[title artist]".
func (f FieldSet) String() string { return "[" + strings.Join(f.Names(), " ") + "]" }

// A ChangeSet is what one commit changed, or, with Missed, the notice that a
// subscription dropped change sets because its reader fell behind. Its
// changes are read through methods that return copies: a ChangeSet shared by
// many subscriptions cannot be changed through any of them.
type ChangeSet struct {
	// Seq is the commit's number: the store's Version after it.
	Seq uint64
	// Missed reports that change sets were dropped before this one because the
	// subscription's buffer was full: what it watches may have changed in ways
	// it was not told of, so its reader should read it again. A Missed set
	// holds no changes; Seq is that of the last commit dropped.
	Missed bool
	// Origin says where the commit's changes came from: the program's local
	// changes, the adapter, a push, a stream or another instance.
	Origin  Origin
	changes []changeEntry
	s       *Cache
}

// A changeEntry is one change, with the record's states before and after the
// commit, which RemoteOperations reads. States are never changed once
// published, so reading them later needs no lock. Keeping both in one slice
// makes a change set one allocation.
type changeEntry struct {
	Change
	st pendingChange
}

// Len returns the number of records the commit changed.
func (cs ChangeSet) Len() int { return len(cs.changes) }

// At returns the i'th change.
func (cs ChangeSet) At(i int) Change { return cs.changes[i].Change }

// All yields the changes in order: records of one type together.
func (cs ChangeSet) All() iter.Seq[Change] {
	return func(yield func(Change) bool) {
		for i := range cs.changes {
			if !yield(cs.changes[i].Change) {
				return
			}
		}
	}
}

// Changes returns the changes in a new slice.
func (cs ChangeSet) Changes() []Change {
	out := make([]Change, len(cs.changes))
	for i := range cs.changes {
		out[i] = cs.changes[i].Change
	}
	return out
}

// Find returns the change of the record with the given type and id (or lid),
// if the commit changed it.
func (cs ChangeSet) Find(typ, id string) (Change, bool) {
	for i := range cs.changes {
		if c := cs.changes[i].Change; c.Record.Type == typ && (c.Record.ID == id || id != "" && c.Record.LID == id) {
			return c, true
		}
	}
	return Change{}, false
}

// pendingChange is a change before commit sorts and describes it.
type pendingChange struct {
	r        *record
	kind     ChangeKind
	old, new *recordState
}

// changeSet builds a commit's change set: changes sorted by model (counting
// sort, stable, so records of one type are contiguous and in commit order),
// each with the fields whose visible value changed.
func (s *Cache) changeSet(seq uint64, origin Origin, pend []pendingChange) ChangeSet {
	n := len(s.types) + 1
	var small [16]int // most stores have fewer types: no allocation
	counts := small[:min(n, len(small))]
	if n > len(small) {
		counts = make([]int, n)
	}
	for _, p := range pend {
		counts[p.r.model.Index+1]++
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	out := make([]changeEntry, len(pend))
	for _, p := range pend {
		i := p.r.model.Index
		id := Identifier{Type: p.r.model.Name, LID: p.r.lid}
		if p.new != nil {
			id.ID = p.new.id
		}
		out[counts[i]] = changeEntry{Change{Record: id, Kind: p.kind, Fields: s.types[i].changedFields(p)}, p}
		counts[i]++
	}
	return ChangeSet{Seq: seq, Origin: origin, changes: out, s: s}
}

// changedFields returns the fields whose visible value differs between a
// change's old and new state; a record not loaded reads as the zero value.
func (tc *typeCache) changedFields(p pendingChange) FieldSet {
	f := FieldSet{m: tc.model}
	if p.kind == ChangeUnloaded {
		return f
	}
	a, b := tc.zero, tc.zero
	if p.old.loaded() {
		a = p.old.value
	}
	if p.new.loaded() {
		b = p.new.value
	}
	if a == b {
		return f
	}
	for i := range tc.fields.attrs {
		if !tc.fields.attrs[i].eq(a, b) {
			f.set(i)
		}
	}
	for i := range tc.fields.rels {
		if relChanged(relAt(&tc.fields.rels[i], a), relAt(&tc.fields.rels[i], b)) {
			f.set(len(tc.fields.attrs) + i)
		}
	}
	return f
}

// unchanged reports whether a clean record's new state reads exactly as its
// old one: a push that repeated what the cache held, which announces nothing.
func (tc *typeCache) unchanged(a, b *recordState) bool {
	if a == b {
		return true
	}
	if !a.loaded() || !b.loaded() || a.local != nil || b.local != nil || a.status&^(stStale|stRaced) != b.status&^(stStale|stRaced) || a.err != b.err || a.id != b.id {
		return false
	}
	if tc.attrsDiffer(a.value, b.value) {
		return false
	}
	for i := range tc.fields.rels {
		if relChanged(relAt(&tc.fields.rels[i], a.value), relAt(&tc.fields.rels[i], b.value)) {
			return false
		}
	}
	return true
}

// relChanged reports whether a relationship's state changed in what a reader
// sees: its members, its related link, or whether it is stale or partial.
func relChanged(a, b *relationship.State) bool {
	if a == b {
		return false
	}
	return !a.SameLinkage(b) || a.Link("related") != b.Link("related") ||
		a.IsStale() != b.IsStale() || a.IsPartial() != b.IsPartial()
}
