package attr

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// The built-in transforms, named as in Ember Data.
var (
	String  Transform = builtin{"string", compileString}
	Number  Transform = builtin{"number", compileNumber}
	Boolean Transform = builtin{"boolean", compileBoolean}
	Date    Transform = builtin{"date", compileDate}
)

// Builtins returns the built-in transforms by name.
func Builtins() map[string]Transform {
	return map[string]Transform{"string": String, "number": Number, "boolean": Boolean, "date": Date}
}

type builtin struct {
	name string
	fn   func(t reflect.Type) (*Codec, error)
}

func (b builtin) Name() string { return b.name }

func (b builtin) compile(t reflect.Type) (*Codec, error) {
	c, err := b.fn(t)
	if err != nil {
		return nil, err
	}
	c.transform = b.name
	return c, nil
}

func unsupported(tr string, t reflect.Type) error {
	return fmt.Errorf("attr: transform %q cannot fill %s", tr, t)
}

// strictString accepts only JSON strings.
func strictString(t reflect.Type) *Codec {
	return &Codec{
		typ: t,
		decode: func(raw []byte, dst reflect.Value) error {
			s, err := stringOf(raw, true)
			if err == nil {
				dst.SetString(s)
			}
			return err
		},
		at: func(raw []byte, p unsafe.Pointer) (err error) {
			*(*string)(p), err = stringOf(raw, true)
			return err
		},
		encode: encodeString,
	}
}

func encodeString(src reflect.Value) ([]byte, error) { return json.Marshal(src.String()) }

// compileString is Ember's string transform: numbers and booleans become text.
func compileString(t reflect.Type) (*Codec, error) {
	if t.Kind() != reflect.String {
		return nil, unsupported("string", t)
	}
	return &Codec{
		typ: t,
		decode: func(raw []byte, dst reflect.Value) error {
			s, err := stringOf(raw, false)
			if err == nil {
				dst.SetString(s)
			}
			return err
		},
		at: func(raw []byte, p unsafe.Pointer) (err error) {
			*(*string)(p), err = stringOf(raw, false)
			return err
		},
		encode: encodeString,
	}, nil
}

func strictBool(t reflect.Type) *Codec {
	return boolCodec(t, true)
}

// boolCodec decodes booleans: strictly (true or false only), or as Ember's
// boolean transform.
func boolCodec(t reflect.Type, strict bool) *Codec {
	return &Codec{
		typ: t,
		decode: func(raw []byte, dst reflect.Value) error {
			b, err := boolOf(raw, strict)
			if err == nil {
				dst.SetBool(b)
			}
			return err
		},
		at: func(raw []byte, p unsafe.Pointer) (err error) {
			*(*bool)(p), err = boolOf(raw, strict)
			return err
		},
		encode: encodeBool,
	}
}

func encodeBool(src reflect.Value) ([]byte, error) {
	if src.Bool() {
		return []byte("true"), nil
	}
	return []byte("false"), nil
}

// compileBoolean is Ember's boolean transform.
func compileBoolean(t reflect.Type) (*Codec, error) {
	if t.Kind() != reflect.Bool {
		return nil, unsupported("boolean", t)
	}
	return boolCodec(t, false), nil
}

func isNumberKind(k reflect.Kind) bool {
	return (k >= reflect.Int && k <= reflect.Uintptr) || k == reflect.Float32 || k == reflect.Float64
}

// compileNumber is Ember's number transform, without its precision loss.
func compileNumber(t reflect.Type) (*Codec, error) {
	if !isNumberKind(t.Kind()) {
		return nil, unsupported("number", t)
	}
	return numberCodec(t, "number", false), nil
}

// numberCodec decodes numbers into any numeric kind. strict accepts only JSON
// numbers; otherwise strings holding numbers are read too, and "" is zero.
func numberCodec(t reflect.Type, name string, strict bool) *Codec {
	k := t.Kind()
	bits := int(t.Size()) * 8
	return &Codec{
		typ:       t,
		transform: name,
		decode: func(raw []byte, dst reflect.Value) error {
			text, err := numberText(raw, strict)
			if err != nil || text == nil {
				if err == nil {
					dst.SetZero()
				}
				return err
			}
			return setNumber(text, k, dst)
		},
		at: func(raw []byte, p unsafe.Pointer) error {
			text, err := numberText(raw, strict)
			if err != nil {
				return err
			}
			return storeNumber(text, k, bits, p)
		},
		encode: func(src reflect.Value) ([]byte, error) {
			switch {
			case src.CanInt():
				return strconv.AppendInt(nil, src.Int(), 10), nil
			case src.CanUint():
				return strconv.AppendUint(nil, src.Uint(), 10), nil
			}
			return appendFloat(nil, src.Float(), bits), nil
		},
	}
}

// appendFloat appends f's shortest exact text; NaN and ±Inf, which JSON
// cannot hold, are null (Ember's number transform serializes them as null).
func appendFloat(buf []byte, f float64, bits int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(buf, "null"...)
	}
	return strconv.AppendFloat(buf, f, 'g', -1, bits)
}

// numberText returns the text of the number raw holds: raw itself, or with
// strict unset the contents of a string holding a number. A nil text with no
// error means zero: "", "NaN" and "±Infinity" in a string.
func numberText(raw []byte, strict bool) ([]byte, error) {
	if raw[0] == '"' {
		if strict {
			return nil, &DecodeError{Err: ErrType}
		}
		s, err := unquote(raw)
		if err != nil {
			return nil, err
		}
		s = strings.TrimSpace(s)
		if s == "" || s == "NaN" || s == "Infinity" || s == "-Infinity" {
			return nil, nil
		}
		text := []byte(s)
		if !validNumber(text) {
			return nil, &DecodeError{Err: ErrType}
		}
		return text, nil
	} else if c := raw[0]; c != '-' && (c < '0' || c > '9') {
		return nil, &DecodeError{Err: ErrType}
	}
	return raw, nil
}

// setNumber parses text, a JSON number, exactly into dst of kind k.
func setNumber(text []byte, k reflect.Kind, dst reflect.Value) error {
	switch {
	case k == reflect.Float32 || k == reflect.Float64:
		f, err := floatOf(text, dst.Type().Bits())
		if err == nil {
			dst.SetFloat(f)
		}
		return err
	case k >= reflect.Uint && k <= reflect.Uintptr:
		u, err := uintOf(text, dst.Type().Bits())
		if err == nil {
			dst.SetUint(u)
		}
		return err
	}
	i, err := intOf(text, dst.Type().Bits())
	if err == nil {
		dst.SetInt(i)
	}
	return err
}

// storeNumber parses text exactly into the number of kind k and bits at p; a
// nil text stores zero.
func storeNumber(text []byte, k reflect.Kind, bits int, p unsafe.Pointer) error {
	switch {
	case k == reflect.Float32 || k == reflect.Float64:
		var f float64
		if text != nil {
			var err error
			if f, err = floatOf(text, bits); err != nil {
				return err
			}
		}
		if bits == 32 {
			*(*float32)(p) = float32(f)
		} else {
			*(*float64)(p) = f
		}
		return nil
	case k >= reflect.Uint && k <= reflect.Uintptr:
		var u uint64
		if text != nil {
			var err error
			if u, err = uintOf(text, bits); err != nil {
				return err
			}
		}
		storeBits(p, bits, u)
		return nil
	}
	var i int64
	if text != nil {
		var err error
		if i, err = intOf(text, bits); err != nil {
			return err
		}
	}
	storeBits(p, bits, uint64(i))
	return nil
}

// storeBits stores the low bits of v at p.
func storeBits(p unsafe.Pointer, bits int, v uint64) {
	switch bits {
	case 8:
		*(*uint8)(p) = uint8(v)
	case 16:
		*(*uint16)(p) = uint16(v)
	case 32:
		*(*uint32)(p) = uint32(v)
	default:
		*(*uint64)(p) = v
	}
}

// floatOf parses a JSON number into a float of bits; overflow is ErrRange.
func floatOf(text []byte, bits int) (float64, error) {
	f, err := strconv.ParseFloat(string(text), bits)
	if err != nil || math.IsInf(f, 0) {
		return 0, &DecodeError{Err: ErrRange}
	}
	return f, nil
}

// intOf parses a JSON number exactly into a signed integer of bits: a
// fraction is ErrFraction, a value out of range ErrRange.
func intOf(text []byte, bits int) (int64, error) {
	digits, err := integerDigits(text)
	if err != nil {
		return 0, err
	}
	i, err := strconv.ParseInt(digits, 10, bits)
	if err != nil {
		return 0, &DecodeError{Err: ErrRange}
	}
	return i, nil
}

// uintOf is intOf for unsigned integers.
func uintOf(text []byte, bits int) (uint64, error) {
	digits, err := integerDigits(text)
	if err != nil {
		return 0, err
	}
	u, err := strconv.ParseUint(digits, 10, bits)
	if err != nil {
		return 0, &DecodeError{Err: ErrRange}
	}
	return u, nil
}

// integerDigits returns a JSON number's integer text: text itself, or
// exactInteger's reading of one with a fraction or exponent.
func integerDigits(text []byte) (string, error) {
	if bytes.ContainsAny(text, ".eE") {
		return exactInteger(text)
	}
	return string(text), nil
}

// stringOf reads a string attribute: a JSON string, or with strict unset
// (Ember's string transform) a number or boolean as its text.
func stringOf(raw []byte, strict bool) (string, error) {
	switch raw[0] {
	case '"':
		return unquote(raw)
	case '{', '[':
		return "", &DecodeError{Err: ErrType}
	}
	if strict {
		return "", &DecodeError{Err: ErrType}
	}
	if !json.Valid(raw) { // number, true, false
		return "", &DecodeError{Err: ErrSyntax}
	}
	return string(raw), nil
}

// boolOf reads a boolean attribute: strictly true or false, or as Ember's
// boolean transform (a string matching true|t|1, or the number 1, is true;
// anything else false).
func boolOf(raw []byte, strict bool) (bool, error) {
	switch string(raw) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	if strict {
		return false, &DecodeError{Err: ErrType}
	}
	switch raw[0] {
	case '"':
		s, err := unquote(raw)
		if err != nil {
			return false, err
		}
		return strings.EqualFold(s, "true") || strings.EqualFold(s, "t") || s == "1", nil
	case '{', '[', 't', 'f':
		return false, nil
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	return err == nil && f == 1, nil
}

// exactInteger reads a JSON number with a fraction or exponent ("1.0",
// "1e3", "12.5e1") and returns its integer digits (with a leading '-' when
// negative) if it is an integer; a fraction is ErrFraction, and an integer of
// more digits than any Go integer holds is ErrRange. It runs in time linear in
// the length of text and allocates at most a few dozen bytes, however long or
// hostile the literal.
func exactInteger(text []byte) (string, error) {
	neg := len(text) > 0 && text[0] == '-'
	if neg {
		text = text[1:]
	}
	mant, exp := text, []byte(nil)
	if i := bytes.IndexAny(text, "eE"); i >= 0 {
		mant, exp = text[:i], text[i+1:]
	}
	intPart, frac := mant, []byte(nil)
	if i := bytes.IndexByte(mant, '.'); i >= 0 {
		intPart, frac = mant[:i], mant[i+1:]
	}
	if !digits(intPart) || len(intPart) == 0 || (frac != nil && (len(frac) == 0 || !digits(frac))) {
		return "", &DecodeError{Err: ErrSyntax}
	}
	// The value is 0.D × 10^point, where D is intPart and frac run together.
	point := int64(len(intPart))
	if exp != nil {
		e, err := exponent(exp)
		if err != nil {
			return "", err
		}
		point += e
	}
	// Drop leading zeros of D (each moves the point left) and trailing zeros
	// (which change nothing).
	lead := 0
	for lead < len(intPart) && intPart[lead] == '0' {
		lead++
	}
	if lead == len(intPart) {
		for _, c := range frac {
			if c != '0' {
				break
			}
			lead++
		}
	}
	// The digits of D in order, skipping the dot: index i of D is
	// intPart[i] or frac[i-len(intPart)].
	n := len(intPart) + len(frac)
	at := func(i int) byte {
		if i < len(intPart) {
			return intPart[i]
		}
		return frac[i-len(intPart)]
	}
	end := n
	for end > lead && at(end-1) == '0' {
		end--
	}
	if end == lead { // zero
		return "0", nil
	}
	point -= int64(lead)
	sig := int64(end - lead) // significant digits
	if point < sig {
		return "", &DecodeError{Err: ErrFraction}
	}
	if point > 20 { // more digits than a uint64 holds
		return "", &DecodeError{Err: ErrRange}
	}
	out := make([]byte, 0, 21)
	if neg {
		out = append(out, '-')
	}
	for i := lead; i < end; i++ {
		out = append(out, at(i))
	}
	for range point - sig {
		out = append(out, '0')
	}
	return string(out), nil
}

// exponent parses an exponent's text ("+3", "-12", "007"), clamping huge ones
// to a value that is out of range either way.
func exponent(b []byte) (int64, error) {
	neg := false
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 || !digits(b) {
		return 0, &DecodeError{Err: ErrSyntax}
	}
	var e int64
	for _, c := range b {
		e = e*10 + int64(c-'0')
		if e > 1<<40 {
			e = 1 << 40 // far past any integer's digits, and no overflow below
		}
	}
	if neg {
		e = -e
	}
	return e, nil
}

// digits reports whether b is all ASCII digits.
func digits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// validNumber reports whether b is a JSON number.
func validNumber(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	c := b[0]
	if c != '-' && (c < '0' || c > '9') {
		return false
	}
	return json.Valid(b)
}

func trim(raw []byte) []byte { return bytes.TrimSpace(raw) }

func isNull(raw []byte) bool { return len(raw) == 0 || string(raw) == "null" }

// unquote decodes a JSON string literal. The fast path copies strings without
// escapes; others go through encoding/json, which turns invalid UTF-8 into U+FFFD.
func unquote(raw []byte) (string, error) {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		body := raw[1 : len(raw)-1]
		simple := true
		for _, c := range body {
			if c == '\\' || c == '"' || c < 0x20 || c >= utf8.RuneSelf {
				simple = false
				break
			}
		}
		if simple {
			return string(body), nil
		}
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", &DecodeError{Err: fmt.Errorf("%w: %w", ErrSyntax, err)}
	}
	return s, nil
}

func unmarshalNumber(raw []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return fmt.Errorf("data after value")
	}
	return nil
}
