package attr

import (
	"errors"
	"reflect"
	"strings"
)

// Conditions a [DecodeError] wraps; test for them with errors.Is.
var (
	// ErrType reports a JSON value of the wrong kind, such as a string for an int.
	ErrType = errors.New("wrong JSON type")
	// ErrRange reports a number that does not fit the field's type.
	ErrRange = errors.New("number out of range")
	// ErrFraction reports a number with a fraction for an integer field.
	ErrFraction = errors.New("fraction in integer")
	// ErrDate reports a string that is not a date the date transform reads.
	ErrDate = errors.New("invalid date")
	// ErrSyntax reports malformed JSON inside a value.
	ErrSyntax = errors.New("invalid JSON")
)

// A DecodeError reports an attribute value that could not be decoded into its
// field. The store adds the attribute's JSON pointer around it.
type DecodeError struct {
	Type      reflect.Type // the field's Go type
	Transform string       // the transform, or "" for strict decoding by type
	Value     string       // an excerpt of the raw JSON value
	Err       error
}

func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString("attr: cannot decode ")
	b.WriteString(e.Value)
	if e.Type != nil {
		b.WriteString(" into ")
		b.WriteString(e.Type.String())
	}
	if e.Transform != "" {
		b.WriteString(" (")
		b.WriteString(e.Transform)
		b.WriteString(")")
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the condition.
func (e *DecodeError) Unwrap() error { return e.Err }

// excerpt shortens a raw value for error messages, so hostile sizes stay out of logs.
func excerpt(raw []byte) string {
	const max = 40
	if len(raw) <= max {
		return string(raw)
	}
	return string(raw[:max]) + "..."
}
