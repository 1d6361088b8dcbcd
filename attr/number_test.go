package attr_test

import (
	"encoding/json"
	"errors"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/attr"
)

// intOracle is what exact decoding must give, computed with big.Rat (fine for
// short inputs): the integer, or the error.
func intOracle(text string) (int64, error) {
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		return 0, attr.ErrSyntax
	}
	if !r.IsInt() {
		return 0, attr.ErrFraction
	}
	if !r.Num().IsInt64() {
		return 0, attr.ErrRange
	}
	return r.Num().Int64(), nil
}

func TestIntegerDecodingAgreesWithBigRat(t *testing.T) {
	inputs := []string{
		"0", "-0", "0.0", "-0.0e5", "1.0", "1.50", "1.5e1", "15e-1", "150e-1", "1500e-2", "0.0015e4",
		"1e3", "1E+3", "-1e0", "12.5e1", "0.000e99999", "1e-1", "10e-1", "100e-3", "001.100e1",
		"9223372036854775807.0", "9223372036854775808.0", "-9223372036854775808.0", "-9223372036854775809e0",
		"92233720368547758.07e2", "922337203685477580.8e1", "1e18", "1e19", "1e20", "1e21", "0.1e20",
		"123456789012345678901234567890e-10", "5e-324", "1.000000000000000000000000001",
	}
	c, err := attr.Compile(reflect.TypeFor[int64](), nil)
	require.NoError(t, err)
	for _, in := range inputs {
		t.Run(in, func(t *testing.T) {
			var got int64
			err := c.Decode([]byte(in), reflect.ValueOf(&got).Elem())
			want, werr := intOracle(in)
			if werr != nil {
				assert.ErrorIs(t, err, werr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

// Hostile literals fail (or succeed) in time linear in their length: these
// took seconds to minutes through big.Rat. The sizes are large enough that a
// quadratic or big-number path would not finish within the test timeout.
func TestHostileNumbersFailFast(t *testing.T) {
	const n = 32 << 20 // a 32 MiB body of digits
	digits := strings.Repeat("7", n)
	zeros := strings.Repeat("0", n)
	tests := []struct {
		name string
		typ  reflect.Type
		raw  string
		want error
	}{
		{"integer digits", reflect.TypeFor[int](), digits, attr.ErrRange},
		{"integer digits, fraction", reflect.TypeFor[int](), digits + ".5", attr.ErrFraction},
		{"integer digits, .0", reflect.TypeFor[int](), digits + ".0", attr.ErrRange},
		{"one, then zeros of fraction", reflect.TypeFor[int](), "1." + zeros, nil},
		{"fraction digits", reflect.TypeFor[int](), "0." + digits, attr.ErrFraction},
		{"negative exponent eats digits", reflect.TypeFor[int](), digits + "e-33554431", attr.ErrFraction},
		{"exponent of many digits", reflect.TypeFor[int](), "1e" + digits, attr.ErrRange},
		{"uint digits", reflect.TypeFor[uint64](), digits + "e0", attr.ErrRange},
		{"float digits", reflect.TypeFor[float64](), digits, attr.ErrRange},
		{"float fraction digits", reflect.TypeFor[float64](), "0." + digits, nil},
		{"string of digits", reflect.TypeFor[int](), `"` + digits + `.5"`, attr.ErrType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := attr.Compile(tt.typ, attr.Builtins()["number"])
			if tt.raw[0] == '"' {
				c, err = attr.Compile(tt.typ, nil) // strict: a string is a type error
			}
			require.NoError(t, err)
			v := reflect.New(tt.typ).Elem()
			err = c.Decode([]byte(tt.raw), v)
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

func BenchmarkHostileNumber(b *testing.B) {
	raw := []byte(strings.Repeat("7", 32<<20) + ".5")
	c, err := attr.Compile(reflect.TypeFor[int](), nil)
	require.NoError(b, err)
	var v int
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if err := c.Decode(raw, reflect.ValueOf(&v).Elem()); err == nil {
			b.Fatal("decoded")
		}
	}
}

// FuzzExactInteger checks integer decoding against big.Rat on every number
// literal the fuzzer finds (short ones: big.Rat is the slow path it replaced).
func FuzzExactInteger(f *testing.F) {
	for _, s := range []string{"0", "-0.0", "1.5e1", "1e19", "9223372036854775807.0", "12.50e-1", "0.000e99", "1E+2"} {
		f.Add(s)
	}
	c, err := attr.Compile(reflect.TypeFor[int64](), nil)
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 64 || !json.Valid([]byte(s)) || s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
			return
		}
		var got int64
		err := c.Decode([]byte(s), reflect.ValueOf(&got).Elem())
		want, werr := intOracle(strings.TrimSpace(s)) // JSON allows the space; big.Rat does not
		if werr == attr.ErrSyntax {
			// big.Rat refuses huge exponents that are valid JSON. Zero times
			// any power of ten is zero; anything else is out of range or a
			// fraction.
			mant, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "e")
			if strings.Trim(mant, "-0.") == "" {
				if err != nil || got != 0 {
					t.Fatalf("%s: got %v, %v; want 0", s, got, err)
				}
			} else if err == nil {
				t.Fatalf("%s: got %v; want an error", s, got)
			}
			return
		}
		if werr != nil {
			if !errors.Is(err, werr) {
				t.Fatalf("%s: got %v, %v; want error %v", s, got, err, werr)
			}
			return
		}
		if err != nil || got != want {
			t.Fatalf("%s: got %v, %v; want %v", s, got, err, want)
		}
	})
}
