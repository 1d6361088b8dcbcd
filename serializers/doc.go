// Package serializers implements store.Serializer: JSON:API, REST and JSON
// serializers with Ember Data's key-mapping hooks.
package serializers
