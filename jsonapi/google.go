package jsonapi

import (
	"bytes"
	"encoding/json"
	"fmt"

	gj "github.com/google/jsonapi"
)

// This file converts between larder's documents and github.com/google/jsonapi
// v1.0.0 wire types. It never calls that package's reflection (un)marshalling:
// values move through encoding/json with UseNumber, so integers stay exact, nulls
// stay null and links survive. google's non-standard "client-id" maps to lid.

// FromNode converts a google/jsonapi Node into a Resource.
func FromNode(n *gj.Node) (Resource, error) {
	if n == nil {
		return Resource{}, fmt.Errorf("jsonapi: nil node")
	}
	r := Resource{Type: n.Type, ID: n.ID, LID: n.ClientID}
	if n.Attributes != nil {
		r.Attributes = make(map[string]json.RawMessage, len(n.Attributes))
		for k, v := range n.Attributes {
			raw, err := json.Marshal(v)
			if err != nil {
				return Resource{}, fmt.Errorf("jsonapi: attribute %q: %w", k, err)
			}
			r.Attributes[k] = raw
		}
	}
	if n.Relationships != nil {
		r.Relationships = make(map[string]*Relationship, len(n.Relationships))
		for k, v := range n.Relationships {
			rel, err := fromGoogleRelationship(v)
			if err != nil {
				return Resource{}, fmt.Errorf("jsonapi: relationship %q: %w", k, err)
			}
			r.Relationships[k] = rel
		}
	}
	var err error
	if r.Links, err = fromGoogleLinks(n.Links); err != nil {
		return Resource{}, err
	}
	if r.Meta, err = fromGoogleMeta(n.Meta); err != nil {
		return Resource{}, err
	}
	return r, nil
}

// fromGoogleRelationship accepts the forms a Node's relationship takes: the typed
// RelationshipOneNode and RelationshipManyNode built by marshalling, or the
// generic maps encoding/json produces. Both go through JSON and the validating
// decoder.
func fromGoogleRelationship(v any) (*Relationship, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	s := scanner{data: raw}
	rel := &Relationship{}
	if err := s.relationship(rel); err != nil {
		return nil, err
	}
	// google marshals an empty to-one as {"data":null} and omits unset links.
	return rel, nil
}

func fromGoogleLinks(l *gj.Links) (Links, error) {
	if l == nil {
		return nil, nil
	}
	raw, err := json.Marshal(l)
	if err != nil {
		return nil, err
	}
	s := scanner{data: raw}
	return s.links()
}

func fromGoogleMeta(m *gj.Meta) (Meta, error) {
	if m == nil {
		return nil, nil
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	s := scanner{data: raw}
	return s.rawObject()
}

// ToNode converts a Resource into a google/jsonapi Node. Attribute values decode
// with UseNumber, so numbers arrive as json.Number rather than float64.
func ToNode(r *Resource) (*gj.Node, error) {
	n := &gj.Node{Type: r.Type, ID: r.ID, ClientID: r.LID}
	if r.Attributes != nil {
		n.Attributes = make(map[string]any, len(r.Attributes))
		for k, raw := range r.Attributes {
			v, err := decodeAny(raw)
			if err != nil {
				return nil, fmt.Errorf("jsonapi: attribute %q: %w", k, err)
			}
			n.Attributes[k] = v
		}
	}
	if r.Relationships != nil {
		n.Relationships = make(map[string]any, len(r.Relationships))
		for k, rel := range r.Relationships {
			links, err := toGoogleLinks(rel.Links)
			if err != nil {
				return nil, err
			}
			meta, err := toGoogleMeta(rel.Meta)
			if err != nil {
				return nil, err
			}
			if rel.Shape == Many {
				nodes := make([]*gj.Node, len(rel.Data))
				for i, id := range rel.Data {
					nodes[i] = &gj.Node{Type: id.Type, ID: id.ID, ClientID: id.LID}
				}
				n.Relationships[k] = &gj.RelationshipManyNode{Data: nodes, Links: links, Meta: meta}
				continue
			}
			one := &gj.RelationshipOneNode{Links: links, Meta: meta}
			if len(rel.Data) == 1 {
				id := rel.Data[0]
				one.Data = &gj.Node{Type: id.Type, ID: id.ID, ClientID: id.LID}
			}
			n.Relationships[k] = one
		}
	}
	var err error
	if n.Links, err = toGoogleLinks(r.Links); err != nil {
		return nil, err
	}
	if n.Meta, err = toGoogleMeta(r.Meta); err != nil {
		return nil, err
	}
	return n, nil
}

func decodeAny(raw json.RawMessage) (any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

func toGoogleLinks(l Links) (*gj.Links, error) {
	if l == nil {
		return nil, nil
	}
	out := gj.Links{}
	for k, v := range l {
		switch {
		case v == nil:
			out[k] = nil
		case v.IsObject():
			meta, err := toGoogleMeta(v.Meta)
			if err != nil {
				return nil, err
			}
			link := gj.Link{Href: v.Href}
			if meta != nil {
				link.Meta = *meta
			}
			out[k] = link
		default:
			out[k] = v.Href
		}
	}
	return &out, nil
}

func toGoogleMeta(m Meta) (*gj.Meta, error) {
	if m == nil {
		return nil, nil
	}
	out := gj.Meta{}
	for k, raw := range m {
		v, err := decodeAny(raw)
		if err != nil {
			return nil, fmt.Errorf("jsonapi: meta %q: %w", k, err)
		}
		out[k] = v
	}
	return &out, nil
}

// FromOnePayload converts a google/jsonapi OnePayload into a Document.
func FromOnePayload(p *gj.OnePayload) (*Document, error) {
	doc := &Document{Shape: Null}
	if p.Data != nil {
		r, err := FromNode(p.Data)
		if err != nil {
			return nil, err
		}
		doc.Shape, doc.Data = One, []Resource{r}
	}
	return doc, fillGoogleEnvelope(doc, p.Included, p.Links, p.Meta)
}

// FromManyPayload converts a google/jsonapi ManyPayload into a Document.
func FromManyPayload(p *gj.ManyPayload) (*Document, error) {
	doc := &Document{Shape: Many, Data: make([]Resource, 0, len(p.Data))}
	for i, n := range p.Data {
		r, err := FromNode(n)
		if err != nil {
			return nil, fmt.Errorf("jsonapi: data %d: %w", i, err)
		}
		doc.Data = append(doc.Data, r)
	}
	return doc, fillGoogleEnvelope(doc, p.Included, p.Links, p.Meta)
}

func fillGoogleEnvelope(doc *Document, included []*gj.Node, links *gj.Links, meta *gj.Meta) error {
	for i, n := range included {
		r, err := FromNode(n)
		if err != nil {
			return fmt.Errorf("jsonapi: included %d: %w", i, err)
		}
		doc.Included = append(doc.Included, r)
	}
	var err error
	if doc.Links, err = fromGoogleLinks(links); err != nil {
		return err
	}
	doc.Meta, err = fromGoogleMeta(meta)
	return err
}

// ToOnePayload converts a document whose data is null or one resource.
func ToOnePayload(d *Document) (*gj.OnePayload, error) {
	p := &gj.OnePayload{}
	switch d.Shape {
	case One:
		n, err := ToNode(&d.Data[0])
		if err != nil {
			return nil, err
		}
		p.Data = n
	case Null:
	default:
		return nil, fmt.Errorf("jsonapi: document data is %s, not one", d.Shape)
	}
	var err error
	p.Included, p.Links, p.Meta, err = googleEnvelope(d)
	return p, err
}

// ToManyPayload converts a document whose data is an array. Data is never nil, so
// it encodes as [] rather than google's invalid null.
func ToManyPayload(d *Document) (*gj.ManyPayload, error) {
	if d.Shape != Many {
		return nil, fmt.Errorf("jsonapi: document data is %s, not many", d.Shape)
	}
	p := &gj.ManyPayload{Data: make([]*gj.Node, 0, len(d.Data))}
	for i := range d.Data {
		n, err := ToNode(&d.Data[i])
		if err != nil {
			return nil, err
		}
		p.Data = append(p.Data, n)
	}
	var err error
	p.Included, p.Links, p.Meta, err = googleEnvelope(d)
	return p, err
}

func googleEnvelope(d *Document) ([]*gj.Node, *gj.Links, *gj.Meta, error) {
	var inc []*gj.Node
	for i := range d.Included {
		n, err := ToNode(&d.Included[i])
		if err != nil {
			return nil, nil, nil, err
		}
		inc = append(inc, n)
	}
	links, err := toGoogleLinks(d.Links)
	if err != nil {
		return nil, nil, nil, err
	}
	meta, err := toGoogleMeta(d.Meta)
	return inc, links, meta, err
}

// FromErrorObject converts a google/jsonapi ErrorObject. google's type has no
// source or links, so those stay empty.
func FromErrorObject(e *gj.ErrorObject) (ErrorObject, error) {
	out := ErrorObject{ID: e.ID, Title: e.Title, Detail: e.Detail, Status: e.Status, Code: e.Code}
	if e.Meta != nil {
		m := gj.Meta(*e.Meta)
		var err error
		if out.Meta, err = fromGoogleMeta(&m); err != nil {
			return ErrorObject{}, err
		}
	}
	return out, nil
}

// ToErrorObject converts to a google/jsonapi ErrorObject, dropping the source and
// links its type cannot hold.
func ToErrorObject(e *ErrorObject) (*gj.ErrorObject, error) {
	out := &gj.ErrorObject{ID: e.ID, Title: e.Title, Detail: e.Detail, Status: e.Status, Code: e.Code}
	if e.Meta != nil {
		m, err := toGoogleMeta(e.Meta)
		if err != nil {
			return nil, err
		}
		mm := map[string]any(*m)
		out.Meta = &mm
	}
	return out, nil
}
