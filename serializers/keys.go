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
}

// memberMap is one model's payload keys resolved: payload key -> member.
type memberMap struct {
	attrs map[string]int // payload key -> attribute index
	rels  map[string]int // payload key -> relationship index
}

// mapper resolves Keys per model once and caches the result.
type mapper struct {
	keys     *Keys
	attrDef  func(string) string
	relDef   func(string) string
	modelDef func(string) string
	cache    sync.Map // *model.Model -> *memberMap
}

func (mp *mapper) modelName(key string) string {
	if mp.keys.ModelNameFromPayloadKey != nil {
		return mp.keys.ModelNameFromPayloadKey(key)
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
	mm := &memberMap{attrs: map[string]int{}, rels: map[string]int{}}
	for i, a := range m.Attributes {
		mm.attrs[mp.attrKey(a.Name)] = i
	}
	for i, r := range m.Relationships {
		mm.rels[mp.relKey(r.Name)] = i
	}
	v, _ := mp.cache.LoadOrStore(m, mm)
	return v.(*memberMap)
}

// lazyMapper builds a serializer's mapper on first use, after its hooks are set.
type lazyMapper struct {
	once sync.Once
	mp   *mapper
}

func (l *lazyMapper) get(keys *Keys, memberDefault func(string) string) *mapper {
	l.once.Do(func() {
		l.mp = &mapper{keys: keys, attrDef: memberDefault, relDef: memberDefault, modelDef: singularDashed}
	})
	return l.mp
}

func identity(s string) string { return s }

func singularDashed(s string) string { return model.Singularize(model.Dasherize(s)) }
