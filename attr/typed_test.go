package attr_test

import (
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/attr"
)

var typedInputs = []string{
	`"x"`, `"12"`, `"  7 "`, `""`, `"NaN"`, `"true"`, `"T"`, `"1"`, `"1971-06-22"`, `"2006-09-26T00:00:00Z"`, `"soon"`,
	`0`, `1`, `-1`, `1.5`, `1e2`, `1e400`, `127`, `128`, `-129`, `255`, `256`, `4294967296`, `99999999999999999999`, `-0.0`,
	`true`, `false`, `null`, `{}`, `[]`, `"\u00e9t\u00e9"`, `"\ud800"`,
}

// decodeBoth decodes raw into a T with the transform's codec, through Decode
// (reflection) and DecodeAt, and with the typed codec; all three must agree,
// values and errors.
func decodeBoth[T any](t *testing.T, tr attr.Transform, typed func([]byte, *T) error) {
	c, err := attr.Compile(reflect.TypeFor[T](), tr)
	require.NoError(t, err)
	for _, raw := range typedInputs {
		var viaDecode, viaAt, viaTyped T
		errDecode := c.Decode([]byte(raw), reflect.ValueOf(&viaDecode).Elem())
		errAt := c.DecodeAt([]byte(raw), unsafe.Pointer(&viaAt))
		errTyped := typed([]byte(raw), &viaTyped)
		if errDecode != nil {
			require.Error(t, errAt, raw)
			require.Error(t, errTyped, raw)
			assert.Equal(t, errDecode.Error(), errAt.Error(), raw)
			assert.Equal(t, errDecode.Error(), errTyped.Error(), raw)
			continue
		}
		require.NoError(t, errAt, raw)
		require.NoError(t, errTyped, raw)
		assert.Equal(t, viaDecode, viaAt, raw)
		assert.Equal(t, viaDecode, viaTyped, raw)
	}
}

func TestTypedCodecsAgreeWithTransforms(t *testing.T) {
	t.Run("string", func(t *testing.T) { decodeBoth(t, attr.String, attr.DecodeString[string]) })
	t.Run("boolean", func(t *testing.T) { decodeBoth(t, attr.Boolean, attr.DecodeBoolean[bool]) })
	t.Run("date", func(t *testing.T) { decodeBoth(t, attr.Date, attr.DecodeDate) })
	t.Run("int", func(t *testing.T) { decodeBoth(t, attr.Number, attr.DecodeNumber[int]) })
	t.Run("int8", func(t *testing.T) { decodeBoth(t, attr.Number, attr.DecodeNumber[int8]) })
	t.Run("uint8", func(t *testing.T) { decodeBoth(t, attr.Number, attr.DecodeNumber[uint8]) })
	t.Run("int32", func(t *testing.T) { decodeBoth(t, attr.Number, attr.DecodeNumber[int32]) })
	t.Run("uint64", func(t *testing.T) { decodeBoth(t, attr.Number, attr.DecodeNumber[uint64]) })
	t.Run("float32", func(t *testing.T) { decodeBoth(t, attr.Number, attr.DecodeNumber[float32]) })
	t.Run("float64", func(t *testing.T) { decodeBoth(t, attr.Number, attr.DecodeNumber[float64]) })
	type rating float64
	t.Run("named float", func(t *testing.T) { decodeBoth(t, attr.Number, attr.DecodeNumber[rating]) })
}

func TestTypedEncodersAgreeWithCodecs(t *testing.T) {
	enc := func(tr attr.Transform, v any) string {
		c, err := attr.Compile(reflect.TypeOf(v), tr)
		require.NoError(t, err)
		b, err := c.Encode(reflect.ValueOf(v))
		require.NoError(t, err)
		return string(b)
	}
	assert.Equal(t, enc(attr.String, "a\"b"), string(attr.EncodeString("a\"b")))
	assert.Equal(t, enc(attr.Boolean, true), string(attr.EncodeBoolean(true)))
	assert.Equal(t, enc(attr.Number, int64(-9007199254740993)), string(attr.EncodeNumber(int64(-9007199254740993))))
	assert.Equal(t, enc(attr.Number, uint16(65535)), string(attr.EncodeNumber(uint16(65535))))
	assert.Equal(t, enc(attr.Number, float32(0.1)), string(attr.EncodeNumber(float32(0.1))))
	assert.Equal(t, "null", string(attr.EncodeNumber(float64(0)/zero())))
	tm := time.Date(2006, 9, 26, 0, 0, 0, 0, time.UTC)
	b, err := attr.EncodeDate(tm)
	require.NoError(t, err)
	assert.Equal(t, enc(attr.Date, tm), string(b))
	b, err = attr.EncodeDate(time.Time{})
	require.NoError(t, err)
	assert.Equal(t, "null", string(b))
}

func zero() float64 { return 0 }
