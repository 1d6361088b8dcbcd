package jsonapi

import (
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds nesting inside free-form values (attributes, meta), so hostile
// input cannot exhaust the stack.
const maxDepth = 512

// scanner is a recursive-descent reader over one JSON text. It is the only place
// in larder that reads JSON syntax, so a faster reader can replace it alone.
type scanner struct {
	data []byte
	pos  int
	// names interns type strings and member names, which repeat across resources.
	names map[string]string
	last  string // the last interned name: types repeat in runs
	// ids and idBuf are scratch space for a linkage array: its identifiers and the
	// bytes of their ids, copied out at exact size once the array ends.
	ids   []Identifier
	idBuf []byte
	idEnd []int
	rel   Relationship // a relationship being read, handed to a ResourceVisitor
}

func (s *scanner) syntax(detail string) error {
	return &DecodeError{Offset: s.pos, Err: ErrSyntax, Detail: detail}
}

func (s *scanner) typeErr(want string) error {
	if s.pos < len(s.data) {
		switch c := s.data[s.pos]; {
		case c == '{', c == '[', c == '"', c == 't', c == 'f', c == 'n', c == '-', '0' <= c && c <= '9':
		default:
			return s.syntax(fmt.Sprintf("invalid character %q", c))
		}
	}
	return &DecodeError{Offset: s.pos, Err: ErrType, Detail: "want " + want + ", have " + s.kind()}
}

// kind names the JSON type of the value at the current position.
func (s *scanner) kind() string {
	if s.pos >= len(s.data) {
		return "end of input"
	}
	switch s.data[s.pos] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

func (s *scanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte, or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.pos >= len(s.data) {
		return 0
	}
	return s.data[s.pos]
}

func (s *scanner) literal(lit string) error {
	if len(s.data)-s.pos < len(lit) || string(s.data[s.pos:s.pos+len(lit)]) != lit {
		return s.syntax("invalid literal")
	}
	s.pos += len(lit)
	return nil
}

// object consumes '{' or reports a type error.
func (s *scanner) object() error {
	if s.peek() != '{' {
		return s.typeErr("object")
	}
	s.pos++
	return nil
}

// array consumes '[' or reports a type error.
func (s *scanner) array() error {
	if s.peek() != '[' {
		return s.typeErr("array")
	}
	s.pos++
	return nil
}

// member reads the next object member's key and the colon after it. It returns
// ok=false at the closing brace. first must start true and is updated.
func (s *scanner) member(first *bool) (key []byte, ok bool, err error) {
	c := s.peek()
	if c == '}' {
		s.pos++
		return nil, false, nil
	}
	if !*first {
		if c != ',' {
			return nil, false, s.syntax("expected ',' or '}'")
		}
		s.pos++
		c = s.peek()
	}
	*first = false
	if c != '"' {
		return nil, false, s.syntax("expected string key")
	}
	key, err = s.stringBytes()
	if err != nil {
		return nil, false, err
	}
	if s.peek() != ':' {
		return nil, false, s.syntax("expected ':'")
	}
	s.pos++
	return key, true, nil
}

// element reports whether another array element follows, consuming the comma.
func (s *scanner) element(first *bool) (bool, error) {
	c := s.peek()
	if c == ']' {
		s.pos++
		return false, nil
	}
	if !*first {
		if c != ',' {
			return false, s.syntax("expected ',' or ']'")
		}
		s.pos++
		if s.peek() == ']' {
			return false, s.syntax("trailing comma")
		}
	}
	*first = false
	return true, nil
}

// str reads a string value as a new Go string.
func (s *scanner) str() (string, error) {
	if s.peek() != '"' {
		return "", s.typeErr("string")
	}
	b, err := s.stringBytes()
	return string(b), err
}

// name reads a string value and interns it.
func (s *scanner) name() (string, error) {
	if s.peek() != '"' {
		return "", s.typeErr("string")
	}
	b, err := s.stringBytes()
	if err != nil {
		return "", err
	}
	return s.intern(b), nil
}

func (s *scanner) intern(b []byte) string {
	if s.last == string(b) {
		return s.last
	}
	if v, ok := s.names[string(b)]; ok {
		s.last = v
		return v
	}
	if s.names == nil {
		s.names = make(map[string]string, 16)
	}
	v := string(b)
	s.names[v] = v
	s.last = v
	return v
}

// stringBytes reads a string starting at '"' and returns its unescaped bytes. The
// result aliases the input when the string needs no unescaping.
func (s *scanner) stringBytes() ([]byte, error) {
	start := s.pos + 1
	i := start
	for i < len(s.data) {
		c := s.data[i]
		switch {
		case c == '"':
			s.pos = i + 1
			return s.data[start:i], nil
		case c == '\\' || c < 0x20 || c >= utf8.RuneSelf:
			return s.slowString(start)
		}
		i++
	}
	s.pos = len(s.data)
	return nil, s.syntax("unterminated string")
}

// slowString unescapes a string with escapes or non-ASCII bytes. Invalid UTF-8
// becomes U+FFFD, as encoding/json does.
func (s *scanner) slowString(start int) ([]byte, error) {
	out := make([]byte, 0, 32)
	i := start
	for i < len(s.data) {
		c := s.data[i]
		switch {
		case c == '"':
			s.pos = i + 1
			return out, nil
		case c < 0x20:
			s.pos = i
			return nil, s.syntax("control character in string")
		case c == '\\':
			if i+1 >= len(s.data) {
				s.pos = i
				return nil, s.syntax("unterminated escape")
			}
			switch e := s.data[i+1]; e {
			case '"', '\\', '/':
				out = append(out, e)
				i += 2
			case 'b':
				out = append(out, '\b')
				i += 2
			case 'f':
				out = append(out, '\f')
				i += 2
			case 'n':
				out = append(out, '\n')
				i += 2
			case 'r':
				out = append(out, '\r')
				i += 2
			case 't':
				out = append(out, '\t')
				i += 2
			case 'u':
				r, ok := hex4(s.data, i+2)
				if !ok {
					s.pos = i
					return nil, s.syntax("invalid \\u escape")
				}
				i += 6
				if utf16.IsSurrogate(r) {
					r2, ok2 := rune(-1), false
					if i+1 < len(s.data) && s.data[i] == '\\' && s.data[i+1] == 'u' {
						r2, ok2 = hex4(s.data, i+2)
					}
					if dec := utf16.DecodeRune(r, r2); ok2 && dec != utf8.RuneError {
						r = dec
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				out = utf8.AppendRune(out, r)
			default:
				s.pos = i
				return nil, s.syntax("invalid escape")
			}
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(s.data[i:])
			if r == utf8.RuneError && size == 1 {
				out = utf8.AppendRune(out, utf8.RuneError)
			} else {
				out = append(out, s.data[i:i+size]...)
			}
			i += size
		}
	}
	s.pos = len(s.data)
	return nil, s.syntax("unterminated string")
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number validates a JSON number and returns its text.
func (s *scanner) number() ([]byte, error) {
	start := s.pos
	i := s.pos
	d := s.data
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && '1' <= d[i] && d[i] <= '9':
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
	default:
		s.pos = i
		return nil, s.syntax("invalid number")
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			s.pos = i
			return nil, s.syntax("invalid number")
		}
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			s.pos = i
			return nil, s.syntax("invalid number")
		}
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
	}
	s.pos = i
	return d[start:i], nil
}

// value skips one JSON value of any kind and returns its raw bytes, which alias
// the input.
func (s *scanner) value(depth int) ([]byte, error) {
	c := s.peek()
	start := s.pos
	switch c {
	case '{':
		if depth >= maxDepth {
			return nil, &DecodeError{Offset: s.pos, Err: ErrTooDeep}
		}
		s.pos++
		first := true
		for {
			key, ok, err := s.member(&first)
			if err != nil {
				return nil, err
			}
			if !ok {
				break
			}
			if _, err := s.value(depth + 1); err != nil {
				return nil, at(err, string(key))
			}
		}
	case '[':
		if depth >= maxDepth {
			return nil, &DecodeError{Offset: s.pos, Err: ErrTooDeep}
		}
		s.pos++
		first := true
		for n := 0; ; n++ {
			more, err := s.element(&first)
			if err != nil {
				return nil, err
			}
			if !more {
				break
			}
			if _, err := s.value(depth + 1); err != nil {
				return nil, atIndex(err, n)
			}
		}
	case '"':
		if _, err := s.stringBytes(); err != nil {
			return nil, err
		}
	case 't':
		if err := s.literal("true"); err != nil {
			return nil, err
		}
	case 'f':
		if err := s.literal("false"); err != nil {
			return nil, err
		}
	case 'n':
		if err := s.literal("null"); err != nil {
			return nil, err
		}
	case 0:
		return nil, s.syntax("unexpected end of input")
	default:
		if _, err := s.number(); err != nil {
			return nil, err
		}
	}
	return s.data[start:s.pos], nil
}

// rawObject reads a free-form object (meta) into a map of raw values. Values are
// copied out of the input, because meta is often kept longer than the document.
func (s *scanner) rawObject() (Meta, error) {
	if err := s.object(); err != nil {
		return nil, err
	}
	m := Meta{}
	first := true
	for {
		key, ok, err := s.member(&first)
		if err != nil {
			return nil, err
		}
		if !ok {
			return m, nil
		}
		v, err := s.value(1)
		if err != nil {
			return nil, at(err, string(key))
		}
		m[s.intern(key)] = append([]byte(nil), v...)
	}
}

// stringList reads an array of strings.
func (s *scanner) stringList() ([]string, error) {
	if err := s.array(); err != nil {
		return nil, err
	}
	var out []string
	first := true
	for n := 0; ; n++ {
		more, err := s.element(&first)
		if err != nil || !more {
			return out, err
		}
		v, err := s.str()
		if err != nil {
			return nil, atIndex(err, n)
		}
		out = append(out, v)
	}
}

// idString reads an id as a string; see idBytes.
func (s *scanner) idString() (string, error) {
	b, err := s.idBytes()
	return string(b), err
}

// idBytes reads an id: a string, or an integer coerced to its decimal text as
// Ember's coerceId does for servers that send numeric ids.
func (s *scanner) idBytes() ([]byte, error) {
	c := s.peek()
	if c == '"' {
		return s.stringBytes()
	}
	if c == '-' || ('0' <= c && c <= '9') {
		n, err := s.number()
		if err != nil {
			return nil, err
		}
		if _, perr := strconv.ParseInt(string(n), 10, 64); perr != nil {
			if _, uerr := strconv.ParseUint(string(n), 10, 64); uerr != nil {
				return nil, &DecodeError{Offset: s.pos, Err: ErrType, Detail: "want string id, have non-integer number"}
			}
		}
		return n, nil
	}
	return nil, s.typeErr("string")
}
