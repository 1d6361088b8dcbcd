package gen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/larder-go/larder/model"
)

// ReadOpenAPI adds the JSON:API resources an OpenAPI 3 document (JSON or
// YAML) describes to p. file names data in errors.
//
// A resource is any schema under components/schemas whose properties include
// "type" (a string with a one-value enum or const, the resource type) and
// "attributes" or "relationships", following $ref and allOf. Every schema of
// one type (JsonApiDotNetCore publishes one per use: InResponse, InPost,
// InPatch, ...) adds its members. Attribute types map as: string (date-time
// or date format: time.Time, date), integer (int32 format: int32, else
// int64), number (float format: float32, else float64), boolean, and
// anything else raw JSON; a description becomes the doc comment. A
// relationship whose "data" is an array is a hasMany, otherwise a
// belongsTo, to the type its identifiers' "type" names. OpenAPI says nothing
// of inverses, so none is named: the store finds them as Ember Data does.
// Type names are normalized as the store does ("albums" -> "album"), and
// members are ordered by name, since JSON objects have no order.
func (p *Package) ReadOpenAPI(file string, data []byte) error {
	p.Sources = append(p.Sources, file)
	doc, err := decodeDocument(data)
	if err != nil {
		return &Error{File: file, Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
	}
	o := openapi{file: file, doc: doc, types: map[string]*Resource{}}
	schemas, _ := at(doc, "components", "schemas").(map[string]any)
	if schemas == nil {
		return &Error{File: file, Path: "/components/schemas", Err: fmt.Errorf("%w: no component schemas", ErrSyntax)}
	}
	for _, name := range sortedKeys(schemas) {
		if err := o.resource("/components/schemas/"+escape(name), schemas[name]); err != nil {
			return err
		}
	}
	if o.err != nil {
		return o.err
	}
	if len(o.order) == 0 {
		return &Error{File: file, Path: "/components/schemas", Err: fmt.Errorf("%w: no schema describes a JSON:API resource", ErrSyntax)}
	}
	for _, r := range o.order {
		sort.SliceStable(r.Fields, func(i, j int) bool { return r.Fields[i].Name < r.Fields[j].Name })
	}
	p.Resources = append(p.Resources, o.order...)
	return nil
}

type openapi struct {
	file  string
	doc   any
	types map[string]*Resource
	order []*Resource
	err   error // the first $ref that did not resolve
}

// decodeDocument reads a JSON document with a JSON decoder, in linear time,
// and anything else as YAML (a superset of JSON, whose parser is far slower
// on large JSON documents).
func decodeDocument(data []byte) (any, error) {
	var doc any
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '{' {
		d := json.NewDecoder(bytes.NewReader(trimmed))
		d.UseNumber()
		if err := d.Decode(&doc); err != nil {
			return nil, err
		}
		if d.More() {
			return nil, errors.New("data after the JSON document")
		}
		return jsonNumbers(doc), nil
	}
	err := yaml.Unmarshal(data, &doc)
	return doc, err
}

// jsonNumbers turns the json.Numbers of a decoded document into the int
// and float64 values the YAML parser gives, so the reader sees one shape.
func jsonNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = jsonNumbers(e)
		}
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return int(i)
		}
		f, _ := x.Float64()
		return f
	}
	return v
}

// resource reads the component schema at path when it is a resource.
func (o *openapi) resource(path string, schema any) error {
	props, ppath := o.properties(path, schema, 0)
	if props == nil || (props["attributes"] == nil && props["relationships"] == nil) {
		return nil
	}
	typ, ok := o.enum(ppath+"/type", props["type"])
	if !ok {
		return nil
	}
	typ = model.TypeName(typ)
	r := o.types[typ]
	if r == nil {
		r = &Resource{Type: typ, File: o.file, Path: path}
		o.types[typ] = r
		o.order = append(o.order, r)
	}
	if d, ok := o.deref(path, schema, 0)["description"].(string); ok && r.Doc == "" {
		r.Doc = d
	}
	have := map[string]bool{}
	for _, f := range r.Fields {
		have[f.Name] = true
	}
	attrs, apath := o.properties(ppath+"/attributes", props["attributes"], 0)
	for _, name := range sortedKeys(attrs) {
		if have[name] {
			continue
		}
		have[name] = true
		f := &Field{Kind: Attribute, Name: name, Path: apath + "/" + escape(name)}
		o.attribute(f, attrs[name])
		r.Fields = append(r.Fields, f)
	}
	rels, rpath := o.properties(ppath+"/relationships", props["relationships"], 0)
	for _, name := range sortedKeys(rels) {
		if have[name] {
			continue
		}
		have[name] = true
		f := &Field{Kind: BelongsTo, Name: name, Path: rpath + "/" + escape(name), Async: true}
		if err := o.relationship(f, rels[name]); err != nil {
			return err
		}
		r.Fields = append(r.Fields, f)
	}
	return nil
}

// attribute sets an attribute's transform, Go type and doc from its schema.
func (o *openapi) attribute(f *Field, schema any) {
	s := o.deref(f.Path, schema, 0)
	if d, ok := s["description"].(string); ok {
		f.Doc = d
	}
	format, _ := s["format"].(string)
	switch schemaType(s) {
	case "string":
		f.Transform, f.GoType = "string", "string"
		if format == "date-time" || format == "date" {
			f.Transform, f.GoType = "date", "time.Time"
		}
	case "integer":
		f.Transform, f.GoType = "number", "int64"
		if format == "int32" {
			f.GoType = "int32"
		}
	case "number":
		f.Transform, f.GoType = "number", "float64"
		if format == "float" {
			f.GoType = "float32"
		}
	case "boolean":
		f.Transform, f.GoType = "boolean", "bool"
	default:
		f.GoType = "json.RawMessage"
	}
}

// relationship reads a relationship object's schema: its "data" gives the
// kind and the related type.
func (o *openapi) relationship(f *Field, schema any) error {
	props, ppath := o.properties(f.Path, schema, 0)
	data := o.deref(ppath+"/data", props["data"], 0)
	if data == nil {
		return &Error{File: o.file, Path: ppath + "/data", Err: fmt.Errorf("%w: a relationship schema needs data", ErrSyntax)}
	}
	ident := data
	if schemaType(data) == "array" || data["items"] != nil {
		f.Kind = HasMany
		ident = o.deref(ppath+"/data/items", data["items"], 0)
	} else {
		ident = o.nonNull(data)
	}
	iprops, ipath := o.properties(ppath+"/data", ident, 0)
	typ, ok := o.enum(ipath+"/type", iprops["type"])
	if !ok {
		return &Error{File: o.file, Path: ppath + "/data", Err: fmt.Errorf("%w: the identifiers' type has no enum", ErrSyntax)}
	}
	f.Target = model.TypeName(typ)
	return nil
}

// nonNull picks the schema of a nullable one (oneOf/anyOf with null).
func (o *openapi) nonNull(s map[string]any) map[string]any {
	for _, key := range []string{"oneOf", "anyOf", "allOf"} {
		list, _ := s[key].([]any)
		for _, alt := range list {
			a := o.deref("", alt, 0)
			if schemaType(a) != "null" && (a["properties"] != nil || a["allOf"] != nil) {
				return a
			}
		}
	}
	return s
}

// properties returns a schema's properties, following $ref and merging
// allOf, and the path they were found at.
func (o *openapi) properties(path string, schema any, depth int) (map[string]any, string) {
	if depth > 32 {
		return nil, path
	}
	s := schemaMap(schema)
	if ref, ok := s["$ref"].(string); ok {
		target, tpath := o.ref(path, ref)
		return o.properties(tpath, target, depth+1)
	}
	out, _ := s["properties"].(map[string]any)
	where := path + "/properties"
	if list, ok := s["allOf"].([]any); ok {
		merged := map[string]any{}
		for k, v := range out {
			merged[k] = v
		}
		for i, part := range list {
			ps, pp := o.properties(fmt.Sprintf("%s/allOf/%d", path, i), part, depth+1)
			for k, v := range ps {
				if _, ok := merged[k]; !ok {
					merged[k] = v
					if out == nil {
						where = pp
					}
				}
			}
		}
		out = merged
	}
	return out, where
}

// deref follows $ref to a schema object.
func (o *openapi) deref(from string, schema any, depth int) map[string]any {
	s := schemaMap(schema)
	if ref, ok := s["$ref"].(string); ok && depth < 32 {
		target, tpath := o.ref(from, ref)
		return o.deref(tpath, target, depth+1)
	}
	return s
}

// ref resolves a local reference, "#/components/schemas/X", found at the
// schema at path ("" where it is not known). A reference to another file, or
// to nothing, is an error (the first is kept in o.err) and resolves to nil.
func (o *openapi) ref(from, ref string) (any, string) {
	path, local := strings.CutPrefix(ref, "#")
	var target any
	if local {
		var keys []string
		for _, k := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
			keys = append(keys, strings.ReplaceAll(strings.ReplaceAll(k, "~1", "/"), "~0", "~"))
		}
		target = at(o.doc, keys...)
	}
	if target == nil && o.err == nil {
		why := "resolves to nothing"
		if !local {
			why = "names another document, which larder-gen does not read"
		}
		where := from
		if where != "" {
			where += "/$ref"
		}
		o.err = &Error{File: o.file, Path: where, Err: fmt.Errorf("%w: $ref %q %s", ErrSyntax, ref, why)}
	}
	return target, path
}

// enum returns the single value a string schema allows (enum or const).
func (o *openapi) enum(path string, schema any) (string, bool) {
	s := o.deref(path, schema, 0)
	if c, ok := s["const"].(string); ok {
		return c, true
	}
	if list, ok := s["enum"].([]any); ok && len(list) == 1 {
		v, ok := list[0].(string)
		return v, ok
	}
	for _, key := range []string{"allOf", "oneOf"} {
		if list, ok := s[key].([]any); ok && len(list) == 1 {
			return o.enum(path, list[0])
		}
	}
	return "", false
}

func schemaMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// schemaType returns a schema's type, the first one not "null" when it
// lists several (OpenAPI 3.1).
func schemaType(s map[string]any) string {
	switch t := s["type"].(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if x, ok := x.(string); ok && x != "null" {
				return x
			}
		}
	}
	return ""
}

// at walks nested maps by key.
func at(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// escape escapes a JSON pointer token.
func escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
