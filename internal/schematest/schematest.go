// Package schematest validates documents against the official JSON:API 1.0
// schema (jsonapi.org, public domain; testdata/jsonapi-1.0-schema.json), for
// tests that check every document larder emits.
//
// larder speaks JSON:API 1.1, which adds members the 1.0 schema forbids: "lid"
// on resources and identifiers, and "rel", "describedby", "title", "type" and
// "hreflang" on link objects. Check verifies that each of those holds a value
// of its 1.1 type, then validates the rest of the document against the 1.0
// schema.
package schematest

import (
	"bytes"
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed testdata/jsonapi-1.0-schema.json
var schemaJSON []byte

var (
	once   sync.Once
	schema *jsonschema.Schema
	err    error
)

func compiled() (*jsonschema.Schema, error) {
	once.Do(func() {
		doc, e := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
		if e != nil {
			err = e
			return
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat() // uri-reference links are checked
		c.UseRegexpEngine(lookaheadRegexp)
		c.RegisterFormat(&jsonschema.Format{Name: "uri-reference", Validate: uriReference})
		const url = "https://jsonapi.org/schema/1.0"
		if err = c.AddResource(url, doc); err != nil {
			return
		}
		schema, err = c.Compile(url)
	})
	return schema, err
}

// Check reports whether doc is a valid JSON:API 1.0 document.
func Check(doc []byte) error {
	s, err := compiled()
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return err
	}
	if err := strip11(v, ""); err != nil {
		return err
	}
	return s.Validate(v)
}

// strip11 removes JSON:API 1.1 members after checking their types.
func strip11(v any, key string) error {
	switch x := v.(type) {
	case map[string]any:
		if lid, ok := x["lid"]; ok {
			if _, isString := lid.(string); !isString {
				return fmt.Errorf("lid must be a string, not %T", lid)
			}
			if _, hasType := x["type"]; hasType {
				delete(x, "lid")
				if _, hasID := x["id"]; !hasID {
					x["id"] = "" // 1.1: a new resource is named by its lid alone
				}
			}
		}
		if _, isLink := x["href"]; isLink {
			for _, m := range []string{"rel", "title", "type"} {
				if val, ok := x[m]; ok {
					if _, isString := val.(string); !isString {
						return fmt.Errorf("link %s must be a string", m)
					}
					delete(x, m)
				}
			}
			if d, ok := x["describedby"]; ok {
				if err := strip11(d, "describedby"); err != nil {
					return err
				}
				delete(x, "describedby")
			}
			delete(x, "hreflang")
		}
		for k, val := range x {
			if err := strip11(val, k); err != nil {
				return err
			}
		}
	case []any:
		for _, val := range x {
			if err := strip11(val, key); err != nil {
				return err
			}
		}
	}
	return nil
}

// Valid fails the test unless doc is a valid JSON:API 1.0 document.
func Valid(t testing.TB, doc []byte) {
	t.Helper()
	if err := Check(doc); err != nil {
		t.Errorf("not a valid JSON:API 1.0 document: %v\n%s", err, doc)
	}
}

// lookaheadRegexp compiles the schema's member-name patterns. They are ECMA-262
// regular expressions opening with a negative lookahead of whole names,
// "^(?!id$|type$)\\w[-\\w_]*$", which Go's regexp does not support: such a
// pattern is compiled as the rest of it, with the names excluded by hand.
func lookaheadRegexp(pattern string) (jsonschema.Regexp, error) {
	const open = "^(?!"
	if !strings.HasPrefix(pattern, open) {
		re, err := regexp.Compile(pattern)
		if err != nil {
			return nil, err
		}
		return re, nil
	}
	end := strings.IndexByte(pattern, ')')
	if end < 0 {
		return nil, fmt.Errorf("unsupported pattern %q", pattern)
	}
	var names []string
	for _, alt := range strings.Split(pattern[len(open):end], "|") {
		name, ok := strings.CutSuffix(alt, "$")
		if !ok || regexp.QuoteMeta(name) != name {
			return nil, fmt.Errorf("unsupported lookahead %q in %q", alt, pattern)
		}
		names = append(names, name)
	}
	rest, err := regexp.Compile("^" + pattern[end+1:])
	if err != nil {
		return nil, err
	}
	return &excluding{pattern: pattern, names: names, rest: rest}, nil
}

type excluding struct {
	pattern string
	names   []string
	rest    *regexp.Regexp
}

func (e *excluding) String() string { return e.pattern }

func (e *excluding) MatchString(s string) bool {
	return !slices.Contains(e.names, s) && e.rest.MatchString(s)
}

// uriReference checks RFC 3986's URI-reference grammar at the level of
// characters: every character is unreserved, reserved or a valid
// percent-encoding, and "[" and "]" appear only in an IP-literal host. The
// schema library's own check accepts "/albums?page[size]=2", which RFC 3986
// does not.
func uriReference(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	rest := s
	if i := strings.Index(rest, "//"); i >= 0 && !strings.ContainsAny(rest[:i], "/?#") {
		// scheme://authority: an IP-literal host may hold brackets.
		auth := rest[i+2:]
		end := strings.IndexAny(auth, "/?#")
		if end < 0 {
			end = len(auth)
		}
		host := auth[:end]
		if at := strings.LastIndexByte(host, '@'); at >= 0 {
			host = host[at+1:]
		}
		if strings.HasPrefix(host, "[") {
			if j := strings.IndexByte(host, ']'); j < 0 {
				return fmt.Errorf("unclosed IP-literal in %q", s)
			}
		}
		rest = rest[:i] + auth[end:]
		if strings.ContainsAny(auth[:end], " <>\"{}|\\^`") {
			return fmt.Errorf("invalid character in authority of %q", s)
		}
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-._~:/?#@!$&'()*+,;=", c) >= 0:
		case c == '%':
			if i+2 >= len(rest) || !isHex(rest[i+1]) || !isHex(rest[i+2]) {
				return fmt.Errorf("bad percent-encoding in %q", s)
			}
			i += 2
		default:
			return fmt.Errorf("character %q not allowed in a URI reference: %q", c, s)
		}
	}
	return nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
