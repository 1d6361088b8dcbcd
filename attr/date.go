package attr

import (
	"reflect"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// compileDate is Ember's date transform for time.Time fields.
func compileDate(t reflect.Type) (*Codec, error) {
	if t != timeType {
		return nil, unsupported("date", t)
	}
	return &Codec{
		typ: t,
		decode: func(raw []byte, dst reflect.Value) error {
			return dateAt(raw, dst.Addr().UnsafePointer())
		},
		at:     dateAt,
		encode: func(src reflect.Value) ([]byte, error) { return EncodeDate(src.Interface().(time.Time)) },
	}, nil
}

// dateAt decodes a date into the time.Time at p.
func dateAt(raw []byte, p unsafe.Pointer) error {
	tm, err := dateOf(raw)
	if err == nil {
		*(*time.Time)(p) = tm
	}
	return err
}

// dateOf reads a date: a string ParseDate reads, or epoch milliseconds.
func dateOf(raw []byte) (time.Time, error) {
	switch c := raw[0]; {
	case c == '"':
		s, err := unquote(raw)
		if err != nil {
			return time.Time{}, err
		}
		tm, err := ParseDate(s)
		if err != nil {
			return time.Time{}, &DecodeError{Err: err}
		}
		return tm, nil
	case c == '-' || ('0' <= c && c <= '9'):
		ms, err := strconv.ParseFloat(string(raw), 64)
		if err != nil || ms > maxEpochMillis || ms < -maxEpochMillis {
			return time.Time{}, &DecodeError{Err: ErrRange}
		}
		return time.UnixMilli(int64(ms)).UTC(), nil
	}
	return time.Time{}, &DecodeError{Err: ErrType}
}

// maxEpochMillis is JavaScript's Date range: ±8.64e15 ms.
const maxEpochMillis = 8.64e15

// ParseDate reads the date strings Ember's date transform accepts: RFC 3339 with
// any fraction and offset, ISO 8601 with a "+HHMM" offset or no offset (UTC), and
// a bare "YYYY-MM-DD" date (UTC midnight).
func ParseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	// "+HHMM" or "-HHMM" offset: Ember fixes it up to "+HH:MM".
	if n := len(s); n > 5 && (s[n-5] == '+' || s[n-5] == '-') && isDigits(s[n-4:]) {
		if t, err := time.Parse(time.RFC3339Nano, s[:n-2]+":"+s[n-2:]); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	// Lower-case separators are legal in RFC 3339.
	if u := strings.ToUpper(s); u != s {
		return ParseDate(u)
	}
	return time.Time{}, &DecodeError{Err: ErrDate, Value: excerpt([]byte(s))}
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
