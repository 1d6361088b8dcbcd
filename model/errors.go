package model

import (
	"errors"
	"reflect"
)

// Conditions a [SchemaError] wraps; test for them with errors.Is.
var (
	ErrNotStruct        = errors.New("not a struct")
	ErrNoID             = errors.New("no id field (tag one with `id:\"\"` or name it ID)")
	ErrBadTag           = errors.New("bad tag")
	ErrDuplicateName    = errors.New("duplicate name")
	ErrNameConflict     = errors.New("attribute and relationship share a name")
	ErrUnknownTransform = errors.New("unknown transform")
	ErrUnregistered     = errors.New("relationship to an unregistered model")
	ErrInverse          = errors.New("bad inverse")
	ErrDuplicateType    = errors.New("two models share a type name")
	ErrStaleCodec       = errors.New("generated codec does not match the model")
)

// A SchemaError reports a model that cannot be used, naming the Go type and,
// where one is at fault, the field, as encoding/json's UnmarshalTypeError does.
type SchemaError struct {
	GoType reflect.Type
	Field  string
	Err    error
}

func (e *SchemaError) Error() string {
	s := "model: "
	if e.GoType != nil {
		s += e.GoType.String()
	} else {
		s += "<nil>"
	}
	if e.Field != "" {
		s += "." + e.Field
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the condition.
func (e *SchemaError) Unwrap() error { return e.Err }
