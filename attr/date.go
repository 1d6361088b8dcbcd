package attr

import (
	"reflect"
	"strconv"
	"strings"
	"time"
)

// compileDate is Ember's date transform for time.Time fields.
func compileDate(t reflect.Type) (*Codec, error) {
	if t != timeType {
		return nil, unsupported("date", t)
	}
	return &Codec{
		typ: t,
		decode: func(raw []byte, dst reflect.Value) error {
			var tm time.Time
			switch c := raw[0]; {
			case c == '"':
				s, err := unquote(raw)
				if err != nil {
					return err
				}
				if tm, err = ParseDate(s); err != nil {
					return &DecodeError{Err: err}
				}
			case c == '-' || ('0' <= c && c <= '9'):
				ms, err := strconv.ParseFloat(string(raw), 64)
				if err != nil || ms > maxEpochMillis || ms < -maxEpochMillis {
					return &DecodeError{Err: ErrRange}
				}
				tm = time.UnixMilli(int64(ms)).UTC()
			default:
				return &DecodeError{Err: ErrType}
			}
			*(*time.Time)(dst.Addr().UnsafePointer()) = tm
			return nil
		},
		encode: func(src reflect.Value) ([]byte, error) {
			tm := src.Interface().(time.Time)
			if tm.IsZero() {
				return []byte("null"), nil
			}
			return tm.MarshalJSON()
		},
	}, nil
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
