package store

import (
	"reflect"
	"time"
	"unsafe"

	"github.com/larder-go/larder/model"
	"github.com/larder-go/larder/relationship"
)

// fields locates a model's members inside a value by offset and compares
// them, so dirty tracking reads two values field by field without reflection
// on the hot path. Offsets are fixed: the schema only descends into embedded
// struct values, never pointers.
type fields struct {
	attrs []field
	rels  []field
	id    field
}

type field struct {
	off   uintptr
	typ   reflect.Type
	equal func(a, b unsafe.Pointer) bool // a and b point at the field
}

func fieldsOf(m *model.Model) fields {
	var f fields
	for _, a := range m.Attributes {
		f.attrs = append(f.attrs, field{off: offsetOf(m.GoType, a.Index), typ: a.Type, equal: equalFunc(a.Type)})
	}
	for _, r := range m.Relationships {
		t := m.GoType.FieldByIndex(r.Index).Type
		if t.Kind() != reflect.Struct || t.NumField() != 1 || t.Field(0).Type != stateType {
			// relationship.BelongsTo and HasMany are a *State each, which
			// relAt reads in place; anything else is a change of that package.
			panic("store: relationship field " + t.String() + " is not a single *relationship.State")
		}
		f.rels = append(f.rels, field{off: offsetOf(m.GoType, r.Index), typ: t, equal: sameLinkage})
	}
	f.id = field{off: offsetOf(m.GoType, m.ID.Index), typ: m.GoType.FieldByIndex(m.ID.Index).Type}
	f.id.equal = equalFunc(f.id.typ)
	return f
}

// setIDAt writes an id into the id field of the value v points at: in place
// for a string id, through setID (which parses) for an integer one.
func (tc *typeCache) setIDAt(v unsafe.Pointer, id string) error {
	f := &tc.fields.id
	if f.typ.Kind() == reflect.String {
		*(*string)(f.at(v)) = id
		return nil
	}
	return setID(reflect.NewAt(f.typ, f.at(v)).Elem(), id)
}

// offsetOf sums the offsets along a field index path.
func offsetOf(t reflect.Type, index []int) uintptr {
	var off uintptr
	for _, i := range index {
		sf := t.Field(i)
		off += sf.Offset
		t = sf.Type
	}
	return off
}

// at returns a pointer to the field in the value v points at.
func (f *field) at(v unsafe.Pointer) unsafe.Pointer { return unsafe.Add(v, f.off) }

// eq reports whether the field is equal in the values a and b point at.
func (f *field) eq(a, b unsafe.Pointer) bool { return f.equal(f.at(a), f.at(b)) }

// copy sets the field in dst to its value in src.
func (f *field) copy(dst, src unsafe.Pointer) {
	reflect.NewAt(f.typ, f.at(dst)).Elem().Set(reflect.NewAt(f.typ, f.at(src)).Elem())
}

// value returns the field of v as an interface holding a deep copy.
func (f *field) value(v unsafe.Pointer) any {
	return model.DeepCopy(reflect.NewAt(f.typ, f.at(v)).Elem()).Interface()
}

var timeType = reflect.TypeFor[time.Time]()

// equalFunc returns the equality of an attribute type: == for scalars,
// time.Time.Equal for instants (a date set to the same instant in another zone
// is not a change), and reflect.DeepEqual for values holding references.
func equalFunc(t reflect.Type) func(a, b unsafe.Pointer) bool {
	if t == timeType {
		return func(a, b unsafe.Pointer) bool { return (*time.Time)(a).Equal(*(*time.Time)(b)) }
	}
	switch t.Kind() {
	case reflect.String:
		return func(a, b unsafe.Pointer) bool { return *(*string)(a) == *(*string)(b) }
	case reflect.Bool:
		return func(a, b unsafe.Pointer) bool { return *(*bool)(a) == *(*bool)(b) }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		switch t.Size() {
		case 8:
			return func(a, b unsafe.Pointer) bool { return *(*uint64)(a) == *(*uint64)(b) }
		case 4:
			return func(a, b unsafe.Pointer) bool { return *(*uint32)(a) == *(*uint32)(b) }
		case 2:
			return func(a, b unsafe.Pointer) bool { return *(*uint16)(a) == *(*uint16)(b) }
		}
		return func(a, b unsafe.Pointer) bool { return *(*uint8)(a) == *(*uint8)(b) }
	case reflect.Float64:
		return func(a, b unsafe.Pointer) bool { return *(*float64)(a) == *(*float64)(b) }
	case reflect.Float32:
		return func(a, b unsafe.Pointer) bool { return *(*float32)(a) == *(*float32)(b) }
	}
	return func(a, b unsafe.Pointer) bool {
		return reflect.DeepEqual(reflect.NewAt(t, a).Elem().Interface(), reflect.NewAt(t, b).Elem().Interface())
	}
}

var stateType = reflect.TypeFor[*relationship.State]()

// sameLinkage compares two relationship fields (pointed at) by linkage.
func sameLinkage(a, b unsafe.Pointer) bool {
	return (*(**relationship.State)(a)).SameLinkage(*(**relationship.State)(b))
}

// relAt returns relationship field f of the value v points at. Every
// relationship field is one *relationship.State (checked in fieldsOf), so it
// is read in place, without reflection.
func relAt(f *field, v unsafe.Pointer) *relationship.State { return *(**relationship.State)(f.at(v)) }

// setRelAt sets relationship field f of the value v points at.
func setRelAt(f *field, v unsafe.Pointer, st *relationship.State) {
	*(**relationship.State)(f.at(v)) = st
}

// reflectAt returns the model value at p.
func reflectAt(tc *typeCache, p unsafe.Pointer) reflect.Value {
	return reflect.NewAt(tc.model.GoType, p).Elem()
}
