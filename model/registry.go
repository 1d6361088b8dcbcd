package model

import (
	"fmt"
	"reflect"

	"github.com/larder-go/larder/attr"
)

// A Registry maps type names to model types for one store. It is built once,
// validates every model up front, and is immutable and safe for concurrent use
// afterwards. There is no global registry.
type Registry struct {
	models []*Model
	byName map[string]*Model
	byType map[reflect.Type]*Model
}

// A Model is a registered model: its schema with every attribute's codec
// compiled and every relationship's target and inverse resolved.
type Model struct {
	*Schema
	// Index is the model's position in the registry, stable for its life.
	Index int
	// Codecs holds one codec per attribute, in Schema.Attributes order.
	Codecs []*attr.Codec
	// Rels holds the resolved relationships, in Schema.Relationships order.
	Rels []RelInfo
	// Generated is the codec the model type carries (see [Generated]), or
	// nil. The store decodes and encodes attributes with it when set; Codecs
	// are compiled either way.
	Generated *Codec
}

// RelInfo is a relationship resolved against the registry.
type RelInfo struct {
	*Relationship
	// Target is the related model, or nil for a polymorphic relationship to an
	// interface, whose members may be of any model in Accepts.
	Target *Model
	// Accepts lists the models a related identifier may name.
	Accepts []*Model
	// InverseModel and InverseIndex locate the inverse relationship on Target;
	// InverseIndex is -1 when there is none.
	InverseModel *Model
	InverseIndex int
	// Inverses holds, for each model in Accepts, the index of the inverse
	// relationship on it, or -1: a polymorphic relationship has one inverse
	// per member model.
	Inverses []int
}

// Accept reports whether an identifier of type name may be a member.
func (r *RelInfo) Accept(name string) (*Model, bool) {
	for _, m := range r.Accepts {
		if m.Name == name {
			return m, true
		}
	}
	return nil, false
}

// NewRegistry builds a registry of the given model types. transforms holds the
// custom transforms by name, which may shadow the built-ins. Every problem is a
// *[SchemaError] naming the Go type and field.
func NewRegistry(types []reflect.Type, transforms map[string]attr.Transform) (*Registry, error) {
	r := &Registry{byName: map[string]*Model{}, byType: map[reflect.Type]*Model{}}
	all := attr.Builtins()
	for name, t := range transforms {
		all[name] = t
	}
	for _, t := range types {
		s, err := TypeSchema(t)
		if err != nil {
			return nil, err
		}
		if _, dup := r.byType[s.GoType]; dup {
			continue
		}
		if other, dup := r.byName[s.Name]; dup {
			return nil, &SchemaError{GoType: s.GoType, Field: s.ID.GoName,
				Err: fmt.Errorf("%w: %q is also %s", ErrDuplicateType, s.Name, other.GoType)}
		}
		m := &Model{Schema: s, Index: len(r.models)}
		for i := range s.Attributes {
			a := &s.Attributes[i]
			var tr attr.Transform
			if a.Transform != "" {
				var ok bool
				if tr, ok = all[a.Transform]; !ok {
					return nil, &SchemaError{GoType: s.GoType, Field: a.GoName, Err: fmt.Errorf("%w %q", ErrUnknownTransform, a.Transform)}
				}
			}
			c, err := attr.Compile(a.Type, tr)
			if err != nil {
				return nil, &SchemaError{GoType: s.GoType, Field: a.GoName, Err: fmt.Errorf("%w: %w", ErrBadTag, err)}
			}
			m.Codecs = append(m.Codecs, c)
		}
		g, err := generatedCodec(s)
		if err != nil {
			return nil, &SchemaError{GoType: s.GoType, Err: err}
		}
		m.Generated = g
		r.models = append(r.models, m)
		r.byName[s.Name] = m
		r.byType[s.GoType] = m
	}
	for _, m := range r.models {
		if err := r.resolveTargets(m); err != nil {
			return nil, err
		}
	}
	for _, m := range r.models {
		if err := r.resolveInverses(m); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (r *Registry) resolveTargets(m *Model) error {
	m.Rels = make([]RelInfo, len(m.Relationships))
	for i := range m.Relationships {
		rel := &m.Relationships[i]
		info := RelInfo{Relationship: rel, InverseIndex: -1}
		if rel.Target.Kind() == reflect.Interface {
			for _, c := range r.models {
				if c.GoType.Implements(rel.Target) || reflect.PointerTo(c.GoType).Implements(rel.Target) {
					info.Accepts = append(info.Accepts, c)
				}
			}
			if len(info.Accepts) == 0 {
				return &SchemaError{GoType: m.GoType, Field: rel.GoName,
					Err: fmt.Errorf("%w: no registered model implements %s", ErrUnregistered, rel.Target)}
			}
		} else {
			t, ok := r.byType[rel.Target]
			if !ok {
				return &SchemaError{GoType: m.GoType, Field: rel.GoName,
					Err: fmt.Errorf("%w: %s", ErrUnregistered, rel.Target)}
			}
			info.Target = t
			info.Accepts = []*Model{t}
			if rel.Polymorphic {
				// A polymorphic relationship to a struct accepts any model.
				info.Accepts = r.models
			}
		}
		m.Rels[i] = info
	}
	return nil
}

// resolveInverses follows Ember Data 3.x: an explicit inverse must exist and point
// back; otherwise the candidates are the target's relationships pointing back to
// this model: none means no inverse, one is the inverse, several are an error
// unless exactly one names this relationship as its inverse. A polymorphic
// relationship resolves its inverse on each model it accepts; an inverse it
// names must exist on at least one of them.
func (r *Registry) resolveInverses(m *Model) error {
	for i := range m.Rels {
		info := &m.Rels[i]
		rel := info.Relationship
		info.Inverses = make([]int, len(info.Accepts))
		for k := range info.Inverses {
			info.Inverses[k] = -1
		}
		if rel.InverseNone {
			continue
		}
		fail := func(format string, args ...any) error {
			return &SchemaError{GoType: m.GoType, Field: rel.GoName, Err: fmt.Errorf("%w: "+format, append([]any{ErrInverse}, args...)...)}
		}
		single := info.Target != nil
		found := false
		for k, target := range info.Accepts {
			if info.Target != nil && target != info.Target {
				continue // a polymorphic relationship to a struct: the inverse is on the struct's model
			}
			j, err := inverseOn(m, i, target, single)
			if err != nil {
				return fail("%v", err)
			}
			info.Inverses[k] = j
			found = found || j >= 0
			if target == info.Target {
				info.InverseModel, info.InverseIndex = target, j
			}
		}
		if rel.Inverse != "" && !found {
			return fail("no model %s accepts has a relationship %q pointing back", rel.GoName, rel.Inverse)
		}
	}
	return nil
}

// inverseOn finds the inverse on target of m's relationship i, or -1. strict
// makes a named inverse that target lacks an error.
func inverseOn(m *Model, i int, target *Model, strict bool) (int, error) {
	rel := m.Rels[i].Relationship
	if rel.Inverse != "" {
		j := target.RelationshipIndex(rel.Inverse)
		if j < 0 {
			if strict {
				return -1, fmt.Errorf("%s has no relationship %q", target.GoType, rel.Inverse)
			}
			return -1, nil
		}
		back := &target.Rels[j]
		if !pointsTo(back, m) {
			return -1, fmt.Errorf("%s.%s does not point back to %s", target.GoType, back.GoName, m.GoType)
		}
		if back.InverseNone || (back.Inverse != "" && back.Inverse != rel.Name) {
			return -1, fmt.Errorf("%s.%s names another inverse", target.GoType, back.GoName)
		}
		return j, nil
	}
	var candidates []int
	for j := range target.Rels {
		back := &target.Rels[j]
		if back.InverseNone || (target == m && j == i) || !pointsTo(back, m) {
			continue
		}
		if back.Inverse != "" && back.Inverse != rel.Name {
			continue
		}
		candidates = append(candidates, j)
	}
	switch len(candidates) {
	case 0:
		return -1, nil
	case 1:
		return candidates[0], nil
	}
	named := -1
	for _, j := range candidates {
		if target.Rels[j].Inverse == rel.Name {
			if named >= 0 {
				named = -2
				break
			}
			named = j
		}
	}
	if named < 0 {
		return -1, fmt.Errorf("ambiguous: %d relationships on %s point back; name one with inverse=", len(candidates), target.GoType)
	}
	return named, nil
}

// InverseFor returns the inverse of the relationship on a member of model
// member, or -1 when there is none.
func (r *RelInfo) InverseFor(member *Model) int {
	for k, m := range r.Accepts {
		if m == member {
			return r.Inverses[k]
		}
	}
	return -1
}

func pointsTo(rel *RelInfo, m *Model) bool {
	if rel.Target == m {
		return true
	}
	if rel.Target == nil {
		_, ok := rel.Accept(m.Name)
		return ok
	}
	return false
}

// Models returns the registered models in registration order.
func (r *Registry) Models() []*Model { return r.models }

// ByName returns the model registered under a type name.
func (r *Registry) ByName(name string) (*Model, bool) {
	m, ok := r.byName[name]
	return m, ok
}

// TypeFor returns the model a payload's type or root key names. It is the
// one reading of type names that the serializers share: the key's dashed
// form when a model has that name ("media", "Media", "activity_data", for
// models Media and ActivityData, whose names the registry dasherizes and
// never inflects), else its singular (TypeName: "albums", "Albums" ->
// "album"). Words the inflector gets wrong for a program's types can be
// declared with Uncountable.
func (r *Registry) TypeFor(key string) (*Model, bool) {
	if m, ok := r.byName[Dasherize(key)]; ok {
		return m, true
	}
	m, ok := r.byName[TypeName(key)]
	return m, ok
}

// ByType returns the model for a Go struct type. For a handful of models a scan
// of pointer comparisons beats hashing the type.
func (r *Registry) ByType(t reflect.Type) (*Model, bool) {
	if len(r.models) <= 8 {
		for _, m := range r.models {
			if m.GoType == t {
				return m, true
			}
		}
		return nil, false
	}
	m, ok := r.byType[t]
	return m, ok
}
