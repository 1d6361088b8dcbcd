package attr_test

import (
	"encoding/json"
	"errors"
	"math"
	"net/netip"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/attr"
)

// decode compiles a codec for T with tr and decodes raw into a fresh T.
func decode[T any](t *testing.T, tr attr.Transform, raw string) (T, error) {
	t.Helper()
	c, err := attr.Compile(reflect.TypeFor[T](), tr)
	require.NoError(t, err)
	var v T
	err = c.Decode([]byte(raw), reflect.ValueOf(&v).Elem())
	return v, err
}

type genre string

func TestStrict(t *testing.T) {
	t.Run("string", func(t *testing.T) {
		v, err := decode[string](t, nil, `"Fewer Moving Parts"`)
		require.NoError(t, err)
		assert.Equal(t, "Fewer Moving Parts", v)
		v, err = decode[string](t, nil, `"esc\n\u00e9"`)
		require.NoError(t, err)
		assert.Equal(t, "esc\né", v)
		g, err := decode[genre](t, nil, `"folk"`)
		require.NoError(t, err)
		assert.Equal(t, genre("folk"), g)
		_, err = decode[string](t, nil, `5`)
		assert.ErrorIs(t, err, attr.ErrType)
	})
	t.Run("int64 exact", func(t *testing.T) {
		v, err := decode[int64](t, nil, `9007199254740993`)
		require.NoError(t, err)
		assert.Equal(t, int64(9007199254740993), v)
		v, err = decode[int64](t, nil, `-9223372036854775808`)
		require.NoError(t, err)
		assert.Equal(t, int64(math.MinInt64), v)
	})
	t.Run("integral forms", func(t *testing.T) {
		v, err := decode[int](t, nil, `1.0`)
		require.NoError(t, err)
		assert.Equal(t, 1, v)
		v, err = decode[int](t, nil, `12e2`)
		require.NoError(t, err)
		assert.Equal(t, 1200, v)
		u, err := decode[uint64](t, nil, `18446744073709551615`)
		require.NoError(t, err)
		assert.Equal(t, uint64(math.MaxUint64), u)
	})
	t.Run("float", func(t *testing.T) {
		f, err := decode[float64](t, nil, `4.5`)
		require.NoError(t, err)
		assert.Equal(t, 4.5, f)
		f32, err := decode[float32](t, nil, `1.25`)
		require.NoError(t, err)
		assert.Equal(t, float32(1.25), f32)
	})
	t.Run("bool", func(t *testing.T) {
		b, err := decode[bool](t, nil, `true`)
		require.NoError(t, err)
		assert.True(t, b)
		_, err = decode[bool](t, nil, `"true"`)
		assert.ErrorIs(t, err, attr.ErrType)
	})
	t.Run("null zeroes", func(t *testing.T) {
		c, err := attr.Compile(reflect.TypeFor[string](), nil)
		require.NoError(t, err)
		v := "old"
		require.NoError(t, c.Decode([]byte(`null`), reflect.ValueOf(&v).Elem()))
		assert.Equal(t, "", v)
	})
	t.Run("pointer", func(t *testing.T) {
		p, err := decode[*int](t, nil, `7`)
		require.NoError(t, err)
		require.NotNil(t, p)
		assert.Equal(t, 7, *p)
		p, err = decode[*int](t, nil, `null`)
		require.NoError(t, err)
		assert.Nil(t, p)
	})
	t.Run("composites keep numbers exact", func(t *testing.T) {
		m, err := decode[map[string]any](t, nil, `{"n":9007199254740993,"s":["a"]}`)
		require.NoError(t, err)
		assert.Equal(t, json.Number("9007199254740993"), m["n"])
		s, err := decode[[]int](t, nil, `[1,2,3]`)
		require.NoError(t, err)
		assert.Equal(t, []int{1, 2, 3}, s)
		type point struct{ X, Y int }
		pt, err := decode[point](t, nil, `{"X":1,"Y":2}`)
		require.NoError(t, err)
		assert.Equal(t, point{1, 2}, pt)
		_, err = decode[[]int](t, nil, `{"a":1}`)
		assert.ErrorIs(t, err, attr.ErrType)
	})
	t.Run("json.RawMessage and Unmarshaler", func(t *testing.T) {
		r, err := decode[json.RawMessage](t, nil, `{"a": [1]}`)
		require.NoError(t, err)
		assert.JSONEq(t, `{"a":[1]}`, string(r))
	})
	t.Run("TextUnmarshaler", func(t *testing.T) {
		a, err := decode[netip.Addr](t, nil, `"192.0.2.1"`)
		require.NoError(t, err)
		assert.Equal(t, netip.MustParseAddr("192.0.2.1"), a)
		_, err = decode[netip.Addr](t, nil, `"nope"`)
		assert.Error(t, err)
		_, err = decode[netip.Addr](t, nil, `5`)
		assert.ErrorIs(t, err, attr.ErrType)
	})
	t.Run("time uses date", func(t *testing.T) {
		tm, err := decode[time.Time](t, nil, `"2006-09-26T10:00:00+02:00"`)
		require.NoError(t, err)
		assert.True(t, tm.Equal(time.Date(2006, 9, 26, 8, 0, 0, 0, time.UTC)))
	})
}

func TestNumberErrors(t *testing.T) {
	tests := []struct {
		name string
		typ  reflect.Type
		raw  string
		cond error
	}{
		{"fraction into int", reflect.TypeFor[int](), `10.5`, attr.ErrFraction},
		{"int8 overflow", reflect.TypeFor[int8](), `128`, attr.ErrRange},
		{"int64 overflow", reflect.TypeFor[int64](), `9223372036854775808`, attr.ErrRange},
		{"negative uint", reflect.TypeFor[uint](), `-1`, attr.ErrRange},
		{"uint8 overflow by exponent", reflect.TypeFor[uint8](), `3e2`, attr.ErrRange},
		{"huge exponent", reflect.TypeFor[int](), `1e1000000000`, attr.ErrRange},
		{"float overflow", reflect.TypeFor[float64](), `1e400`, attr.ErrRange},
		{"float32 overflow", reflect.TypeFor[float32](), `1e39`, attr.ErrRange},
		{"string into int", reflect.TypeFor[int](), `"5"`, attr.ErrType},
		{"bool into int", reflect.TypeFor[int](), `true`, attr.ErrType},
		{"object into float", reflect.TypeFor[float64](), `{}`, attr.ErrType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := attr.Compile(tt.typ, nil)
			require.NoError(t, err)
			dst := reflect.New(tt.typ).Elem()
			err = c.Decode([]byte(tt.raw), dst)
			assert.ErrorIs(t, err, tt.cond)
			var de *attr.DecodeError
			require.True(t, errors.As(err, &de))
			assert.Equal(t, tt.typ, de.Type)
			assert.True(t, dst.IsZero(), "a failed decode leaves the field untouched")
		})
	}
}

func TestStringTransform(t *testing.T) {
	tests := []struct{ raw, want string }{
		{`"x"`, "x"}, {`5`, "5"}, {`1.50`, "1.50"}, {`true`, "true"}, {`null`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			v, err := decode[string](t, attr.String, tt.raw)
			require.NoError(t, err)
			assert.Equal(t, tt.want, v)
		})
	}
	_, err := decode[string](t, attr.String, `[1]`)
	assert.ErrorIs(t, err, attr.ErrType)
}

func TestNumberTransform(t *testing.T) {
	tests := []struct {
		raw  string
		want float64
	}{
		{`5`, 5}, {`"5.5"`, 5.5}, {`""`, 0}, {`"NaN"`, 0}, {`"Infinity"`, 0}, {`null`, 0}, {`" 7 "`, 7},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			v, err := decode[float64](t, attr.Number, tt.raw)
			require.NoError(t, err)
			assert.Equal(t, tt.want, v)
		})
	}
	n, err := decode[int64](t, attr.Number, `"9007199254740993"`)
	require.NoError(t, err)
	assert.Equal(t, int64(9007199254740993), n)
	_, err = decode[int](t, attr.Number, `"abc"`)
	assert.ErrorIs(t, err, attr.ErrType)
	_, err = decode[int](t, attr.Number, `"1.5"`)
	assert.ErrorIs(t, err, attr.ErrFraction)
	p, err := decode[*float64](t, attr.Number, `null`)
	require.NoError(t, err)
	assert.Nil(t, p)
}

func TestBooleanTransform(t *testing.T) {
	tests := []struct {
		raw  string
		want bool
	}{
		{`true`, true}, {`false`, false}, {`"true"`, true}, {`"T"`, true}, {`"1"`, true}, {`"TRUE"`, true},
		{`"yes"`, false}, {`"0"`, false}, {`1`, true}, {`1.0`, true}, {`2`, false}, {`0`, false}, {`{}`, false}, {`null`, false},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			v, err := decode[bool](t, attr.Boolean, tt.raw)
			require.NoError(t, err)
			assert.Equal(t, tt.want, v)
		})
	}
	p, err := decode[*bool](t, attr.Boolean, `null`)
	require.NoError(t, err)
	assert.Nil(t, p, "allowNull: a pointer field keeps null")
}

func TestDateTransform(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	tests := []struct {
		raw  string
		want time.Time
	}{
		{`"2006-09-26T00:00:00Z"`, utc(2006, 9, 26, 0, 0, 0, 0)},
		{`"2006-09-26T02:00:00+02:00"`, utc(2006, 9, 26, 0, 0, 0, 0)},
		{`"2006-09-26T02:00:00.123456789+02:00"`, utc(2006, 9, 26, 0, 0, 0, 123456789)},
		{`"2006-09-26T02:00:00+0200"`, utc(2006, 9, 26, 0, 0, 0, 0)},
		{`"2006-09-25T19:30:00.5-0430"`, utc(2006, 9, 26, 0, 0, 0, 500000000)},
		{`"2006-09-26t00:00:00z"`, utc(2006, 9, 26, 0, 0, 0, 0)},
		{`"2006-09-26"`, utc(2006, 9, 26, 0, 0, 0, 0)},
		{`"2006-09-26T10:20:30"`, utc(2006, 9, 26, 10, 20, 30, 0)},
		{`1159228800000`, utc(2006, 9, 26, 0, 0, 0, 0)},
		{`-1000`, utc(1969, 12, 31, 23, 59, 59, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			v, err := decode[time.Time](t, attr.Date, tt.raw)
			require.NoError(t, err)
			assert.True(t, tt.want.Equal(v), "got %v want %v", v, tt.want)
		})
	}
	for _, bad := range []string{`"yesterday"`, `"2006-13-01"`, `true`, `1e300`, `{}`} {
		t.Run("bad "+bad, func(t *testing.T) {
			_, err := decode[time.Time](t, attr.Date, bad)
			var de *attr.DecodeError
			assert.True(t, errors.As(err, &de), "err = %v", err)
		})
	}
	// Larder's documented choice: where Ember reads null, a value of another
	// JSON type is a type error.
	for _, other := range []string{`{"at":"2006-01-02"}`, `["2006-01-02"]`, `false`} {
		t.Run("other type "+other, func(t *testing.T) {
			_, err := decode[time.Time](t, attr.Date, other)
			assert.ErrorIs(t, err, attr.ErrType)
		})
	}
	p, err := decode[*time.Time](t, attr.Date, `null`)
	require.NoError(t, err)
	assert.Nil(t, p)
}

func TestTransformRejectsWrongType(t *testing.T) {
	tests := []struct {
		tr  attr.Transform
		typ reflect.Type
	}{
		{attr.String, reflect.TypeFor[int]()},
		{attr.Number, reflect.TypeFor[string]()},
		{attr.Boolean, reflect.TypeFor[int]()},
		{attr.Date, reflect.TypeFor[string]()},
	}
	for _, tt := range tests {
		t.Run(tt.tr.Name()+" "+tt.typ.String(), func(t *testing.T) {
			_, err := attr.Compile(tt.typ, tt.tr)
			assert.Error(t, err)
		})
	}
	_, err := attr.Compile(reflect.TypeFor[chan int](), nil)
	assert.Error(t, err)
}

type money struct{ cents int64 }

func moneyTransform() attr.Transform {
	return attr.Func("money",
		func(raw []byte) (money, error) {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return money{}, err
			}
			f, err := strconv.ParseFloat(s, 64)
			return money{int64(math.Round(f * 100))}, err
		},
		func(m money) ([]byte, error) {
			return json.Marshal(strconv.FormatFloat(float64(m.cents)/100, 'f', 2, 64))
		})
}

func TestFuncTransform(t *testing.T) {
	tr := moneyTransform()
	assert.Equal(t, "money", tr.Name())
	m, err := decode[money](t, tr, `"12.34"`)
	require.NoError(t, err)
	assert.Equal(t, money{1234}, m)
	p, err := decode[*money](t, tr, `"1.00"`)
	require.NoError(t, err)
	assert.Equal(t, money{100}, *p)
	_, err = decode[money](t, tr, `5`)
	var de *attr.DecodeError
	require.True(t, errors.As(err, &de))
	assert.Equal(t, "money", de.Transform)

	c, err := attr.Compile(reflect.TypeFor[money](), tr)
	require.NoError(t, err)
	out, err := c.Encode(reflect.ValueOf(money{250}))
	require.NoError(t, err)
	assert.Equal(t, `"2.50"`, string(out))
	_, err = attr.Compile(reflect.TypeFor[string](), tr)
	assert.Error(t, err, "a Func transform fills only its own type")
}

func TestEncode(t *testing.T) {
	tests := []struct {
		name string
		v    any
		tr   attr.Transform
		want string
	}{
		{"string", "a\"b", nil, `"a\"b"`},
		{"int", int64(-9007199254740993), nil, `-9007199254740993`},
		{"uint", uint8(200), nil, `200`},
		{"float", 4.5, nil, `4.5`},
		{"float32", float32(0.1), nil, `0.1`},
		{"nan", math.NaN(), attr.Number, `null`},
		{"bool", true, nil, `true`},
		{"date", time.Date(2006, 9, 26, 0, 0, 0, 0, time.UTC), nil, `"2006-09-26T00:00:00Z"`},
		{"zero date", time.Time{}, nil, `null`},
		{"nil pointer", (*int)(nil), nil, `null`},
		{"slice", []int{1, 2}, nil, `[1,2]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := attr.Compile(reflect.TypeOf(tt.v), tt.tr)
			require.NoError(t, err)
			out, err := c.Encode(reflect.ValueOf(tt.v))
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(out))
		})
	}
}

func TestErrorMessage(t *testing.T) {
	_, err := decode[int](t, nil, `"`+string(make([]byte, 100))+`"`)
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 120, "hostile values are cut short in messages")
	_, err = decode[int](t, attr.Number, `1.5`)
	assert.Equal(t, "attr: cannot decode 1.5 into int (number): fraction in integer", err.Error())
}

// FuzzCodec checks that no codec panics on any JSON value and that a failed
// decode leaves its field untouched.
func FuzzCodec(f *testing.F) {
	for _, s := range []string{`1`, `-0.5e3`, `"x"`, `true`, `null`, `[1,"a"]`, `{"a":1}`, `"2006-09-26T00:00:00+0200"`, `1e999`} {
		f.Add([]byte(s))
	}
	types := []reflect.Type{reflect.TypeFor[string](), reflect.TypeFor[int8](), reflect.TypeFor[int64](), reflect.TypeFor[uint32](),
		reflect.TypeFor[float32](), reflect.TypeFor[bool](), reflect.TypeFor[time.Time](), reflect.TypeFor[*int](),
		reflect.TypeFor[map[string]any](), reflect.TypeFor[[]string](), reflect.TypeFor[netip.Addr]()}
	transforms := []attr.Transform{nil, attr.String, attr.Number, attr.Boolean, attr.Date}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !json.Valid(raw) {
			return
		}
		for _, typ := range types {
			for _, tr := range transforms {
				c, err := attr.Compile(typ, tr)
				if err != nil {
					continue
				}
				dst := reflect.New(typ).Elem()
				if err := c.Decode(raw, dst); err != nil && !dst.IsZero() {
					t.Fatalf("%s/%v: failed decode of %q changed the field", typ, tr, raw)
				}
			}
		}
	})
}
