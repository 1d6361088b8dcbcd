package serializers

import (
	"sync/atomic"

	"github.com/larder-go/larder/model"
)

// Writing as the server reads. A server that follows the JSON:API spec may
// spell its members camelCase (JSON:API 1.1's recommendation, Fortune.js),
// dasherized (Ember's), snake_case (Django REST framework) or as declared,
// and its types plural, singular or capitalized; reading takes any of them
// (see Keys.ExactKeys), and a save must write the one the server reads, or
// the server drops what it does not know. So, with no key hook, a serializer
// learns from what it reads: per type, the spelling of its members (from the
// first member whose spellings differ) and of its type name, and a save
// writes them. A type never read is written with the hooks' defaults; a hook
// always wins.

// style is a learned member spelling.
type style int32

const (
	styleUnknown  style = iota
	styleDeclared       // as the model declares it
	styleCamel          // songCount
	styleDash           // song-count
	styleSnake          // song_count
)

// learned is what reading taught about one model's spellings.
type learned struct {
	typ atomic.Pointer[string] // the payload type as the server spelled it
	st  atomic.Int32           // the member style
}

// learnKey notes the spelling of key, read for the member declared as name,
// unless a spelling was learned already. Single-word names teach nothing.
func (l *learned) learnKey(key, name string) {
	if style(l.st.Load()) != styleUnknown {
		return
	}
	camel, dash, snake := model.Camelize(name), model.Dasherize(name), model.Underscore(name)
	if camel == dash && dash == snake && snake == name {
		return
	}
	var s style
	switch key {
	case name:
		s = styleDeclared
	case camel:
		s = styleCamel
	case dash:
		s = styleDash
	case snake:
		s = styleSnake
	default:
		return
	}
	l.st.CompareAndSwap(int32(styleUnknown), int32(s))
}

// unknown reports whether no member spelling was learned yet.
func (l *learned) unknown() bool { return style(l.st.Load()) == styleUnknown }

// learnType notes the payload type the server spells the model with.
func (l *learned) learnType(payload string) {
	if payload != "" && l.typ.Load() == nil {
		l.typ.CompareAndSwap(nil, &payload)
	}
}

// spell writes a member name in the learned style, or reports false.
func (l *learned) spell(name string) (string, bool) {
	switch style(l.st.Load()) {
	case styleDeclared:
		return name, true
	case styleCamel:
		return model.Camelize(name), true
	case styleDash:
		return model.Dasherize(name), true
	case styleSnake:
		return model.Underscore(name), true
	}
	return "", false
}

// writeKey is the key a save writes member name of m under: a hook's, else
// the spelling the server was read in, else the default.
func (mp *mapper) writeKey(mm *memberMap, name string, rel bool) string {
	if k, ok := mp.keys.Attrs[name]; ok {
		return k
	}
	if rel && mp.keys.KeyForRelationship != nil {
		return mp.keys.KeyForRelationship(name)
	}
	if !rel && mp.keys.KeyForAttribute != nil {
		return mp.keys.KeyForAttribute(name)
	}
	if mm != nil {
		if k, ok := mm.learned.spell(name); ok {
			return k
		}
	}
	if rel {
		return mp.relDef(name)
	}
	return mp.attrDef(name)
}
