package music_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/examples/music"
	"github.com/larder-go/larder/internal/gen"
	"github.com/larder-go/larder/jsonapitest"
	"github.com/larder-go/larder/relationship"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

// A stale generated package fails here: regenerating it must give the bytes
// checked in.
func TestGeneratedFileIsCurrent(t *testing.T) {
	want, err := os.ReadFile("models_gen.go")
	require.NoError(t, err)
	got, err := gen.Files("", "music", "testdata/music.json")
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "models_gen.go is stale: run go generate ./examples/music")
}

// handAlbum is music.Album written by hand: the same tags, no generated
// codec, so the store compiles its codecs by reflection.
type handAlbum struct {
	ID         string                             `id:"album"`
	Title      string                             `attr:"title,string"`
	ArtistName string                             `attr:"artistName,string"`
	SongCount  int                                `attr:"songCount,number"`
	ReleasedAt time.Time                          `attr:"releasedAt,date"`
	Rating     float64                            `attr:"rating,number"`
	Explicit   bool                               `attr:"explicit,boolean"`
	Credits    json.RawMessage                    `attr:"credits"`
	Artist     relationship.BelongsTo[handArtist] `rel:"artist"`
}

type handArtist struct {
	ID string `id:"artist"`
}

func TestGeneratedCodecAgreesWithReflection(t *testing.T) {
	gen, err := store.New(nil, nil, store.WithModels(music.Models()...))
	require.NoError(t, err)
	defer gen.Close()
	hand, err := store.New(nil, nil, store.WithModels(handAlbum{}, handArtist{}))
	require.NoError(t, err)
	defer hand.Close()

	for _, attrs := range []string{
		`{"title":"Blue","artistName":"Joni","songCount":10,"releasedAt":"1971-06-22","rating":4.5,"explicit":false,"credits":{"producer":"Joni"}}`,
		`{"title":7,"songCount":"12","releasedAt":1e12,"rating":"NaN","explicit":"T","credits":[1,2]}`,
		`{"title":null,"songCount":null,"releasedAt":null,"rating":null,"explicit":null,"credits":null}`,
		`{"title":true,"songCount":"","explicit":1}`,
		`{"songCount":1.5}`,
		`{"songCount":99999999999999999999}`,
		`{"songCount":"x"}`,
		`{"releasedAt":"yesterday"}`,
		`{"releasedAt":true}`,
		`{"title":{}}`,
		`{"rating":1e400}`,
		`{"songCount":1e2}`,
	} {
		t.Run(attrs, func(t *testing.T) {
			doc := fmt.Appendf(nil, `{"data":{"type":"album","id":"1","attributes":%s}}`, attrs)
			gerr := gen.PushDocument(doc)
			herr := hand.PushDocument(doc)
			if herr != nil {
				require.Error(t, gerr)
				assert.Equal(t, herr.Error(), gerr.Error())
				return
			}
			require.NoError(t, gerr)
			g, ok := store.PeekRecord[music.Album](gen, "1")
			require.True(t, ok)
			h, ok := store.PeekRecord[handAlbum](hand, "1")
			require.True(t, ok)
			assert.Equal(t, h.Title, g.Title)
			assert.Equal(t, h.ArtistName, g.ArtistName)
			assert.Equal(t, h.SongCount, g.SongCount)
			assert.True(t, h.ReleasedAt.Equal(g.ReleasedAt), "%v %v", h.ReleasedAt, g.ReleasedAt)
			assert.Equal(t, h.Rating, g.Rating)
			assert.Equal(t, h.Explicit, g.Explicit)
			assert.Equal(t, string(h.Credits), string(g.Credits))
		})
	}
}

func TestGeneratedModelsWorkInAStore(t *testing.T) {
	s, err := store.New(nil, nil, store.WithModels(music.Models()...))
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.PushDocument([]byte(`{
		"data":{"type":"album","id":"1","attributes":{"title":"Blue","songCount":10},
			"relationships":{"artist":{"data":{"type":"artist","id":"9"}},"songs":{"data":[{"type":"song","id":"5"}]}}},
		"included":[{"type":"artist","id":"9","attributes":{"name":"Joni","formed-in":1964}}]}`)))
	a, ok := store.PeekRecord[music.Album](s, "1")
	require.True(t, ok)
	assert.Equal(t, "Blue", a.Title)
	assert.Equal(t, 10, a.SongCount)
	assert.Equal(t, "9", a.Artist.ID())
	assert.Equal(t, []string{"5"}, a.Songs.IDs())
	ar, ok := store.PeekRecord[music.Artist](s, "9")
	require.True(t, ok)
	assert.Equal(t, 1964, ar.FormedIn, "sourceKey names the payload member")
	assert.Equal(t, []string{"1"}, ar.Albums.IDs(), "the inverse the schema names is kept")
	m, err := s.ModelFor("album")
	require.NoError(t, err)
	assert.NotNil(t, m.Generated, "the store found the generated codec")
}

// A save encodes a generated model's attributes with its generated codec.
func TestGeneratedModelsSave(t *testing.T) {
	srv := jsonapitest.NewServer(jsonapitest.Empty())
	defer srv.Close()
	s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL}}, &serializers.JSONAPI{},
		store.WithModels(music.Models()...))
	require.NoError(t, err)
	defer s.Close()
	released := time.Date(1971, 6, 22, 0, 0, 0, 0, time.UTC)
	ref, err := store.CreateRecord(s, music.Album{Title: "Blue", SongCount: 10, Rating: 4.5, ReleasedAt: released, Explicit: true, Credits: json.RawMessage(`{"producer":"Joni"}`)})
	require.NoError(t, err)
	require.NoError(t, ref.Save(context.Background()))
	res, ok := srv.Get("album", ref.ID()) // the serializer writes members dasherized
	require.True(t, ok, "the server has the album")
	assert.JSONEq(t, `"Blue"`, string(res.Attributes["title"]))
	assert.JSONEq(t, `10`, string(res.Attributes["song-count"]))
	assert.JSONEq(t, `4.5`, string(res.Attributes["rating"]))
	assert.JSONEq(t, `"1971-06-22T00:00:00Z"`, string(res.Attributes["released-at"]))
	assert.JSONEq(t, `true`, string(res.Attributes["explicit"]))
	assert.JSONEq(t, `{"producer":"Joni"}`, string(res.Attributes["credits"]))
}
