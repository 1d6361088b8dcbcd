// Package adapters implements store.Adapter over net/http: [JSONAPI] for JSON:API
// backends and [REST] for Ember Data's REST convention.
//
// Both take a [Config]: an injectable *http.Client, host, namespace, headers, a
// path-for-type hook and a response-size limit. They build URLs as Ember Data's
// buildURL does (host/namespace/path-for-type/id), escape ids so that no id
// leaves its path segment, put include and query parameters in the query string
// with sorted keys, and resolve relationship links by Ember's urlPrefix rules.
//
// An adapter does not interpret a response: any status comes back as a
// store.Response, and the store maps it to a typed error (404 ErrNotFound, 422
// ErrInvalid with the JSON:API error objects, and so on). Transport failures come
// back as errors, which the store classifies as ErrTimeout, ErrAborted or
// ErrAdapter. A body over the size limit is ErrResponseTooLarge.
package adapters
