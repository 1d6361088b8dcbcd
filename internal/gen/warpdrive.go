package gen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// wdSchema is a WarpDrive resource schema (@warp-drive/core-types
// ResourceSchema): a type, an identity, and fields.
type wdSchema struct {
	Type     *string           `json:"type"`
	Identity *wdIdentity       `json:"identity"`
	Fields   []json.RawMessage `json:"fields"`
}

type wdIdentity struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

type wdField struct {
	Kind      string          `json:"kind"`
	Name      string          `json:"name"`
	SourceKey string          `json:"sourceKey"`
	Type      *string         `json:"type"`
	Options   json.RawMessage `json:"options"`
}

type wdOptions struct {
	Inverse     json.RawMessage `json:"inverse"` // a name, or null for none
	Async       *bool           `json:"async"`
	Polymorphic bool            `json:"polymorphic"`
	As          string          `json:"as"`
	GoType      string          `json:"goType"` // larder-gen's own: the Go type of a number
}

// numberTypes are the Go types a number field may ask for with goType.
var numberTypes = map[string]bool{
	"int": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true,
	"float32": true, "float64": true,
}

// ReadWarpDrive adds the WarpDrive resource schemas in data (one schema
// object, or an array of them) to p. file names data in errors.
//
// Field kinds "field" and "attribute" become attributes, "belongsTo" and
// "hasMany" relationships; "@local", "derived" and "alias" fields live only
// in the client and are skipped; any other kind is ErrKind. A field's type
// names its transform: "string", "number" (float64, or the Go type its
// options.goType names), "boolean", "date"; a field with no type, or a
// custom transform, keeps its raw JSON. sourceKey, when set, is the payload
// member name. A relationship's options give its inverse (null for none),
// async (default true, as larder's), polymorphic, and "as": the polymorphic
// type this resource is a member of.
func (p *Package) ReadWarpDrive(file string, data []byte) error {
	p.Sources = append(p.Sources, file)
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' {
		var list []json.RawMessage
		if err := json.Unmarshal(data, &list); err != nil {
			return &Error{File: file, Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
		}
		for i, raw := range list {
			if err := p.readWarpDrive(file, "/"+strconv.Itoa(i), raw); err != nil {
				return err
			}
		}
		return nil
	}
	return p.readWarpDrive(file, "", data)
}

func (p *Package) readWarpDrive(file, path string, data []byte) error {
	bad := func(at string, err error) error { return &Error{File: file, Path: path + at, Err: err} }
	var s wdSchema
	if err := json.Unmarshal(data, &s); err != nil {
		return bad("", fmt.Errorf("%w: %v", ErrSyntax, err))
	}
	if s.Type == nil {
		return bad("/type", fmt.Errorf("%w: a resource schema needs a type", ErrSyntax))
	}
	if s.Identity != nil && s.Identity.Kind != "" && s.Identity.Kind != "@id" {
		return bad("/identity/kind", fmt.Errorf("%w: identity kind %q (only @id)", ErrKind, s.Identity.Kind))
	}
	r := &Resource{Type: *s.Type, File: file, Path: path}
	for i, raw := range s.Fields {
		at := path + "/fields/" + strconv.Itoa(i)
		var f wdField
		if err := json.Unmarshal(raw, &f); err != nil {
			return &Error{File: file, Path: at, Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
		}
		var o wdOptions
		if len(f.Options) > 0 && string(f.Options) != "null" {
			if err := json.Unmarshal(f.Options, &o); err != nil {
				return &Error{File: file, Path: at + "/options", Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
			}
		}
		fd := &Field{Name: f.Name, Ident: f.Name, Path: at}
		if f.SourceKey != "" {
			fd.Name = f.SourceKey
		}
		switch f.Kind {
		case "field", "attribute":
			fd.Kind = Attribute
			if err := attributeType(fd, f.Type, o.GoType); err != nil {
				return &Error{File: file, Path: at + "/type", Err: err}
			}
		case "belongsTo", "hasMany":
			fd.Kind = BelongsTo
			if f.Kind == "hasMany" {
				fd.Kind = HasMany
			}
			if f.Type == nil || *f.Type == "" {
				return &Error{File: file, Path: at + "/type", Err: fmt.Errorf("%w: a relationship needs a type", ErrSyntax)}
			}
			fd.Target = *f.Type
			fd.Polymorphic = o.Polymorphic
			fd.Async = o.Async == nil || *o.Async
			switch inv := string(bytes.TrimSpace(o.Inverse)); {
			case inv == "":
			case inv == "null":
				fd.InverseNone = true
			default:
				if err := json.Unmarshal(o.Inverse, &fd.Inverse); err != nil {
					return &Error{File: file, Path: at + "/options/inverse", Err: fmt.Errorf("%w: inverse is a name or null", ErrSyntax)}
				}
			}
			if o.As != "" && !contains(r.Implements, o.As) {
				r.Implements = append(r.Implements, o.As)
			}
		case "@local", "derived", "alias", "@id":
			continue
		default:
			return &Error{File: file, Path: at + "/kind", Err: fmt.Errorf("%w %q (want field, attribute, belongsTo or hasMany)", ErrKind, f.Kind)}
		}
		r.Fields = append(r.Fields, fd)
	}
	p.Resources = append(p.Resources, r)
	return nil
}

// attributeType sets an attribute's transform and Go type from its schema
// type.
func attributeType(f *Field, typ *string, goType string) error {
	t := ""
	if typ != nil {
		t = *typ
	}
	if goType != "" && (t != "number" || !numberTypes[goType]) {
		return fmt.Errorf("%w: goType %q for a %q field (a number field may be one of int, int64, float32, ...)", ErrTransform, goType, t)
	}
	switch t {
	case "string":
		f.Transform, f.GoType = "string", "string"
	case "number":
		f.Transform, f.GoType = "number", "float64"
		if goType != "" {
			f.GoType = goType
		}
	case "boolean":
		f.Transform, f.GoType = "boolean", "bool"
	case "date":
		f.Transform, f.GoType = "date", "time.Time"
	case "":
		f.GoType = "json.RawMessage"
	default:
		f.GoType = "json.RawMessage"
		f.Doc = fmt.Sprintf("The schema names the transform %q, which larder-gen does not know: the value is kept as raw JSON.", t)
	}
	return nil
}
