package serializers

import (
	"fmt"
	"strconv"

	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/model"
	"github.com/larder-go/larder/store"
)

// JSONAPI is Ember Data's JSONAPISerializer: payload types are singularized and
// dasherized ("albums", "Albums", "blog_posts" -> "album", "blog-post"), member
// names are read in any common spelling (see [Keys.ExactKeys]) and written in
// the spelling the server was read in (see learn.go; dasherized, "songCount" ->
// "song-count", for a type never read), members that match nothing are passed
// on for the store to log and ignore, and each resource is normalized by its own
// type's serializer when that is a *JSONAPI too. Included resources
// of unknown types are dropped with a warning; primary ones are an error.
//
// The zero value is ready to use. Set the hooks before first use; a JSONAPI is
// then safe for concurrent use.
type JSONAPI struct {
	Keys
	// NormalizeResource, when set, runs on each resource of this serializer's
	// types after key mapping (Ember's per-type normalize).
	NormalizeResource func(m *model.Model, r *jsonapi.Resource) error

	lazy lazyMapper
}

func (j *JSONAPI) mapper() *mapper { return j.lazy.get(&j.Keys, model.Dasherize) }

// NormalizeResponse implements store.Serializer.
func (j *JSONAPI) NormalizeResponse(s *store.Cache, _ *store.Request, body []byte) (*jsonapi.Document, error) {
	doc, err := jsonapi.Decode(body)
	if err != nil {
		return nil, &store.DocumentError{Err: err}
	}
	return j.normalizeDocument(s, doc)
}

// NormalizePayload implements store.PayloadNormalizer: the document is
// normalized as it is.
func (j *JSONAPI) NormalizePayload(s *store.Cache, _ string, body []byte) (*jsonapi.Document, error) {
	return j.NormalizeResponse(s, nil, body)
}

// Normalize implements store.ResourceNormalizer: raw is one resource object.
func (j *JSONAPI) Normalize(s *store.Cache, m *model.Model, raw []byte) (*jsonapi.Document, error) {
	doc, err := jsonapi.Decode(append(append([]byte(`{"data":`), raw...), '}'))
	if err != nil {
		return nil, &store.DocumentError{Err: err}
	}
	if doc.Shape != jsonapi.One {
		return nil, &store.DocumentError{Pointer: "/data", Err: fmt.Errorf("%w: want one resource", store.ErrShape)}
	}
	if doc.Data[0].Type == "" {
		doc.Data[0].Type = m.Name
	}
	return j.normalizeDocument(s, doc)
}

func (j *JSONAPI) normalizeDocument(s *store.Cache, doc *jsonapi.Document) (*jsonapi.Document, error) {
	for i := range doc.Data {
		ok, err := j.normalizeWithOwn(s, &doc.Data[i])
		if err != nil {
			return nil, at(err, dataPointer(doc, i))
		}
		if !ok {
			return nil, &store.DocumentError{Pointer: dataPointer(doc, i) + "/type", Err: fmt.Errorf("%w %q", store.ErrUnknownType, doc.Data[i].Type)}
		}
	}
	kept := doc.Included[:0]
	for i := range doc.Included {
		r := doc.Included[i]
		ok, err := j.normalizeWithOwn(s, &r)
		if err != nil {
			return nil, at(err, "/included/"+strconv.Itoa(i))
		}
		if !ok {
			s.Logger().Warn("serializers: dropping included resource of unknown type", "type", r.Type, "id", r.ID)
			continue
		}
		kept = append(kept, r)
	}
	if doc.Included != nil {
		doc.Included = kept
	}
	return doc, nil
}

// normalizeWithOwn normalizes r with its own type's serializer when that is a
// JSONAPI serializer, else with j. It reports false for an unknown type.
func (j *JSONAPI) normalizeWithOwn(s *store.Cache, r *jsonapi.Resource) (bool, error) {
	name := j.mapper().modelName(s.Registry(), r.Type)
	m, err := s.ModelFor(name)
	if err != nil {
		return false, nil
	}
	own, ok := s.SerializerFor(name).(*JSONAPI)
	if !ok {
		own = j
	}
	return true, own.normalizeResource(s, m, r)
}

func (j *JSONAPI) normalizeResource(s *store.Cache, m *model.Model, r *jsonapi.Resource) error {
	log, reg := s.Logger(), s.Registry()
	mp := j.mapper()
	mm := mp.members(m)
	mm.learned.learnType(r.Type)
	if mm.learned.unknown() {
		for k := range r.Attributes {
			if i, ok := mm.attrs[k]; ok {
				mm.learned.learnKey(k, m.Attributes[i].Name)
			}
		}
		for k := range r.Relationships {
			if i, ok := mm.rels[k]; ok {
				mm.learned.learnKey(k, m.Relationships[i].Name)
			}
		}
	}
	r.Type = m.Name
	// A member that matches nothing keeps its payload name: the store ignores
	// it and logs it once per type and name, so nothing is dropped in silence.
	var superseded []string
	if r.Attributes != nil {
		var sup []string
		r.Attributes, sup = resolve(m, r.Attributes, mm.attrs, mm.exact, func(i int) string { return m.Attributes[i].Name }, nil)
		superseded = append(superseded, sup...)
	}
	if r.Relationships != nil {
		var sup []string
		r.Relationships, sup = resolve(m, r.Relationships, mm.rels, mm.exact, func(i int) string { return m.Relationships[i].Name },
			func(v *jsonapi.Relationship) {
				if v != nil {
					for n := range v.Data {
						payload := v.Data[n].Type
						v.Data[n].Type = mp.modelName(reg, payload)
						// A related type's spelling is learned from its
						// identifiers too, for saves that name it.
						if mm := j.membersOf(s, v.Data[n].Type); mm != nil {
							mm.learned.learnType(payload)
						}
					}
				}
			})
		superseded = append(superseded, sup...)
	}
	for _, k := range superseded {
		log.Debug("serializers: member not read in this spelling; ignored", "type", m.Name, "key", k)
	}
	if j.NormalizeResource != nil {
		if err := j.NormalizeResource(m, r); err != nil {
			return &store.DocumentError{Err: err}
		}
	}
	return nil
}

func dataPointer(doc *jsonapi.Document, i int) string {
	if doc.Shape == jsonapi.One {
		return "/data"
	}
	return "/data/" + strconv.Itoa(i)
}

// at prefixes a DocumentError's pointer.
func at(err error, prefix string) error {
	if de, ok := err.(*store.DocumentError); ok {
		de.Pointer = prefix + de.Pointer
		return de
	}
	return &store.DocumentError{Pointer: prefix, Err: err}
}

var (
	_ store.Serializer         = (*JSONAPI)(nil)
	_ store.PayloadNormalizer  = (*JSONAPI)(nil)
	_ store.ResourceNormalizer = (*JSONAPI)(nil)
)
