package jsonapi

import "encoding/json"

// A Visitor receives the resources of a document from [Walk] as they are read.
type Visitor interface {
	// Resource begins a resource object of type typ: the index-th of the
	// primary data, or of "included" when included is set. index is -1 for a
	// single primary resource ("data": {...}). The returned ResourceVisitor
	// receives the resource's members; an error stops the walk and is
	// returned by Walk as it is.
	Resource(included bool, index int, typ string) (ResourceVisitor, error)
}

// A ResourceVisitor receives the members of one resource object, in document
// order. An error stops the walk and is returned by Walk as it is.
type ResourceVisitor interface {
	// Attribute receives one attribute. value is its raw JSON, never empty.
	// name and value alias Walk's input and are valid during the call only.
	Attribute(name, value []byte) error
	// Relationship receives one relationship object. name aliases Walk's
	// input; rel and its Data are Walk's scratch space, valid during the
	// call only, while the strings, links and meta they hold may be kept.
	Relationship(name []byte, rel *Relationship) error
	// End closes the resource. res holds its Type, ID, LID, Links and Meta;
	// its Attributes and Relationships are empty and non-nil when the
	// resource had those members, nil when not.
	End(res *Resource) error
}

// Walk reads a JSON:API document in one pass, handing each resource to v as it
// is read, without building a [Document]: a decoder that knows its models
// fills them straight from the bytes. It checks everything [Decode] checks, and
// its errors are the same *[DecodeError] values, except those v returns.
// Resources reach v in document order; a resource's members reach v in order
// too, except that members before its "type" are read once the type is known.
// The top-level "meta", "links", "errors" and "jsonapi" members are checked
// and dropped. Walk returns the shape of the primary data.
func Walk(data []byte, v Visitor) (Shape, error) {
	s := scanner{data: data}
	var top Document
	if err := s.top(&top, v); err != nil {
		return Absent, err
	}
	return top.Shape, nil
}

// present marks a member that was given, for ResourceVisitor.End; it is never
// written.
var (
	presentAttributes    = map[string]json.RawMessage{}
	presentRelationships = map[string]*Relationship{}
)

// top reads a whole document: its resources go to v, its other top-level
// members into doc.
func (s *scanner) top(doc *Document, v Visitor) error {
	if err := s.document(doc, v); err != nil {
		return err
	}
	if s.peek() != 0 {
		return s.syntax("data after top-level value")
	}
	return nil
}

func (s *scanner) document(doc *Document, v Visitor) error {
	if err := s.object(); err != nil {
		return err
	}
	var hasData, hasErrors, hasMeta, hasIncluded bool
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
		case "data":
			hasData = true
			err = s.primary(doc, v)
		case "included":
			hasIncluded = true
			if err = s.resources(v, true); err == nil && doc.Included == nil {
				doc.Included = []Resource{} // "included": [] is not an absent member
			}
		case "meta":
			hasMeta = true
			doc.Meta, err = s.rawObject()
		case "links":
			doc.Links, err = s.links()
		case "errors":
			hasErrors = true
			doc.Errors, err = s.errorObjects()
		case "jsonapi":
			doc.JSONAPI, err = s.jsonapiObject()
		default:
			_, err = s.value(0)
		}
		if err != nil {
			return at(err, string(key))
		}
	}
	switch {
	case !hasData && !hasErrors && !hasMeta:
		return &DecodeError{Offset: s.pos, Err: ErrMissing, Detail: `a document needs "data", "errors" or "meta"`}
	case hasData && hasErrors:
		return &DecodeError{Pointer: "/errors", Offset: s.pos, Err: ErrInvalid, Detail: `"data" and "errors" must not coexist`}
	case hasIncluded && !hasData:
		return &DecodeError{Pointer: "/included", Offset: s.pos, Err: ErrInvalid, Detail: `"included" needs "data"`}
	}
	return nil
}

func (s *scanner) primary(doc *Document, v Visitor) error {
	switch s.peek() {
	case 'n':
		doc.Shape = Null
		return s.literal("null")
	case '{':
		doc.Shape = One
		return s.resource(v, false, -1)
	case '[':
		doc.Shape = Many
		err := s.resources(v, false)
		if err == nil && doc.Data == nil {
			doc.Data = []Resource{}
		}
		return err
	}
	return s.typeErr("object, array or null")
}

func (s *scanner) resources(v Visitor, included bool) error {
	if err := s.array(); err != nil {
		return err
	}
	first := true
	for n := 0; ; n++ {
		more, err := s.element(&first)
		if err != nil {
			return err
		}
		if !more {
			return nil
		}
		if err := s.resource(v, included, n); err != nil {
			return atIndex(err, n)
		}
	}
}

// resource reads one resource object. Its "attributes" and "relationships"
// go to the visitor as they are read once the type is known; those that come
// before "type" are skipped, then read again from where they started.
func (s *scanner) resource(v Visitor, included bool, index int) error {
	if err := s.object(); err != nil {
		return err
	}
	var (
		res     Resource
		rv      ResourceVisitor
		hasType bool
		later   [2]int // where "attributes" and "relationships" start, when they come before "type"
	)
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
			if hasType {
				// Which of two types a resource has is anyone's guess, and
				// the visitor has begun the first already.
				return &DecodeError{Pointer: "/type", Offset: s.pos, Err: ErrInvalid, Detail: `"type" given twice`}
			}
			hasType = true
			res.Type, err = s.name()
			if err == nil && res.Type == "" {
				err = &DecodeError{Offset: s.pos, Err: ErrInvalid, Detail: "empty type"}
			}
			if err == nil {
				if rv, err = v.Resource(included, index, res.Type); err != nil {
					return err
				}
				if err := s.replay(rv, &later); err != nil {
					return err
				}
			}
		case "id":
			res.ID, err = s.idString()
		case "lid":
			res.LID, err = s.str()
		case "attributes":
			res.Attributes = presentAttributes
			if rv == nil {
				later[0] = s.pos + 1
				_, err = s.value(0)
			} else {
				err = s.attributes(rv)
			}
		case "relationships":
			res.Relationships = presentRelationships
			if rv == nil {
				later[1] = s.pos + 1
				_, err = s.value(0)
			} else {
				err = s.relationships(rv)
			}
		case "links":
			res.Links, err = s.links()
		case "meta":
			res.Meta, err = s.rawObject()
		default:
			_, err = s.value(0)
		}
		if err != nil {
			return at(err, string(key))
		}
	}
	if !hasType {
		return &DecodeError{Pointer: "/type", Offset: s.pos, Err: ErrMissing}
	}
	return rv.End(&res)
}

// replay reads the members that came before "type" into rv, from where they
// started, and comes back.
func (s *scanner) replay(rv ResourceVisitor, later *[2]int) error {
	back := s.pos
	defer func() { s.pos = back }()
	if later[0] > 0 {
		s.pos = later[0] - 1
		if err := s.attributes(rv); err != nil {
			return at(err, "attributes")
		}
	}
	if later[1] > 0 {
		s.pos = later[1] - 1
		if err := s.relationships(rv); err != nil {
			return at(err, "relationships")
		}
	}
	return nil
}

// reserved are the names a resource's fields must not use (JSON:API 1.1 §7.2.2).
func reservedField(k []byte) bool {
	switch string(k) {
	case "id", "type", "lid", "relationships", "links":
		return true
	}
	return false
}

func (s *scanner) attributes(rv ResourceVisitor) error {
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
		if reservedField(key) {
			return &DecodeError{Pointer: "/" + escapePointer(string(key)), Offset: s.pos, Err: ErrInvalid, Detail: "reserved member name"}
		}
		v, err := s.value(1)
		if err != nil {
			return at(err, string(key))
		}
		if err := rv.Attribute(key, v); err != nil {
			return err
		}
	}
}

func (s *scanner) relationships(rv ResourceVisitor) error {
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
		if reservedField(key) {
			return &DecodeError{Pointer: "/" + escapePointer(string(key)), Offset: s.pos, Err: ErrInvalid, Detail: "reserved member name"}
		}
		s.rel = Relationship{}
		if err := s.relationship(&s.rel); err != nil {
			return at(err, string(key))
		}
		err = rv.Relationship(key, &s.rel)
		clear(s.ids) // drop references held by the scratch space
		s.rel = Relationship{}
		if err != nil {
			return err
		}
	}
}

func (s *scanner) relationship(rel *Relationship) error {
	if err := s.object(); err != nil {
		return err
	}
	var any bool
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
		case "data":
			any = true
			err = s.linkage(rel)
		case "links":
			any = true
			rel.Links, err = s.links()
		case "meta":
			any = true
			rel.Meta, err = s.rawObject()
		default:
			_, err = s.value(0)
		}
		if err != nil {
			return at(err, string(key))
		}
	}
	if !any {
		return &DecodeError{Offset: s.pos, Err: ErrMissing, Detail: `a relationship needs "data", "links" or "meta"`}
	}
	return nil
}

// linkage reads a relationship's "data" into scratch space (s.ids).
func (s *scanner) linkage(rel *Relationship) error {
	switch s.peek() {
	case 'n':
		rel.Shape, rel.Data = Null, nil
		return s.literal("null")
	case '{':
		rel.Shape = One
		s.ids = append(s.ids[:0], Identifier{})
		rel.Data = s.ids[:1]
		return s.identifier(&rel.Data[0], nil)
	case '[':
		rel.Shape = Many
		return s.linkageArray(rel)
	}
	return s.typeErr("object, array or null")
}

// linkageArray reads an array of identifiers into scratch space, every id in
// one string: one allocation for the whole array rather than one per id.
// relationship.NewState keeps that string as it is.
func (s *scanner) linkageArray(rel *Relationship) error {
	if err := s.array(); err != nil {
		return err
	}
	s.ids, s.idBuf, s.idEnd = s.ids[:0], s.idBuf[:0], s.idEnd[:0]
	first := true
	for n := 0; ; n++ {
		more, err := s.element(&first)
		if err != nil {
			return err
		}
		if !more {
			break
		}
		s.ids = append(s.ids, Identifier{})
		if err := s.identifier(&s.ids[n], &s.idBuf); err != nil {
			return atIndex(err, n)
		}
		s.idEnd = append(s.idEnd, len(s.idBuf))
	}
	rel.Data = s.ids[:len(s.ids):len(s.ids)]
	if len(s.idBuf) > 0 {
		block := string(s.idBuf)
		start := 0
		for i, end := range s.idEnd {
			rel.Data[i].ID = block[start:end]
			start = end
		}
	}
	if rel.Data == nil {
		rel.Data = []Identifier{}
	}
	return nil
}
