package model

import (
	"fmt"
	"reflect"
	"slices"
	"unsafe"
)

// Generated is implemented by models that carry their own attribute codec,
// as the model packages cmd/larder-gen writes do. The registry checks for it
// once, when the model is registered, and the store then decodes and encodes
// the model's attributes with the generated functions instead of the codecs
// it compiles by reflection. Implement it on the value type:
//
//	func (Album) LarderCodec() *model.Codec { return albumCodec }
type Generated interface {
	LarderCodec() *Codec
}

// A Codec holds a generated model's attribute decode and encode functions.
// Build it with [NewCodec]; it is immutable and safe for concurrent use.
type Codec struct {
	typ    reflect.Type
	names  []string
	decode func(v unsafe.Pointer, i int, raw []byte) error
	encode func(v unsafe.Pointer, i int) ([]byte, error)
}

// NewCodec returns the codec of model T. names lists T's attribute names in
// field order, as the generator saw them; the registry refuses a codec whose
// names no longer match T's tags (a stale generated file). decode decodes
// raw, one JSON value, into attribute i of v; encode returns the JSON of
// attribute i. Both follow the attr package's transforms exactly (its typed
// codecs, such as attr.DecodeNumber, do).
func NewCodec[T any](names []string, decode func(v *T, i int, raw []byte) error, encode func(v *T, i int) ([]byte, error)) *Codec {
	return &Codec{
		typ:    reflect.TypeFor[T](),
		names:  slices.Clone(names),
		decode: func(v unsafe.Pointer, i int, raw []byte) error { return decode((*T)(v), i, raw) },
		encode: func(v unsafe.Pointer, i int) ([]byte, error) { return encode((*T)(v), i) },
	}
}

// DecodeAttribute decodes raw into attribute i of the model value v points at.
func (c *Codec) DecodeAttribute(v unsafe.Pointer, i int, raw []byte) error {
	return c.decode(v, i, raw)
}

// EncodeAttribute returns the JSON of attribute i of the model value v points
// at.
func (c *Codec) EncodeAttribute(v unsafe.Pointer, i int) ([]byte, error) {
	return c.encode(v, i)
}

var generatedType = reflect.TypeFor[Generated]()

// generatedCodec returns the codec a model type carries, nil when it carries
// none, or an error when the codec does not fit the schema.
func generatedCodec(s *Schema) (*Codec, error) {
	if !s.GoType.Implements(generatedType) {
		return nil, nil
	}
	c := reflect.Zero(s.GoType).Interface().(Generated).LarderCodec()
	if c == nil {
		return nil, nil
	}
	if c.typ != s.GoType {
		return nil, fmt.Errorf("%w: the generated codec is for %s", ErrStaleCodec, c.typ)
	}
	names := make([]string, len(s.Attributes))
	for i, a := range s.Attributes {
		names[i] = a.Name
	}
	if !slices.Equal(names, c.names) {
		return nil, fmt.Errorf("%w: it decodes %q, the tags declare %q; regenerate the package", ErrStaleCodec, c.names, names)
	}
	return c, nil
}

// NoSuchAttribute is the error a generated codec returns for an attribute
// index its model does not have, which a store never asks for.
func NoSuchAttribute(typ string, i int) error {
	return fmt.Errorf("model: %q has no attribute %d", typ, i)
}
