package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/attr"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/relationship"
	"github.com/larder-go/larder/store"
)

// Note has attributes that hold references, to test that results are copies.
type Note struct {
	ID    string                                 `id:""`
	Text  string                                 `attr:"text"`
	Tags  []string                               `attr:"tags"`
	Extra *string                                `attr:"extra"`
	Props map[string]any                         `attr:"props"`
	Count int                                    `attr:"count,number"`
	Owner relationship.BelongsTo[fixture.Artist] `rel:"owner,inverse=-"`
}

func newStore(t *testing.T, opts ...store.Option) *store.Cache {
	t.Helper()
	opts = append([]store.Option{store.WithModels(append(fixture.Models(), Note{})...)}, opts...)
	s, err := store.New(nil, nil, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func decode(t *testing.T, s string) *jsonapi.Document {
	t.Helper()
	doc, err := jsonapi.Decode([]byte(s))
	require.NoError(t, err)
	return doc
}

func push(t *testing.T, s *store.Cache, doc string) []any {
	t.Helper()
	recs, err := s.Push(decode(t, doc))
	require.NoError(t, err)
	return recs
}

const bazan = `{
  "data": {"type": "album", "id": "1",
    "attributes": {"title": "Fewer Moving Parts", "artistName": "David Bazan", "songCount": 10, "releasedAt": "2006-09-26T00:00:00Z", "rating": 4.5},
    "relationships": {
      "artist": {"data": {"type": "artist", "id": "1"}, "links": {"related": "/albums/1/artist"}},
      "songs": {"data": [{"type": "song", "id": "1"}, {"type": "song", "id": "2"}], "meta": {"count": 2}}
    }},
  "included": [{"type": "artist", "id": "1", "attributes": {"name": "David Bazan"}}]
}`

func TestPushAndPeek(t *testing.T) {
	s := newStore(t)
	recs := push(t, s, bazan)
	require.Len(t, recs, 1)
	a, ok := recs[0].(fixture.Album)
	require.True(t, ok, "Push returns typed values, have %T", recs[0])
	assert.Equal(t, "Fewer Moving Parts", a.Title)

	got, ok := store.PeekRecord[fixture.Album](s, "1")
	require.True(t, ok)
	assert.Equal(t, "1", got.ID)
	assert.Equal(t, "David Bazan", got.ArtistName)
	assert.Equal(t, 10, got.SongCount)
	assert.True(t, got.ReleasedAt.Equal(time.Date(2006, 9, 26, 0, 0, 0, 0, time.UTC)))
	assert.Equal(t, 4.5, got.Rating)
	assert.Equal(t, "1", got.Artist.ID())
	assert.Equal(t, "/albums/1/artist", got.Artist.Link("related"))
	assert.Equal(t, []string{"1", "2"}, got.Songs.IDs())
	assert.Equal(t, `2`, string(got.Songs.Meta()["count"]))

	artist, ok := store.PeekRecord[fixture.Artist](s, "1")
	require.True(t, ok, "included resources are pushed")
	assert.Equal(t, "David Bazan", artist.Name)
	assert.Equal(t, []string{"1"}, artist.Albums.IDs(), "the inverse of album 1's artist")
	assert.True(t, artist.Albums.IsPartial(), "known from the inverse only, never received whole")

	assert.True(t, s.HasRecordForID("album", "1"))
	assert.True(t, s.HasRecordForID("artist", "1"))
	assert.False(t, s.HasRecordForID("album", "2"))
	assert.False(t, s.HasRecordForID("song", "1"), "linkage alone does not load a record")
	assert.False(t, s.HasRecordForID("nope", "1"))
	_, ok = store.PeekRecord[fixture.Song](s, "1")
	assert.False(t, ok)
}

func TestPushIncludedBeforeData(t *testing.T) {
	s := newStore(t)
	// The same artist in data and included: data, pushed last, wins.
	push(t, s, `{"data":{"type":"artist","id":"1","attributes":{"name":"from data"}},
	  "included":[{"type":"artist","id":"1","attributes":{"name":"from included"}}]}`)
	a, ok := store.PeekRecord[fixture.Artist](s, "1")
	require.True(t, ok)
	assert.Equal(t, "from data", a.Name)
}

func TestPushPartialUpdate(t *testing.T) {
	s := newStore(t)
	push(t, s, bazan)
	push(t, s, `{"data":{"type":"album","id":"1","attributes":{"rating":5}}}`)
	a, _ := store.PeekRecord[fixture.Album](s, "1")
	assert.Equal(t, 5.0, a.Rating)
	assert.Equal(t, "Fewer Moving Parts", a.Title, "omitted attributes keep their values")
	assert.Equal(t, []string{"1", "2"}, a.Songs.IDs(), "omitted relationships keep their linkage")

	push(t, s, `{"data":{"type":"album","id":"1","relationships":{"songs":{"links":{"related":"/albums/1/songs"}}}}}`)
	a, _ = store.PeekRecord[fixture.Album](s, "1")
	assert.Equal(t, []string{"1", "2"}, a.Songs.IDs(), "links without data keep linkage")
	assert.Equal(t, "/albums/1/songs", a.Songs.Link("related"))
	assert.Equal(t, `2`, string(a.Songs.Meta()["count"]), "meta kept when the payload has none")

	push(t, s, `{"data":{"type":"album","id":"1","relationships":{"songs":{"data":[]},"artist":{"data":null}}}}`)
	a, _ = store.PeekRecord[fixture.Album](s, "1")
	assert.True(t, a.Songs.HasLinkage())
	assert.Equal(t, 0, a.Songs.Len())
	assert.Equal(t, "/albums/1/songs", a.Songs.Link("related"))
	assert.True(t, a.Artist.IsNull())
	assert.Equal(t, "/albums/1/artist", a.Artist.Link("related"))
}

func TestPushNullAndAbsent(t *testing.T) {
	s := newStore(t)
	push(t, s, `{"data":{"type":"note","id":"1","attributes":{"text":"hi","extra":"x","tags":["a"],"count":"7"}}}`)
	n, _ := store.PeekRecord[Note](s, "1")
	require.NotNil(t, n.Extra)
	assert.Equal(t, "x", *n.Extra)
	assert.Equal(t, 7, n.Count, "number transform reads numeric strings")
	push(t, s, `{"data":{"type":"note","id":"1","attributes":{"extra":null,"tags":null}}}`)
	n, _ = store.PeekRecord[Note](s, "1")
	assert.Nil(t, n.Extra, "explicit null clears")
	assert.Nil(t, n.Tags)
	assert.Equal(t, "hi", n.Text, "absent keeps")
}

func TestPushIgnoresUndeclared(t *testing.T) {
	s := newStore(t)
	push(t, s, `{"data":{"type":"artist","id":"1","attributes":{"name":"x","unknown":{"deep":[1]}},
	  "relationships":{"label":{"data":{"type":"label","id":"9"}}}}}`)
	a, ok := store.PeekRecord[fixture.Artist](s, "1")
	require.True(t, ok)
	assert.Equal(t, "x", a.Name)
}

func TestPushTyped(t *testing.T) {
	s := newStore(t)
	albums, err := store.Push[fixture.Album](s, decode(t, bazan))
	require.NoError(t, err)
	require.Len(t, albums, 1)
	assert.Equal(t, "Fewer Moving Parts", albums[0].Title)

	_, err = store.Push[fixture.Artist](s, decode(t, `{"data":[{"type":"artist","id":"2"},{"type":"album","id":"3"}]}`))
	assert.ErrorIs(t, err, store.ErrTypeMismatch)
	assert.False(t, s.HasRecordForID("artist", "2"), "a rejected push changes nothing")

	none, err := store.Push[fixture.Album](s, decode(t, `{"data":null}`))
	require.NoError(t, err)
	assert.Empty(t, none)
	_, err = store.Push[struct{ ID string }](s, decode(t, `{"data":null}`))
	assert.ErrorIs(t, err, store.ErrUnknownType)
}

func TestPushErrorsChangeNothing(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		pointer string
		cond    error
	}{
		{"unknown type", `{"data":[{"type":"album","id":"2"},{"type":"label","id":"1"}]}`, "/data/1/type", store.ErrUnknownType},
		{"unknown included type", `{"data":{"type":"album","id":"2"},"included":[{"type":"label","id":"1"}]}`, "/included/0/type", store.ErrUnknownType},
		{"missing id", `{"data":{"type":"album","attributes":{"title":"x"}}}`, "/data/id", store.ErrMissingID},
		{"type mismatch in attribute", `{"data":[{"type":"album","id":"2","attributes":{"title":"ok"}},{"type":"album","id":"3","attributes":{"songCount":"ten"}}]}`, "/data/1/attributes/songCount", attr.ErrType},
		{"fraction into int", `{"data":{"type":"album","id":"2","attributes":{"songCount":10.5}}}`, "/data/attributes/songCount", attr.ErrFraction},
		{"overflow", `{"data":{"type":"album","id":"2","attributes":{"songCount":99999999999999999999}}}`, "/data/attributes/songCount", attr.ErrRange},
		{"bad date", `{"data":{"type":"album","id":"2","attributes":{"releasedAt":"soon"}}}`, "/data/attributes/releasedAt", attr.ErrDate},
		{"array for belongsTo", `{"data":{"type":"album","id":"2","relationships":{"artist":{"data":[]}}}}`, "/data/relationships/artist/data", store.ErrShape},
		{"object for hasMany", `{"data":{"type":"album","id":"2","relationships":{"songs":{"data":{"type":"song","id":"1"}}}}}`, "/data/relationships/songs/data", store.ErrShape},
		{"wrong related type", `{"data":{"type":"album","id":"2","relationships":{"songs":{"data":[{"type":"song","id":"1"},{"type":"artist","id":"1"}]}}}}`, "/data/relationships/songs/data/1/type", store.ErrTypeMismatch},
		{"unknown related type", `{"data":{"type":"album","id":"2","relationships":{"artist":{"data":{"type":"band","id":"1"}}}}}`, "/data/relationships/artist/data/type", store.ErrTypeMismatch},
		{"late error after good included", `{"data":{"type":"album","id":"2","attributes":{"rating":"x"}},"included":[{"type":"artist","id":"5","attributes":{"name":"n"}}]}`, "/data/attributes/rating", attr.ErrType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			push(t, s, bazan)
			before := store.PeekAll[fixture.Album](s).Records()
			version := s.Version()
			_, err := s.Push(decode(t, tt.doc))
			var de *store.DocumentError
			require.True(t, errors.As(err, &de), "err = %v", err)
			assert.Equal(t, tt.pointer, de.Pointer, "err = %v", err)
			assert.ErrorIs(t, err, tt.cond)
			assert.True(t, strings.HasPrefix(err.Error(), "store: "+tt.pointer))
			assert.Equal(t, before, store.PeekAll[fixture.Album](s).Records(), "the cache is as it was")
			assert.False(t, s.HasRecordForID("album", "2"))
			assert.False(t, s.HasRecordForID("artist", "5"))
			assert.Equal(t, version, s.Version(), "nothing was announced")
		})
	}
}

func TestPushNilAndEmpty(t *testing.T) {
	s := newStore(t)
	_, err := s.Push(nil)
	assert.Error(t, err)
	recs, err := s.Push(decode(t, `{"meta":{"a":1}}`))
	require.NoError(t, err)
	assert.Empty(t, recs)
	recs, err = s.Push(decode(t, `{"data":null}`))
	require.NoError(t, err)
	assert.Empty(t, recs)
	_, err = s.Push(&jsonapi.Document{Shape: jsonapi.One})
	assert.ErrorIs(t, err, store.ErrShape)
}

func TestPushIntegerIDs(t *testing.T) {
	type Counter struct {
		ID    int64 `id:"counter"`
		Value int   `attr:"value"`
	}
	s, err := store.New(nil, nil, store.WithModels(Counter{}))
	require.NoError(t, err)
	defer s.Close()
	push(t, s, `{"data":{"type":"counter","id":"42","attributes":{"value":1}}}`)
	c, ok := store.PeekRecord[Counter](s, "42")
	require.True(t, ok)
	assert.Equal(t, int64(42), c.ID)
	_, err = s.Push(decode(t, `{"data":{"type":"counter","id":"abc"}}`))
	var de *store.DocumentError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "/data/id", de.Pointer)
}

func TestPushLID(t *testing.T) {
	s := newStore(t)
	push(t, s, `{"data":{"type":"artist","id":"1","lid":"local-1","attributes":{"name":"a"}}}`)
	id, ok := s.PeekIdentifier("artist", "1")
	require.True(t, ok)
	assert.Equal(t, store.Identifier{Type: "artist", ID: "1", LID: "local-1"}, id)
	// A resource carrying a known lid updates that record.
	push(t, s, `{"data":{"type":"artist","lid":"local-1","attributes":{"name":"b"}}}`)
	a, _ := store.PeekRecord[fixture.Artist](s, "1")
	assert.Equal(t, "b", a.Name)
	assert.Equal(t, "1", a.ID)
	_, err := s.Push(decode(t, `{"data":{"type":"artist","lid":"unknown"}}`))
	assert.ErrorIs(t, err, store.ErrMissingID)

	push(t, s, `{"data":{"type":"artist","id":"2"}}`)
	id, _ = s.PeekIdentifier("artist", "2")
	assert.Equal(t, "@lid:artist-2", id.LID, "Ember's derived lid")
	assert.Equal(t, "artist:2", id.String())
}

func TestResultsBelongToCaller(t *testing.T) {
	s := newStore(t)
	push(t, s, `{"data":{"type":"note","id":"1","attributes":{"text":"t","tags":["a","b"],"extra":"x","props":{"k":[1]}}}}`)
	n, _ := store.PeekRecord[Note](s, "1")
	n.Text = "changed"
	n.Tags[0] = "changed"
	*n.Extra = "changed"
	n.Props["k"] = "changed"
	again, _ := store.PeekRecord[Note](s, "1")
	assert.Equal(t, "t", again.Text)
	assert.Equal(t, []string{"a", "b"}, again.Tags)
	assert.Equal(t, "x", *again.Extra)
	assert.Len(t, again.Props["k"], 1)

	recs := store.PeekAll[Note](s).Records()
	recs[0].Tags[1] = "changed"
	again, _ = store.PeekRecord[Note](s, "1")
	assert.Equal(t, "b", again.Tags[1])
}

func TestPushDoesNotRetainDocument(t *testing.T) {
	s := newStore(t)
	doc := decode(t, `{"data":{"type":"album","id":"1","relationships":{"songs":{"data":[{"type":"song","id":"1","meta":{"m":1}}],"links":{"related":"/x"},"meta":{"c":1}}}}}`)
	_, err := s.Push(doc)
	require.NoError(t, err)
	rel := doc.Data[0].Relationships["songs"]
	rel.Data[0].ID = "changed"
	rel.Data[0].Meta["m"][0] = '9'
	rel.Links["related"].Href = "changed"
	rel.Meta["c"][0] = '9'
	a, _ := store.PeekRecord[fixture.Album](s, "1")
	assert.Equal(t, []string{"1"}, a.Songs.IDs())
	assert.Equal(t, `1`, string(a.Songs.Identifiers()[0].Meta["m"]))
	assert.Equal(t, "/x", a.Songs.Link("related"))
	assert.Equal(t, `1`, string(a.Songs.Meta()["c"]))
}

func TestNewValidatesModels(t *testing.T) {
	_, err := store.New(nil, nil, store.WithModels(fixture.Album{}))
	assert.Error(t, err, "album.artist needs artist registered")
	type Bad struct {
		ID string `id:"bad"`
		X  int    `attr:"x,money"`
	}
	_, err = store.New(nil, nil, store.WithModels(Bad{}))
	assert.Error(t, err)
	type Priced struct {
		ID string `id:"priced"`
		X  int    `attr:"x,money"`
	}
	s, err := store.New(nil, nil, store.WithModels(Priced{}),
		store.WithTransform("money", attr.Func("money", func(raw []byte) (int, error) { return len(raw), nil }, nil)))
	require.NoError(t, err)
	defer s.Close()
	push(t, s, `{"data":{"type":"priced","id":"1","attributes":{"x":"abc"}}}`)
	p, _ := store.PeekRecord[Priced](s, "1")
	assert.Equal(t, 5, p.X, "the custom transform ran")
	_, err = store.New(nil, nil, store.WithModels(fixture.Models()...), store.WithAdapterFor("nope", nil))
	assert.ErrorIs(t, err, store.ErrUnknownType)
}

func TestModelFor(t *testing.T) {
	s := newStore(t)
	m, err := s.ModelFor("album")
	require.NoError(t, err)
	assert.Equal(t, "album", m.Name)
	_, err = s.ModelFor("nope")
	assert.ErrorIs(t, err, store.ErrUnknownType)
}

func TestPeekUnregisteredPanics(t *testing.T) {
	s := newStore(t)
	type Other struct{ ID string }
	assert.PanicsWithValue(t, "store: model store_test.Other is not registered (pass it to store.WithModels)", func() {
		store.PeekRecord[Other](s, "1")
	})
}

func jsonapiDecode(b []byte) (*jsonapi.Document, error) { return jsonapi.Decode(b) }
