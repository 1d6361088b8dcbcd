package serializers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/model"
	"github.com/larder-go/larder/relationship"
	"github.com/larder-go/larder/store"
)

// REST is Ember Data's RESTSerializer. A payload's top-level keys are type roots,
// plural or singular ({"albums": [...], "artist": {...}}); each root is
// singularized to a type name, roots of unknown types are skipped with a
// warning, and resources of the requested type are primary data while the rest
// are side-loaded into included ("_albums" forces side-loading). For requests of
// one record, the primary record is the one whose id was requested (or the first).
// A save writes each member under the key the hooks give (the member's name
// as the model declares it, unless Keys maps it). Reading is more lenient
// than Ember Data's RESTSerializer, which reads only that key: by default a
// member is also read in its other common spellings (camelCase, dasherized,
// snake_case: "song_count" fills songCount), so a Rails or Django server works
// without a mapping; [Keys].ExactKeys reads only the hooks' keys, as Ember
// does. Relationship values are ids, arrays of ids, or {"id", "type"} objects,
// and a "links" object in a hash gives relationships' related links.
//
// A mapping is still what makes a save write the server's spelling; the
// seed's per-type mapping is a few lines:
//
//	store.WithSerializerFor("album", &serializers.REST{Keys: serializers.Keys{
//		Attrs: map[string]string{"songCount": "song_count"},
//	}})
//
// The zero value is ready to use. Set the hooks before first use; a REST is then
// safe for concurrent use.
type REST struct {
	Keys
	// PrimaryKey is the id's key in a hash; empty means "id".
	PrimaryKey string
	// NormalizeHash, when set, runs on each raw hash of this serializer's types
	// before key mapping (Ember's per-type normalize hook).
	NormalizeHash func(m *model.Model, hash map[string]json.RawMessage) error

	lazy lazyMapper
}

func (r *REST) mapper() *mapper { return r.lazy.get(&r.Keys, identity) }

// single reports whether a response to req has one primary record.
func single(req *store.Request) bool {
	if req == nil {
		return false
	}
	switch req.Op {
	case store.OpFindRecord, store.OpQueryRecord, store.OpCreateRecord, store.OpUpdateRecord,
		store.OpDeleteRecord, store.OpFindBelongsTo:
		return true
	}
	return false
}

// NormalizeResponse implements store.Serializer.
func (r *REST) NormalizeResponse(s *store.Cache, req *store.Request, body []byte) (*jsonapi.Document, error) {
	var primaryType string
	if req != nil {
		primaryType = req.Type
	}
	return r.normalizeRoots(s, req, primaryType, body, false)
}

// NormalizePayload implements store.PayloadNormalizer: every root's records are
// pushed as data, as Ember Data's REST pushPayload.
func (r *REST) NormalizePayload(s *store.Cache, _ string, body []byte) (*jsonapi.Document, error) {
	return r.normalizeRoots(s, nil, "", body, true)
}

// Normalize implements store.ResourceNormalizer: raw is one hash of model m.
func (r *REST) Normalize(s *store.Cache, m *model.Model, raw []byte) (*jsonapi.Document, error) {
	c := &hashCtx{s: s, def: r}
	res, err := normalizeOwn(c, m, raw)
	if err != nil {
		return nil, err
	}
	return &jsonapi.Document{Shape: jsonapi.One, Data: []jsonapi.Resource{res}, Included: c.embedded}, nil
}

func (r *REST) normalizeRoots(s *store.Cache, req *store.Request, primaryType string, body []byte, allData bool) (*jsonapi.Document, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, &store.DocumentError{Err: fmt.Errorf("%w: %w", jsonapi.ErrSyntax, err)}
	}
	doc := &jsonapi.Document{Shape: jsonapi.Many, Data: []jsonapi.Resource{}}
	one := single(req)
	if one {
		doc.Shape = jsonapi.Null
	}
	if err := envelope(doc, top); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(top))
	for k := range top {
		keys = append(keys, k)
	}
	slices.Sort(keys) // deterministic order of side-loads
	var primaries []jsonapi.Resource
	c := &hashCtx{s: s, def: r}
	defer func() { doc.Included = append(doc.Included, c.embedded...) }()
	for _, key := range keys {
		if key == "meta" || key == "links" {
			continue
		}
		sideload := strings.HasPrefix(key, "_")
		name := r.mapper().modelName(s.Registry(), strings.TrimPrefix(key, "_"))
		m, err := s.ModelFor(name)
		if err != nil {
			s.Logger().Warn("serializers: no model for payload key", "key", key)
			continue
		}
		hashes, err := splitHashes(top[key])
		if err != nil {
			return nil, &store.DocumentError{Pointer: jsonapi.Pointer(key), Err: err}
		}
		for i, h := range hashes {
			res, err := normalizeOwn(c, m, h)
			if err != nil {
				return nil, at(err, jsonapi.Pointer(key, fmt.Sprint(i)))
			}
			switch {
			case allData:
				doc.Data = append(doc.Data, res)
			case name == primaryType && !sideload:
				primaries = append(primaries, res)
			default:
				doc.Included = append(doc.Included, res)
			}
		}
	}
	if !one {
		doc.Data = append(doc.Data, primaries...)
		return doc, nil
	}
	pick := -1
	for i, p := range primaries {
		if req.ID == "" || p.ID == req.ID {
			pick = i
			break
		}
	}
	for i, p := range primaries {
		if i == pick {
			doc.Shape, doc.Data = jsonapi.One, []jsonapi.Resource{p}
		} else {
			doc.Included = append(doc.Included, p)
		}
	}
	if doc.Shape == jsonapi.Null {
		doc.Data = nil
	}
	return doc, nil
}

// envelope moves a payload's meta and links into the document.
func envelope(doc *jsonapi.Document, top map[string]json.RawMessage) error {
	if raw, ok := top["meta"]; ok {
		var m jsonapi.Meta
		if err := json.Unmarshal(raw, &m); err != nil {
			return &store.DocumentError{Pointer: "/meta", Err: fmt.Errorf("%w: %w", jsonapi.ErrType, err)}
		}
		doc.Meta = m
	}
	if raw, ok := top["links"]; ok {
		var l map[string]string
		if err := json.Unmarshal(raw, &l); err != nil {
			return &store.DocumentError{Pointer: "/links", Err: fmt.Errorf("%w: %w", jsonapi.ErrType, err)}
		}
		doc.Links = jsonapi.Links{}
		for k, v := range l {
			doc.Links[k] = &jsonapi.Link{Href: v}
		}
	}
	return nil
}

// splitHashes returns the hashes of a root: an object or an array of objects.
// A null root holds none, as Ember reads {"album": null}: no record.
func splitHashes(raw json.RawMessage) ([]json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return nil, nil
	}
	if len(raw) > 0 && raw[0] == '[' {
		var hs []json.RawMessage
		if err := json.Unmarshal(raw, &hs); err != nil {
			return nil, fmt.Errorf("%w: %w", jsonapi.ErrType, err)
		}
		return hs, nil
	}
	if len(raw) > 0 && raw[0] == '{' {
		return []json.RawMessage{raw}, nil
	}
	return nil, fmt.Errorf("%w: want an object or an array of objects", jsonapi.ErrType)
}

// hashNormalizer is implemented by the REST and JSON serializers.
type hashNormalizer interface {
	normalizeHash(c *hashCtx, m *model.Model, raw []byte) (jsonapi.Resource, error)
}

// A hashCtx is what normalizing one payload's hashes shares: the store, the
// serializer that reads the payload, and the records embedded in its hashes
// (see embedded.go), which go to the document's included.
type hashCtx struct {
	s        *store.Cache
	def      hashNormalizer
	embedded []jsonapi.Resource
	depth    int
}

// normalizeOwn normalizes a hash with its type's own serializer when that reads
// hashes, else with the payload's.
func normalizeOwn(c *hashCtx, m *model.Model, raw []byte) (jsonapi.Resource, error) {
	if own, ok := c.s.SerializerFor(m.Name).(hashNormalizer); ok {
		return own.normalizeHash(c, m, raw)
	}
	return c.def.normalizeHash(c, m, raw)
}

func (r *REST) normalizeHash(c *hashCtx, m *model.Model, raw []byte) (jsonapi.Resource, error) {
	return normalizeHash(c, r.mapper(), r.PrimaryKey, r.NormalizeHash, m, raw)
}

// normalizeHash turns one REST/JSON hash into a resource, as Ember Data's
// JSONSerializer normalize: the id from the primary key, declared attributes and
// relationships by their mapped keys, and links.
func normalizeHash(c *hashCtx, mp *mapper, primaryKey string, hook func(*model.Model, map[string]json.RawMessage) error, m *model.Model, raw []byte) (jsonapi.Resource, error) {
	var hash map[string]json.RawMessage
	if err := json.Unmarshal(raw, &hash); err != nil {
		return jsonapi.Resource{}, &store.DocumentError{Err: fmt.Errorf("%w: %w", jsonapi.ErrType, err)}
	}
	if hook != nil {
		if err := hook(m, hash); err != nil {
			return jsonapi.Resource{}, &store.DocumentError{Err: err}
		}
	}
	if primaryKey == "" {
		primaryKey = "id"
	}
	res := jsonapi.Resource{Type: m.Name, Attributes: map[string]json.RawMessage{}, Relationships: map[string]*jsonapi.Relationship{}}
	if v, ok := hash[primaryKey]; ok {
		id, err := scalarID(v)
		if err != nil {
			return res, &store.DocumentError{Pointer: jsonapi.Pointer(primaryKey), Err: err}
		}
		res.ID = id
	}
	mm := mp.members(m)
	learning := mm.learned.unknown()
	for key, v := range hash {
		if i, ok := mm.attrs[key]; ok {
			res.Attributes[m.Attributes[i].Name] = v
			if learning {
				mm.learned.learnKey(key, m.Attributes[i].Name)
			}
		}
	}
	var links map[string]string
	if v, ok := hash["links"]; ok {
		if err := json.Unmarshal(v, &links); err != nil {
			return res, &store.DocumentError{Pointer: "/links", Err: fmt.Errorf("%w: %w", jsonapi.ErrType, err)}
		}
	}
	for key, i := range mm.rels {
		info := &m.Rels[i]
		name := info.Name
		rel := &jsonapi.Relationship{}
		if href, ok := links[key]; ok {
			rel.Links = jsonapi.Links{"related": {Href: href}}
		}
		if v, ok := hash[key]; ok {
			var polyType string
			if t, ok := hash[key+"Type"]; ok {
				_ = json.Unmarshal(t, &polyType)
			}
			var err error
			if mp.keys.Embedded[name].Deserialize == "records" {
				err = embeddedLinkage(c, mp, info, v, rel)
			} else {
				err = linkage(c.s.Registry(), mp, info, v, polyType, rel)
			}
			if err != nil {
				return res, at(err, jsonapi.Pointer(key))
			}
		}
		if rel.Shape != jsonapi.Absent || rel.Links != nil {
			res.Relationships[name] = rel
		}
	}
	// Keys that match nothing go on as attributes under their own names, for
	// the store to log and ignore; a declared name the hooks do not read
	// (ExactKeys) must not reach the store, where it would be read.
	for key, v := range hash {
		if key == primaryKey || key == "links" {
			continue
		}
		if _, ok := mm.attrs[key]; ok {
			continue
		}
		if _, ok := mm.rels[key]; ok {
			continue
		}
		if _, ok := mm.rels[strings.TrimSuffix(key, "Type")]; ok && strings.HasSuffix(key, "Type") {
			continue
		}
		if m.AttributeIndex(key) >= 0 || m.RelationshipIndex(key) >= 0 {
			continue
		}
		res.Attributes[key] = v
	}
	return res, nil
}

// linkage reads a relationship value: null, an id, an {"id", "type"} object, or
// an array of either.
func linkage(reg *model.Registry, mp *mapper, info *model.RelInfo, v json.RawMessage, polyType string, rel *jsonapi.Relationship) error {
	v = bytes.TrimSpace(v)
	target := ""
	if info.Target != nil {
		target = info.Target.Name
	}
	ident := func(raw json.RawMessage) (jsonapi.Identifier, error) {
		raw = bytes.TrimSpace(raw)
		if len(raw) > 0 && raw[0] == '{' {
			var o struct {
				ID   json.RawMessage `json:"id"`
				Type string          `json:"type"`
			}
			if err := json.Unmarshal(raw, &o); err != nil {
				return jsonapi.Identifier{}, fmt.Errorf("%w: %w", jsonapi.ErrType, err)
			}
			id, err := scalarID(o.ID)
			t := target
			if o.Type != "" {
				t = mp.modelName(reg, o.Type)
			}
			return jsonapi.Identifier{Type: t, ID: id}, err
		}
		id, err := scalarID(raw)
		t := target
		if polyType != "" {
			t = mp.modelName(reg, polyType)
		}
		return jsonapi.Identifier{Type: t, ID: id}, err
	}
	return readRelationship(info, v, ident, rel)
}

// readRelationship reads a relationship value, null, one item or an array of
// items, with item reading each; an error in the n'th item of an array
// points at it.
func readRelationship(info *model.RelInfo, v json.RawMessage, item func(json.RawMessage) (jsonapi.Identifier, error), rel *jsonapi.Relationship) error {
	v = bytes.TrimSpace(v)
	switch {
	case string(v) == "null":
		rel.Shape = jsonapi.Null
		if info.Kind == relationship.KindHasMany {
			rel.Shape = jsonapi.Many
		}
	case len(v) > 0 && v[0] == '[':
		if info.Kind != relationship.KindHasMany {
			return fmt.Errorf("%w: belongsTo %q needs one member or null", store.ErrShape, info.Name)
		}
		var items []json.RawMessage
		if err := json.Unmarshal(v, &items); err != nil {
			return fmt.Errorf("%w: %w", jsonapi.ErrType, err)
		}
		rel.Shape, rel.Data = jsonapi.Many, make([]jsonapi.Identifier, 0, len(items))
		for i, it := range items {
			id, err := item(it)
			if err != nil {
				return at(err, "/"+strconv.Itoa(i))
			}
			rel.Data = append(rel.Data, id)
		}
	default:
		if info.Kind == relationship.KindHasMany {
			return fmt.Errorf("%w: hasMany %q needs an array", store.ErrShape, info.Name)
		}
		id, err := item(v)
		if err != nil {
			return err
		}
		rel.Shape, rel.Data = jsonapi.One, []jsonapi.Identifier{id}
	}
	return nil
}

// scalarID reads an id given as a string or an integer.
func scalarID(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	var s string
	if len(raw) > 0 && raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("%w: %w", jsonapi.ErrType, err)
		}
		return s, nil
	}
	var n json.Number
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&n); err != nil || strings.ContainsAny(string(n), ".eE") {
		return "", fmt.Errorf("%w: an id must be a string or an integer, have %.20s", jsonapi.ErrType, raw)
	}
	return string(n), nil
}

// JSON is Ember Data's JSONSerializer: a payload is one hash, or an array of
// hashes, of the requested type, with no root key and no side-loading. It
// cannot normalize whole payloads, so [store.Cache.PushPayload] with it is
// store.ErrNotSupported, as Ember Data asserts.
//
// The zero value is ready to use. Set the hooks before first use; a JSON is then
// safe for concurrent use.
type JSON struct {
	Keys
	PrimaryKey    string
	NormalizeHash func(m *model.Model, hash map[string]json.RawMessage) error

	lazy lazyMapper
}

func (j *JSON) mapper() *mapper { return j.lazy.get(&j.Keys, identity) }

func (j *JSON) normalizeHash(c *hashCtx, m *model.Model, raw []byte) (jsonapi.Resource, error) {
	return normalizeHash(c, j.mapper(), j.PrimaryKey, j.NormalizeHash, m, raw)
}

// NormalizeResponse implements store.Serializer.
func (j *JSON) NormalizeResponse(s *store.Cache, req *store.Request, body []byte) (*jsonapi.Document, error) {
	if req == nil || req.Model == nil {
		return nil, &store.DocumentError{Err: fmt.Errorf("%w: the JSON serializer needs the request's model", store.ErrNotSupported)}
	}
	hashes, err := splitHashes(body)
	if err != nil {
		return nil, &store.DocumentError{Err: err}
	}
	doc := &jsonapi.Document{Shape: jsonapi.Many, Data: make([]jsonapi.Resource, 0, len(hashes))}
	c := &hashCtx{s: s, def: j}
	defer func() { doc.Included = append(doc.Included, c.embedded...) }()
	for i, h := range hashes {
		res, err := normalizeOwn(c, req.Model, h)
		if err != nil {
			return nil, at(err, "/"+fmt.Sprint(i))
		}
		doc.Data = append(doc.Data, res)
	}
	if single(req) {
		if len(doc.Data) != 1 {
			return nil, &store.DocumentError{Err: fmt.Errorf("%w: want one record, have %d", store.ErrShape, len(doc.Data))}
		}
		doc.Shape = jsonapi.One
	}
	return doc, nil
}

// Normalize implements store.ResourceNormalizer.
func (j *JSON) Normalize(s *store.Cache, m *model.Model, raw []byte) (*jsonapi.Document, error) {
	c := &hashCtx{s: s, def: j}
	res, err := normalizeOwn(c, m, raw)
	if err != nil {
		return nil, err
	}
	return &jsonapi.Document{Shape: jsonapi.One, Data: []jsonapi.Resource{res}, Included: c.embedded}, nil
}

var (
	_ store.Serializer         = (*REST)(nil)
	_ store.PayloadNormalizer  = (*REST)(nil)
	_ store.ResourceNormalizer = (*REST)(nil)
	_ store.Serializer         = (*JSON)(nil)
	_ store.ResourceNormalizer = (*JSON)(nil)
)
