package attr

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"time"
	"unsafe"
)

// A Transform converts between raw JSON and values of the Go types it accepts.
// Build custom transforms with [Func]; the built-in ones are [String], [Number],
// [Boolean] and [Date]. A Transform must be safe for concurrent use.
type Transform interface {
	// Name returns the transform's name, as written in struct tags.
	Name() string
	// compile returns a codec for fields of type t, or an error when the
	// transform cannot fill t. The method is unexported: build transforms with Func.
	compile(t reflect.Type) (*Codec, error)
}

// A Codec decodes raw JSON into one field type and encodes it back. It is built
// once per field by [Compile] and is safe for concurrent use.
type Codec struct {
	typ       reflect.Type
	transform string
	decode    func(raw []byte, dst reflect.Value) error // raw is never JSON null
	// at, when set, is decode into the value at p without reflection: the
	// built-in transforms have one.
	at     func(raw []byte, p unsafe.Pointer) error
	encode func(src reflect.Value) ([]byte, error)
}

// Type returns the Go type the codec fills.
func (c *Codec) Type() reflect.Type { return c.typ }

// Transform returns the name of the codec's transform, or "" for strict decoding
// by Go type.
func (c *Codec) Transform() string { return c.transform }

// Decode decodes raw, one JSON value, into dst, which must be settable and of the
// codec's type. JSON null sets dst to its zero value. Errors are *[DecodeError].
func (c *Codec) Decode(raw []byte, dst reflect.Value) error {
	raw = trim(raw)
	if isNull(raw) {
		dst.SetZero()
		return nil
	}
	return c.explain(c.decode(raw, dst), raw)
}

// DecodeAt is [Codec.Decode] into the value p points at, which must be of the
// codec's type. The built-in transforms decode there without reflection; it is
// how the store's single-pass push fills a field.
func (c *Codec) DecodeAt(raw []byte, p unsafe.Pointer) error {
	raw = trim(raw)
	if isNull(raw) {
		reflect.NewAt(c.typ, p).Elem().SetZero()
		return nil
	}
	if c.at == nil {
		return c.explain(c.decode(raw, reflect.NewAt(c.typ, p).Elem()), raw)
	}
	return c.explain(c.at(raw, p), raw)
}

// explain completes a decode error with the codec's type and transform and
// an excerpt of the value.
func (c *Codec) explain(err error, raw []byte) error {
	if err == nil {
		return nil
	}
	return explain(err, c.typ, c.transform, raw)
}

// explain makes err a *DecodeError naming the type, transform and value.
func explain(err error, t reflect.Type, transform string, raw []byte) error {
	de, ok := err.(*DecodeError)
	if !ok {
		return &DecodeError{Type: t, Transform: transform, Value: excerpt(raw), Err: err}
	}
	if de.Type == nil {
		de.Type = t
	}
	if de.Transform == "" {
		de.Transform = transform
	}
	if de.Value == "" {
		de.Value = excerpt(raw)
	}
	return de
}

// Encode returns the JSON encoding of src, a value of the codec's type.
func (c *Codec) Encode(src reflect.Value) ([]byte, error) {
	if isNil(src) {
		return []byte("null"), nil
	}
	return c.encode(src)
}

func isNil(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		return v.IsNil()
	}
	return false
}

// Compile returns the codec for fields of type t with transform tr. A nil tr
// means strict decoding by Go type.
func Compile(t reflect.Type, tr Transform) (*Codec, error) {
	if tr == nil {
		return compileStrict(t)
	}
	if t.Kind() == reflect.Pointer && !implementsCodec(t) {
		inner, err := tr.compile(t.Elem())
		if err != nil {
			return nil, err
		}
		return pointerCodec(t, inner), nil
	}
	return tr.compile(t)
}

// pointerCodec wraps a codec for T into one for *T: null gives nil, anything else
// decodes into a new T.
func pointerCodec(t reflect.Type, inner *Codec) *Codec {
	return &Codec{
		typ:       t,
		transform: inner.transform,
		decode: func(raw []byte, dst reflect.Value) error {
			p := reflect.New(t.Elem())
			if err := inner.decode(raw, p.Elem()); err != nil {
				return err
			}
			dst.Set(p)
			return nil
		},
		encode: func(src reflect.Value) ([]byte, error) { return inner.Encode(src.Elem()) },
	}
}

var (
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	timeType            = reflect.TypeFor[time.Time]()
)

// implementsCodec reports whether *t or t decodes itself.
func implementsCodec(t reflect.Type) bool {
	if t == timeType {
		return false // time.Time uses the date transform, not its RFC 3339-only UnmarshalJSON
	}
	pt := reflect.PointerTo(t)
	return pt.Implements(jsonUnmarshalerType) || pt.Implements(textUnmarshalerType)
}

// compileStrict builds the codec used when a tag names no transform.
func compileStrict(t reflect.Type) (*Codec, error) {
	if t == timeType {
		return Date.compile(t)
	}
	if implementsCodec(t) {
		return selfCodec(t), nil
	}
	switch t.Kind() {
	case reflect.String:
		return strictString(t), nil
	case reflect.Bool:
		return strictBool(t), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return numberCodec(t, "", true), nil
	case reflect.Pointer:
		inner, err := compileStrict(t.Elem())
		if err != nil {
			return nil, err
		}
		return pointerCodec(t, inner), nil
	case reflect.Slice, reflect.Array, reflect.Map, reflect.Struct, reflect.Interface:
		return jsonCodec(t), nil
	}
	return nil, fmt.Errorf("attr: unsupported attribute type %s", t)
}

// selfCodec decodes types that implement json.Unmarshaler or
// encoding.TextUnmarshaler (from a JSON string).
func selfCodec(t reflect.Type) *Codec {
	pt := reflect.PointerTo(t)
	useJSON := pt.Implements(jsonUnmarshalerType)
	return &Codec{
		typ: t,
		decode: func(raw []byte, dst reflect.Value) error {
			p := reflect.New(t)
			if useJSON {
				if err := p.Interface().(json.Unmarshaler).UnmarshalJSON(raw); err != nil {
					return &DecodeError{Err: err}
				}
			} else {
				if raw[0] != '"' {
					return &DecodeError{Err: ErrType}
				}
				s, err := unquote(raw)
				if err != nil {
					return err
				}
				if err := p.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
					return &DecodeError{Err: err}
				}
			}
			dst.Set(p.Elem())
			return nil
		},
		encode: func(src reflect.Value) ([]byte, error) { return json.Marshal(src.Interface()) },
	}
}

// jsonCodec decodes composite values through encoding/json with UseNumber, into
// a fresh value so a partial update never merges into the old one.
func jsonCodec(t reflect.Type) *Codec {
	return &Codec{
		typ: t,
		decode: func(raw []byte, dst reflect.Value) error {
			p := reflect.New(t)
			if err := unmarshalNumber(raw, p.Interface()); err != nil {
				return &DecodeError{Err: fmt.Errorf("%w: %w", ErrType, err)}
			}
			dst.Set(p.Elem())
			return nil
		},
		encode: func(src reflect.Value) ([]byte, error) { return json.Marshal(src.Interface()) },
	}
}

// Func builds a named [Transform] for fields of type T from a decode and an
// encode function. decode receives one raw JSON value and is never called with
// null: the field is zeroed instead. A pointer field *T also accepts the
// transform, with null giving nil.
func Func[T any](name string, decode func(raw []byte) (T, error), encode func(v T) ([]byte, error)) Transform {
	return &funcTransform[T]{name: name, dec: decode, enc: encode}
}

type funcTransform[T any] struct {
	name string
	dec  func([]byte) (T, error)
	enc  func(T) ([]byte, error)
}

func (f *funcTransform[T]) Name() string { return f.name }

func (f *funcTransform[T]) compile(t reflect.Type) (*Codec, error) {
	want := reflect.TypeFor[T]()
	if t != want {
		return nil, fmt.Errorf("attr: transform %q fills %s, not %s", f.name, want, t)
	}
	return &Codec{
		typ:       t,
		transform: f.name,
		decode: func(raw []byte, dst reflect.Value) error {
			v, err := f.dec(raw)
			if err != nil {
				return &DecodeError{Err: err}
			}
			*(*T)(dst.Addr().UnsafePointer()) = v
			return nil
		},
		at: func(raw []byte, p unsafe.Pointer) error {
			v, err := f.dec(raw)
			if err != nil {
				return &DecodeError{Err: err}
			}
			*(*T)(p) = v
			return nil
		},
		encode: func(src reflect.Value) ([]byte, error) {
			if f.enc == nil {
				return nil, fmt.Errorf("attr: transform %q cannot encode", f.name)
			}
			return f.enc(src.Interface().(T))
		},
	}, nil
}
