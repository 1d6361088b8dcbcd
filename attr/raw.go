package attr

import "encoding/json"

// DecodeRaw keeps raw, one JSON value, as it is: a field with no transform
// of type json.RawMessage, as generated packages declare for a schema field
// with no type. null gives nil.
func DecodeRaw(raw []byte, dst *json.RawMessage) error {
	raw = trim(raw)
	if isNull(raw) {
		*dst = nil
		return nil
	}
	*dst = append(json.RawMessage(nil), raw...)
	return nil
}

// EncodeRaw returns v, or null for a nil v.
func EncodeRaw(v json.RawMessage) []byte {
	if v == nil {
		return []byte("null")
	}
	return append([]byte(nil), v...)
}
