package gen

import (
	"errors"
	"fmt"
	"go/token"
	"sort"
	"strings"
	"unicode"

	"github.com/larder-go/larder/model"
)

// Conditions an *Error wraps.
var (
	ErrSyntax      = errors.New("malformed schema")
	ErrKind        = errors.New("unknown field kind")
	ErrUndeclared  = errors.New("relationship to an undeclared type")
	ErrDuplicate   = errors.New("duplicate name")
	ErrName        = errors.New("invalid name")
	ErrInverse     = errors.New("inverse does not point back")
	ErrTransform   = errors.New("unsupported type")
	ErrPolymorphic = errors.New("polymorphic type without members")
)

// An Error is a problem with one schema, at a JSON pointer inside its file.
type Error struct {
	File string
	Path string
	Err  error
}

func (e *Error) Error() string {
	path := e.Path
	if path == "" {
		path = "/"
	}
	return e.File + ": " + path + ": " + e.Err.Error()
}

// Unwrap returns the condition.
func (e *Error) Unwrap() error { return e.Err }

// Kind is a field's kind.
type Kind int

// The field kinds.
const (
	Attribute Kind = iota
	BelongsTo
	HasMany
)

// A Package is the resources of the schemas read, in the order read.
type Package struct {
	Resources []*Resource
	Sources   []string // the schema files, for the generated file's header
}

// A Resource is one resource type.
type Resource struct {
	Type   string // the JSON:API type, as the model's id tag names it
	GoName string
	Doc    string
	File   string // where it was declared
	Path   string
	Fields []*Field
	// Implements lists the polymorphic types this resource is a member of.
	Implements []string
}

// A Field is an attribute or a relationship.
type Field struct {
	Kind      Kind
	Name      string // the member name in payloads (WarpDrive's sourceKey, else its name)
	Ident     string // the name in the schema, which the Go name comes from
	GoName    string
	Doc       string
	Path      string
	Transform string // attributes: string, number, boolean, date, or "" for raw JSON
	GoType    string // attributes: the Go type
	// Relationships.
	Target      string // the related type, or the polymorphic type's name
	Inverse     string
	InverseNone bool // the schema says there is none
	Polymorphic bool
	Async       bool
}

// Check validates the package and resolves Go names. It returns every problem
// found, joined, each an *Error.
func (p *Package) Check() error {
	var errs []error
	fail := func(file, path string, err error) { errs = append(errs, &Error{File: file, Path: path, Err: err}) }
	types := map[string]*Resource{}
	goNames := map[string]string{}
	for _, r := range p.Resources {
		if prev, ok := types[r.Type]; ok {
			fail(r.File, r.Path+"/type", fmt.Errorf("%w: type %q is also declared in %s", ErrDuplicate, r.Type, prev.File))
			continue
		}
		types[r.Type] = r
		if err := typeName(r.Type); err != nil {
			fail(r.File, r.Path+"/type", err)
			continue
		}
		r.GoName = goName(r.Type)
		if other, ok := goNames[r.GoName]; ok {
			fail(r.File, r.Path+"/type", fmt.Errorf("%w: types %q and %q are both %s in Go", ErrDuplicate, other, r.Type, r.GoName))
		}
		goNames[r.GoName] = r.Type
	}
	// Polymorphic types: names that relationships use as a type with
	// polymorphic set and that no resource declares; members say "as".
	abstract := map[string][]*Resource{}
	for _, r := range p.Resources {
		for _, t := range r.Implements {
			abstract[t] = append(abstract[t], r)
		}
	}
	for _, r := range p.Resources {
		names := map[string]bool{}
		fieldGo := map[string]bool{"ID": true, "LarderCodec": true}
		for _, f := range r.Fields {
			if f.Ident == "" {
				f.Ident = f.Name
			}
			if err := memberName(f.Ident, f.Name); err != nil {
				fail(r.File, f.Path+"/name", err)
				continue
			}
			if names[f.Name] {
				fail(r.File, f.Path+"/name", fmt.Errorf("%w: %q is declared twice on %q", ErrDuplicate, f.Name, r.Type))
				continue
			}
			names[f.Name] = true
			f.GoName = goName(f.Ident)
			if fieldGo[f.GoName] {
				fail(r.File, f.Path+"/name", fmt.Errorf("%w: %q is the Go field %s, which %q already has", ErrDuplicate, f.Name, f.GoName, r.Type))
				continue
			}
			fieldGo[f.GoName] = true
			if f.Kind == Attribute {
				continue
			}
			if _, ok := types[f.Target]; ok {
				continue
			}
			if f.Polymorphic && len(abstract[f.Target]) > 0 {
				continue
			}
			if f.Polymorphic {
				fail(r.File, f.Path+"/type", fmt.Errorf("%w: no resource declares itself %q (options.as)", ErrPolymorphic, f.Target))
				continue
			}
			fail(r.File, f.Path+"/type", fmt.Errorf("%w %q", ErrUndeclared, f.Target))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	for t, rs := range abstract {
		if _, ok := types[t]; ok {
			fail(rs[0].File, rs[0].Path, fmt.Errorf("%w: %q is both a resource type and a polymorphic type", ErrDuplicate, t))
		} else if err := typeName(t); err != nil {
			fail(rs[0].File, rs[0].Path, err)
		} else if other, ok := goNames[goName(t)]; ok {
			fail(rs[0].File, rs[0].Path, fmt.Errorf("%w: polymorphic type %q and type %q are both %s in Go", ErrDuplicate, t, other, goName(t)))
		}
	}
	// Inverses: a named inverse must exist on every member type, be a
	// relationship to this type, and name this field back when it names one.
	for _, r := range p.Resources {
		for _, f := range r.Fields {
			if f.Kind == Attribute || f.Inverse == "" {
				continue
			}
			members := abstract[f.Target]
			if t, ok := types[f.Target]; ok {
				members = []*Resource{t}
			}
			for _, m := range members {
				if err := pointsBack(r, f, m); err != nil {
					fail(r.File, f.Path+"/options/inverse", err)
				}
			}
		}
	}
	return errors.Join(errs...)
}

// pointsBack checks that field f of r has its named inverse on m.
func pointsBack(r *Resource, f *Field, m *Resource) error {
	for _, g := range m.Fields {
		if g.Name != f.Inverse {
			continue
		}
		switch {
		case g.Kind == Attribute:
			return fmt.Errorf("%w: %q.%s is an attribute", ErrInverse, m.Type, g.Name)
		case g.Target != r.Type && !contains(r.Implements, g.Target):
			return fmt.Errorf("%w: %q.%s relates to %q, not %q", ErrInverse, m.Type, g.Name, g.Target, r.Type)
		case g.InverseNone:
			return fmt.Errorf("%w: %q.%s says it has no inverse", ErrInverse, m.Type, g.Name)
		case g.Inverse != "" && g.Inverse != f.Name:
			return fmt.Errorf("%w: %q.%s names %q as its inverse, not %q", ErrInverse, m.Type, g.Name, g.Inverse, f.Name)
		}
		return nil
	}
	return fmt.Errorf("%w: %q has no field %q", ErrInverse, m.Type, f.Inverse)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// typeName checks a resource type: words of letters and digits joined by
// '-' or '_', starting with a letter.
func typeName(t string) error {
	if t == "" {
		return fmt.Errorf("%w: empty type", ErrName)
	}
	for _, w := range strings.FieldsFunc(t, func(r rune) bool { return r == '-' || r == '_' }) {
		for _, c := range w {
			if !unicode.IsLetter(c) && !unicode.IsDigit(c) {
				return fmt.Errorf("%w: type %q", ErrName, t)
			}
		}
	}
	if c := []rune(t)[0]; !unicode.IsLetter(c) || strings.ContainsAny(t[len(t)-1:], "-_") {
		return fmt.Errorf("%w: type %q", ErrName, t)
	}
	if token.IsKeyword(t) {
		return fmt.Errorf("%w: type %q is a Go keyword", ErrName, t)
	}
	return nil
}

// memberName checks a field: its schema name a Go identifier that is no
// keyword, its payload name a member name JSON:API and larder allow.
func memberName(ident, n string) error {
	switch {
	case token.IsKeyword(ident):
		return fmt.Errorf("%w: %q is a Go keyword", ErrName, ident)
	case !token.IsIdentifier(ident):
		return fmt.Errorf("%w: %q is not an identifier", ErrName, ident)
	}
	if err := model.ValidName(n); err != nil {
		return fmt.Errorf("%w: %w", ErrName, err)
	}
	switch n {
	case "id", "type", "lid", "links", "relationships":
		return fmt.Errorf("%w: %q is reserved by JSON:API", ErrName, n)
	}
	return nil
}

// initialisms are written in capitals in Go names, as golint's list.
var initialisms = map[string]bool{"id": true, "url": true, "uri": true, "api": true, "http": true, "json": true, "uuid": true, "html": true, "ip": true, "sql": true, "xml": true}

// goName turns a type or member name into an exported Go name: "blog-post"
// and "blogPost" -> BlogPost, "avatar_url" -> AvatarURL.
func goName(s string) string {
	var b strings.Builder
	for _, w := range words(s) {
		if initialisms[strings.ToLower(w)] {
			b.WriteString(strings.ToUpper(w))
			continue
		}
		r := []rune(w)
		b.WriteString(string(unicode.ToUpper(r[0])) + string(r[1:]))
	}
	return b.String()
}

// words splits a name at '-', '_' and lower-to-upper case changes.
func words(s string) []string {
	var out []string
	start := 0
	r := []rune(s)
	for i := 0; i <= len(r); i++ {
		switch {
		case i == len(r) || r[i] == '-' || r[i] == '_':
			if i > start {
				out = append(out, string(r[start:i]))
			}
			start = i + 1
		case i > start && unicode.IsUpper(r[i]) && unicode.IsLower(r[i-1]):
			out = append(out, string(r[start:i]))
			start = i
		}
	}
	return out
}

// abstractTypes returns the polymorphic types and their members, sorted.
func (p *Package) abstractTypes() ([]string, map[string][]*Resource) {
	m := map[string][]*Resource{}
	for _, r := range p.Resources {
		for _, t := range r.Implements {
			m[t] = append(m[t], r)
		}
	}
	names := make([]string, 0, len(m))
	for t := range m {
		names = append(names, t)
	}
	sort.Strings(names)
	return names, m
}
