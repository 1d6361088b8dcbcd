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
