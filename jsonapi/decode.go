package jsonapi

import "encoding/json"

// Decode parses and validates a JSON:API 1.1 document.
//
// Every violation is reported as a *[DecodeError] carrying the JSON pointer of the
// member at fault, for example "/data/0/relationships/artist/data/type: missing".
// Decode checks the document's structure (member types, required members, data
// versus errors); it knows nothing of models, so unknown types and attribute names
// are for the store to judge.
//
// Attribute values in the result alias a private copy of data, so data may be
// reused once Decode returns. Integer ids are accepted and coerced to strings.
func Decode(data []byte) (*Document, error) {
	buf := make([]byte, len(data))
	copy(buf, data)
	return decodeOwned(buf)
}

// decodeOwned is Decode for input the caller hands over.
func decodeOwned(data []byte) (*Document, error) {
	s := scanner{data: data}
	doc := &Document{}
	b := builder{s: &s, doc: doc}
	if err := s.top(doc, &b); err != nil {
		return nil, err
	}
	return doc, nil
}

// builder is the Visitor by which Decode builds a Document.
type builder struct {
	s   *scanner
	doc *Document
	cur resourceBuilder
}

// resourceBuilder fills one Resource of the document.
type resourceBuilder struct {
	s *scanner
	r *Resource
}

func (b *builder) Resource(included bool, _ int, typ string) (ResourceVisitor, error) {
	list := &b.doc.Data
	if included {
		list = &b.doc.Included
	} else if *list == nil {
		*list = make([]Resource, 0, 8)
	}
	*list = append(*list, Resource{Type: typ})
	b.cur = resourceBuilder{s: b.s, r: &(*list)[len(*list)-1]}
	return &b.cur, nil
}

func (b *resourceBuilder) Attribute(name, value []byte) error {
	if b.r.Attributes == nil {
		b.r.Attributes = make(map[string]json.RawMessage, 8)
	}
	b.r.Attributes[b.s.intern(name)] = value
	return nil
}

func (b *resourceBuilder) Relationship(name []byte, rel *Relationship) error {
	if b.r.Relationships == nil {
		b.r.Relationships = make(map[string]*Relationship, 4)
	}
	kept := *rel
	if rel.Data != nil {
		kept.Data = make([]Identifier, len(rel.Data))
		copy(kept.Data, rel.Data)
	}
	b.r.Relationships[b.s.intern(name)] = &kept
	return nil
}

func (b *resourceBuilder) End(res *Resource) error {
	b.r.ID, b.r.LID, b.r.Links, b.r.Meta = res.ID, res.LID, res.Links, res.Meta
	// An empty "attributes" or "relationships" object is kept as an empty
	// map, apart from an absent one.
	if b.r.Attributes == nil && res.Attributes != nil {
		b.r.Attributes = map[string]json.RawMessage{}
	}
	if b.r.Relationships == nil && res.Relationships != nil {
		b.r.Relationships = map[string]*Relationship{}
	}
	return nil
}

// identifier reads a resource identifier object. With idBuf set, the id's bytes
// are appended there instead of becoming a string (see linkageArray).
func (s *scanner) identifier(id *Identifier, idBuf *[]byte) error {
	if err := s.object(); err != nil {
		return err
	}
	var hasType, hasID bool
	var start int
	if idBuf != nil {
		start = len(*idBuf)
	}
	first := true
	for {
		key, ok, err := s.member(&first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		switch string(key) {
		case "type":
			hasType = true
			id.Type, err = s.name()
			if err == nil && id.Type == "" {
				err = &DecodeError{Offset: s.pos, Err: ErrInvalid, Detail: "empty type"}
			}
		case "id":
			if idBuf == nil {
				id.ID, err = s.idString()
			} else {
				var b []byte
				b, err = s.idBytes()
				*idBuf = append((*idBuf)[:start], b...)
				hasID = len(b) > 0
			}
		case "lid":
			id.LID, err = s.str()
		case "meta":
			id.Meta, err = s.rawObject()
		default:
			_, err = s.value(0)
		}
		if err != nil {
			return at(err, string(key))
		}
	}
	switch {
	case !hasType:
		return &DecodeError{Pointer: "/type", Offset: s.pos, Err: ErrMissing}
	case id.ID == "" && id.LID == "" && !hasID:
		return &DecodeError{Pointer: "/id", Offset: s.pos, Err: ErrMissing}
	}
	return nil
}

func (s *scanner) links() (Links, error) {
	if err := s.object(); err != nil {
		return nil, err
	}
	m := Links{}
	first := true
	for {
		key, ok, err := s.member(&first)
		if err != nil {
			return nil, err
		}
		if !ok {
			return m, nil
		}
		l, err := s.link()
		if err != nil {
			return nil, at(err, string(key))
		}
		m[s.intern(key)] = l
	}
}

func (s *scanner) link() (*Link, error) {
	switch s.peek() {
	case 'n':
		return nil, s.literal("null")
	case '"':
		href, err := s.str()
		return &Link{Href: href}, err
	}
	if err := s.object(); err != nil {
		return nil, &DecodeError{Offset: s.pos, Err: ErrType, Detail: "want string, object or null, have " + s.kind()}
	}
	l := &Link{object: true}
	var hasHref bool
	first := true
	for {
		key, ok, err := s.member(&first)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		switch string(key) {
		case "href":
			hasHref = true
			l.Href, err = s.str()
		case "rel":
			l.Rel, err = s.str()
		case "describedby":
			l.DescribedBy, err = s.link()
		case "title":
			l.Title, err = s.str()
		case "type":
			l.Type, err = s.str()
		case "hreflang":
			if s.peek() == '[' {
				l.HrefLang, err = s.stringList()
			} else {
				var h string
				h, err = s.str()
				l.HrefLang = []string{h}
			}
		case "meta":
			l.Meta, err = s.rawObject()
		default:
			_, err = s.value(0)
		}
		if err != nil {
			return nil, at(err, string(key))
		}
	}
	if !hasHref {
		return nil, &DecodeError{Pointer: "/href", Offset: s.pos, Err: ErrMissing}
	}
	return l, nil
}

func (s *scanner) errorObjects() ([]ErrorObject, error) {
	if err := s.array(); err != nil {
		return nil, err
	}
	out := []ErrorObject{}
	first := true
	for n := 0; ; n++ {
		more, err := s.element(&first)
		if err != nil {
			return nil, err
		}
		if !more {
			return out, nil
		}
		out = append(out, ErrorObject{})
		if err := s.errorObject(&out[n]); err != nil {
			return nil, atIndex(err, n)
		}
	}
}

func (s *scanner) errorObject(e *ErrorObject) error {
	if err := s.object(); err != nil {
		return err
	}
	first := true
	for {
		key, ok, err := s.member(&first)
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		switch string(key) {
		case "id":
			e.ID, err = s.idString()
		case "links":
			e.Links, err = s.links()
		case "status":
			// The spec says a string; servers often send a number.
			if c := s.peek(); c >= '0' && c <= '9' {
				var n []byte
				n, err = s.number()
				e.Status = string(n)
			} else {
				e.Status, err = s.str()
			}
		case "code":
			e.Code, err = s.str()
		case "title":
			e.Title, err = s.str()
		case "detail":
			e.Detail, err = s.str()
		case "source":
			e.Source, err = s.errorSource()
		case "meta":
			e.Meta, err = s.rawObject()
		default:
			_, err = s.value(0)
		}
		if err != nil {
			return at(err, string(key))
		}
	}
}

func (s *scanner) errorSource() (*ErrorSource, error) {
	if err := s.object(); err != nil {
		return nil, err
	}
	src := &ErrorSource{}
	first := true
	for {
		key, ok, err := s.member(&first)
		if err != nil {
			return nil, err
		}
		if !ok {
			return src, nil
		}
		switch string(key) {
		case "pointer":
			src.Pointer, err = s.str()
		case "parameter":
			src.Parameter, err = s.str()
		case "header":
			src.Header, err = s.str()
		default:
			_, err = s.value(0)
		}
		if err != nil {
			return nil, at(err, string(key))
		}
	}
}

func (s *scanner) jsonapiObject() (*Object, error) {
	if err := s.object(); err != nil {
		return nil, err
	}
	o := &Object{}
	first := true
	for {
		key, ok, err := s.member(&first)
		if err != nil {
			return nil, err
		}
		if !ok {
			return o, nil
		}
		switch string(key) {
		case "version":
			o.Version, err = s.str()
		case "ext":
			o.Ext, err = s.stringList()
		case "profile":
			o.Profile, err = s.stringList()
		case "meta":
			o.Meta, err = s.rawObject()
		default:
			_, err = s.value(0)
		}
		if err != nil {
			return nil, at(err, string(key))
		}
	}
}
