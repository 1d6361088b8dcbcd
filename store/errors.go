package store

import (
	"errors"
	"strings"
)

// Conditions store errors wrap; test for them with errors.Is.
var (
	// ErrUnknownType reports a type name no registered model has.
	ErrUnknownType = errors.New("unknown type")
	// ErrTypeMismatch reports a resource of another type than the call expects,
	// or an identifier a relationship cannot hold.
	ErrTypeMismatch = errors.New("type mismatch")
	// ErrMissingID reports a resource without an id where one is required.
	ErrMissingID = errors.New("missing id")
	// ErrShape reports linkage of the wrong cardinality, such as an array for a
	// belongsTo.
	ErrShape = errors.New("wrong relationship shape")
	// ErrClosed reports a call on a closed store.
	ErrClosed = errors.New("store closed")
)

// A DocumentError reports a document the store cannot apply, with the JSON
// pointer of the member at fault ("/data/0/attributes/songCount"). The store
// checks a whole document before it applies any of it, so a DocumentError means
// nothing changed.
type DocumentError struct {
	Pointer string
	Err     error
}

func (e *DocumentError) Error() string {
	var b strings.Builder
	b.WriteString("store: ")
	if e.Pointer != "" {
		b.WriteString(e.Pointer)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying error: a condition above, an *attr.DecodeError,
// or a *jsonapi.DecodeError.
func (e *DocumentError) Unwrap() error { return e.Err }
