package serializers

import (
	"sync"

	"github.com/larder-go/larder/model"
)

// Keys holds the key-mapping hooks the serializers share, after Ember Data's
// serializer hooks. Nil fields mean the serializer's defaults.
type Keys struct {
	// Attrs maps a member name to its payload key ({"songCount": "song_count"}),
	// ahead of KeyForAttribute and KeyForRelationship (Ember's attrs).
	Attrs map[string]string
	// KeyForAttribute and KeyForRelationship map a member name to its payload key.
	KeyForAttribute    func(name string) string
	KeyForRelationship func(name string) string
	// ModelNameFromPayloadKey maps a payload's type or root key to a type name.
	ModelNameFromPayloadKey func(key string) string
	// PayloadKeyFromModelName maps a type name to the type (JSON:API) or root
	// key (REST) a save writes; nil means the serializer's default.
	PayloadKeyFromModelName func(name string) string
	// Omit lists members a save never writes, as Ember Data's attrs option
	// {serialize: false}: computed or server-owned fields.
	Omit []string
	// Embedded says, by relationship name, which relationships carry their
	// records inside the parent's hash, as Ember Data's EmbeddedRecordsMixin
	// attrs option ({comments: {embedded: 'always'}}); REST and JSON read it
	// (see Embedded).
	Embedded map[string]Embedded
	// ExactKeys makes the serializer read only the keys the hooks above give.
	// By default it also reads each member in every common spelling: as the
	// model declares it, camelCase ("songCount", JSON:API 1.1's recommendation
	// and Fortune.js's default), dasherized ("song-count", Ember's) and
	// snake_case ("song_count", Django REST framework's), so a server that
	// follows the spec works without configuration. A spelling two members
	// share is read as neither. Writing always uses the hooks' spelling.
	ExactKeys bool
}

// memberMap is one model's payload keys resolved: payload key -> member.
type memberMap struct {
	attrs   map[string]int  // payload key -> attribute index
	rels    map[string]int  // payload key -> relationship index
	exact   map[string]bool // the hooks' own keys, which win over variants
	learned learned         // the server's spellings, for writing (learn.go)
}

// mapper resolves Keys per model once and caches the result.
type mapper struct {
	keys     *Keys
	attrDef  func(string) string
	relDef   func(string) string
	modelDef func(string) string
	cache    sync.Map // *model.Model -> *memberMap
}

// modelName maps a payload's type or root key to a type name: the hook's,
// else the registry's reading of it (Registry.TypeFor: "media", "medias",
// "Media" -> "media" for a model Media), else model.TypeName's.
func (mp *mapper) modelName(reg *model.Registry, key string) string {
	if mp.keys.ModelNameFromPayloadKey != nil {
		return mp.keys.ModelNameFromPayloadKey(key)
	}
	if reg != nil {
		if m, ok := reg.TypeFor(key); ok {
			return m.Name
		}
	}
	return mp.modelDef(key)
}

func (mp *mapper) attrKey(name string) string {
	if k, ok := mp.keys.Attrs[name]; ok {
		return k
	}
	if mp.keys.KeyForAttribute != nil {
		return mp.keys.KeyForAttribute(name)
	}
	return mp.attrDef(name)
}

func (mp *mapper) relKey(name string) string {
	if k, ok := mp.keys.Attrs[name]; ok {
		return k
	}
	if mp.keys.KeyForRelationship != nil {
		return mp.keys.KeyForRelationship(name)
	}
	return mp.relDef(name)
}

func (mp *mapper) members(m *model.Model) *memberMap {
	if v, ok := mp.cache.Load(m); ok {
		return v.(*memberMap)
	}
	mm := &memberMap{attrs: map[string]int{}, rels: map[string]int{}, exact: map[string]bool{}}
	// The hooks' keys first: they win over any other member's variant.
	for i, a := range m.Attributes {
		k := mp.attrKey(a.Name)
		mm.attrs[k] = i
		mm.exact[k] = true
	}
	for i, r := range m.Relationships {
		k := mp.relKey(r.Name)
		mm.rels[k] = i
		mm.exact[k] = true
	}
	if !mp.keys.ExactKeys {
		mm.addVariants(m)
	}
	v, _ := mp.cache.LoadOrStore(m, mm)
	return v.(*memberMap)
}

// addVariants adds every common spelling of each member's name that no hook
// key took, leaving out spellings two members share.
func (mm *memberMap) addVariants(m *model.Model) {
	type owner struct {
		rel bool
		i   int
	}
	taken := map[string]bool{}
	for k := range mm.attrs {
		taken[k] = true
	}
	for k := range mm.rels {
		taken[k] = true
	}
	found := map[string]owner{}
	ambiguous := map[string]bool{}
	add := func(name string, o owner) {
		for _, k := range [...]string{name, model.Camelize(name), model.Dasherize(name), model.Underscore(name)} {
			if taken[k] {
				continue
			}
			if prev, ok := found[k]; ok && prev != o {
				ambiguous[k] = true
			}
			found[k] = o
		}
	}
	for i, a := range m.Attributes {
		add(a.Name, owner{false, i})
	}
	for i, r := range m.Relationships {
		add(r.Name, owner{true, i})
	}
	for k, o := range found {
		switch {
		case ambiguous[k]:
		case o.rel:
			mm.rels[k] = o.i
		default:
			mm.attrs[k] = o.i
		}
	}
}

// lazyMapper builds a serializer's mapper on first use, after its hooks are set.
type lazyMapper struct {
	once sync.Once
	mp   *mapper
}

func (l *lazyMapper) get(keys *Keys, memberDefault func(string) string) *mapper {
	l.once.Do(func() {
		l.mp = &mapper{keys: keys, attrDef: memberDefault, relDef: memberDefault, modelDef: model.TypeName}
	})
	return l.mp
}

func identity(s string) string { return s }

// resolve maps a payload's members to declared names: exact keys win over
// variants of the same member, and members that match nothing keep their
// payload names. It reports the keys it passed over.
func resolve[V any](m *model.Model, in map[string]V, index map[string]int, exact map[string]bool, name func(int) string, fix func(V)) (map[string]V, []string) {
	out := make(map[string]V, len(in))
	fromExact := map[string]bool{}
	var superseded []string
	for k, v := range in {
		i, ok := index[k]
		if !ok {
			if m.AttributeIndex(k) >= 0 || m.RelationshipIndex(k) >= 0 {
				// A declared name the hooks do not read (ExactKeys): the
				// store must not read it either.
				superseded = append(superseded, k)
				continue
			}
			out[k] = v
			continue
		}
		n := name(i)
		if fromExact[n] {
			superseded = append(superseded, k)
			continue
		}
		if _, dup := out[n]; dup && !exact[k] {
			superseded = append(superseded, k)
			continue
		}
		if exact[k] {
			fromExact[n] = true
		}
		if fix != nil {
			fix(v)
		}
		out[n] = v
	}
	return out, superseded
}
