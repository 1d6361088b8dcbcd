package jsonapi

import (
	"errors"
	"strings"
)

// Conditions a [DecodeError] wraps; test for them with errors.Is.
var (
	// ErrSyntax reports malformed JSON.
	ErrSyntax = errors.New("invalid JSON")
	// ErrMissing reports a required member that is absent.
	ErrMissing = errors.New("missing")
	// ErrType reports a member whose JSON type is wrong, such as a number for "type".
	ErrType = errors.New("wrong JSON type")
	// ErrInvalid reports a member whose value breaks a JSON:API rule, such as an
	// empty type, or "data" together with "errors".
	ErrInvalid = errors.New("invalid value")
	// ErrTooDeep reports nesting deeper than the decoder allows.
	ErrTooDeep = errors.New("nesting too deep")
)

// A DecodeError reports where a document broke JSON or JSON:API rules. Pointer is
// an RFC 6901 JSON pointer to the offending member (for example
// "/data/0/relationships/artist/data/type"); Offset is the byte offset in the
// input where the problem was found.
type DecodeError struct {
	Pointer string
	Offset  int
	Err     error
	Detail  string
}

func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString("jsonapi: ")
	if e.Pointer != "" {
		b.WriteString(e.Pointer)
	} else {
		b.WriteString("/")
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

// Unwrap returns the condition, one of ErrSyntax, ErrMissing, ErrType, ErrInvalid
// or ErrTooDeep.
func (e *DecodeError) Unwrap() error { return e.Err }

// at prefixes err's pointer with one segment; errors pass up the parse stack this
// way, so the happy path keeps no path state at all.
func at(err error, segment string) error {
	if de, ok := err.(*DecodeError); ok {
		de.Pointer = "/" + escapePointer(segment) + de.Pointer
	}
	return err
}

// atIndex is at for an array index.
func atIndex(err error, i int) error {
	if de, ok := err.(*DecodeError); ok {
		de.Pointer = "/" + itoa(i) + de.Pointer
	}
	return err
}

// escapePointer escapes one JSON pointer reference token (RFC 6901).
func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// Pointer joins reference tokens into an RFC 6901 JSON pointer, escaping each.
func Pointer(tokens ...string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(escapePointer(t))
	}
	return b.String()
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	var buf [20]byte
	n := len(buf)
	for i > 0 {
		n--
		buf[n] = byte('0' + i%10)
		i /= 10
	}
	return string(buf[n:])
}
