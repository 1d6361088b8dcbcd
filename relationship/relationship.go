package relationship

import (
	"reflect"
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/larder-go/larder/jsonapi"
)

// Kind is a relationship's cardinality.
type Kind uint8

const (
	// KindBelongsTo is a to-one relationship.
	KindBelongsTo Kind = iota + 1
	// KindHasMany is a to-many relationship.
	KindHasMany
)

// String returns "belongsTo" or "hasMany", as in Ember Data.
func (k Kind) String() string {
	switch k {
	case KindBelongsTo:
		return "belongsTo"
	case KindHasMany:
		return "hasMany"
	}
	return "Kind(0)"
}

// A State is the cached state of one relationship of one record: its linkage (the
// related identifiers), whether linkage is known at all, and its links and meta.
// A State is immutable once built, so records share it freely.
//
// Linkage is stored compactly: one type name for the whole relationship and one
// id string per member; per-member types, lids and meta only when some member
// has them.
type State struct {
	kind    Kind
	linkage bool
	typ     string    // the members' type, when they share one
	idbuf   string    // member ids, in order, run together in one string
	ends    []uint32  // where each member's id ends in idbuf
	end1    [1]uint32 // ends' storage for one member, saving an allocation
	extra   *memberExtra
	grow    *growth // storage shared with states this one extends, see Append
	links   jsonapi.Links
	meta    jsonapi.Meta
	// stale: the related link changed without data, or a member was unloaded
	// while this side kept it (Ember's hasDematerializedInverse); the next
	// load refetches.
	stale bool
	// partial: the members are known only in part, from the inverses of
	// records that name this one, never from a payload of this relationship.
	partial bool
}

// memberExtra holds what few relationships need: per-member types when they
// differ (polymorphic), lids, and identifier meta.
type memberExtra struct {
	types []string
	lids  []string
	metas []jsonapi.Meta
}

// NewState returns a State. hasData reports whether the payload carried linkage
// ("data"); without it, data is ignored and the relationship's members are
// unknown (for example a links-only relationship). NewState copies what it keeps
// of data, but keeps links and meta as given: the caller must not change them
// afterwards.
func NewState(kind Kind, hasData bool, data []jsonapi.Identifier, links jsonapi.Links, meta jsonapi.Meta) *State {
	s := &State{kind: kind, linkage: hasData, links: links, meta: meta}
	if !hasData || len(data) == 0 {
		return s
	}
	s.typ = data[0].Type
	// One string and one offset slice hold every id, rather than a string
	// object each: a to-many of n members costs the collector 2 objects, not
	// n+1, for as long as the record is cached.
	if len(data) == 1 && data[0].Type == s.typ && data[0].LID == "" && data[0].Meta == nil {
		s.idbuf = data[0].ID
		s.end1[0] = uint32(len(s.idbuf))
		s.ends = s.end1[:]
		return s
	}
	size := 0
	for _, id := range data {
		size += len(id.ID)
	}
	var b strings.Builder
	b.Grow(size)
	s.ends = make([]uint32, len(data))
	var x memberExtra
	for i, id := range data {
		b.WriteString(id.ID)
		s.ends[i] = uint32(b.Len())
		if id.Type != s.typ && x.types == nil {
			x.types = make([]string, len(data))
			for j := range i {
				x.types[j] = s.typ
			}
		}
		if x.types != nil {
			x.types[i] = id.Type
		}
		if id.LID != "" && x.lids == nil {
			x.lids = make([]string, len(data))
		}
		if x.lids != nil {
			x.lids[i] = id.LID
		}
		if id.Meta != nil && x.metas == nil {
			x.metas = make([]jsonapi.Meta, len(data))
		}
		if x.metas != nil {
			x.metas[i] = id.Meta.Clone()
		}
	}
	s.idbuf = b.String()
	if x.types != nil || x.lids != nil || x.metas != nil {
		s.extra = &x
	}
	return s
}

// Kind returns the relationship's cardinality.
func (s *State) Kind() Kind {
	if s == nil {
		return 0
	}
	return s.kind
}

// HasLinkage reports whether the related identifiers are known.
func (s *State) HasLinkage() bool { return s != nil && s.linkage }

// Len returns the number of related identifiers.
func (s *State) Len() int {
	if s == nil {
		return 0
	}
	return len(s.ends)
}

// At returns the i'th related identifier.
func (s *State) At(i int) jsonapi.Identifier {
	id := jsonapi.Identifier{Type: s.typ, ID: s.ID(i)}
	if x := s.extra; x != nil {
		if x.types != nil {
			id.Type = x.types[i]
		}
		if x.lids != nil {
			id.LID = x.lids[i]
		}
		if x.metas != nil {
			id.Meta = x.metas[i].Clone()
		}
	}
	return id
}

// ID returns the i'th related id.
func (s *State) ID(i int) string {
	start := uint32(0)
	if i > 0 {
		start = s.ends[i-1]
	}
	return s.idbuf[start:s.ends[i]]
}

// IDs returns a copy of the related ids.
func (s *State) IDs() []string {
	if s.Len() == 0 {
		return nil
	}
	out := make([]string, len(s.ends))
	for i := range out {
		out[i] = s.ID(i)
	}
	return out
}

// Identifiers returns a copy of the related identifiers.
func (s *State) Identifiers() []jsonapi.Identifier {
	if s.Len() == 0 {
		return nil
	}
	out := make([]jsonapi.Identifier, len(s.ends))
	for i := range out {
		out[i] = s.At(i)
	}
	return out
}

// Links returns a deep copy of the relationship's links: the caller may change
// any of it.
func (s *State) Links() jsonapi.Links {
	if s == nil {
		return nil
	}
	return s.links.Clone()
}

// Meta returns a deep copy of the relationship's meta.
func (s *State) Meta() jsonapi.Meta {
	if s == nil {
		return nil
	}
	return s.meta.Clone()
}

// String formats the linkage: "album:1" for one member, "[song:1 song:2]" for
// a to-many, "null" for an empty to-one, and "<unknown>" when the payload
// carried no linkage.
func (s *State) String() string {
	if !s.HasLinkage() {
		return "<unknown>"
	}
	if s.kind == KindBelongsTo {
		if s.Len() == 0 {
			return "null"
		}
		return s.member(0)
	}
	var b strings.Builder
	b.WriteByte('[')
	for i := range s.ends {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s.member(i))
	}
	b.WriteByte(']')
	return b.String()
}

// member formats the i'th member as "type:id" (or "type:lid" without an id).
func (s *State) member(i int) string {
	id := s.At(i)
	if id.ID == "" {
		return id.Type + ":" + id.LID
	}
	return id.Type + ":" + id.ID
}

// Link returns the href of the named link ("related", "self"), or "".
func (s *State) Link(name string) string {
	if s == nil {
		return ""
	}
	return s.links.Href(name)
}

// Merge returns the state after an update: next's linkage, links and meta each
// replace s's where the update carried them. Linkage makes the state fresh and
// whole; a changed related link without linkage makes it stale.
func (s *State) Merge(next *State, data, links, meta bool) *State {
	var n State
	if s != nil {
		n = *s
	}
	n.kind = next.kind
	if data {
		n.linkage, n.typ, n.idbuf, n.ends, n.extra, n.grow = next.linkage, next.typ, next.idbuf, next.ends, next.extra, next.grow
		n.stale, n.partial = false, false
	}
	if links {
		if !data && s != nil && s.links.Href("related") != next.links.Href("related") {
			n.stale = true // a new related link and no data: refetch on next load
		}
		n.links = next.links
	}
	if meta {
		n.meta = next.meta
	}
	return &n
}

// A Field is a relationship field of a model struct: *[BelongsTo] or *[HasMany].
// Its unexported methods mean only this package implements it.
type Field interface {
	// Kind returns the field's cardinality.
	Kind() Kind
	// Target returns the Go type of the related model (an interface type for a
	// polymorphic relationship).
	Target() reflect.Type
	state() *State
	setState(*State)
}

// FieldType is the type of the Field interface, for reflection.
var FieldType = reflect.TypeFor[Field]()

// Bind sets the state behind a relationship field. The store calls it when it
// copies a record out of the cache; a program has no need to.
func Bind(f Field, s *State) { f.setState(s) }

// StateOf returns the state behind a relationship field, or nil.
func StateOf(f Field) *State { return f.state() }

// BelongsTo is a to-one relationship field to a model of type T:
//
//	Artist relationship.BelongsTo[Artist] `rel:"artist"`
//
// It holds the related record's identifier, not the record; relationship links
// and meta come with it. Its zero value means nothing is known of the
// relationship. A BelongsTo is a value: copies share immutable state.
type BelongsTo[T any] struct{ s *State }

// Kind returns KindBelongsTo.
func (BelongsTo[T]) Kind() Kind { return KindBelongsTo }

// Target returns the Go type T.
func (BelongsTo[T]) Target() reflect.Type { return reflect.TypeFor[T]() }

func (b *BelongsTo[T]) state() *State     { return b.s }
func (b *BelongsTo[T]) setState(s *State) { b.s = s }

// ID returns the related record's id, or "" when the relationship is empty or
// its linkage unknown.
func (b BelongsTo[T]) ID() string {
	if b.s.Len() == 0 {
		return ""
	}
	return b.s.ID(0)
}

// Identifier returns the related record's identifier, and false when the
// relationship is empty or its linkage unknown.
func (b BelongsTo[T]) Identifier() (jsonapi.Identifier, bool) {
	if b.s.Len() == 0 {
		return jsonapi.Identifier{}, false
	}
	return b.s.At(0), true
}

// Set points the relationship at the record with the given id, keeping its
// links and meta. It changes only this value: hand the value to the store (a
// record handle's Update, store.SetRecord, store.CreateRecord) to make it a
// local edit. The store fills in the type of a relationship to one model.
func (b *BelongsTo[T]) Set(id string) {
	b.s = b.s.WithLinkage(KindBelongsTo, []jsonapi.Identifier{{ID: id}})
}

// SetIdentifier is Set for an identifier: a polymorphic relationship's type,
// or the lid of a new record that has no id yet.
func (b *BelongsTo[T]) SetIdentifier(id jsonapi.Identifier) {
	b.s = b.s.WithLinkage(KindBelongsTo, []jsonapi.Identifier{id})
}

// SetNull empties the relationship ("data": null), keeping its links and meta.
func (b *BelongsTo[T]) SetNull() { b.s = b.s.WithLinkage(KindBelongsTo, nil) }

// IsNull reports whether the relationship is known to be empty ("data": null).
func (b BelongsTo[T]) IsNull() bool { return b.s.HasLinkage() && b.s.Len() == 0 }

// HasLinkage reports whether the related identifier (or its absence) is known.
func (b BelongsTo[T]) HasLinkage() bool { return b.s.HasLinkage() }

// IsStale reports whether the next load refetches the relationship: its
// related link changed without data, or its member was unloaded.
func (b BelongsTo[T]) IsStale() bool { return b.s.IsStale() }

// Links returns a copy of the relationship's links.
func (b BelongsTo[T]) Links() jsonapi.Links { return b.s.Links() }

// Link returns the href of the named link, or "".
func (b BelongsTo[T]) Link(name string) string { return b.s.Link(name) }

// Meta returns a copy of the relationship's meta.
func (b BelongsTo[T]) Meta() jsonapi.Meta { return b.s.Meta() }

// String formats the linkage as "album:1", "null" or "<unknown>", so a
// printed model reads well.
func (b BelongsTo[T]) String() string { return b.s.String() }

// HasMany is a to-many relationship field to models of type T:
//
//	Songs relationship.HasMany[Song] `rel:"songs"`
//
// It holds the related records' identifiers in order. Its zero value means
// nothing is known of the relationship. A HasMany is a value: copies share
// immutable state, and accessors return copies.
type HasMany[T any] struct{ s *State }

// Kind returns KindHasMany.
func (HasMany[T]) Kind() Kind { return KindHasMany }

// Target returns the Go type T.
func (HasMany[T]) Target() reflect.Type { return reflect.TypeFor[T]() }

func (h *HasMany[T]) state() *State     { return h.s }
func (h *HasMany[T]) setState(s *State) { h.s = s }

// Set replaces the related records with those of the given ids, in order,
// keeping the relationship's links and meta. Like [BelongsTo.Set], it changes
// only this value until the store is handed it.
func (h *HasMany[T]) Set(ids ...string) {
	data := make([]jsonapi.Identifier, len(ids))
	for i, id := range ids {
		data[i].ID = id
	}
	h.s = h.s.WithLinkage(KindHasMany, data)
}

// SetIdentifiers is Set for identifiers: polymorphic members, or new records
// known by lid.
func (h *HasMany[T]) SetIdentifiers(ids ...jsonapi.Identifier) {
	h.s = h.s.WithLinkage(KindHasMany, ids)
}

// Add appends the records of the given ids that are not members yet, keeping
// the order of the others. Like Set, it changes only this value until the
// store is handed it.
func (h *HasMany[T]) Add(ids ...string) {
	data := make([]jsonapi.Identifier, len(ids))
	for i, id := range ids {
		data[i].ID = id
	}
	h.AddIdentifiers(data...)
}

// AddIdentifiers is Add for identifiers: polymorphic members, or new records
// known by lid.
func (h *HasMany[T]) AddIdentifiers(ids ...jsonapi.Identifier) {
	cur := h.s.Identifiers()
	for _, id := range ids {
		if indexOf(cur, id) < 0 {
			cur = append(cur, id)
		}
	}
	h.s = h.s.WithLinkage(KindHasMany, cur)
}

// Remove takes the records of the given ids out of the relationship.
func (h *HasMany[T]) Remove(ids ...string) {
	data := make([]jsonapi.Identifier, len(ids))
	for i, id := range ids {
		data[i].ID = id
	}
	h.RemoveIdentifiers(data...)
}

// RemoveIdentifiers is Remove for identifiers.
func (h *HasMany[T]) RemoveIdentifiers(ids ...jsonapi.Identifier) {
	cur := h.s.Identifiers()
	out := cur[:0]
	for _, m := range cur {
		if indexOf(ids, m) < 0 {
			out = append(out, m)
		}
	}
	h.s = h.s.WithLinkage(KindHasMany, out)
}

// Has reports whether the record with the given id is a member.
func (h HasMany[T]) Has(id string) bool {
	for i := range h.s.Len() {
		if h.s.ID(i) == id {
			return true
		}
	}
	return false
}

// indexOf returns the position of the member id names in ids, or -1. An
// identifier without a type matches any type; one without an id matches by
// lid.
func indexOf(ids []jsonapi.Identifier, id jsonapi.Identifier) int {
	for i, m := range ids {
		if id.Type != "" && m.Type != "" && id.Type != m.Type {
			continue
		}
		if id.ID != "" && m.ID == id.ID || id.ID == "" && id.LID != "" && m.LID == id.LID {
			return i
		}
	}
	return -1
}

// Len returns the number of related identifiers.
func (h HasMany[T]) Len() int { return h.s.Len() }

// IsPartial reports whether the members are known only in part, from the
// inverses of records that name this one: the relationship's own data was
// never received. A load follows its related link.
func (h HasMany[T]) IsPartial() bool { return h.s.IsPartial() }

// IsStale reports whether the next load refetches the relationship: its
// related link changed without data, or a member was unloaded.
func (h HasMany[T]) IsStale() bool { return h.s.IsStale() }

// IDs returns the related records' ids, in order.
func (h HasMany[T]) IDs() []string { return h.s.IDs() }

// Identifiers returns a copy of the related identifiers, in order.
func (h HasMany[T]) Identifiers() []jsonapi.Identifier { return h.s.Identifiers() }

// HasLinkage reports whether the related identifiers are known.
func (h HasMany[T]) HasLinkage() bool { return h.s.HasLinkage() }

// Links returns a copy of the relationship's links.
func (h HasMany[T]) Links() jsonapi.Links { return h.s.Links() }

// Link returns the href of the named link, or "".
func (h HasMany[T]) Link(name string) string { return h.s.Link(name) }

// Meta returns a copy of the relationship's meta.
func (h HasMany[T]) Meta() jsonapi.Meta { return h.s.Meta() }

var (
	_ Field = (*BelongsTo[struct{}])(nil)
	_ Field = (*HasMany[struct{}])(nil)
)

// String formats the linkage as "[song:1 song:2]" or "<unknown>".
func (h HasMany[T]) String() string { return h.s.String() }

// WithLinkage returns a state with s's links and meta and the given linkage:
// what a local edit of the relationship makes. A nil s gives a state with
// linkage only.
func (s *State) WithLinkage(kind Kind, data []jsonapi.Identifier) *State {
	n := NewState(kind, true, data, nil, nil)
	if s != nil {
		n.links, n.meta, n.stale, n.partial = s.links, s.meta, s.stale, s.partial
	}
	return n
}

// WithMembers is WithLinkage for the store's graph, which adds and removes
// members as inverses change: a state that had no linkage becomes partial,
// its members known only from the records that point at it.
func (s *State) WithMembers(kind Kind, data []jsonapi.Identifier) *State {
	n := s.WithLinkage(kind, data)
	if !s.HasLinkage() {
		n.partial = true
	}
	return n
}

// growth is the storage of a to-many that grows by appends: states that are
// prefixes of one another share it, each reading its own prefix, and only the
// longest may append in place.
type growth struct {
	ids  []byte
	ends []uint32
	n    atomic.Int64 // members of the longest state over this storage
}

// Append returns WithMembers(kind, s's members followed by data), in time
// that depends on len(data) only when s is the longest state over its
// storage: a to-many that grows by appends shares one buffer, as slices
// grown with append do. Members with a type other than s's, a lid or meta
// take the general path.
func (s *State) Append(kind Kind, data []jsonapi.Identifier) *State {
	if s.Len() == 0 || s.extra != nil {
		return s.WithMembers(kind, append(s.Identifiers(), data...))
	}
	for _, id := range data {
		if id.Type != s.typ || id.LID != "" || id.Meta != nil {
			return s.WithMembers(kind, append(s.Identifiers(), data...))
		}
	}
	n := len(s.ends)
	g := s.grow
	if g == nil || !g.n.CompareAndSwap(int64(n), int64(n+len(data))) {
		// Not the longest state: copy into storage of this state's own.
		g = &growth{
			ids:  append(make([]byte, 0, 2*len(s.idbuf)), s.idbuf...),
			ends: append(make([]uint32, 0, 2*n), s.ends...),
		}
		g.n.Store(int64(n + len(data)))
	}
	g.ids, g.ends = g.ids[:s.ends[n-1]], g.ends[:n]
	for _, id := range data {
		g.ids = append(g.ids, id.ID...)
		g.ends = append(g.ends, uint32(len(g.ids)))
	}
	out := &State{kind: kind, linkage: true, typ: s.typ, grow: g,
		idbuf: unsafe.String(unsafe.SliceData(g.ids), len(g.ids)),
		ends:  g.ends[:len(g.ends):len(g.ends)],
		links: s.links, meta: s.meta, stale: s.stale, partial: s.partial || !s.linkage}
	return out
}

// Stale returns a copy of s marked stale: the next load refetches it (by
// link when it has one). The store marks a relationship stale when one of
// its members is unloaded and this side keeps its identifier.
func (s *State) Stale() *State {
	var n State
	if s != nil {
		n = *s
	}
	n.stale = true
	return &n
}

// IsStale reports whether the relationship must be refetched on its next
// load: its related link changed without linkage, or a member was unloaded.
func (s *State) IsStale() bool { return s != nil && s.stale }

// IsPartial reports whether the linkage is known only in part: built from the
// inverses of records that name this one, and never received whole. A load
// follows the related link of a partial relationship.
func (s *State) IsPartial() bool { return s != nil && s.partial }

// TypeAt returns the type of the i'th member.
func (s *State) TypeAt(i int) string {
	if s.extra != nil && s.extra.types != nil {
		return s.extra.types[i]
	}
	return s.typ
}

// LIDAt returns the lid of the i'th member, or "".
func (s *State) LIDAt(i int) string {
	if s.extra != nil && s.extra.lids != nil {
		return s.extra.lids[i]
	}
	return ""
}

// SameLinkage reports whether s and o hold the same linkage: both unknown (a
// partial state without members counts as unknown), or the same members
// (type, id and lid) in the same order. Links and meta are not compared.
func (s *State) SameLinkage(o *State) bool {
	if s == o {
		return true
	}
	if s.Len() == 0 && o.Len() == 0 && (!s.HasLinkage() || s.partial) && (!o.HasLinkage() || o.partial) {
		return true // nothing known, and no member known from inverses: the same
	}
	if s.HasLinkage() != o.HasLinkage() || s.Len() != o.Len() {
		return false
	}
	if s.Len() == 0 {
		return true
	}
	if s.extra == nil && o.extra == nil {
		return s.typ == o.typ && s.idbuf == o.idbuf && slicesEqual(s.ends, o.ends)
	}
	for i := range s.ends {
		a, b := s.At(i), o.At(i)
		if a.Type != b.Type || a.ID != b.ID || a.LID != b.LID {
			return false
		}
	}
	return true
}

func slicesEqual(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
