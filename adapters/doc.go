// Package adapters implements store.Adapter over net/http: a JSON:API adapter
// and a REST adapter.
package adapters
