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
			if raw[0] != '"' {
				return &DecodeError{Err: ErrType}
			}
			s, err := unquote(raw)
			if err != nil {
				return err
			}
			dst.SetString(s)
			return nil
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
			switch raw[0] {
			case '"':
				s, err := unquote(raw)
				if err != nil {
					return err
				}
				dst.SetString(s)
			case '{', '[':
				return &DecodeError{Err: ErrType}
			default: // number, true, false
				if !json.Valid(raw) {
					return &DecodeError{Err: ErrSyntax}
				}
				dst.SetString(string(raw))
			}
			return nil
		},
		encode: encodeString,
	}, nil
}

func strictBool(t reflect.Type) *Codec {
	return &Codec{
		typ: t,
		decode: func(raw []byte, dst reflect.Value) error {
			switch string(raw) {
			case "true":
				dst.SetBool(true)
			case "false":
				dst.SetBool(false)
			default:
				return &DecodeError{Err: ErrType}
			}
			return nil
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
	return &Codec{
		typ: t,
		decode: func(raw []byte, dst reflect.Value) error {
			switch raw[0] {
			case 't', 'f':
				dst.SetBool(string(raw) == "true")
			case '"':
				s, err := unquote(raw)
				if err != nil {
					return err
				}
				dst.SetBool(strings.EqualFold(s, "true") || strings.EqualFold(s, "t") || s == "1")
			case '{', '[':
				dst.SetBool(false)
			default:
				f, err := strconv.ParseFloat(string(raw), 64)
				dst.SetBool(err == nil && f == 1)
			}
			return nil
		},
		encode: encodeBool,
	}, nil
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
	return &Codec{
		typ:       t,
		transform: name,
		decode: func(raw []byte, dst reflect.Value) error {
			text := raw
			if raw[0] == '"' {
				if strict {
					return &DecodeError{Err: ErrType}
				}
				s, err := unquote(raw)
				if err != nil {
					return err
				}
				s = strings.TrimSpace(s)
				if s == "" || s == "NaN" || s == "Infinity" || s == "-Infinity" {
					dst.SetZero()
					return nil
				}
				text = []byte(s)
				if !validNumber(text) {
					return &DecodeError{Err: ErrType}
				}
			} else if c := raw[0]; c != '-' && (c < '0' || c > '9') {
				return &DecodeError{Err: ErrType}
			}
			return setNumber(text, k, dst)
		},
		encode: func(src reflect.Value) ([]byte, error) {
			switch {
			case src.CanInt():
				return strconv.AppendInt(nil, src.Int(), 10), nil
			case src.CanUint():
				return strconv.AppendUint(nil, src.Uint(), 10), nil
			}
			f := src.Float()
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return []byte("null"), nil
			}
			bits := 64
			if k == reflect.Float32 {
				bits = 32
			}
			return strconv.AppendFloat(nil, f, 'g', -1, bits), nil
		},
	}
}

// setNumber parses text, a JSON number, exactly into dst of kind k.
func setNumber(text []byte, k reflect.Kind, dst reflect.Value) error {
	switch k {
	case reflect.Float32, reflect.Float64:
		bits := 64
		if k == reflect.Float32 {
			bits = 32
		}
		f, err := strconv.ParseFloat(string(text), bits)
		if err != nil || math.IsInf(f, 0) {
			return &DecodeError{Err: ErrRange}
		}
		dst.SetFloat(f)
		return nil
	}
	bits := dst.Type().Bits()
	integral := !bytes.ContainsAny(text, ".eE")
	if k >= reflect.Uint && k <= reflect.Uintptr {
		if integral {
			u, err := strconv.ParseUint(string(text), 10, bits)
			if err != nil {
				return &DecodeError{Err: ErrRange}
			}
			dst.SetUint(u)
			return nil
		}
		r, err := exactInteger(text)
		if err != nil {
			return err
		}
		u, err := strconv.ParseUint(r, 10, bits)
		if err != nil {
			return &DecodeError{Err: ErrRange}
		}
		dst.SetUint(u)
		return nil
	}
	if integral {
		i, err := strconv.ParseInt(string(text), 10, bits)
		if err != nil {
			return &DecodeError{Err: ErrRange}
		}
		dst.SetInt(i)
		return nil
	}
	r, err := exactInteger(text)
	if err != nil {
		return err
	}
	i, err := strconv.ParseInt(r, 10, bits)
	if err != nil {
		return &DecodeError{Err: ErrRange}
	}
	dst.SetInt(i)
	return nil
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
