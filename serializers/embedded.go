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
// Writing records ("records" for Serialize) is not done yet: a save of a
// relationship set so fails with store.ErrNotSupported rather than send ids
// the server does not expect.
type Embedded struct {
	Serialize   string
	Deserialize string
}

// EmbeddedAlways is Ember's {embedded: 'always'}: records both ways.
var EmbeddedAlways = Embedded{Serialize: "records", Deserialize: "records"}

// maxEmbedDepth bounds how deep embedded records nest, so a hostile payload
// cannot recurse without end.
const maxEmbedDepth = 32

// errEmbedded is the cause of a save that would have to write embedded
// records.
var errEmbedded = fmt.Errorf("%w: writing embedded records (Embedded.Serialize \"records\")", store.ErrNotSupported)

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
