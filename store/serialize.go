package store

import (
	"encoding/json"
	"errors"

	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/relationship"
)

// WithFullUpdates makes a save of an existing record send every attribute and
// every relationship it may send, as Ember Data's serializers do, rather than
// only those that changed (the default, Ember Data 5.x's serializePatch).
func WithFullUpdates() Option {
	return optionFunc(func(o *options) { o.fullUpdates = true })
}

// snapshot builds the resource a save of r sends, normalized (the model's
// member names, attribute values through their transforms):
//
//   - a create sends the lid, the id when the record has one, every attribute
//     and every relationship below;
//   - an update sends the attributes that differ from the remote value and the
//     relationships below that changed, or all of them with [WithFullUpdates];
//   - belongsTo relationships are sent, and hasMany relationships only when
//     their inverse is a hasMany or there is none (Ember's manyToMany and
//     manyToNone): a one-to-many is saved from its belongsTo side;
//   - members not yet saved (no id) are left out of a hasMany, and a belongsTo
//     pointing at one is not sent at all.
func (s *Cache) snapshot(tc *typeCache, r *record, op Op, st *recordState) (*jsonapi.Resource, error) {
	m := tc.model
	res := &jsonapi.Resource{Type: m.Name, ID: st.id, Attributes: map[string]json.RawMessage{}}
	if op == OpCreateRecord {
		res.LID = r.lid
	}
	all := op == OpCreateRecord || s.opts.fullUpdates
	remote := tc.remoteOf(st)
	v := reflectAt(tc, st.value)
	for i := range tc.fields.attrs {
		if !all && tc.fields.attrs[i].eq(st.value, remote) {
			continue
		}
		raw, err := tc.encodeAttr(v, i)
		if err != nil {
			return nil, &DocumentError{Pointer: "/data/attributes/" + escape(m.Attributes[i].Name), Err: err}
		}
		res.Attributes[m.Attributes[i].Name] = raw
	}
	for i := range tc.fields.rels {
		f := &tc.fields.rels[i]
		info := &m.Rels[i]
		if !sendsRel(tc, i) && !s.serializerSends(tc, info.Name) {
			continue
		}
		if !all && f.eq(st.value, remote) {
			continue
		}
		rel := s.linkage(relAt(f, st.value))
		if rel == nil {
			continue
		}
		if res.Relationships == nil {
			res.Relationships = map[string]*jsonapi.Relationship{}
		}
		res.Relationships[info.Name] = rel
	}
	return res, nil
}

// serializerSends asks the type's serializer, when it is a
// RelationshipSender, whether a save sends a relationship the store leaves
// out by default; a panic is no, and is reported.
func (s *Cache) serializerSends(tc *typeCache, name string) (ok bool) {
	rs, is := tc.writer.(RelationshipSender)
	if !is {
		return false
	}
	defer func() {
		if v := recover(); v != nil {
			ok = false
			s.reportBackground(pluginError(&Request{Op: OpUpdateRecord, Type: tc.model.Name}, rs, "serializer", recovered(v)))
		}
	}()
	return rs.SendsRelationship(tc.model, name)
}

// Snapshot returns the loaded record of a type with the given id as a save
// of it would describe it whole: every attribute, and the relationships a
// create sends, with member names as the model declares them. It is for
// serializers that write related records inside their parent's payload
// (embedded records), and false when the record is not loaded.
func (s *Cache) Snapshot(typ, id string) (*jsonapi.Resource, bool) {
	tc, err := s.typeCacheFor(typ)
	if err != nil {
		return nil, false
	}
	r, st := tc.find(id)
	if !st.loaded() {
		return nil, false
	}
	res, err := s.snapshot(tc, r, OpCreateRecord, st)
	if err != nil {
		return nil, false
	}
	res.LID = ""
	return res, true
}

// linkage returns a relationship's linkage as a save sends it, or nil when it
// is not sent: unknown linkage, or a belongsTo to a record not yet saved.
// Members named only by lid get their record's id when it has one by now.
func (s *Cache) linkage(st *relationship.State) *jsonapi.Relationship {
	if !st.HasLinkage() {
		return nil
	}
	ids := make([]jsonapi.Identifier, 0, st.Len())
	for i := range st.Len() {
		id := st.At(i)
		id.ID = s.savedID(id)
		if id.ID == "" {
			if st.Kind() == relationship.KindBelongsTo {
				return nil
			}
			continue
		}
		ids = append(ids, jsonapi.Identifier{Type: id.Type, ID: id.ID})
	}
	if st.Kind() == relationship.KindHasMany {
		return &jsonapi.Relationship{Shape: jsonapi.Many, Data: ids}
	}
	if len(ids) == 0 {
		return &jsonapi.Relationship{Shape: jsonapi.Null}
	}
	return &jsonapi.Relationship{Shape: jsonapi.One, Data: ids}
}

// sendsRel reports whether a save sends relationship i of the type: every
// belongsTo, and a hasMany whose inverse is a hasMany or that has none (Ember's
// manyToMany and manyToNone); a one-to-many is saved from its belongsTo side.
func sendsRel(tc *typeCache, i int) bool {
	info := &tc.model.Rels[i]
	if info.Kind != relationship.KindHasMany {
		return true
	}
	if info.InverseIndex >= 0 {
		return info.InverseModel.Rels[info.InverseIndex].Kind == relationship.KindHasMany
	}
	// A polymorphic to-many has an inverse per member model: it is a
	// one-to-many, saved from the other side, when every member model has
	// one and each is a to-one.
	if len(info.Inverses) == 0 {
		return true
	}
	for k, j := range info.Inverses {
		if j < 0 || info.Accepts[k].Rels[j].Kind == relationship.KindHasMany {
			return true
		}
	}
	return false
}

// savedID returns the id of the record a member names: its own, or that of
// the record its lid names once the server gave it one; "" for a record not
// saved yet.
func (s *Cache) savedID(id jsonapi.Identifier) string {
	if id.ID != "" {
		return id.ID
	}
	if tc, err := s.typeCacheFor(id.Type); err == nil {
		if r := tc.getLID(id.LID); r != nil {
			return tc.load(r).id
		}
	}
	return ""
}

// serializeRecord writes a save's body with the type's serializer when it is
// a RecordSerializer, else as a JSON:API document.
func (s *Cache) serializeRecord(tc *typeCache, req *Request, res *jsonapi.Resource) (body []byte, err error) {
	sz := tc.writer
	if sz == nil {
		return jsonapi.Encode(&jsonapi.Document{Shape: jsonapi.One, Data: []jsonapi.Resource{*res}})
	}
	defer func() {
		if v := recover(); v != nil {
			body, err = nil, pluginError(req, sz, "serializer", recovered(v))
		}
	}()
	body, err = sz.SerializeRecord(s, req, res)
	if err != nil {
		return nil, pluginError(req, sz, "serializer", err)
	}
	if len(body) == 0 {
		return nil, pluginError(req, sz, "serializer", errors.New("wrote an empty body"))
	}
	return body, nil
}
