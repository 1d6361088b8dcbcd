package serializers

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/store"
)

// NormalizeErrors implements store.ErrorNormalizer for ActiveModel-style
// error hashes (see activeModelErrors).
func (r *REST) NormalizeErrors(_ *store.Cache, _ *store.Request, status int, body []byte) []jsonapi.ErrorObject {
	return activeModelErrors(status, body)
}

// NormalizeErrors implements store.ErrorNormalizer, as REST's does.
func (j *JSON) NormalizeErrors(_ *store.Cache, _ *store.Request, status int, body []byte) []jsonapi.ErrorObject {
	return activeModelErrors(status, body)
}

// activeModelErrors reads the error hash Rails (ActiveModel) and many REST
// servers answer a failed save with, as Ember Data's RESTSerializer
// extractErrors does: {"errors": {"title": ["is too short"], "base":
// ["..."]}}, a message or a list of them per key. Each message is one error
// object pointing at its key as the server spells it, "base" (or an empty
// key) at the record (/data). A body of another shape (JSON:API's array of error objects,
// anything else) gives nil.
func activeModelErrors(status int, body []byte) []jsonapi.ErrorObject {
	var doc struct {
		Errors map[string]json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(body, &doc) != nil || len(doc.Errors) == 0 {
		return nil
	}
	var out []jsonapi.ErrorObject
	for _, key := range slices.Sorted(maps.Keys(doc.Errors)) {
		var msgs []string
		if json.Unmarshal(doc.Errors[key], &msgs) != nil {
			var one string
			if json.Unmarshal(doc.Errors[key], &one) != nil {
				continue // neither a message nor a list of them
			}
			msgs = []string{one}
		}
		pointer := jsonapi.Pointer("data", "attributes", key)
		if key == "base" || key == "" {
			pointer = "/data"
		}
		for _, m := range msgs {
			out = append(out, jsonapi.ErrorObject{
				Status: fmt.Sprint(status),
				Title:  "Invalid Attribute",
				Detail: m,
				Source: &jsonapi.ErrorSource{Pointer: pointer},
			})
		}
	}
	return out
}
