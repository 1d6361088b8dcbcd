package jsonapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"
)

// Encode returns the JSON encoding of doc. The output is deterministic: members
// come in a fixed order and map keys are sorted, so equal documents encode to
// equal bytes. Raw attribute and meta values must be valid JSON.
func Encode(doc *Document) ([]byte, error) {
	e := encoder{buf: make([]byte, 0, 512)}
	if err := e.document(doc); err != nil {
		return nil, err
	}
	return e.buf, nil
}

// MarshalJSON implements json.Marshaler with [Encode].
func (d *Document) MarshalJSON() ([]byte, error) { return Encode(d) }

// UnmarshalJSON implements json.Unmarshaler with [Decode].
func (d *Document) UnmarshalJSON(data []byte) error {
	doc, err := Decode(data)
	if err != nil {
		return err
	}
	*d = *doc
	return nil
}

// An EncodeError reports a Document that cannot be encoded as valid JSON:API.
type EncodeError struct {
	Pointer string
	Err     error
}

func (e *EncodeError) Error() string { return "jsonapi: encode " + e.Pointer + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *EncodeError) Unwrap() error { return e.Err }

type encoder struct{ buf []byte }

func (e *encoder) raw(s string) { e.buf = append(e.buf, s...) }
func (e *encoder) str(s string) { e.buf = appendString(e.buf, s) }
func (e *encoder) key(k string) { e.buf = append(appendString(e.buf, k), ':') }
func (e *encoder) comma(first bool) {
	if !first {
		e.buf = append(e.buf, ',')
	}
}

func (e *encoder) document(d *Document) error {
	if d == nil {
		return &EncodeError{Pointer: "/", Err: fmt.Errorf("%w: nil document", ErrMissing)}
	}
	if d.Shape != Absent && d.Errors != nil {
		return &EncodeError{Pointer: "/", Err: errors.New(`"data" and "errors" must not coexist`)}
	}
	if d.Shape == Absent && d.Errors == nil && d.Meta == nil {
		return &EncodeError{Pointer: "/", Err: fmt.Errorf("%w: a document needs data, errors or meta", ErrMissing)}
	}
	if d.Shape == Absent && d.Included != nil {
		return &EncodeError{Pointer: "/included", Err: errors.New(`"included" needs "data"`)}
	}
	if err := unique(d); err != nil {
		return err
	}
	e.raw("{")
	first := true
	switch d.Shape {
	case Null:
		e.key("data")
		e.raw("null")
		first = false
	case One:
		if len(d.Data) != 1 {
			return &EncodeError{Pointer: "/data", Err: fmt.Errorf("shape one with %d resources", len(d.Data))}
		}
		e.key("data")
		if err := e.resource(&d.Data[0]); err != nil {
			return at2(err, "/data")
		}
		first = false
	case Many:
		e.key("data")
		if err := e.resources(d.Data); err != nil {
			return at2(err, "/data")
		}
		first = false
	}
	if d.Included != nil {
		e.comma(first)
		e.key("included")
		if err := e.resources(d.Included); err != nil {
			return at2(err, "/included")
		}
		first = false
	}
	if d.Errors != nil {
		e.comma(first)
		e.key("errors")
		e.raw("[")
		for i := range d.Errors {
			e.comma(i == 0)
			if err := e.errorObject(&d.Errors[i]); err != nil {
				return at2(err, "/errors/"+itoa(i))
			}
		}
		e.raw("]")
		first = false
	}
	if d.Links != nil {
		e.comma(first)
		e.key("links")
		if err := e.links(d.Links); err != nil {
			return at2(err, "/links")
		}
		first = false
	}
	if d.Meta != nil {
		e.comma(first)
		e.key("meta")
		if err := e.meta(d.Meta); err != nil {
			return at2(err, "/meta")
		}
		first = false
	}
	if d.JSONAPI != nil {
		e.comma(first)
		e.key("jsonapi")
		if err := e.object(d.JSONAPI); err != nil {
			return at2(err, "/jsonapi")
		}
	}
	e.raw("}")
	return nil
}

// unique checks that no resource appears twice in a compound document, in data
// or included (by type and id, or type and lid for a resource with no id).
func unique(d *Document) error {
	if len(d.Data)+len(d.Included) < 2 {
		return nil
	}
	type key struct{ typ, id, lid string }
	seen := make(map[key]string, len(d.Data)+len(d.Included))
	check := func(r *Resource, ptr string) error {
		k := key{typ: r.Type, id: r.ID}
		if r.ID == "" {
			if r.LID == "" {
				return nil
			}
			k.lid = r.LID
		}
		if first, dup := seen[k]; dup {
			return &EncodeError{Pointer: ptr, Err: fmt.Errorf("%w: resource %s %s%s is also at %s", ErrInvalid, r.Type, r.ID, r.LID, first)}
		}
		seen[k] = ptr
		return nil
	}
	for i := range d.Data {
		if err := check(&d.Data[i], "/data/"+itoa(i)); err != nil {
			return err
		}
	}
	for i := range d.Included {
		if err := check(&d.Included[i], "/included/"+itoa(i)); err != nil {
			return err
		}
	}
	return nil
}

func at2(err error, prefix string) error {
	if ee, ok := err.(*EncodeError); ok {
		ee.Pointer = prefix + ee.Pointer
	}
	return err
}

func (e *encoder) resources(rs []Resource) error {
	e.raw("[")
	for i := range rs {
		e.comma(i == 0)
		if err := e.resource(&rs[i]); err != nil {
			return at2(err, "/"+itoa(i))
		}
	}
	e.raw("]")
	return nil
}

func (e *encoder) resource(r *Resource) error {
	if r.Type == "" {
		return &EncodeError{Pointer: "/type", Err: ErrMissing}
	}
	e.raw(`{"type":`)
	e.str(r.Type)
	if r.ID != "" {
		e.raw(`,"id":`)
		e.str(r.ID)
	}
	if r.LID != "" {
		e.raw(`,"lid":`)
		e.str(r.LID)
	}
	if r.Attributes != nil {
		e.raw(`,"attributes":{`)
		for i, k := range sortedKeys(r.Attributes) {
			e.comma(i == 0)
			e.key(k)
			if err := e.rawValue(r.Attributes[k]); err != nil {
				return at2(err, "/attributes/"+escapePointer(k))
			}
		}
		e.raw("}")
	}
	if r.Relationships != nil {
		e.raw(`,"relationships":{`)
		for i, k := range sortedKeys(r.Relationships) {
			e.comma(i == 0)
			e.key(k)
			if err := e.relationship(r.Relationships[k]); err != nil {
				return at2(err, "/relationships/"+escapePointer(k))
			}
		}
		e.raw("}")
	}
	if r.Links != nil {
		e.raw(`,"links":`)
		if err := e.links(r.Links); err != nil {
			return at2(err, "/links")
		}
	}
	if r.Meta != nil {
		e.raw(`,"meta":`)
		if err := e.meta(r.Meta); err != nil {
			return at2(err, "/meta")
		}
	}
	e.raw("}")
	return nil
}

func (e *encoder) relationship(r *Relationship) error {
	if r == nil {
		return &EncodeError{Err: errors.New("nil relationship")}
	}
	e.raw("{")
	first := true
	switch r.Shape {
	case Null:
		e.raw(`"data":null`)
		first = false
	case One:
		if len(r.Data) != 1 {
			return &EncodeError{Pointer: "/data", Err: fmt.Errorf("shape one with %d identifiers", len(r.Data))}
		}
		e.raw(`"data":`)
		if err := e.identifier(&r.Data[0]); err != nil {
			return at2(err, "/data")
		}
		first = false
	case Many:
		e.raw(`"data":[`)
		for i := range r.Data {
			e.comma(i == 0)
			if err := e.identifier(&r.Data[i]); err != nil {
				return at2(err, "/data/"+itoa(i))
			}
		}
		e.raw("]")
		first = false
	}
	if r.Links != nil {
		e.comma(first)
		e.key("links")
		if err := e.links(r.Links); err != nil {
			return at2(err, "/links")
		}
		first = false
	}
	if r.Meta != nil {
		e.comma(first)
		e.key("meta")
		if err := e.meta(r.Meta); err != nil {
			return at2(err, "/meta")
		}
		first = false
	}
	if first {
		return &EncodeError{Err: errors.New(`a relationship needs "data", "links" or "meta"`)}
	}
	e.raw("}")
	return nil
}

func (e *encoder) identifier(id *Identifier) error {
	if id.Type == "" {
		return &EncodeError{Pointer: "/type", Err: ErrMissing}
	}
	if id.ID == "" && id.LID == "" {
		return &EncodeError{Pointer: "/id", Err: ErrMissing}
	}
	e.raw(`{"type":`)
	e.str(id.Type)
	if id.ID != "" {
		e.raw(`,"id":`)
		e.str(id.ID)
	}
	if id.LID != "" {
		e.raw(`,"lid":`)
		e.str(id.LID)
	}
	if id.Meta != nil {
		e.raw(`,"meta":`)
		if err := e.meta(id.Meta); err != nil {
			return at2(err, "/meta")
		}
	}
	e.raw("}")
	return nil
}

func (e *encoder) links(l Links) error {
	e.raw("{")
	for i, k := range sortedKeys(l) {
		e.comma(i == 0)
		e.key(k)
		if err := e.link(l[k]); err != nil {
			return at2(err, "/"+escapePointer(k))
		}
	}
	e.raw("}")
	return nil
}

func (e *encoder) link(l *Link) error {
	if l == nil {
		e.raw("null")
		return nil
	}
	if !l.IsObject() {
		e.str(l.Href)
		return nil
	}
	e.raw(`{"href":`)
	e.str(l.Href)
	if l.Rel != "" {
		e.raw(`,"rel":`)
		e.str(l.Rel)
	}
	if l.DescribedBy != nil {
		e.raw(`,"describedby":`)
		if err := e.link(l.DescribedBy); err != nil {
			return at2(err, "/describedby")
		}
	}
	if l.Title != "" {
		e.raw(`,"title":`)
		e.str(l.Title)
	}
	if l.Type != "" {
		e.raw(`,"type":`)
		e.str(l.Type)
	}
	if len(l.HrefLang) > 0 {
		e.raw(`,"hreflang":`)
		e.strings(l.HrefLang)
	}
	if l.Meta != nil {
		e.raw(`,"meta":`)
		if err := e.meta(l.Meta); err != nil {
			return at2(err, "/meta")
		}
	}
	e.raw("}")
	return nil
}

func (e *encoder) strings(ss []string) {
	e.raw("[")
	for i, s := range ss {
		e.comma(i == 0)
		e.str(s)
	}
	e.raw("]")
}

func (e *encoder) meta(m Meta) error {
	e.raw("{")
	for i, k := range sortedKeys(m) {
		e.comma(i == 0)
		e.key(k)
		if err := e.rawValue(m[k]); err != nil {
			return at2(err, "/"+escapePointer(k))
		}
	}
	e.raw("}")
	return nil
}

// rawValue writes a raw JSON value after checking it, so the encoder never emits
// invalid JSON.
func (e *encoder) rawValue(v json.RawMessage) error {
	if len(v) == 0 {
		e.raw("null")
		return nil
	}
	s := scanner{data: v}
	if _, err := s.value(0); err != nil || s.peek() != 0 {
		return &EncodeError{Err: fmt.Errorf("invalid raw JSON value %.40q", v)}
	}
	e.buf = append(e.buf, v...)
	return nil
}

func (e *encoder) errorObject(o *ErrorObject) error {
	e.raw("{")
	first := true
	field := func(k, v string) {
		if v != "" {
			e.comma(first)
			e.key(k)
			e.str(v)
			first = false
		}
	}
	field("id", o.ID)
	if o.Links != nil {
		e.comma(first)
		e.key("links")
		if err := e.links(o.Links); err != nil {
			return at2(err, "/links")
		}
		first = false
	}
	field("status", o.Status)
	field("code", o.Code)
	field("title", o.Title)
	field("detail", o.Detail)
	if o.Source != nil {
		e.comma(first)
		e.key("source")
		e.raw("{")
		sf := true
		for _, kv := range [3][2]string{{"pointer", o.Source.Pointer}, {"parameter", o.Source.Parameter}, {"header", o.Source.Header}} {
			if kv[1] != "" {
				e.comma(sf)
				e.key(kv[0])
				e.str(kv[1])
				sf = false
			}
		}
		e.raw("}")
		first = false
	}
	if o.Meta != nil {
		e.comma(first)
		e.key("meta")
		if err := e.meta(o.Meta); err != nil {
			return at2(err, "/meta")
		}
	}
	e.raw("}")
	return nil
}

func (e *encoder) object(o *Object) error {
	e.raw("{")
	first := true
	if o.Version != "" {
		e.key("version")
		e.str(o.Version)
		first = false
	}
	if o.Ext != nil {
		e.comma(first)
		e.key("ext")
		e.strings(o.Ext)
		first = false
	}
	if o.Profile != nil {
		e.comma(first)
		e.key("profile")
		e.strings(o.Profile)
		first = false
	}
	if o.Meta != nil {
		e.comma(first)
		e.key("meta")
		if err := e.meta(o.Meta); err != nil {
			return at2(err, "/meta")
		}
	}
	e.raw("}")
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as in
// encoding/json; HTML characters are not escaped.
func appendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch c {
			case '"', '\\':
				buf = append(buf, '\\', c)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			buf = append(buf, s[start:i]...)
			buf = append(buf, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

// AppendString appends s to buf as a JSON string literal.
func AppendString(buf []byte, s string) []byte { return appendString(buf, s) }
