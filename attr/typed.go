package attr

import (
	"encoding/json"
	"reflect"
	"strconv"
	"time"
	"unsafe"

	"golang.org/x/exp/constraints"
)

// The typed codecs below decode and encode one attribute with a built-in
// transform, without reflection. Generated model packages (cmd/larder-gen)
// call them; each behaves exactly as the transform's [Codec], errors included.
// raw is one JSON value as it appears in a payload, and JSON null sets the
// zero value.

// Numeric is the constraint of the number transform's typed codecs.
type Numeric interface {
	constraints.Integer | constraints.Float
}

// DecodeString decodes raw with the string transform.
func DecodeString[T ~string](raw []byte, dst *T) error {
	raw = trim(raw)
	if isNull(raw) {
		*dst = ""
		return nil
	}
	s, err := stringOf(raw, false)
	if err != nil {
		return explain(err, reflect.TypeFor[T](), "string", raw)
	}
	*dst = T(s)
	return nil
}

// DecodeBoolean decodes raw with the boolean transform.
func DecodeBoolean[T ~bool](raw []byte, dst *T) error {
	raw = trim(raw)
	if isNull(raw) {
		*dst = false
		return nil
	}
	b, _ := boolOf(raw, false) // the transform reads anything
	*dst = T(b)
	return nil
}

// DecodeNumber decodes raw with the number transform: exact for integers (a
// fraction is ErrFraction, a value out of range ErrRange), never through
// float64.
func DecodeNumber[T Numeric](raw []byte, dst *T) error {
	raw = trim(raw)
	if isNull(raw) {
		*dst = 0
		return nil
	}
	text, err := numberText(raw, false)
	if err == nil {
		t := reflect.TypeFor[T]()
		err = storeNumber(text, t.Kind(), int(unsafe.Sizeof(*dst))*8, unsafe.Pointer(dst))
	}
	if err != nil {
		return explain(err, reflect.TypeFor[T](), "number", raw)
	}
	return nil
}

// DecodeDate decodes raw with the date transform.
func DecodeDate(raw []byte, dst *time.Time) error {
	raw = trim(raw)
	if isNull(raw) {
		*dst = time.Time{}
		return nil
	}
	tm, err := dateOf(raw)
	if err != nil {
		return explain(err, timeType, "date", raw)
	}
	*dst = tm
	return nil
}

// EncodeString encodes v as a JSON string.
func EncodeString[T ~string](v T) []byte {
	b, _ := json.Marshal(string(v)) // a string always encodes
	return b
}

// EncodeBoolean encodes v as true or false.
func EncodeBoolean[T ~bool](v T) []byte {
	if v {
		return []byte("true")
	}
	return []byte("false")
}

// EncodeNumber encodes v as a JSON number: integers exactly, floats in their
// shortest exact form, NaN and ±Inf as null.
func EncodeNumber[T Numeric](v T) []byte {
	switch reflect.TypeFor[T]().Kind() {
	case reflect.Float32:
		return appendFloat(nil, float64(v), 32)
	case reflect.Float64:
		return appendFloat(nil, float64(v), 64)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.AppendUint(nil, uint64(v), 10)
	}
	return strconv.AppendInt(nil, int64(v), 10)
}

// EncodeDate encodes t as an RFC 3339 string, and the zero time as null.
func EncodeDate(t time.Time) ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return t.MarshalJSON()
}
