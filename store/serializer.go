package store

import (
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/model"
)

// A Serializer turns backend payloads into normalized JSON:API documents: member
// names as the models declare them, type names as registered. It must be safe
// for concurrent use by multiple goroutines. The store passes itself so a
// serializer can find models ([Cache.ModelFor]) and the serializer of each type
// ([Cache.SerializerFor]), as Ember's JSON:API serializer normalizes each
// resource with its own type's serializer.
type Serializer interface {
	// NormalizeResponse normalizes the body of a successful response to req.
	NormalizeResponse(s *Cache, req *Request, body []byte) (*jsonapi.Document, error)
}

// A PayloadNormalizer normalizes a whole payload for [Cache.PushPayload], as
// Ember Data's serializer pushPayload. typ may be empty.
type PayloadNormalizer interface {
	NormalizePayload(s *Cache, typ string, body []byte) (*jsonapi.Document, error)
}

// A ResourceNormalizer normalizes one resource hash of model m for
// [Cache.Normalize], as Ember Data's serializer normalize(modelClass, hash).
type ResourceNormalizer interface {
	Normalize(s *Cache, m *model.Model, raw []byte) (*jsonapi.Document, error)
}

// A RecordSerializer writes the body of a save, as Ember Data's serializer
// serialize and serializeIntoHash. res is the record as the store sends it,
// normalized: member names as the model declares them, attribute values
// already through their transforms' serialize direction, and only the members
// the save sends (see [Ref.Save]). A serializer maps keys and types and wraps
// the resource in its payload form; it may leave members out but must not add
// any. Without one, the store sends {"data": res} as JSON:API.
type RecordSerializer interface {
	SerializeRecord(s *Cache, req *Request, res *jsonapi.Resource) ([]byte, error)
}

// An ErrorNormalizer is a Serializer that reads failure bodies in its
// backend's own shape, as Ember Data's serializer extractErrors: a REST
// server answers a 422 with an ActiveModel-style hash, {"errors": {"title":
// ["is too short"]}}. It returns the error objects, with source pointers
// whose member keys may be spelled as the backend spells them (a
// MemberResolver maps them to the model's names), or nil when the body is
// not in its shape: the store then reads JSON:API error objects, or keeps
// the body as one error.
type ErrorNormalizer interface {
	NormalizeErrors(s *Cache, req *Request, status int, body []byte) []jsonapi.ErrorObject
}

// A RelationshipSender is a RecordSerializer that writes relationships a
// save leaves out by default: a one-to-many's hasMany, saved from its
// belongsTo side, that the server takes embedded in the parent (Ember Data's
// EmbeddedRecordsMixin serialize option). A save sends relationship name of
// model m when SendsRelationship says so.
type RelationshipSender interface {
	SendsRelationship(m *model.Model, name string) bool
}

// A MemberResolver maps a member's key as the backend spells it ("song_count")
// to the model's member name ("songCount"), the way the serializer reads
// payloads. The store uses it for the source pointers of a failed save's
// errors, as Ember Data's serializer extractErrors, so errors are reported
// under the model's names.
type MemberResolver interface {
	MemberName(m *model.Model, key string) (string, bool)
}
