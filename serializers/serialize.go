package serializers

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/model"
	"github.com/larder-go/larder/relationship"
	"github.com/larder-go/larder/store"
)

// The write direction. The store hands a serializer the record a save sends,
// normalized (member names as the model declares them, attribute values
// through their transforms); the serializer maps keys with the same hooks it
// reads with, leaves out members Keys.Omit names, and wraps the record in its
// payload form.

// omitted reports whether Keys.Omit names a member.
func (k *Keys) omitted(name string) bool { return slices.Contains(k.Omit, name) }

// SerializeRecord implements store.RecordSerializer: {"data": resource}, with
// member names through KeyForAttribute and KeyForRelationship (dasherized by
// default), and types through PayloadKeyFromModelName (pluralized, as Ember
// Data's JSONAPISerializer: "album" -> "albums").
func (j *JSONAPI) SerializeRecord(s *store.Cache, _ *store.Request, res *jsonapi.Resource) ([]byte, error) {
	mp := j.mapper()
	mm := j.membersOf(s, res.Type)
	out := jsonapi.Resource{Type: j.payloadType(s, res.Type), ID: res.ID, LID: res.LID}
	if res.Attributes != nil {
		out.Attributes = make(map[string]json.RawMessage, len(res.Attributes))
		for name, v := range res.Attributes {
			if !j.omitted(name) {
				out.Attributes[mp.writeKey(mm, name, false)] = v
			}
		}
	}
	for name, rel := range res.Relationships {
		if j.omitted(name) {
			continue
		}
		if out.Relationships == nil {
			out.Relationships = map[string]*jsonapi.Relationship{}
		}
		r := &jsonapi.Relationship{Shape: rel.Shape, Data: make([]jsonapi.Identifier, len(rel.Data))}
		for i, id := range rel.Data {
			r.Data[i] = jsonapi.Identifier{Type: j.payloadType(s, id.Type), ID: id.ID, LID: id.LID}
		}
		out.Relationships[mp.writeKey(mm, name, true)] = r
	}
	return jsonapi.Encode(&jsonapi.Document{Shape: jsonapi.One, Data: []jsonapi.Resource{out}})
}

// membersOf returns the member map of the model a type name names, or nil
// (without a store, or for a type it does not know).
func (j *JSONAPI) membersOf(s *store.Cache, typ string) *memberMap {
	if s == nil {
		return nil
	}
	m, err := s.ModelFor(typ)
	if err != nil {
		return nil
	}
	return j.ownMapper(s, typ).members(m)
}

// ownMapper is the mapper of the type's own serializer when that is a
// JSONAPI (which read its resources), else j's.
func (j *JSONAPI) ownMapper(s *store.Cache, typ string) *mapper {
	if own, ok := s.SerializerFor(typ).(*JSONAPI); ok {
		return own.mapper()
	}
	return j.mapper()
}

// payloadType is the type a save writes: the hook's, else the spelling the
// server was read in, else the plural, dasherized name.
func (j *JSONAPI) payloadType(s *store.Cache, name string) string {
	if j.PayloadKeyFromModelName != nil {
		return j.PayloadKeyFromModelName(name)
	}
	if mm := j.membersOf(s, name); mm != nil {
		if t := mm.learned.typ.Load(); t != nil {
			return *t
		}
	}
	return model.Pluralize(model.Dasherize(name))
}

// MemberName implements store.MemberResolver: a key as this serializer reads
// it, in any spelling it accepts.
func (j *JSONAPI) MemberName(m *model.Model, key string) (string, bool) {
	return memberName(j.mapper(), m, key)
}

// SerializeRecord implements store.RecordSerializer: {"<root>": hash}, the
// root being PayloadKeyFromModelName of the type (camelized by default, as
// Ember Data's RESTSerializer: "blog-post" -> "blogPost"). An update's hash
// has no id, as Ember's REST adapter sends it.
func (r *REST) SerializeRecord(s *store.Cache, req *store.Request, res *jsonapi.Resource) ([]byte, error) {
	root := model.Camelize(res.Type)
	if r.PayloadKeyFromModelName != nil {
		root = r.PayloadKeyFromModelName(res.Type)
	}
	hash, err := hashOf(r.mapper(), &r.Keys, r.PrimaryKey, s, req, res)
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{root: hash})
}

// MemberName implements store.MemberResolver.
func (r *REST) MemberName(m *model.Model, key string) (string, bool) {
	return memberName(r.mapper(), m, key)
}

// SerializeRecord implements store.RecordSerializer: the hash alone, as the
// REST serializer writes it without a root.
func (j *JSON) SerializeRecord(s *store.Cache, req *store.Request, res *jsonapi.Resource) ([]byte, error) {
	hash, err := hashOf(j.mapper(), &j.Keys, j.PrimaryKey, s, req, res)
	if err != nil {
		return nil, err
	}
	return json.Marshal(hash)
}

// MemberName implements store.MemberResolver.
func (j *JSON) MemberName(m *model.Model, key string) (string, bool) {
	return memberName(j.mapper(), m, key)
}

// hashOf writes a record as Ember Data's JSONSerializer serialize does: the
// id (on create only), attributes by key, a belongsTo as its id or null (and
// "<key>Type" for a polymorphic one), a hasMany as an array of ids.
func hashOf(mp *mapper, k *Keys, primaryKey string, s *store.Cache, req *store.Request, res *jsonapi.Resource) (map[string]json.RawMessage, error) {
	return writeHash(mp, k, primaryKey, s, req, res, 0)
}

// writeHash is hashOf for a record embedded depth levels deep.
func writeHash(mp *mapper, k *Keys, primaryKey string, s *store.Cache, req *store.Request, res *jsonapi.Resource, depth int) (map[string]json.RawMessage, error) {
	hash := map[string]json.RawMessage{}
	if primaryKey == "" {
		primaryKey = "id"
	}
	if res.ID != "" && (req == nil || req.Op != store.OpUpdateRecord) {
		hash[primaryKey], _ = json.Marshal(res.ID)
	}
	var m *model.Model
	if req != nil {
		m = req.Model
	}
	var mm *memberMap // what reading taught of the server's spelling
	if m != nil {
		mm = mp.members(m)
	}
	for name, v := range res.Attributes {
		if !k.omitted(name) {
			hash[mp.writeKey(mm, name, false)] = v
		}
	}
	for name, rel := range res.Relationships {
		if k.omitted(name) {
			continue
		}
		key := mp.writeKey(mm, name, true)
		switch k.Embedded[name].Serialize {
		case "false":
			continue
		case "records":
			v, err := embedRecords(s, m, name, rel, depth)
			if err != nil {
				return nil, fmt.Errorf("serializers: %s.%s: %w", res.Type, name, err)
			}
			hash[key] = v
			continue
		}
		if rel.Shape == jsonapi.Many {
			ids := make([]string, len(rel.Data))
			for i, id := range rel.Data {
				ids[i] = id.ID
			}
			hash[key], _ = json.Marshal(ids)
			continue
		}
		if len(rel.Data) == 0 {
			hash[key] = json.RawMessage("null")
			continue
		}
		hash[key], _ = json.Marshal(rel.Data[0].ID)
		if m != nil {
			if info, ok := m.Relationship(name); ok && (info.Polymorphic || info.Target.Kind() == reflect.Interface) &&
				info.Kind == relationship.KindBelongsTo {
				hash[key+"Type"], _ = json.Marshal(model.Camelize(rel.Data[0].Type))
			}
		}
	}
	return hash, nil
}

// memberName maps a payload key to a member name with a serializer's mapper.
func memberName(mp *mapper, m *model.Model, key string) (string, bool) {
	mm := mp.members(m)
	if i, ok := mm.attrs[key]; ok {
		return m.Attributes[i].Name, true
	}
	if i, ok := mm.rels[key]; ok {
		return m.Relationships[i].Name, true
	}
	return "", false
}

var (
	_ store.RecordSerializer = (*JSONAPI)(nil)
	_ store.RecordSerializer = (*REST)(nil)
	_ store.RecordSerializer = (*JSON)(nil)
	_ store.MemberResolver   = (*JSONAPI)(nil)
	_ store.MemberResolver   = (*REST)(nil)
	_ store.MemberResolver   = (*JSON)(nil)
)
