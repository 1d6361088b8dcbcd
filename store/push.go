package store

import (
	"fmt"
	"iter"
	"reflect"
	"strconv"
	"unsafe"

	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/model"
	"github.com/larder-go/larder/relationship"
)

// Push puts a normalized JSON:API document into the cache and returns a copy of
// each primary record (a T value for each resource's model T), none for
// "data": null.
//
// As in Ember Data, included resources are pushed before primary data; an update
// is partial, so attributes and relationships the resource omits keep their
// values; members the model does not declare are ignored; and pushing a record
// that was new makes it saved. Member names must be the models' (camelCase by
// default): Push does no key mapping; serializers do that.
//
// The whole document is checked and decoded before anything is applied. On error
// (a *DocumentError with the JSON pointer at fault) the cache is unchanged.
func (s *Cache) Push(doc *jsonapi.Document) ([]any, error) {
	return s.pushAny(OriginProgram, doc)
}

// pushAny is Push with an origin.
func (s *Cache) pushAny(o Origin, doc *jsonapi.Document) ([]any, error) {
	recs, err := s.push(o, doc, nil)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(recs))
	for i, st := range loadAll(&s.gen, recs) {
		out[i] = copyOutAny(recs[i].model, st)
	}
	return out, nil
}

// Push is the typed form of [Cache.Push]: every primary resource must be of
// model T, which is checked before anything is applied. It returns a copy of
// each primary record, none for "data": null.
func Push[T any](s *Cache, doc *jsonapi.Document) ([]T, error) {
	tc, ok := cacheOf[T](s)
	if !ok {
		return nil, unknownModel[T]()
	}
	recs, err := s.push(OriginProgram, doc, tc.model)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(recs))
	for i, st := range loadAll(&s.gen, recs) {
		out[i] = copyOut[T](tc.model, st)
	}
	return out, nil
}

// prepared is one resource decoded and checked, ready to apply.
type prepared struct {
	tc    *typeCache
	id    string
	lid   string
	state *recordState  // the state value lives beside, in one allocation
	value reflect.Value // *GoType holding decoded members
	attrs bitset        // attributes present in the resource
	rels  []relPatch    // relationships present, in any order
	full  bool          // every attribute and relationship is present, so nothing is copied from the cache
}

// relPatch is a relationship's payload as a state of its own: each of data,
// links and meta replaces the cached one only when present.
type relPatch struct {
	index    int
	state    *relationship.State
	hasData  bool
	hasLinks bool
	hasMeta  bool
}

// push checks and decodes doc completely, then applies it under the writer
// lock. want, when set, is the model every primary resource must have.
func (s *Cache) push(o Origin, doc *jsonapi.Document, want *model.Model) ([]*record, error) {
	return s.pushThen(source{origin: o}, doc, want, nil)
}

// pushAnswer pushes the adapter's answer to a request sent at remote
// revision since (see answers.go).
func (s *Cache) pushAnswer(since uint64, doc *jsonapi.Document, want *model.Model) ([]*record, error) {
	return s.pushThen(answerTo(since), doc, want, nil)
}

// A source says where a commit's data comes from: its origin, and for an
// answer of the adapter the remote revision its request was sent at.
type source struct {
	origin Origin
	answer bool
	since  uint64
}

// answerTo is the source of the adapter's answer to a request sent at remote
// revision since.
func answerTo(since uint64) source { return source{origin: OriginAdapter, answer: true, since: since} }

// beginFrom starts the txn of a commit of data from src.
func (s *Cache) beginFrom(src source) *txn {
	tx := s.begin(src.origin)
	tx.answers, tx.since = src.answer, src.since
	return tx
}

// pushThen is push with a last step in the same commit: then runs after the
// document is applied, with the primary records.
func (s *Cache) pushThen(o source, doc *jsonapi.Document, want *model.Model, then func(tx *txn, recs []*record)) ([]*record, error) {
	s.mustBeNew()
	if doc == nil {
		return nil, &DocumentError{Err: fmt.Errorf("%w: nil document", jsonapi.ErrInvalid)}
	}
	if doc.Shape == jsonapi.Absent && len(doc.Included) == 0 {
		return nil, nil
	}
	if doc.Shape == jsonapi.One && len(doc.Data) != 1 {
		return nil, &DocumentError{Pointer: "/data", Err: fmt.Errorf("%w: shape one with %d resources", ErrShape, len(doc.Data))}
	}
	items := make([]prepared, len(doc.Included)+len(doc.Data))
	if err := s.prepareIncluded(doc, items); err != nil {
		return nil, err
	}
	base := len(doc.Included)
	for i := range doc.Data {
		if err := s.prepare(&doc.Data[i], &items[base+i], want); err != nil {
			if doc.Shape == jsonapi.One {
				return nil, at(err, "/data")
			}
			return nil, at(err, "/data/"+strconv.Itoa(i))
		}
	}
	return s.commitPrepared(o, listOf(items[:base]), listOf(items[base:]), then), nil
}

// commitPrepared applies prepared resources in one commit, included ones
// first as Ember Data does, then runs then (when set) with the primary
// records, and returns those.
func (s *Cache) commitPrepared(o source, included, data *preparedList, then func(tx *txn, recs []*record)) []*record {
	bound := 0
	var tally pushTally
	for p := range included.all() {
		bound += p.pendingBound()
		tally.add(p.tc)
	}
	for p := range data.all() {
		bound += p.pendingBound()
		tally.add(p.tc)
	}
	tally.count(&s.untyped)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reservePending(bound)
	tx := s.beginFrom(o)
	for p := range included.all() {
		tx.apply(p) // OpPut, as Apply runs it
	}
	recs := make([]*record, 0, data.n)
	for p := range data.all() {
		recs = append(recs, tx.apply(p))
	}
	if then != nil {
		then(tx, recs)
	}
	tx.commit()
	return recs
}

// pushTally counts the resources of one document by type, for Stats.
type pushTally struct {
	types  [8]*typeCache
	counts [8]uint64
	more   map[*typeCache]uint64 // past eight types
}

func (t *pushTally) add(tc *typeCache) {
	for i, x := range t.types {
		switch x {
		case tc:
			t.counts[i]++
			return
		case nil:
			t.types[i], t.counts[i] = tc, 1
			return
		}
	}
	if t.more == nil {
		t.more = map[*typeCache]uint64{}
	}
	t.more[tc]++
}

// count adds the document to the store's count of pushes, and it and its
// records to each type's counters.
func (t *pushTally) count(store *counters) {
	store.pushes.Add(1)
	for i, tc := range t.types {
		if tc != nil {
			tc.stats.pushes.Add(1)
			tc.stats.pushed.Add(t.counts[i])
		}
	}
	for tc, n := range t.more {
		tc.stats.pushes.Add(1)
		tc.stats.pushed.Add(n)
	}
}

// preparedList holds prepared resources in chunks that never move, so a
// document of unknown length is read without copying what is read already.
type preparedList struct {
	chunks [][]prepared
	n      int
}

// listOf wraps prepared resources already in one slice.
func listOf(items []prepared) *preparedList {
	return &preparedList{chunks: [][]prepared{items}, n: len(items)}
}

// add returns a new zero item at the end of the list.
func (l *preparedList) add() *prepared {
	last := len(l.chunks) - 1
	if last < 0 || len(l.chunks[last]) == cap(l.chunks[last]) {
		size := 8
		if last >= 0 {
			size = min(2*cap(l.chunks[last]), 512)
		}
		l.chunks = append(l.chunks, make([]prepared, 0, size))
		last++
	}
	l.chunks[last] = l.chunks[last][:len(l.chunks[last])+1]
	l.n++
	return &l.chunks[last][len(l.chunks[last])-1]
}

// all yields the items in order.
func (l *preparedList) all() iter.Seq[*prepared] {
	return func(yield func(*prepared) bool) {
		for _, c := range l.chunks {
			for i := range c {
				if !yield(&c[i]) {
					return
				}
			}
		}
	}
}

// prepareIncluded decodes a document's included resources into the first
// len(doc.Included) items.
func (s *Cache) prepareIncluded(doc *jsonapi.Document, items []prepared) error {
	for i := range doc.Included {
		if err := s.prepare(&doc.Included[i], &items[i], nil); err != nil {
			return at(err, "/included/"+strconv.Itoa(i))
		}
	}
	return nil
}

// at prefixes a DocumentError's pointer, or wraps another error in one.
func at(err error, prefix string) error {
	if de, ok := err.(*DocumentError); ok {
		de.Pointer = prefix + de.Pointer
		return de
	}
	return &DocumentError{Pointer: prefix, Err: err}
}

// prepare decodes one resource into p. It reads the cache only to resolve a lid.
func (s *Cache) prepare(res *jsonapi.Resource, p *prepared, want *model.Model) error {
	m, ok := s.reg.ByName(res.Type)
	if !ok {
		return &DocumentError{Pointer: "/type", Err: fmt.Errorf("%w %q", ErrUnknownType, res.Type)}
	}
	if want != nil && m != want {
		return &DocumentError{Pointer: "/type", Err: fmt.Errorf("%w: want %q, have %q", ErrTypeMismatch, want.Name, res.Type)}
	}
	tc := s.types[m.Index]
	p.tc, p.id, p.lid = tc, res.ID, res.LID
	if p.id == "" {
		if p.lid == "" || tc.getLID(p.lid) == nil {
			return &DocumentError{Pointer: "/id", Err: ErrMissingID}
		}
	}
	p.state, p.value = tc.newCell()
	v := p.value.Elem()
	if p.id != "" {
		if err := setID(v.FieldByIndex(m.ID.Index), p.id); err != nil {
			return &DocumentError{Pointer: "/id", Err: err}
		}
	}
	p.attrs = newBitset(len(m.Attributes))
	for name, raw := range res.Attributes {
		i := m.AttributeIndex(name)
		if i < 0 {
			s.unmatched(m, "attribute", name) // ignored, as in Ember Data, but logged
			continue
		}
		if err := tc.decodeAttr(p.value.UnsafePointer(), i, raw); err != nil {
			return &DocumentError{Pointer: "/attributes/" + escape(name), Err: err}
		}
		p.attrs.set(i)
	}
	p.rels = p.rels[:0]
	for name, rel := range res.Relationships {
		i := m.RelationshipIndex(name)
		if i < 0 {
			s.unmatched(m, "relationship", name)
			continue
		}
		if rel == nil {
			continue
		}
		patch, err := relationshipPatch(&m.Rels[i], rel, false)
		if err != nil {
			return at(err, "/relationships/"+escape(name))
		}
		patch.index = i
		p.rels = append(p.rels, patch)
	}
	p.full = p.attrs.count() == len(m.Attributes) && len(p.rels) == len(m.Rels)
	return nil
}

// relationshipPatch checks a relationship payload against its declaration and
// builds its state, which shares nothing mutable with the caller's document:
// links and meta are copied unless owned says they are the store's already.
func relationshipPatch(info *model.RelInfo, rel *jsonapi.Relationship, owned bool) (relPatch, error) {
	p := relPatch{hasLinks: rel.Links != nil, hasMeta: rel.Meta != nil}
	links, meta := rel.Links, rel.Meta
	if !owned {
		links, meta = links.Clone(), meta.Clone()
	}
	switch rel.Shape {
	case jsonapi.Absent:
		p.state = relationship.NewState(info.Kind, false, nil, links, meta)
		return p, nil
	case jsonapi.Null, jsonapi.One:
		if info.Kind == relationship.KindHasMany {
			return p, &DocumentError{Pointer: "/data", Err: fmt.Errorf("%w: hasMany %q needs an array", ErrShape, info.Name)}
		}
	case jsonapi.Many:
		if info.Kind == relationship.KindBelongsTo {
			return p, &DocumentError{Pointer: "/data", Err: fmt.Errorf("%w: belongsTo %q needs an object or null", ErrShape, info.Name)}
		}
	}
	if rel.Shape == jsonapi.One && len(rel.Data) != 1 {
		return p, &DocumentError{Pointer: "/data", Err: fmt.Errorf("%w: shape one with %d identifiers", ErrShape, len(rel.Data))}
	}
	p.hasData = true
	for j, id := range rel.Data {
		if _, ok := info.Accept(id.Type); !ok {
			ptr := "/data/type"
			if rel.Shape == jsonapi.Many {
				ptr = "/data/" + strconv.Itoa(j) + "/type"
			}
			return p, &DocumentError{Pointer: ptr, Err: fmt.Errorf("%w: %q cannot hold %q", ErrTypeMismatch, info.Name, id.Type)}
		}
		if id.ID == "" && id.LID == "" {
			return p, &DocumentError{Pointer: "/data/" + strconv.Itoa(j) + "/id", Err: ErrMissingID}
		}
	}
	// A member listed twice is kept once, at its first position.
	p.state = relationship.NewState(info.Kind, true, unique(rel.Data), links, meta)
	return p, nil
}

// setID writes an id string into the model's id field.
func setID(f reflect.Value, id string) error {
	switch f.Kind() {
	case reflect.String:
		f.SetString(id)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(id, 10, f.Type().Bits())
		if err != nil {
			return fmt.Errorf("%w: id %q is not an integer for %s", ErrTypeMismatch, id, f.Type())
		}
		f.SetInt(n)
	default:
		n, err := strconv.ParseUint(id, 10, f.Type().Bits())
		if err != nil {
			return fmt.Errorf("%w: id %q is not an unsigned integer for %s", ErrTypeMismatch, id, f.Type())
		}
		f.SetUint(n)
	}
	return nil
}

// apply writes one prepared resource into the cache. It cannot fail.
func (tx *txn) apply(p *prepared) *record {
	tc := p.tc
	r := tx.lookup(tc, p.id, p.lid)
	if r == nil {
		r = tx.create(tc, p.id, p.lid)
		tx.materialize(r)
	} else if st := tx.cur(r); p.id != "" && st != nil && st.id == "" {
		// A new record whose server id arrives with its lid echoed. It is in
		// no id index yet, so no reader reads r.id until commit publishes it.
		r.id = p.id
		tx.note(func() { r.id = "" })
		tx.addID(tc, p.id, r)
	}
	old := tx.cur(r)
	if tx.crossed(old) {
		tx.keepNewer(r, old)
		return r
	}
	m := tc.model
	// A push updates the remote value; local edits stay on top of it. A stub
	// (a record named by a relationship, never loaded) has relationships
	// only, which the push merges over as over a loaded record's.
	var base unsafe.Pointer
	if old != nil && old.value != nil {
		base = old.value
		if old.local != nil {
			base = old.local.remote // nil for a new record: nothing remote yet
		}
	}
	partial := base != nil && !p.full
	next, v := p.state, p.value
	if partial {
		next, v = tc.newCell()
	}
	*next = recordState{id: p.id, status: stLoaded, rev: tx.rev()}
	if next.id == "" && old != nil {
		next.id = old.id
	}
	if old != nil {
		next.status |= old.status &^ (stNew | stLoaded)
	}
	if partial {
		// Partial update: start from a copy of the remote value.
		v.Elem().Set(reflect.NewAt(m.GoType, base).Elem())
		tc.copyAttrs(v.UnsafePointer(), p)
	}
	if next.id != "" && (partial || p.id == "") {
		_ = tc.setIDAt(v.UnsafePointer(), next.id)
	}
	tc.mergeRels(v.UnsafePointer(), base, p)
	next.value = v.UnsafePointer()
	tx.s.freshen(tc, next, old, tx.origin, tx.origin == OriginPeer && (base == nil || tc.differs(base, next.value)))
	if old != nil && old.value != nil && old.local != nil {
		// Local edits survive the push, except a relationship whose linkage the
		// push carries (Ember 3.x: remote linkage replaces local linkage; see
		// survivors).
		remote := next.value
		next.value = tc.rebase(old.value, tc.remoteOf(old), remote, func(i int) bool { return !p.hasRelData(i) })
		next.local = &edits{remote: remote, inflight: old.local.inflight, errors: old.local.errors}
	}
	kind := ChangeUpdated
	if !old.loaded() {
		kind = ChangeLoaded
	}
	tx.put(r, next, kind, ownValue|ownEdits|ownRemote)
	for _, rp := range p.rels {
		if rp.hasData {
			tx.pushedRel(r, rp.index, old, next)
		}
	}
	return r
}

// pushedRel follows a push of relationship i's linkage from state old to
// next: each inverse follows the remote change, and the local side becomes
// the remote one, keeping unsaved new members (Ember Data 3.x).
func (tx *txn) pushedRel(r *record, i int, old, next *recordState) {
	f := &tx.s.types[r.model.Index].fields.rels[i]
	var oldR, oldL *relationship.State
	if v := sideValue(old, remoteSide); v != nil {
		oldR = relAt(f, v)
	}
	if v := sideValue(old, localSide); v != nil {
		oldL = relAt(f, v)
	}
	newR := relAt(f, sideValue(next, remoteSide))
	newL := newR
	if next.local != nil {
		newL = tx.survivors(oldL, newR)
		setRelAt(f, next.value, newL)
	}
	tx.mirror(bothSides, r, i, oldR, newR)
	if oldL != oldR || newL != newR {
		tx.mirror(localSide, r, i, oldL, newL)
	}
}

// survivors is the local state of a relationship after a push of its
// linkage: the pushed members, then the unsaved new records local state had
// (a to-one keeps an unsaved new member only when the push empties it), as
// Ember Data 3.x's graph does.
func (tx *txn) survivors(local, remote *relationship.State) *relationship.State {
	var extra []jsonapi.Identifier
	for k := range local.Len() {
		y := memberAt(local, k)
		if tx.unsaved(y) && !contains(remote, y) {
			extra = append(extra, y)
		}
	}
	switch {
	case len(extra) == 0:
		return remote
	case remote.Kind() == relationship.KindBelongsTo:
		if remote.Len() == 0 {
			return remote.WithLinkage(relationship.KindBelongsTo, extra[:1])
		}
		return remote
	}
	return remote.WithLinkage(relationship.KindHasMany, append(remote.Identifiers(), extra...))
}

// unsaved reports whether y names a record created locally and not saved.
func (tx *txn) unsaved(y jsonapi.Identifier) bool {
	if y.ID == "" {
		return true
	}
	r := tx.resolve(y, false)
	if r == nil {
		return false
	}
	st := tx.cur(r)
	return st != nil && st.status&stNew != 0
}

// copyAttrs copies into dst the attributes the resource carried.
func (tc *typeCache) copyAttrs(dst unsafe.Pointer, p *prepared) {
	src := p.value.UnsafePointer()
	for i := range tc.fields.attrs {
		if p.attrs.has(i) {
			tc.fields.attrs[i].copy(dst, src)
		}
	}
}

// mergeRels sets into dst the relationships the resource carried, each merged
// over base's (nil for none): data, links and meta each replace the old only
// when present.
func (tc *typeCache) mergeRels(dst, base unsafe.Pointer, p *prepared) {
	for _, rp := range p.rels {
		f := &tc.fields.rels[rp.index]
		var prev *relationship.State
		if base != nil {
			prev = relAt(f, base)
		}
		setRelAt(f, dst, mergeRel(prev, &rp))
	}
}

// relPatch returns the resource's patch of relationship i, or nil (also for
// a nil p).
func (p *prepared) relPatch(i int) *relPatch {
	if p == nil {
		return nil
	}
	for k := range p.rels {
		if p.rels[k].index == i {
			return &p.rels[k]
		}
	}
	return nil
}

// hasRelData reports whether the resource carried linkage for relationship i.
func (p *prepared) hasRelData(i int) bool {
	rp := p.relPatch(i)
	return rp != nil && rp.hasData
}

// mergeRel applies a relationship payload over the cached state: data, links
// and meta each replace the old only when present.
func mergeRel(prev *relationship.State, p *relPatch) *relationship.State {
	if prev == nil || (p.hasData && p.hasLinks && p.hasMeta) {
		return p.state
	}
	return prev.Merge(p.state, p.hasData, p.hasLinks, p.hasMeta)
}

// escape escapes one JSON pointer token.
func escape(s string) string { return jsonapi.Pointer(s)[1:] }

// bitset records which members a resource carried.
type bitset struct {
	small uint64
	big   []uint64
}

func newBitset(n int) bitset {
	if n <= 64 {
		return bitset{}
	}
	return bitset{big: make([]uint64, (n+63)/64)}
}

func (b *bitset) set(i int) {
	if b.big == nil {
		b.small |= 1 << i
		return
	}
	b.big[i/64] |= 1 << (i % 64)
}

func (b *bitset) has(i int) bool {
	if b.big == nil {
		return b.small&(1<<i) != 0
	}
	return b.big[i/64]&(1<<(i%64)) != 0
}

func (b *bitset) count() int {
	n := 0
	if b.big == nil {
		for x := b.small; x != 0; x &= x - 1 {
			n++
		}
		return n
	}
	for _, w := range b.big {
		for x := w; x != 0; x &= x - 1 {
			n++
		}
	}
	return n
}

// decodeAttr decodes raw into attribute i of the model value at v, with the
// model's generated codec when it has one, else the attribute's codec.
func (tc *typeCache) decodeAttr(v unsafe.Pointer, i int, raw []byte) error {
	if g := tc.model.Generated; g != nil {
		return g.DecodeAttribute(v, i, raw)
	}
	return tc.model.Codecs[i].DecodeAt(raw, tc.fields.attrs[i].at(v))
}

// encodeAttr returns the JSON of attribute i of the model value v, with the
// model's generated codec when it has one, else the attribute's codec.
func (tc *typeCache) encodeAttr(v reflect.Value, i int) ([]byte, error) {
	if g := tc.model.Generated; g != nil {
		return g.EncodeAttribute(v.Addr().UnsafePointer(), i)
	}
	return tc.model.Codecs[i].Encode(v.FieldByIndex(tc.model.Attributes[i].Index))
}
