package serializers_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/model"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

var update = flag.Bool("update", false, "rewrite golden files")

func newStore(t *testing.T, sz store.Serializer, opts ...store.Option) *store.Cache {
	t.Helper()
	s, err := store.New(nil, sz, append([]store.Option{store.WithModels(fixture.Models()...)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// golden compares a normalized document with testdata/<name>.golden.
func golden(t *testing.T, name string, doc *jsonapi.Document) {
	t.Helper()
	got, err := jsonapi.Encode(doc)
	require.NoError(t, err)
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got))
}

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

func TestJSONAPINormalizeResponse(t *testing.T) {
	sz := &serializers.JSONAPI{}
	var logs bytes.Buffer
	s := newStore(t, sz, store.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	m, _ := s.ModelFor("album")
	doc, err := sz.NormalizeResponse(s, &store.Request{Op: store.OpFindAll, Type: "album", Model: m}, read(t, "jsonapi-albums.json"))
	require.NoError(t, err)
	golden(t, "jsonapi-albums", doc)
	r := doc.Data[0]
	assert.Equal(t, "album", r.Type, "types are singularized")
	assert.Contains(t, r.Attributes, "songCount", "member names are mapped from dashes")
	assert.Contains(t, r.Attributes, "undeclared", "passed on for the store to log")
	assert.Contains(t, r.Relationships, "label", "passed on for the store to log")
	assert.Equal(t, "artist", r.Relationships["artist"].Data[0].Type)
	require.Len(t, doc.Included, 1, "included resources of unknown types are dropped")

	for range 2 {
		_, err = s.Push(doc)
		require.NoError(t, err)
	}
	a, _ := store.PeekRecord[fixture.Album](s, "1")
	assert.Equal(t, 10, a.SongCount)
	assert.Equal(t, "David Bazan", a.ArtistName)
	assert.Equal(t, 1, strings.Count(logs.String(), "member=undeclared"), "logged once per type and member:\n%s", logs.String())
	assert.Equal(t, 1, strings.Count(logs.String(), "member=label"))
}

// Servers that others wrote: camelCase members (JSON:API 1.1, Fortune.js),
// snake_case (Django REST framework JSON:API), plural and capitalized types.
// All read with no configuration.
func TestJSONAPIReadsEveryCommonSpelling(t *testing.T) {
	bodies := map[string]string{
		"camelCase, plural": `{"data":{"type":"albums","id":"1","attributes":{"title":"T","artistName":"Miles Davis","songCount":6,"releasedAt":"1959-08-17"},
			"relationships":{"artist":{"data":{"type":"artists","id":"9"}}}}}`,
		"snake_case, capitalized": `{"data":{"type":"Albums","id":"1","attributes":{"title":"T","artist_name":"Miles Davis","song_count":6,"released_at":"1959-08-17"},
			"relationships":{"artist":{"data":{"type":"Artists","id":"9"}}}}}`,
		"dasherized": `{"data":{"type":"album","id":"1","attributes":{"title":"T","artist-name":"Miles Davis","song-count":6,"released-at":"1959-08-17"},
			"relationships":{"artist":{"data":{"type":"artist","id":"9"}}}}}`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			sz := &serializers.JSONAPI{}
			s := newStore(t, sz)
			doc, err := sz.NormalizeResponse(s, &store.Request{Op: store.OpFindRecord, Type: "album", ID: "1"}, []byte(body))
			require.NoError(t, err)
			_, err = s.Push(doc)
			require.NoError(t, err)
			a, ok := store.PeekRecord[fixture.Album](s, "1")
			require.True(t, ok)
			assert.Equal(t, "Miles Davis", a.ArtistName)
			assert.Equal(t, 6, a.SongCount)
			assert.Equal(t, 1959, a.ReleasedAt.Year())
			assert.Equal(t, "artist:9", a.Artist.String())
		})
	}
	t.Run("ExactKeys reads only the hooks' spelling", func(t *testing.T) {
		sz := &serializers.JSONAPI{Keys: serializers.Keys{ExactKeys: true}}
		s := newStore(t, sz)
		doc, err := sz.NormalizeResponse(s, &store.Request{Op: store.OpFindRecord, Type: "album", ID: "1"}, []byte(bodies["camelCase, plural"]))
		require.NoError(t, err)
		_, err = s.Push(doc)
		require.NoError(t, err)
		a, _ := store.PeekRecord[fixture.Album](s, "1")
		assert.Empty(t, a.ArtistName)
	})
}

func TestJSONAPIEachResourceByItsOwnSerializer(t *testing.T) {
	app := &serializers.JSONAPI{}
	artist := &serializers.JSONAPI{Keys: serializers.Keys{Attrs: map[string]string{"name": "full_name"}}}
	s := newStore(t, app, store.WithSerializerFor("artist", artist))
	doc, err := app.NormalizeResponse(s, &store.Request{Op: store.OpFindRecord, Type: "album", ID: "1"}, []byte(`{
	  "data": {"type": "albums", "id": "1", "attributes": {"song-count": 3}},
	  "included": [{"type": "artists", "id": "1", "attributes": {"full_name": "Bon Iver", "name": "ignored"}}]}`))
	require.NoError(t, err)
	assert.Equal(t, json.RawMessage(`"Bon Iver"`), doc.Included[0].Attributes["name"])
	assert.Equal(t, json.RawMessage(`3`), doc.Data[0].Attributes["songCount"])
}

func TestJSONAPIErrors(t *testing.T) {
	sz := &serializers.JSONAPI{NormalizeResource: func(m *model.Model, r *jsonapi.Resource) error {
		if r.ID == "bad" {
			return assert.AnError
		}
		return nil
	}}
	s := newStore(t, sz)
	tests := []struct {
		name, body, pointer string
	}{
		{"unknown primary type", `{"data":{"type":"labels","id":"1"}}`, "/data/type"},
		{"malformed", `{"data":{"type":`, ""},
		{"hook error", `{"data":[{"type":"albums","id":"ok"},{"type":"albums","id":"bad"}]}`, "/data/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sz.NormalizeResponse(s, &store.Request{Op: store.OpFindAll, Type: "album"}, []byte(tt.body))
			var de *store.DocumentError
			require.ErrorAs(t, err, &de)
			if tt.pointer != "" {
				assert.Equal(t, tt.pointer, de.Pointer)
			}
		})
	}
}

func restAlbum() *serializers.REST {
	return &serializers.REST{Keys: serializers.Keys{Attrs: map[string]string{"songCount": "song_count"}}}
}

func TestRESTNormalizeResponse(t *testing.T) {
	sz := &serializers.REST{}
	s := newStore(t, sz, store.WithSerializerFor("album", restAlbum()))
	doc, err := sz.NormalizeResponse(s, &store.Request{Op: store.OpQuery, Type: "album"}, read(t, "rest-albums.json"))
	require.NoError(t, err)
	golden(t, "rest-albums", doc)
	require.Len(t, doc.Data, 2, "the requested type is primary")
	assert.Equal(t, "1", doc.Data[0].ID, "integer ids become strings")
	assert.Equal(t, json.RawMessage(`10`), doc.Data[0].Attributes["songCount"], "the album serializer's attrs mapping")
	assert.Equal(t, "/albums/1/songs", doc.Data[0].Relationships["songs"].Links.Href("related"))
	assert.Equal(t, "artist", doc.Data[1].Relationships["artist"].Data[0].Type, "an {id, type} object is singularized")
	assert.Len(t, doc.Included, 3, "artists and the forced side-load of _songs; labels skipped")
	assert.Equal(t, json.RawMessage(`1`), doc.Meta["page"])
	assert.Equal(t, "/albums?page=2", doc.Links.Href("next"))
}

func TestRESTSingleChoosesPrimaryByID(t *testing.T) {
	sz := &serializers.REST{}
	s := newStore(t, sz)
	doc, err := sz.NormalizeResponse(s, &store.Request{Op: store.OpFindRecord, Type: "album", ID: "2"}, read(t, "rest-albums.json"))
	require.NoError(t, err)
	assert.Equal(t, jsonapi.One, doc.Shape)
	assert.Equal(t, "2", doc.Data[0].ID)
	ids := []string{}
	for _, r := range doc.Included {
		if r.Type == "album" {
			ids = append(ids, r.ID)
		}
	}
	assert.Equal(t, []string{"1"}, ids, "the other album is side-loaded")

	doc, err = sz.NormalizeResponse(s, &store.Request{Op: store.OpQueryRecord, Type: "album"}, []byte(`{"artists": []}`))
	require.NoError(t, err)
	assert.Equal(t, jsonapi.Null, doc.Shape)
}

func TestRESTPushPayloadSeedStory(t *testing.T) {
	s := newStore(t, &serializers.REST{}, store.WithSerializerFor("album", restAlbum()))
	err := s.PushPayload("album", []byte(`{"albums":[{"id":"7","title":"Bon Iver, Bon Iver","song_count":10,"artist":"2"}],"artists":[{"id":"2","name":"Bon Iver"}]}`))
	require.NoError(t, err)
	a, ok := store.PeekRecord[fixture.Album](s, "7")
	require.True(t, ok)
	assert.Equal(t, 10, a.SongCount, "song_count maps to songCount")
	assert.True(t, s.HasRecordForID("artist", "2"), "every root is pushed")
	assert.Error(t, s.PushPayload("album", []byte(`{"albums":[{"id":"8","song_count":"ten"}]}`)))
	assert.False(t, s.HasRecordForID("album", "8"))
	assert.ErrorIs(t, s.PushPayload("label", []byte(`{}`)), store.ErrUnknownType)
}

// REST keys as its doc says: a save writes the declared name; a read also
// takes the other common spellings, unless ExactKeys (Ember's behaviour).
func TestRESTKeySpellings(t *testing.T) {
	s := newStore(t, &serializers.REST{})
	require.NoError(t, s.PushPayload("album", []byte(`{"albums":[{"id":"1","song_count":3,"artist-name":"A"}]}`)))
	a, ok := store.PeekRecord[fixture.Album](s, "1")
	require.True(t, ok)
	assert.Equal(t, 3, a.SongCount, "snake_case read by default")
	assert.Equal(t, "A", a.ArtistName, "dasherized read by default")

	exact := newStore(t, &serializers.REST{Keys: serializers.Keys{ExactKeys: true}})
	require.NoError(t, exact.PushPayload("album", []byte(`{"albums":[{"id":"1","song_count":3,"songCount":4}]}`)))
	a, ok = store.PeekRecord[fixture.Album](exact, "1")
	require.True(t, ok)
	assert.Equal(t, 4, a.SongCount, "ExactKeys reads the declared key only")
}

func TestRESTHashErrors(t *testing.T) {
	sz := &serializers.REST{}
	s := newStore(t, sz)
	for name, body := range map[string]string{
		"not an object":  `[1]`,
		"bad root value": `{"albums": 5}`,
		"float id":       `{"albums": [{"id": 1.5}]}`,
		"object id":      `{"albums": [{"id": {}}]}`,
		"hasMany scalar": `{"albums": [{"id": "1", "songs": 3}]}`,
		"bad meta":       `{"albums": [], "meta": 3}`,
		"bad links":      `{"albums": [], "links": 3}`,
		"truncated":      `{"albums": [`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := sz.NormalizeResponse(s, &store.Request{Op: store.OpFindAll, Type: "album"}, []byte(body))
			var de *store.DocumentError
			assert.ErrorAs(t, err, &de)
		})
	}
}

func TestRESTHooks(t *testing.T) {
	sz := &serializers.REST{
		PrimaryKey: "_id",
		Keys: serializers.Keys{
			KeyForAttribute:         model.Underscore,
			ModelNameFromPayloadKey: func(k string) string { return model.Singularize(k[len("x_"):]) },
		},
		NormalizeHash: func(m *model.Model, h map[string]json.RawMessage) error {
			h["title"] = json.RawMessage(`"hooked"`)
			return nil
		},
	}
	s := newStore(t, sz)
	doc, err := sz.NormalizeResponse(s, &store.Request{Op: store.OpFindAll, Type: "album"}, []byte(`{"x_albums":[{"_id":"5","artist_name":"A"}]}`))
	require.NoError(t, err)
	require.Len(t, doc.Data, 1)
	assert.Equal(t, "5", doc.Data[0].ID)
	assert.Equal(t, json.RawMessage(`"A"`), doc.Data[0].Attributes["artistName"])
	assert.Equal(t, json.RawMessage(`"hooked"`), doc.Data[0].Attributes["title"])
}

func TestJSONSerializer(t *testing.T) {
	sz := &serializers.JSON{}
	s := newStore(t, sz)
	m, _ := s.ModelFor("album")
	doc, err := sz.NormalizeResponse(s, &store.Request{Op: store.OpFindRecord, Type: "album", ID: "1", Model: m}, []byte(`{"id":1,"title":"t","artist":3,"songs":[1,2]}`))
	require.NoError(t, err)
	assert.Equal(t, jsonapi.One, doc.Shape)
	assert.Equal(t, []jsonapi.Identifier{{Type: "song", ID: "1"}, {Type: "song", ID: "2"}}, doc.Data[0].Relationships["songs"].Data)
	doc, err = sz.NormalizeResponse(s, &store.Request{Op: store.OpFindAll, Type: "album", Model: m}, []byte(`[{"id":1},{"id":2}]`))
	require.NoError(t, err)
	assert.Len(t, doc.Data, 2)
	_, err = sz.NormalizeResponse(s, &store.Request{Op: store.OpFindRecord, Type: "album", Model: m}, []byte(`[{"id":1},{"id":2}]`))
	assert.ErrorIs(t, err, store.ErrShape)
	assert.ErrorIs(t, s.PushPayload("album", []byte(`{"id":1}`)), store.ErrNotSupported, "as Ember asserts")
}

func TestNormalize(t *testing.T) {
	for name, sz := range map[string]store.Serializer{
		"rest": restAlbum(), "json": &serializers.JSON{Keys: serializers.Keys{Attrs: map[string]string{"songCount": "song_count"}}},
	} {
		t.Run(name, func(t *testing.T) {
			s := newStore(t, sz)
			doc, err := s.Normalize("album", []byte(`{"id":"3","song_count":4}`))
			require.NoError(t, err)
			_, err = s.Push(doc)
			require.NoError(t, err)
			a, _ := store.PeekRecord[fixture.Album](s, "3")
			assert.Equal(t, 4, a.SongCount)
		})
	}
	s := newStore(t, &serializers.JSONAPI{})
	doc, err := s.Normalize("album", []byte(`{"type":"albums","id":"3","attributes":{"song-count":4}}`))
	require.NoError(t, err)
	assert.Equal(t, json.RawMessage(`4`), doc.Data[0].Attributes["songCount"])
	plain := newStore(t, nil)
	doc, err = plain.Normalize("album", []byte(`{"type":"album","id":"3","attributes":{"songCount":4}}`))
	require.NoError(t, err)
	assert.Equal(t, "3", doc.Data[0].ID)
	_, err = plain.Normalize("album", []byte(`[]`))
	assert.Error(t, err)
	_, err = plain.Normalize("label", []byte(`{}`))
	assert.ErrorIs(t, err, store.ErrUnknownType)
}

// FuzzREST checks that no payload makes the REST serializer panic.
func FuzzREST(f *testing.F) {
	f.Add([]byte(`{"albums":[{"id":1,"songs":[1,{"id":2,"type":"songs"}],"artist":null}]}`))
	f.Add([]byte(`{"album":{"id":"1","links":{"songs":"/x"}},"meta":{}}`))
	s, err := store.New(nil, &serializers.REST{}, store.WithModels(fixture.Models()...))
	require.NoError(f, err)
	defer s.Close()
	sz := &serializers.REST{}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, op := range []store.Op{store.OpFindRecord, store.OpQuery} {
			doc, err := sz.NormalizeResponse(s, &store.Request{Op: op, Type: "album", ID: "1"}, body)
			if err == nil {
				_, _ = s.Push(doc)
			}
		}
	})
}

// A null root is "no record", as Ember reads it: queryRecord's not-found, and
// an empty list for a query.
func TestRESTNullRoot(t *testing.T) {
	sz := &serializers.REST{}
	s := newStore(t, sz)
	doc, err := sz.NormalizeResponse(s, &store.Request{Op: store.OpQueryRecord, Type: "album"}, []byte(`{"album": null}`))
	require.NoError(t, err)
	assert.Equal(t, jsonapi.Null, doc.Shape)
	assert.Empty(t, doc.Data)
	doc, err = sz.NormalizeResponse(s, &store.Request{Op: store.OpQuery, Type: "album"}, []byte(`{"albums": null, "artists": [{"id": 1, "name": "a"}]}`))
	require.NoError(t, err)
	assert.Equal(t, jsonapi.Many, doc.Shape)
	assert.Empty(t, doc.Data)
	assert.Len(t, doc.Included, 1)
}

// FuzzJSONAPISerializer feeds hostile bodies through the JSON:API serializer
// and the store: nothing panics, and a body that fails leaves the cache as it
// was.
func FuzzJSONAPISerializer(f *testing.F) {
	f.Add([]byte(`{"data":{"type":"Albums","id":"1","attributes":{"artistName":"x","song_count":3},"relationships":{"artist":{"data":{"type":"artists","id":"2"}}}}}`))
	f.Add([]byte(`{"data":[{"type":"albums","id":"1","attributes":{"undeclared":[1]}}],"included":[{"type":"nope","id":"1"}]}`))
	f.Add([]byte(`{"data":{"type":"albums","id":"1","relationships":{"songs":{"data":[{"type":"Songs","id":"1"}]},"bogus":null}}}`))
	sz := &serializers.JSONAPI{}
	s, err := store.New(nil, sz, store.WithModels(fixture.Models()...))
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, body []byte) {
		before := store.PeekAll[fixture.Album](s).Len()
		doc, err := sz.NormalizeResponse(s, &store.Request{Op: store.OpQuery, Type: "album"}, body)
		if err != nil {
			return
		}
		if _, err := s.Push(doc); err != nil {
			assert.Equal(t, before, store.PeekAll[fixture.Album](s).Len(), "a failed push changed nothing")
		}
	})
}
