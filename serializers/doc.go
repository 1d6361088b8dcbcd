// Package serializers implements store.Serializer after Ember Data's
// serializers: [JSONAPI], [REST] and [JSON].
//
// Each turns a backend's payload into a normalized JSON:API document, the form
// store.Push takes: type names singular and dasherized as registered, member
// names as the models declare them. Key mapping goes through [Keys], after
// Ember's hooks: Attrs (a member name to its payload key), KeyForAttribute,
// KeyForRelationship and ModelNameFromPayloadKey. JSONAPI dasherizes member
// names by default; REST and JSON use them as they are. A per-type hook
// (NormalizeResource, NormalizeHash) covers the rest.
//
// A serializer registered for one type (store.WithSerializerFor) normalizes that
// type's resources wherever they appear, as Ember Data normalizes each resource
// with its own type's serializer.
//
// Undeclared attributes and relationships are dropped. Payloads that break the
// format give a *store.DocumentError with the JSON pointer at fault.
package serializers
