package model

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/larder-go/larder/relationship"
)

// A Schema describes one model type: its id field, attributes and relationships,
// read once from struct tags. A Schema is immutable and safe to share.
type Schema struct {
	// GoType is the model's struct type.
	GoType reflect.Type
	// Name is the type name from the id tag, or the Go name dasherized
	// ("BlogPost" -> "blog-post").
	Name string
	// ID is the id field.
	ID IDField
	// Attributes and Relationships are in field order.
	Attributes    []Attribute
	Relationships []Relationship

	byName map[string]member
	// clone lists the attributes whose values hold references (slices, maps,
	// pointers, interfaces) and must be deep-copied when a record is handed out.
	clone []int
}

// An IDField is a model's id field: a string or integer kind.
type IDField struct {
	GoName string
	Index  []int
	Kind   reflect.Kind
}

// An Attribute is one attribute field.
type Attribute struct {
	// Name is the member name in a normalized document ("releasedAt").
	Name string
	// GoName is the struct field's name.
	GoName string
	// Index is the field's index sequence, for reflect.Value.FieldByIndex.
	Index []int
	// Type is the field's Go type.
	Type reflect.Type
	// Transform names the attribute transform, or is "" for strict decoding.
	Transform string
}

// A Relationship is one relationship field.
type Relationship struct {
	Name   string
	GoName string
	Index  []int
	Kind   relationship.Kind
	// Target is the related model's Go type; an interface type for a
	// polymorphic relationship.
	Target reflect.Type
	// Inverse is the inverse relationship's name on the target, as declared;
	// InverseNone is set by "inverse=-". With neither, the registry resolves it.
	Inverse     string
	InverseNone bool
	Polymorphic bool
	Async       bool
}

type member struct {
	rel   bool
	index int
}

// Attribute returns the attribute with the given member name.
func (s *Schema) Attribute(name string) (*Attribute, bool) {
	m, ok := s.byName[name]
	if !ok || m.rel {
		return nil, false
	}
	return &s.Attributes[m.index], true
}

// Relationship returns the relationship with the given member name.
func (s *Schema) Relationship(name string) (*Relationship, bool) {
	m, ok := s.byName[name]
	if !ok || !m.rel {
		return nil, false
	}
	return &s.Relationships[m.index], true
}

// AttributeIndex returns the position in Attributes of the named attribute, or -1.
func (s *Schema) AttributeIndex(name string) int {
	if m, ok := s.byName[name]; ok && !m.rel {
		return m.index
	}
	return -1
}

// RelationshipIndex returns the position in Relationships of the named
// relationship, or -1.
func (s *Schema) RelationshipIndex(name string) int {
	if m, ok := s.byName[name]; ok && m.rel {
		return m.index
	}
	return -1
}

// CloneAttributes returns the positions of attributes whose values hold
// references and need a deep copy to hand a record out.
func (s *Schema) CloneAttributes() []int { return s.clone }

var schemaCache sync.Map // map[reflect.Type]*Schema: a pure function of the type

// SchemaOf returns the schema of model type T.
func SchemaOf[T any]() (*Schema, error) { return TypeSchema(reflect.TypeFor[T]()) }

// TypeSchema returns the schema of a model struct type (or pointer to one),
// building it on first use and caching it. Errors are *[SchemaError].
func TypeSchema(t reflect.Type) (*Schema, error) {
	if t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s, ok := schemaCache.Load(t); ok {
		return s.(*Schema), nil
	}
	s, err := buildSchema(t)
	if err != nil {
		return nil, err
	}
	v, _ := schemaCache.LoadOrStore(t, s)
	return v.(*Schema), nil
}

func buildSchema(t reflect.Type) (*Schema, error) {
	if t == nil || t.Kind() != reflect.Struct {
		return nil, &SchemaError{GoType: t, Err: fmt.Errorf("%w: a model must be a struct", ErrNotStruct)}
	}
	s := &Schema{GoType: t, byName: map[string]member{}}
	var idTag *string
	var namedID *IDField
	if err := s.walk(t, nil, &idTag, &namedID); err != nil {
		return nil, err
	}
	if s.ID.Index == nil {
		if namedID == nil {
			return nil, &SchemaError{GoType: t, Err: ErrNoID}
		}
		s.ID = *namedID
	}
	switch {
	case idTag != nil && *idTag != "":
		s.Name = *idTag
	case t.Name() == "" || strings.ContainsAny(t.Name(), "[]"):
		return nil, &SchemaError{GoType: t, Field: s.ID.GoName, Err: fmt.Errorf("%w: anonymous or generic types need a name in the id tag", ErrBadTag)}
	default:
		s.Name = Dasherize(t.Name())
	}
	if err := ValidName(s.Name); err != nil {
		return nil, &SchemaError{GoType: t, Field: s.ID.GoName, Err: err}
	}
	return s, nil
}

// ValidName checks a type or member name: non-empty, without characters that
// cannot appear in a JSON:API member name or a URL path segment unescaped.
func ValidName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: empty name", ErrBadTag)
	}
	if strings.ContainsAny(name, ",/?#%\"\\ ") {
		return fmt.Errorf("%w: name %q has reserved characters", ErrBadTag, name)
	}
	return nil
}

func (s *Schema) walk(t reflect.Type, prefix []int, idTag **string, namedID **IDField) error {
	for i := range t.NumField() {
		f := t.Field(i)
		index := append(append([]int(nil), prefix...), i)
		attrTag, hasAttr := f.Tag.Lookup("attr")
		relTag, hasRel := f.Tag.Lookup("rel")
		idT, hasID := f.Tag.Lookup("id")
		fail := func(err error) error { return &SchemaError{GoType: s.GoType, Field: f.Name, Err: err} }

		if f.Anonymous && !hasAttr && !hasRel && !hasID {
			if f.Type.Kind() == reflect.Struct && !f.Type.Implements(relationship.FieldType) &&
				!reflect.PointerTo(f.Type).Implements(relationship.FieldType) {
				if err := s.walk(f.Type, index, idTag, namedID); err != nil {
					return err
				}
			}
			continue
		}
		tags := 0
		for _, has := range []bool{hasAttr, hasRel, hasID} {
			if has {
				tags++
			}
		}
		if tags > 1 {
			return fail(fmt.Errorf("%w: a field takes one of the attr, rel and id tags", ErrBadTag))
		}
		if tags > 0 && !f.IsExported() {
			return fail(fmt.Errorf("%w: tagged field is unexported", ErrBadTag))
		}
		isRelType := reflect.PointerTo(f.Type).Implements(relationship.FieldType)
		switch {
		case hasID:
			if s.ID.Index != nil {
				return fail(fmt.Errorf("%w: two id fields", ErrDuplicateName))
			}
			id, err := idField(f, index)
			if err != nil {
				return fail(err)
			}
			s.ID = id
			v := idT
			*idTag = &v
		case hasRel:
			if !isRelType {
				return fail(fmt.Errorf("%w: rel tag on %s; use relationship.BelongsTo or relationship.HasMany", ErrBadTag, f.Type))
			}
			r, err := parseRel(f, relTag, index)
			if err != nil {
				return fail(err)
			}
			if err := s.add(r.Name, member{rel: true, index: len(s.Relationships)}); err != nil {
				return fail(err)
			}
			s.Relationships = append(s.Relationships, r)
		case hasAttr:
			if attrTag == "-" {
				continue
			}
			if isRelType {
				return fail(fmt.Errorf("%w: attr tag on a relationship field; use rel", ErrBadTag))
			}
			a, err := parseAttr(f, attrTag, index)
			if err != nil {
				return fail(err)
			}
			if err := s.add(a.Name, member{index: len(s.Attributes)}); err != nil {
				return fail(err)
			}
			if needsClone(f.Type) {
				s.clone = append(s.clone, len(s.Attributes))
			}
			s.Attributes = append(s.Attributes, a)
		case f.Name == "ID" && f.IsExported() && *namedID == nil:
			if id, err := idField(f, index); err == nil {
				*namedID = &id
			}
		}
	}
	return nil
}

func (s *Schema) add(name string, m member) error {
	if old, dup := s.byName[name]; dup {
		if old.rel != m.rel {
			return fmt.Errorf("%w: %q is both an attribute and a relationship", ErrNameConflict, name)
		}
		return fmt.Errorf("%w: two members named %q", ErrDuplicateName, name)
	}
	s.byName[name] = m
	return nil
}

func idField(f reflect.StructField, index []int) (IDField, error) {
	switch k := f.Type.Kind(); k {
	case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return IDField{GoName: f.Name, Index: index, Kind: k}, nil
	}
	return IDField{}, fmt.Errorf("%w: id field must be a string or integer, not %s", ErrBadTag, f.Type)
}

func parseAttr(f reflect.StructField, tag string, index []int) (Attribute, error) {
	name, opts := parseTag(tag)
	if name == "" {
		name = Camelize(f.Name)
	}
	if err := validMember(name); err != nil {
		return Attribute{}, err
	}
	a := Attribute{Name: name, GoName: f.Name, Index: index, Type: f.Type}
	switch len(opts) {
	case 0:
	case 1:
		if opts[0] == "" || strings.Contains(opts[0], "=") {
			return Attribute{}, fmt.Errorf("%w: attr option %q is not a transform name", ErrBadTag, opts[0])
		}
		a.Transform = opts[0]
	default:
		return Attribute{}, fmt.Errorf("%w: attr takes a name and at most one transform, have %q", ErrBadTag, tag)
	}
	return a, nil
}

func parseRel(f reflect.StructField, tag string, index []int) (Relationship, error) {
	name, opts := parseTag(tag)
	if name == "" {
		name = Camelize(f.Name)
	}
	if err := validMember(name); err != nil {
		return Relationship{}, err
	}
	field := reflect.New(f.Type).Interface().(relationship.Field)
	r := Relationship{Name: name, GoName: f.Name, Index: index, Kind: field.Kind(), Target: field.Target(), Async: true}
	for _, o := range opts {
		k, v, hasValue := strings.Cut(o, "=")
		switch {
		case k == "inverse" && hasValue:
			if v == "-" {
				r.InverseNone = true
			} else if err := validMember(v); err != nil {
				return Relationship{}, err
			} else {
				r.Inverse = v
			}
		case o == "polymorphic":
			r.Polymorphic = true
		case o == "async":
			r.Async = true
		case o == "sync":
			r.Async = false
		default:
			return Relationship{}, fmt.Errorf("%w: unknown rel option %q", ErrBadTag, o)
		}
	}
	t := r.Target
	if t.Kind() == reflect.Interface && !r.Polymorphic {
		return Relationship{}, fmt.Errorf("%w: relationship to interface %s must be polymorphic", ErrBadTag, t)
	}
	if t.Kind() != reflect.Interface && t.Kind() != reflect.Struct {
		return Relationship{}, fmt.Errorf("%w: relationship target %s is not a struct or interface", ErrBadTag, t)
	}
	return r, nil
}

func validMember(name string) error {
	if err := ValidName(name); err != nil {
		return err
	}
	switch name {
	case "id", "type", "lid", "links", "relationships":
		return fmt.Errorf("%w: %q is reserved by JSON:API", ErrBadTag, name)
	}
	return nil
}

// needsClone reports whether values of t hold references a caller could use to
// change a shared copy.
func needsClone(t reflect.Type) bool {
	if t == reflect.TypeFor[time.Time]() {
		return false // its *Location is immutable
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return true
	case reflect.Array:
		return needsClone(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if needsClone(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}
