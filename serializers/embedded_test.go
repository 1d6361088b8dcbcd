package serializers_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/model"
	"github.com/larder-go/larder/relationship"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

// The models of Ember Data's embedded-records-mixin-test.js
// (emberjs/data, packages/-ember-data/tests/integration/serializers/).
type (
	SuperVillain struct {
		ID          string                             `id:""`
		FirstName   string                             `attr:"firstName"`
		LastName    string                             `attr:"lastName"`
		HomePlanet  relationship.BelongsTo[HomePlanet] `rel:"homePlanet,inverse=villains"`
		EvilMinions relationship.HasMany[EvilMinion]   `rel:"evilMinions,inverse=superVillain"`
	}
	HomePlanet struct {
		ID       string                             `id:""`
		Name     string                             `attr:"name"`
		Villains relationship.HasMany[SuperVillain] `rel:"villains,inverse=homePlanet"`
	}
	EvilMinion struct {
		ID           string                               `id:""`
		Name         string                               `attr:"name"`
		SuperVillain relationship.BelongsTo[SuperVillain] `rel:"superVillain,inverse=evilMinions"`
	}
	Comment struct {
		ID       string                        `id:""`
		Body     string                        `attr:"body"`
		Root     bool                          `attr:"root"`
		Children relationship.HasMany[Comment] `rel:"children,inverse=-"`
	}
)

func embedStore(t *testing.T, opts ...store.Option) *store.Cache {
	t.Helper()
	s, err := store.New(nil, &serializers.REST{}, append([]store.Option{store.WithModels(SuperVillain{}, HomePlanet{}, EvilMinion{}, Comment{})}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func embedding(rels ...string) *serializers.REST {
	m := map[string]serializers.Embedded{}
	for _, r := range rels {
		m[r] = serializers.EmbeddedAlways
	}
	return &serializers.REST{Keys: serializers.Keys{Embedded: m}}
}

// describe renders a resource as Ember's expected outputs read: type:id,
// its attributes and its relationships' identifiers.
func describe(r jsonapi.Resource) string {
	var parts []string
	for _, k := range slices.Sorted(mapsKeys(r.Attributes)) {
		parts = append(parts, k+"="+string(r.Attributes[k]))
	}
	for _, k := range slices.Sorted(mapsKeys(r.Relationships)) {
		var ids []string
		for _, y := range r.Relationships[k].Data {
			ids = append(ids, y.Type+":"+y.ID)
		}
		parts = append(parts, k+"->["+strings.Join(ids, ",")+"]")
	}
	return r.Type + ":" + r.ID + " " + strings.Join(parts, " ")
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func describeAll(rs []jsonapi.Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = describe(r)
	}
	return out
}

func TestEmberEmbeddedRecordsMixin(t *testing.T) {
	find := func(typ, id string) *store.Request { return &store.Request{Op: store.OpFindRecord, Type: typ, ID: id} }
	for _, tc := range []struct {
		name     string
		opts     []store.Option
		req      *store.Request
		payload  string
		data     string
		included []string
	}{
		{
			name:    "normalizeResponse with embedded objects",
			opts:    []store.Option{store.WithSerializerFor("home-planet", embedding("villains"))},
			req:     find("home-planet", "1"),
			payload: `{"homePlanet":{"id":"1","name":"Umber","villains":[{"id":"2","firstName":"Tom","lastName":"Dale"}]}}`,
			data:    `home-planet:1 name="Umber" villains->[super-villain:2]`,
			included: []string{
				`super-villain:2 firstName="Tom" lastName="Dale"`,
			},
		},
		{
			name: "normalizeResponse with embedded objects inside embedded objects",
			opts: []store.Option{store.WithSerializerFor("home-planet", embedding("villains")),
				store.WithSerializerFor("super-villain", embedding("evilMinions"))},
			req:     find("home-planet", "1"),
			payload: `{"homePlanet":{"id":"1","name":"Umber","villains":[{"id":"2","firstName":"Tom","lastName":"Dale","evilMinions":[{"id":"3","name":"Alex"}]}]}}`,
			data:    `home-planet:1 name="Umber" villains->[super-villain:2]`,
			included: []string{
				`super-villain:2 firstName="Tom" lastName="Dale" evilMinions->[evil-minion:3]`,
				`evil-minion:3 name="Alex"`,
			},
		},
		{
			name:    "normalizeResponse with embedded objects of same type",
			opts:    []store.Option{store.WithSerializerFor("comment", embedding("children"))},
			req:     find("comment", "1"),
			payload: `{"comment":{"id":"1","body":"Hello","root":true,"children":[{"id":"2","body":"World","root":false},{"id":"3","body":"Foo","root":false}]}}`,
			data:    `comment:1 body="Hello" root=true children->[comment:2,comment:3]`,
			included: []string{
				`comment:2 body="World" root=false`,
				`comment:3 body="Foo" root=false`,
			},
		},
		{
			name:    "normalizeResponse with embedded objects inside embedded objects of same type",
			opts:    []store.Option{store.WithSerializerFor("comment", embedding("children"))},
			req:     find("comment", "1"),
			payload: `{"comment":{"id":"1","body":"Hello","root":true,"children":[{"id":"2","body":"World","root":false,"children":[{"id":"4","body":"Another","root":false}]},{"id":"3","body":"Foo","root":false}]}}`,
			data:    `comment:1 body="Hello" root=true children->[comment:2,comment:3]`,
			included: []string{
				`comment:2 body="World" root=false children->[comment:4]`,
				`comment:4 body="Another" root=false`,
				`comment:3 body="Foo" root=false`,
			},
		},
		{
			name: "normalizeResponse with multiply-nested belongsTo",
			opts: []store.Option{store.WithSerializerFor("evil-minion", embedding("superVillain")),
				store.WithSerializerFor("super-villain", embedding("homePlanet"))},
			req:     find("evil-minion", "1"),
			payload: `{"evilMinion":{"id":"1","name":"Alex","superVillain":{"id":"1","firstName":"Tom","lastName":"Dale","evilMinions":["1"],"homePlanet":{"id":"1","name":"Umber","villains":["1"]}}}}`,
			data:    `evil-minion:1 name="Alex" superVillain->[super-villain:1]`,
			included: []string{
				`super-villain:1 firstName="Tom" lastName="Dale" evilMinions->[evil-minion:1] homePlanet->[home-planet:1]`,
				`home-planet:1 name="Umber" villains->[super-villain:1]`,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := embedStore(t, tc.opts...)
			doc, err := s.SerializerFor(tc.req.Type).NormalizeResponse(s, tc.req, []byte(tc.payload))
			require.NoError(t, err)
			require.Equal(t, jsonapi.One, doc.Shape)
			assert.Equal(t, tc.data, describe(doc.Data[0]))
			assert.Equal(t, tc.included, describeAll(doc.Included))
		})
	}
}

// Embedded records are pushed as records of their own, with their inverses.
func TestEmbeddedRecordsArePushed(t *testing.T) {
	s := embedStore(t, store.WithSerializerFor("home-planet", embedding("villains")))
	require.NoError(t, s.PushPayload("home-planet", []byte(`{"homePlanet":{"id":"1","name":"Umber","villains":[{"id":"2","firstName":"Tom"},{"id":"3","firstName":"Yehuda"}]}}`)))
	v, ok := store.PeekRecord[SuperVillain](s, "2")
	require.True(t, ok)
	assert.Equal(t, "Tom", v.FirstName)
	assert.Equal(t, "1", v.HomePlanet.ID(), "the inverse")
	p, _ := store.PeekRecord[HomePlanet](s, "1")
	assert.Equal(t, []string{"2", "3"}, p.Villains.IDs())
}

// Hostile embedded payloads: a typed error, nothing pushed.
func TestEmbeddedRecordsBadInput(t *testing.T) {
	deep := strings.Repeat(`{"id":"x","children":[`, 40) + `{"id":"y"}` + strings.Repeat(`]}`, 40)
	for name, payload := range map[string]string{
		"no id":             `{"homePlanet":{"id":"1","villains":[{"firstName":"Tom"}]}}`,
		"not a hash or id":  `{"homePlanet":{"id":"1","villains":[true]}}`,
		"hasMany not array": `{"homePlanet":{"id":"1","villains":{"id":"2"}}}`,
		"wrong type":        `{"homePlanet":{"id":"1","villains":[{"id":"2","type":"evil-minion"}]}}`,
		"nested too deep":   `{"comment":` + deep + `}`,
	} {
		t.Run(name, func(t *testing.T) {
			s := embedStore(t, store.WithSerializerFor("home-planet", embedding("villains")), store.WithSerializerFor("comment", embedding("children")))
			err := s.PushPayload("home-planet", []byte(payload))
			var de *store.DocumentError
			assert.ErrorAs(t, err, &de, fmt.Sprint(err))
			assert.False(t, s.HasRecordForID("home-planet", "1"), "nothing pushed")
			assert.False(t, s.HasRecordForID("comment", "y"), "nothing pushed")
		})
	}
}

// Serialize options: "false" leaves the relationship out; "records" needs
// the related records loaded.
func TestEmbeddedSerializeOptions(t *testing.T) {
	res := &jsonapi.Resource{Type: "home-planet", ID: "1",
		Relationships: map[string]*jsonapi.Relationship{"villains": {Shape: jsonapi.Many, Data: []jsonapi.Identifier{{Type: "super-villain", ID: "2"}}}}}
	off := &serializers.REST{Keys: serializers.Keys{Embedded: map[string]serializers.Embedded{"villains": {Serialize: "false"}}}}
	s := embedStore(t)
	body, err := off.SerializeRecord(s, &store.Request{Op: store.OpUpdateRecord, Type: "home-planet"}, res)
	require.NoError(t, err)
	assert.NotContains(t, string(body), "villains")
	_, err = embedding("villains").SerializeRecord(s, &store.Request{Op: store.OpUpdateRecord, Type: "home-planet"}, res)
	assert.ErrorIs(t, err, store.ErrNotLoaded, "villain 2 is not loaded")
}

// Ember's "serialize with embedded objects (hasMany relationship)": the
// villain's hash, id and foreign key included, in place of its id; the
// store sends the one-to-many's hasMany because the serializer embeds it.
func TestEmberSerializeWithEmbeddedObjectsHasMany(t *testing.T) {
	sz := embedding("villains")
	s := embedStore(t, store.WithSerializerFor("home-planet", sz))
	require.NoError(t, s.PushPayload("home-planet", []byte(`{"homePlanets":[{"id":"123","name":"Villain League"}],"superVillains":[{"id":"1","firstName":"Tom","lastName":"Dale","homePlanet":"123"}]}`)))
	snap, ok := s.Snapshot("home-planet", "123")
	require.True(t, ok)
	m, err := s.ModelFor("home-planet")
	require.NoError(t, err)
	body, err := sz.SerializeRecord(s, &store.Request{Op: store.OpUpdateRecord, Type: "home-planet", Model: m}, snap)
	require.NoError(t, err)
	assert.JSONEq(t, `{"homePlanet":{"name":"Villain League","villains":[{"id":"1","firstName":"Tom","lastName":"Dale","homePlanet":"123"}]}}`, string(body))
}

// recordingServer answers every request with 204 and keeps the last body.
func recordingServer(t *testing.T) (*httptest.Server, func() []byte) {
	var mu sync.Mutex
	var last []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		last = b
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []byte {
		mu.Lock()
		defer mu.Unlock()
		return last
	}
}

// A save writes the embedded records, end to end: a full update (as Ember's
// REST adapter sends) carries them; a partial one carries them when the
// relationship changed.
func TestEmbeddedRecordsAreSaved(t *testing.T) {
	srv, got := recordingServer(t)
	sz := embedding("villains")
	s, err := store.New(&adapters.REST{Config: adapters.Config{Host: srv.URL}}, &serializers.REST{},
		store.WithModels(SuperVillain{}, HomePlanet{}, EvilMinion{}, Comment{}), store.WithSerializerFor("home-planet", sz), store.WithFullUpdates())
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.PushPayload("home-planet", []byte(`{"homePlanet":{"id":"123","name":"Umber","villains":[{"id":"1","firstName":"Tom","homePlanet":"123"}]}}`)))
	ref := store.GetReference[HomePlanet](s, "123")
	require.NoError(t, ref.Update(func(p *HomePlanet) { p.Name = "Umbra" }))
	require.NoError(t, ref.Save(context.Background()))
	assert.JSONEq(t, `{"homePlanet":{"name":"Umbra","villains":[{"id":"1","firstName":"Tom","lastName":"","homePlanet":"123"}]}}`, string(got()))
}

// Any payload, with embedding on: no panic, and a payload that fails pushes
// nothing.
func FuzzEmbedded(f *testing.F) {
	f.Add([]byte(`{"homePlanet":{"id":"1","name":"Umber","villains":[{"id":"2","firstName":"Tom","evilMinions":[{"id":"3"}]}]}}`))
	f.Add([]byte(`{"comment":{"id":"1","children":[{"id":"2","children":[{"id":"1"}]},"3",null]}}`))
	f.Add([]byte(`{"evilMinion":{"id":"1","superVillain":{"id":"1","homePlanet":null}}}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		s, err := store.New(nil, &serializers.REST{}, store.WithModels(SuperVillain{}, HomePlanet{}, EvilMinion{}, Comment{}),
			store.WithSerializerFor("home-planet", embedding("villains")), store.WithSerializerFor("super-villain", embedding("evilMinions", "homePlanet")),
			store.WithSerializerFor("evil-minion", embedding("superVillain")), store.WithSerializerFor("comment", embedding("children")))
		require.NoError(t, err)
		defer s.Close()
		if s.PushPayload("home-planet", payload) != nil {
			for _, typ := range []string{"home-planet", "super-villain", "evil-minion", "comment"} {
				st, err := s.StatsFor(typ)
				require.NoError(t, err)
				assert.Zero(t, st.Records, "a failed payload pushes nothing: %s", typ)
			}
		}
	})
}

// A RelationshipSender's panic is a reported plugin error: the save goes on
// as if it had said no.
func TestRelationshipSenderPanic(t *testing.T) {
	srv, got := recordingServer(t)
	var reported []error
	s, err := store.New(&adapters.REST{Config: adapters.Config{Host: srv.URL}}, &serializers.REST{},
		store.WithModels(SuperVillain{}, HomePlanet{}, EvilMinion{}, Comment{}), store.WithSerializerFor("home-planet", panickySender{embedding("villains")}),
		store.WithFullUpdates(), store.WithErrorHandler(func(err error) { reported = append(reported, err) }))
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.PushPayload("home-planet", []byte(`{"homePlanet":{"id":"123","name":"Umber"}}`)))
	ref := store.GetReference[HomePlanet](s, "123")
	require.NoError(t, ref.Update(func(p *HomePlanet) { p.Name = "Umbra" }))
	require.NoError(t, ref.Save(context.Background()))
	assert.Contains(t, string(got()), "Umbra")
	require.NotEmpty(t, reported)
	assert.ErrorIs(t, reported[0], store.ErrPlugin)
}

type panickySender struct{ *serializers.REST }

func (panickySender) SendsRelationship(*model.Model, string) bool { panic("boom") }
