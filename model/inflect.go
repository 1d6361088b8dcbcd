package model

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"github.com/jinzhu/inflection"
)

// Pluralize returns the English plural of a type name ("album" -> "albums",
// "blog-post" -> "blog-posts"), inflecting only the last word.
func Pluralize(name string) string { return plurals.get(name, inflection.Plural) }

// Singularize returns the English singular of a type name or payload key
// ("albums" -> "album", "blog-posts" -> "blog-post").
func Singularize(name string) string { return singulars.get(name, inflection.Singular) }

// inflections memoizes an inflection: the library runs a list of regular
// expressions per call (microseconds), while a program inflects the same few
// type names over and over. The memo is bounded, so names from hostile payloads
// cannot grow it without limit; past the bound, results are computed each time.
type inflections struct {
	m sync.Map
	n atomic.Int32
}

const maxInflections = 4096

var plurals, singulars inflections

// Uncountable declares words that have no separate plural ("media",
// "equipment"), as Ember's inflector.uncountable: Pluralize and Singularize
// leave them as they are, in every type name they end. It is global to the
// program, as the inflector is; call it at start-up, before any store reads
// or writes.
func Uncountable(words ...string) {
	inflection.AddUncountable(words...)
	plurals.reset()
	singulars.reset()
	typeNames.reset()
}

// reset forgets every memoized inflection.
func (c *inflections) reset() {
	c.m.Clear()
	c.n.Store(0)
}

// TypeName turns a payload's type or root key into a type name, singular and
// dasherized: "albums", "Albums", "blog_posts" and "BlogPosts" -> "album",
// "blog-post". It is memoized like Pluralize and Singularize.
func TypeName(key string) string {
	return typeNames.memo(key, func(k string) string { return Singularize(Dasherize(k)) })
}

var typeNames inflections

// get inflects the last word of name with f, memoized.
func (c *inflections) get(name string, f func(string) string) string {
	return c.memo(name, func(n string) string {
		i := strings.LastIndexAny(n, "-_") + 1
		return n[:i] + f(n[i:])
	})
}

// memo returns f(name), computing it once per name while the memo has room.
func (c *inflections) memo(name string, f func(string) string) string {
	if v, ok := c.m.Load(name); ok {
		return v.(string)
	}
	out := f(name)
	if c.n.Load() < maxInflections {
		if _, loaded := c.m.LoadOrStore(strings.Clone(name), out); !loaded {
			c.n.Add(1)
		}
	}
	return out
}

// Dasherize turns a Go or camelCase name into its dashed form: "BlogPost" and
// "blogPost" -> "blog-post", "HTMLPage" -> "html-page", "song_count" -> "song-count".
func Dasherize(name string) string { return separate(name, '-') }

// Underscore turns a name into snake case: "songCount" -> "song_count".
func Underscore(name string) string { return separate(name, '_') }

// Camelize turns a dashed, underscored or Go name into lower camel case:
// "song-count", "song_count" and "SongCount" -> "songCount"; "HTMLBody" -> "htmlBody".
func Camelize(name string) string {
	words := splitWords(name)
	var b strings.Builder
	b.Grow(len(name))
	for i, w := range words {
		if i == 0 {
			b.WriteString(strings.ToLower(w))
			continue
		}
		b.WriteString(strings.ToUpper(w[:1]))
		b.WriteString(strings.ToLower(w[1:]))
	}
	return b.String()
}

func separate(name string, sep byte) string {
	words := splitWords(name)
	var b strings.Builder
	b.Grow(len(name) + len(words))
	for i, w := range words {
		if i > 0 {
			b.WriteByte(sep)
		}
		b.WriteString(strings.ToLower(w))
	}
	return b.String()
}

// splitWords splits at dashes, underscores, spaces and case changes, keeping
// acronyms together: "HTMLPageID" -> ["HTML", "Page", "ID"].
func splitWords(s string) []string {
	var words []string
	rs := []rune(s)
	start := -1
	for i, r := range rs {
		if r == '-' || r == '_' || r == ' ' || r == '.' {
			if start >= 0 {
				words = append(words, string(rs[start:i]))
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
			continue
		}
		prev := rs[i-1]
		switch {
		case unicode.IsUpper(r) && (unicode.IsLower(prev) || unicode.IsDigit(prev)):
			words = append(words, string(rs[start:i]))
			start = i
		case unicode.IsUpper(r) && unicode.IsUpper(prev) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
			words = append(words, string(rs[start:i]))
			start = i
		}
	}
	if start >= 0 {
		words = append(words, string(rs[start:]))
	}
	return words
}
