// Package attr decodes and encodes model attributes: the built-in transforms
// "string", "number", "boolean" and "date", custom transforms, and strict decoding
// by Go type when no transform is named.
//
// A [Codec] is compiled once per struct field from its Go type and transform, and
// then decodes raw JSON values straight into the field. An explicit JSON null and
// an absent key stay distinct: the store calls a codec only for keys that are
// present, and null sets the field to its zero value (nil for pointers, maps,
// slices and interfaces).
//
// # Without a transform
//
// A field whose tag names no transform is decoded strictly by its Go type: a JSON
// string into a string kind, a number into a numeric kind, true or false into a
// bool. Anything else is a *[DecodeError] wrapping [ErrType]. Integers never pass
// through float64: 9007199254740993 stays exact, a fraction into an integer is
// [ErrFraction], and a value out of range is [ErrRange]. time.Time fields use the
// "date" transform. Types implementing [encoding/json.Unmarshaler] or
// [encoding.TextUnmarshaler] decode themselves; slices, maps, structs and
// interfaces decode through encoding/json with UseNumber, so numbers inside them
// stay exact ([encoding/json.Number]).
//
// # Built-in transforms
//
// They follow Ember Data's transforms:
//
//	string   null -> zero value; a string as is; a number or boolean as its text.
//	number   null or "" -> zero; a number, or a string holding one; NaN and ±Inf
//	         -> zero. Integer fields keep Ember's errors-free reading but not its
//	         precision loss: a fraction or an out-of-range value is an error.
//	boolean  true/false as is; a string matching (true|t|1), case-insensitive, is
//	         true; the number 1 is true; anything else is false; null -> zero.
//	date     RFC 3339 with offsets and fractions; ISO 8601 "+HHMM" offsets and
//	         "YYYY-MM-DD" dates; a number is epoch milliseconds; null -> zero.
//	         A value of any other JSON type (an object, an array, a boolean) is
//	         ErrType: Ember's transform reads it as null, but a date field that
//	         silently becomes the zero time is a worse failure in Go than a
//	         push refused with the JSON pointer of the bad value.
//
// On a pointer field, null gives nil; the transform applies to the pointee.
//
// # Custom transforms
//
// [Func] builds a [Transform] from a decode and an encode function over one Go
// type; register it on a store by name (store.WithTransform) and name it in a tag:
//
//	Price Money `attr:"price,money"`
package attr
