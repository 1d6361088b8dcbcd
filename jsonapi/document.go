package jsonapi

import (
	"encoding/json"
	"slices"
)

// MediaType is the JSON:API media type, the same constant as github.com/google/jsonapi's.
const MediaType = "application/vnd.api+json"

// Shape says what a document's or relationship's "data" member held.
type Shape uint8

const (
	// Absent means the "data" member was not present.
	Absent Shape = iota
	// Null means "data": null (an empty to-one relationship, or no primary resource).
	Null
	// One means "data" held a single object.
	One
	// Many means "data" held an array (possibly empty).
	Many
)

// String returns the shape's name.
func (s Shape) String() string {
	switch s {
	case Absent:
		return "absent"
	case Null:
		return "null"
	case One:
		return "one"
	case Many:
		return "many"
	}
	return "Shape(?)"
}

// A Document is a JSON:API 1.1 top-level document.
//
// Data holds the primary resources; Shape tells an absent "data" member from
// "data": null, a single resource and an array. A Document returned by [Decode]
// belongs to the caller.
type Document struct {
	Shape    Shape
	Data     []Resource
	Included []Resource
	Meta     Meta
	Links    Links
	Errors   []ErrorObject
	JSONAPI  *Object
}

// One returns the single primary resource, or nil when the document's data is not
// a single resource.
func (d *Document) One() *Resource {
	if d.Shape != One || len(d.Data) != 1 {
		return nil
	}
	return &d.Data[0]
}

// A Resource is a JSON:API resource object. Attribute values are kept as raw JSON,
// so a null value ("title": null) and an absent key stay distinct and numbers keep
// their exact text.
type Resource struct {
	Type          string
	ID            string
	LID           string
	Attributes    map[string]json.RawMessage
	Relationships map[string]*Relationship
	Links         Links
	Meta          Meta
}

// Identifier returns the resource's identity without its members.
func (r *Resource) Identifier() Identifier {
	return Identifier{Type: r.Type, ID: r.ID, LID: r.LID}
}

// An Identifier is a JSON:API resource identifier object: a type with an id, a
// local id (lid), or both.
type Identifier struct {
	Type string
	ID   string
	LID  string
	Meta Meta
}

// A Relationship is a JSON:API relationship object. Shape tells whether linkage
// ("data") was given, and in which form; Data holds zero or one identifier for a
// to-one relationship.
type Relationship struct {
	Shape Shape
	Data  []Identifier
	Links Links
	Meta  Meta
}

// Links is a JSON:API links object. A nil *Link value stands for a null link.
type Links map[string]*Link

// Href returns the href of the named link, or "".
func (l Links) Href(name string) string {
	if k := l[name]; k != nil {
		return k.Href
	}
	return ""
}

// Clone returns a deep copy of l.
func (l Links) Clone() Links {
	if l == nil {
		return nil
	}
	out := make(Links, len(l))
	for k, v := range l {
		out[k] = v.Clone()
	}
	return out
}

// A Link is a JSON:API link: a bare URL string or a link object.
// A link decoded from a bare string has only Href set and encodes back to a string.
type Link struct {
	Href        string
	Rel         string
	DescribedBy *Link
	Title       string
	Type        string
	HrefLang    []string
	Meta        Meta
	object      bool // decoded from, and encoded as, a link object
}

// IsObject reports whether the link is a link object rather than a bare string.
func (l *Link) IsObject() bool {
	return l.object || l.Rel != "" || l.DescribedBy != nil || l.Title != "" ||
		l.Type != "" || len(l.HrefLang) > 0 || l.Meta != nil
}

// Clone returns a deep copy of l.
func (l *Link) Clone() *Link {
	if l == nil {
		return nil
	}
	c := *l
	c.DescribedBy = l.DescribedBy.Clone()
	c.HrefLang = slices.Clone(l.HrefLang)
	c.Meta = l.Meta.Clone()
	return &c
}

// Meta is a JSON:API meta object. Values are raw JSON so numbers keep their text.
type Meta map[string]json.RawMessage

// Clone returns a deep copy of m.
func (m Meta) Clone() Meta {
	if m == nil {
		return nil
	}
	out := make(Meta, len(m))
	for k, v := range m {
		out[k] = slices.Clone(v)
	}
	return out
}

// An ErrorObject is a JSON:API error object.
type ErrorObject struct {
	ID     string
	Links  Links
	Status string
	Code   string
	Title  string
	Detail string
	Source *ErrorSource
	Meta   Meta
}

// Error returns the error's detail, title or code, as github.com/google/jsonapi's
// ErrorObject does, so that an ErrorObject can be returned as an error.
func (e *ErrorObject) Error() string {
	msg := e.Detail
	if msg == "" {
		msg = e.Title
	}
	if msg == "" {
		msg = e.Code
	}
	if e.Source != nil && e.Source.Pointer != "" {
		return e.Source.Pointer + ": " + msg
	}
	return msg
}

// An ErrorSource says which part of a request document caused an error.
type ErrorSource struct {
	Pointer   string
	Parameter string
	Header    string
}

// An Object is the top-level "jsonapi" member: the implementation's version,
// extensions and profiles.
type Object struct {
	Version string
	Ext     []string
	Profile []string
	Meta    Meta
}
