package store

import (
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/model"
)

// A Serializer turns backend payloads into normalized JSON:API documents: member
// names as the models declare them, type names as registered. It must be safe
// for concurrent use by multiple goroutines.
type Serializer interface {
	// NormalizeResponse normalizes the body of a successful response to req.
	NormalizeResponse(reg *model.Registry, req *Request, body []byte) (*jsonapi.Document, error)
}

// A PayloadNormalizer normalizes a whole payload for [Store.PushPayload], as
// Ember Data's serializer pushPayload. typ may be empty.
type PayloadNormalizer interface {
	NormalizePayload(reg *model.Registry, typ string, body []byte) (*jsonapi.Document, error)
}

// A ResourceNormalizer normalizes one resource hash of model m for
// [Store.Normalize], as Ember Data's serializer normalize(modelClass, hash).
type ResourceNormalizer interface {
	Normalize(reg *model.Registry, m *model.Model, raw []byte) (*jsonapi.Document, error)
}
