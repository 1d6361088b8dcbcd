package store

import (
	"fmt"
	"strconv"

	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/model"
)

// PushDocument pushes a JSON:API document given as bytes and returns nothing:
// the single-pass form of [Cache.Push], for callers that do not want copies
// of what they pushed.
//
// The bytes go straight into cache states: each resource is decoded into a
// new record value as it is read, by its model's attribute codecs (or the
// codec a generated model carries), with no Document built on the way. The
// rules are Push's: members are named as the models name them (no key
// mapping; [Cache.PushPayload] runs a serializer), included resources are
// applied before primary data, an update is partial, members the model does
// not declare are logged and ignored, and the whole document is checked and
// decoded before anything is applied. On error (a *[DocumentError] with the
// JSON pointer at fault, wrapping a *[jsonapi.DecodeError] for a document
// that breaks JSON or JSON:API rules) the cache is unchanged. PushDocument
// keeps no reference to raw.
func (s *Cache) PushDocument(raw []byte) error {
	s.mustBeNew()
	_, err := s.pushDocument(OriginProgram, raw, nil, nil)
	return err
}

// pushDocument decodes raw in one pass and applies it, as pushThen does a
// decoded document.
func (s *Cache) pushDocument(o Origin, raw []byte, want *model.Model, then func(tx *txn, recs []*record)) ([]*record, error) {
	w := docWalker{s: s, want: want}
	if _, err := jsonapi.Walk(raw, &w); err != nil {
		if _, ok := err.(*DocumentError); ok {
			return nil, err
		}
		return nil, &DocumentError{Err: err}
	}
	if w.data.n == 0 && w.included.n == 0 && then == nil {
		return nil, nil
	}
	return s.commitPrepared(source{origin: o}, &w.included, &w.data, then), nil
}

// docWalker is the jsonapi.Visitor by which a document's bytes become
// prepared records: its resources, in two lists, are decoded as they are read.
type docWalker struct {
	s        *Cache
	want     *model.Model
	data     preparedList
	included preparedList
	cur      resourceWalker
}

// resourceWalker decodes one resource into a prepared record.
type resourceWalker struct {
	s        *Cache
	p        *prepared
	included bool
	index    int
}

func (w *docWalker) Resource(included bool, index int, typ string) (jsonapi.ResourceVisitor, error) {
	w.cur = resourceWalker{s: w.s, included: included, index: index}
	m, ok := w.s.reg.ByName(typ)
	if !ok {
		return nil, w.cur.fail("/type", fmt.Errorf("%w %q", ErrUnknownType, typ))
	}
	if w.want != nil && !included && m != w.want {
		return nil, w.cur.fail("/type", fmt.Errorf("%w: want %q, have %q", ErrTypeMismatch, w.want.Name, typ))
	}
	list := &w.data
	if included {
		list = &w.included
	}
	p := list.add()
	p.tc = w.s.types[m.Index]
	p.state, p.value = p.tc.newCell()
	p.attrs = newBitset(len(m.Attributes))
	w.cur.p = p
	return &w.cur, nil
}

// fail returns err as a *DocumentError at ptr inside the resource.
func (rw *resourceWalker) fail(ptr string, err error) error {
	return at(err, rw.pointer()+ptr)
}

// pointer is the resource's JSON pointer.
func (rw *resourceWalker) pointer() string {
	switch {
	case rw.included:
		return "/included/" + strconv.Itoa(rw.index)
	case rw.index < 0:
		return "/data"
	}
	return "/data/" + strconv.Itoa(rw.index)
}

func (rw *resourceWalker) Attribute(name, value []byte) error {
	p := rw.p
	m := p.tc.model
	i := m.AttributeIndex(string(name))
	if i < 0 {
		rw.s.unmatched(m, "attribute", string(name)) // ignored, as in Ember Data, but logged
		return nil
	}
	if err := p.tc.decodeAttr(p.value.UnsafePointer(), i, value); err != nil {
		return rw.fail("/attributes/"+escape(string(name)), err)
	}
	p.attrs.set(i)
	return nil
}

func (rw *resourceWalker) Relationship(name []byte, rel *jsonapi.Relationship) error {
	p := rw.p
	m := p.tc.model
	i := m.RelationshipIndex(string(name))
	if i < 0 {
		rw.s.unmatched(m, "relationship", string(name))
		return nil
	}
	patch, err := relationshipPatch(&m.Rels[i], rel, true)
	if err != nil {
		return rw.fail("/relationships/"+escape(string(name)), err)
	}
	patch.index = i
	for k := range p.rels {
		if p.rels[k].index == i { // a name given twice: the last wins
			p.rels[k] = patch
			return nil
		}
	}
	p.rels = append(p.rels, patch)
	return nil
}

func (rw *resourceWalker) End(res *jsonapi.Resource) error {
	p := rw.p
	p.id, p.lid = res.ID, res.LID
	if p.id == "" {
		if p.lid == "" || p.tc.getLID(p.lid) == nil {
			return rw.fail("/id", ErrMissingID)
		}
	} else if err := p.tc.setIDAt(p.value.UnsafePointer(), p.id); err != nil {
		return rw.fail("/id", err)
	}
	p.full = p.attrs.count() == len(p.tc.model.Attributes) && len(p.rels) == len(p.tc.model.Rels)
	return nil
}
