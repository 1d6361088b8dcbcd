// Package jsonapi reads and writes JSON:API 1.1 documents: [Document], [Resource],
// [Identifier], [Relationship], [Links], [Meta] and [ErrorObject].
//
// It handles document syntax only and knows nothing of models or the store.
//
// # Decoding
//
// [Decode] validates a document's structure while it parses it, in one pass over
// the bytes, and reports the first violation as a *[DecodeError] whose Pointer is
// an RFC 6901 JSON pointer:
//
//	jsonapi: /data/0/relationships/artist/data/type: missing
//
// Attribute and meta values stay raw JSON ([encoding/json.RawMessage]), so an
// explicit null and an absent key remain distinct and numbers keep their exact
// text; typed decoding belongs to package attr. Nesting is bounded, so hostile
// input cannot exhaust the stack. The scanner in scan.go is the only code in larder
// that reads JSON syntax: a faster reader can replace it there alone.
//
// # Encoding
//
// [Encode] is deterministic: members come in a fixed order and map keys are
// sorted, so equal documents give equal bytes (golden files stay stable).
//
// # github.com/google/jsonapi
//
// [FromNode], [ToNode], [FromOnePayload], [FromManyPayload], [ToOnePayload],
// [ToManyPayload], [FromErrorObject] and [ToErrorObject] convert to and from that
// package's wire types without its reflection codec, which overflows the stack on
// cyclic included resources and loses integer precision.
package jsonapi
