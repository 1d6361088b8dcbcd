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
	if err := s.document(doc); err != nil {
		return nil, err
	}
	if s.peek() != 0 {
		return nil, s.syntax("data after top-level value")
	}
	return doc, nil
}

func (s *scanner) document(doc *Document) error {
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
			err = s.primary(doc)
		case "included":
			hasIncluded = true
			doc.Included, err = s.resources(doc.Included[:0])
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

func (s *scanner) primary(doc *Document) error {
	switch s.peek() {
	case 'n':
		doc.Shape = Null
		return s.literal("null")
	case '{':
		doc.Shape = One
		doc.Data = make([]Resource, 1)
		return s.resource(&doc.Data[0])
	case '[':
		doc.Shape = Many
		var err error
		doc.Data, err = s.resources(make([]Resource, 0, 8))
		return err
	}
	return s.typeErr("object, array or null")
}

func (s *scanner) resources(out []Resource) ([]Resource, error) {
	if err := s.array(); err != nil {
		return nil, err
	}
	if out == nil {
		out = []Resource{}
	}
	first := true
	for n := 0; ; n++ {
		more, err := s.element(&first)
		if err != nil {
			return nil, err
		}
		if !more {
			return out, nil
		}
		out = append(out, Resource{})
		if err := s.resource(&out[n]); err != nil {
			return nil, atIndex(err, n)
		}
	}
}

func (s *scanner) resource(r *Resource) error {
	if err := s.object(); err != nil {
		return err
	}
	var hasType bool
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
			r.Type, err = s.name()
			if err == nil && r.Type == "" {
				err = &DecodeError{Offset: s.pos, Err: ErrInvalid, Detail: "empty type"}
			}
		case "id":
			r.ID, err = s.idString()
		case "lid":
			r.LID, err = s.str()
		case "attributes":
			r.Attributes, err = s.attributes()
		case "relationships":
			r.Relationships, err = s.relationships()
		case "links":
			r.Links, err = s.links()
		case "meta":
			r.Meta, err = s.rawObject()
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

func (s *scanner) attributes() (map[string]json.RawMessage, error) {
	if err := s.object(); err != nil {
		return nil, err
	}
	m := make(map[string]json.RawMessage, 8)
	first := true
	for {
		key, ok, err := s.member(&first)
		if err != nil {
			return nil, err
		}
		if !ok {
			return m, nil
		}
		if reservedField(key) {
			return nil, &DecodeError{Pointer: "/" + escapePointer(string(key)), Offset: s.pos, Err: ErrInvalid, Detail: "reserved member name"}
		}
		v, err := s.value(1)
		if err != nil {
			return nil, at(err, string(key))
		}
		m[s.intern(key)] = v
	}
}

func (s *scanner) relationships() (map[string]*Relationship, error) {
	if err := s.object(); err != nil {
		return nil, err
	}
	m := make(map[string]*Relationship, 4)
	first := true
	for {
		key, ok, err := s.member(&first)
		if err != nil {
			return nil, err
		}
		if !ok {
			return m, nil
		}
		if reservedField(key) {
			return nil, &DecodeError{Pointer: "/" + escapePointer(string(key)), Offset: s.pos, Err: ErrInvalid, Detail: "reserved member name"}
		}
		rel := &Relationship{}
		if err := s.relationship(rel); err != nil {
			return nil, at(err, string(key))
		}
		m[s.intern(key)] = rel
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

func (s *scanner) linkage(rel *Relationship) error {
	switch s.peek() {
	case 'n':
		rel.Shape = Null
		return s.literal("null")
	case '{':
		rel.Shape = One
		rel.Data = make([]Identifier, 1)
		return s.identifier(&rel.Data[0], nil)
	case '[':
		rel.Shape = Many
		return s.linkageArray(rel)
	}
	return s.typeErr("object, array or null")
}

// linkageArray reads an array of identifiers into scratch space, then copies it
// out at its exact size with every id in one string: two allocations for the
// whole array rather than one per id plus the slice's growth.
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
	rel.Data = make([]Identifier, len(s.ids))
	copy(rel.Data, s.ids)
	block := string(s.idBuf)
	start := 0
	for i, end := range s.idEnd {
		rel.Data[i].ID = block[start:end]
		start = end
	}
	clear(s.ids) // drop references held by the scratch space
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
