package serializers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/model"
	"github.com/larder-go/larder/store"
)

// Embedded is how one relationship's records travel in its parent's hash,
// as Ember Data's EmbeddedRecordsMixin options: Deserialize "records" reads
// the related records' own hashes where their ids would be ({"comments":
// [{"id": "1", "body": "..."}]}), pushes each as a record of its own (with
// its inverse, as the store's graph keeps it) and keeps their identifiers in
// the relationship; a hash of a polymorphic relationship names its type in
// "type". Serialize "false" leaves the relationship out of a save. The
// default, "ids", is what a serializer does without the option. Records
// embedded in embedded records are read by their own type's options, to a
// depth of 32.
//
// Serialize "records" writes each related record's whole hash, its id
// included (and its type, for a polymorphic relationship), as the record's
// own serializer writes it, in place of its id: the store sends such a
// relationship even when it is a one-to-many's hasMany, which it otherwise
// leaves to the belongsTo side (an update sends it when it changed, or
// always with store.WithFullUpdates, as Ember's REST adapter sends whole
// records). A related record that is not loaded cannot
// be written (store.ErrNotLoaded).
type Embedded struct {
	Serialize   string
	Deserialize string
}

// EmbeddedAlways is Ember's {embedded: 'always'}: records both ways.
var EmbeddedAlways = Embedded{Serialize: "records", Deserialize: "records"}

// maxEmbedDepth bounds how deep embedded records nest, so a hostile payload
// cannot recurse without end.
const maxEmbedDepth = 32

// embedRecords writes the records of relationship name of m, embedded:
// an array of hashes for a hasMany, a hash or null for a belongsTo.
func embedRecords(s *store.Cache, m *model.Model, name string, rel *jsonapi.Relationship, depth int) (json.RawMessage, error) {
	if depth >= maxEmbedDepth {
		return nil, fmt.Errorf("%w: embedded records nest deeper than %d", store.ErrNotSupported, maxEmbedDepth)
	}
	polymorphic := false
	if m != nil {
		if i := m.RelationshipIndex(name); i >= 0 {
			polymorphic = m.Rels[i].Polymorphic || m.Rels[i].Target == nil
		}
	}
	hashes := make([]map[string]json.RawMessage, 0, len(rel.Data))
	for _, y := range rel.Data {
		snap, ok := s.Snapshot(y.Type, y.ID)
		if !ok {
			return nil, fmt.Errorf("embedded %s %q: %w", y.Type, y.ID, store.ErrNotLoaded)
		}
		cm, err := s.ModelFor(y.Type)
		if err != nil {
			return nil, err
		}
		mp, keys, pk := writerOf(s.SerializerFor(y.Type))
		h, err := writeHash(mp, keys, pk, s, &store.Request{Op: store.OpCreateRecord, Type: y.Type, Model: cm}, snap, depth+1)
		if err != nil {
			return nil, err
		}
		if polymorphic {
			h["type"], _ = json.Marshal(model.Camelize(y.Type))
		}
		hashes = append(hashes, h)
	}
	if rel.Shape == jsonapi.Many {
		return json.Marshal(hashes)
	}
	if len(hashes) == 0 {
		return json.RawMessage("null"), nil
	}
	return json.Marshal(hashes[0])
}

// writerOf returns what writes a type's hash: its serializer's keys when it
// is a REST or JSON serializer, else a REST serializer's defaults.
func writerOf(sz store.Serializer) (*mapper, *Keys, string) {
	switch x := sz.(type) {
	case *REST:
		return x.mapper(), &x.Keys, x.PrimaryKey
	case *JSON:
		return x.mapper(), &x.Keys, x.PrimaryKey
	}
	var r REST
	return r.mapper(), &r.Keys, ""
}

// SendsRelationship implements store.RelationshipSender: a relationship
// whose records are embedded, or written as ids on purpose, is sent whatever
// its kind.
func (r *REST) SendsRelationship(_ *model.Model, name string) bool { return r.Keys.sendsEmbedded(name) }

// SendsRelationship implements store.RelationshipSender, as REST's does.
func (j *JSON) SendsRelationship(_ *model.Model, name string) bool { return j.Keys.sendsEmbedded(name) }

func (k *Keys) sendsEmbedded(name string) bool {
	switch k.Embedded[name].Serialize {
	case "records", "ids":
		return true
	}
	return false
}

// embeddedLinkage reads a relationship whose records are embedded: null, a
// hash or an id, or an array of them. Each hash is normalized by its type's
// serializer and added to c's embedded records; the relationship keeps
// their identifiers.
func embeddedLinkage(c *hashCtx, mp *mapper, info *model.RelInfo, v json.RawMessage, rel *jsonapi.Relationship) error {
	v = bytes.TrimSpace(v)
	if c.depth >= maxEmbedDepth {
		return &store.DocumentError{Err: fmt.Errorf("%w: embedded records nest deeper than %d", jsonapi.ErrType, maxEmbedDepth)}
	}
	one := func(raw json.RawMessage) (jsonapi.Identifier, error) {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 || raw[0] != '{' {
			// An id among the hashes, as the default reads it.
			var r jsonapi.Relationship
			if err := linkage(c.s.Registry(), mp, info, raw, "", &r); err != nil || len(r.Data) != 1 {
				return jsonapi.Identifier{}, errors.Join(err, fmt.Errorf("%w: want an embedded record or an id", jsonapi.ErrType))
			}
			return r.Data[0], nil
		}
		m := info.Target
		var head struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			return jsonapi.Identifier{}, fmt.Errorf("%w: %w", jsonapi.ErrType, err)
		}
		if head.Type != "" || m == nil {
			var ok bool
			if m, ok = c.s.Registry().TypeFor(head.Type); !ok || !accepts(info, m) {
				return jsonapi.Identifier{}, &store.DocumentError{Pointer: "/type", Err: fmt.Errorf("%w: %q cannot hold %q", store.ErrTypeMismatch, info.Name, head.Type)}
			}
		}
		// The record goes before those embedded in it, as Ember orders them.
		slot := len(c.embedded)
		c.embedded = append(c.embedded, jsonapi.Resource{})
		c.depth++
		res, err := normalizeOwn(c, m, raw)
		c.depth--
		if err != nil {
			return jsonapi.Identifier{}, err
		}
		if res.ID == "" {
			return jsonapi.Identifier{}, &store.DocumentError{Err: fmt.Errorf("%w: an embedded record needs an id", store.ErrMissingID)}
		}
		c.embedded[slot] = res
		return jsonapi.Identifier{Type: m.Name, ID: res.ID}, nil
	}
	return readRelationship(info, v, one, rel)
}

// accepts reports whether a relationship can hold records of model m.
func accepts(info *model.RelInfo, m *model.Model) bool {
	_, ok := info.Accept(m.Name)
	return ok
}
