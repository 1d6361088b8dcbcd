package store_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/internal/schematest"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/jsonapitest"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

// recorded is one request a backend received.
type recorded struct {
	Method, Path, Body string
}

// backend is an httptest JSON:API backend that records every request and
// answers as respond says. A nil respond answers 404.
type backend struct {
	mu      sync.Mutex
	reqs    []recorded
	respond func(r recorded) (int, string)
	srv     *httptest.Server
}

func newBackend(t *testing.T, respond func(r recorded) (int, string)) *backend {
	t.Helper()
	b := &backend{respond: respond}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		rec := recorded{Method: req.Method, Path: req.URL.Path, Body: string(body)}
		b.mu.Lock()
		b.reqs = append(b.reqs, rec)
		respond := b.respond
		b.mu.Unlock()
		status, out := http.StatusNotFound, `{"errors":[{"status":"404","title":"Not Found"}]}`
		if respond != nil {
			status, out = respond(rec)
		}
		w.Header().Set("Content-Type", jsonapi.MediaType)
		w.WriteHeader(status)
		io.WriteString(w, out)
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *backend) requests() []recorded {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]recorded(nil), b.reqs...)
}

func (b *backend) last() recorded {
	rs := b.requests()
	if len(rs) == 0 {
		return recorded{}
	}
	return rs[len(rs)-1]
}

// writeStore is a store over a JSON:API adapter at host with the JSON:API
// serializer and the fixture models.
func writeStore(t *testing.T, host string, opts ...store.Option) *store.Cache {
	t.Helper()
	s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: host}}, &serializers.JSONAPI{},
		append([]store.Option{store.WithModels(fixture.Models()...)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// pushAlbum puts album 1 (title "Old", rating 4) and artist 1 in the cache.
func pushAlbum(t testing.TB, s *store.Cache) {
	t.Helper()
	doc, err := jsonapi.Decode([]byte(`{"data":{"type":"album","id":"1","attributes":{"title":"Old","artistName":"A","songCount":2,"releasedAt":"2006-09-26T00:00:00Z","rating":4},
		"relationships":{"artist":{"data":{"type":"artist","id":"1"}}}},
		"included":[{"type":"artist","id":"1","attributes":{"name":"A"}},{"type":"artist","id":"2","attributes":{"name":"B"}}]}`))
	require.NoError(t, err)
	_, err = s.Push(doc)
	require.NoError(t, err)
}

// decodeBody decodes a request body as a JSON:API document and checks it
// against the JSON:API schema.
func decodeBody(t *testing.T, body string) *jsonapi.Document {
	t.Helper()
	schematest.Valid(t, []byte(body))
	doc, err := jsonapi.Decode([]byte(body))
	require.NoError(t, err)
	return doc
}

func TestCreateRecordSaveAssignsServerID(t *testing.T) {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	s := writeStore(t, srv.URL)
	ctx := context.Background()
	artist, err := store.FindRecord[fixture.Artist](ctx, s, "1")
	require.NoError(t, err)

	post := fixture.Album{Title: "Rails is omakase", SongCount: 3}
	post.Artist.Set(artist.ID)
	ref, err := store.CreateRecord(s, post)
	require.NoError(t, err)
	id := ref.Identifier()
	assert.Equal(t, "album", id.Type)
	assert.Empty(t, id.ID)
	assert.Len(t, id.LID, 36, "a new record's lid is a UUID")
	st := ref.State()
	assert.True(t, st.IsNew)
	assert.True(t, st.HasDirtyAttributes)
	assert.Equal(t, "created", st.DirtyType)
	assert.Equal(t, "root.loaded.created.uncommitted", st.Name())
	titles := func() []string {
		var out []string
		for _, a := range store.PeekAll[fixture.Album](s).All() {
			out = append(out, a.Title)
		}
		return out
	}
	assert.Contains(t, titles(), "Rails is omakase", "a new record is in PeekAll at once")
	assert.Equal(t, map[string][2]any{"title": {"", "Rails is omakase"}, "songCount": {0, 3}}, ref.ChangedAttributes())

	require.NoError(t, ref.Save(ctx))
	got := ref.Identifier()
	assert.Equal(t, id.LID, got.LID, "the lid stays")
	require.NotEmpty(t, got.ID, "the server's id is assigned")
	st = ref.State()
	assert.False(t, st.IsNew)
	assert.False(t, st.HasDirtyAttributes)
	assert.Equal(t, "root.loaded.saved", st.Name())
	a, ok := store.PeekRecord[fixture.Album](s, got.ID)
	require.True(t, ok)
	assert.Equal(t, "Rails is omakase", a.Title)
	assert.Equal(t, got.ID, a.ID)
	assert.Equal(t, "1", a.Artist.ID())
	assert.Equal(t, got.LID, store.GetReference[fixture.Album](s, got.ID).Identifier().LID, "the reference by id is the same record")
	stored, ok := srv.Get("album", got.ID)
	require.True(t, ok)
	assert.JSONEq(t, `"Rails is omakase"`, string(stored.Attributes["title"]))
	assert.Equal(t, "1", stored.Relationships["artist"].Data[0].ID)
	assert.Equal(t, []string{"Rails is omakase"}, titles(), "one record, not two, after the id arrives")
}

func TestCreateRecordRequestBody(t *testing.T) {
	b := newBackend(t, func(r recorded) (int, string) {
		return 201, `{"data":{"type":"albums","id":"9","lid":` + lidOf(r.Body) + `,"attributes":{"title":"T","song-count":7}}}`
	})
	s := writeStore(t, b.srv.URL)
	pushAlbum(t, s)
	v := fixture.Album{Title: "T", ReleasedAt: time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)}
	v.Artist.Set("2")
	v.Songs.Set("1", "2") // one-to-many: not sent
	ref, err := store.CreateRecord(s, v)
	require.NoError(t, err)
	require.NoError(t, ref.Save(context.Background()))

	req := b.last()
	assert.Equal(t, "POST", req.Method)
	assert.Equal(t, "/albums", req.Path)
	doc := decodeBody(t, req.Body)
	res := doc.One()
	require.NotNil(t, res)
	assert.Equal(t, "albums", res.Type, "the JSON:API serializer pluralizes types, as Ember's")
	assert.Empty(t, res.ID)
	assert.Equal(t, ref.Identifier().LID, res.LID)
	assert.JSONEq(t, `"2020-01-02T03:04:05Z"`, string(res.Attributes["released-at"]), "dates go out as ISO 8601")
	assert.JSONEq(t, `0`, string(res.Attributes["song-count"]))
	assert.Len(t, res.Attributes, 5, "a create sends every attribute")
	require.Contains(t, res.Relationships, "artist")
	assert.Equal(t, []jsonapi.Identifier{{Type: "artists", ID: "2"}}, res.Relationships["artist"].Data)
	assert.NotContains(t, res.Relationships, "songs", "a one-to-many hasMany is not serialized")

	a, ok := store.PeekRecord[fixture.Album](s, "9")
	require.True(t, ok)
	assert.Equal(t, 7, a.SongCount, "the response's values become the record's")
	assert.Equal(t, "2", a.Artist.ID(), "what was sent stays where the response is silent")
	assert.Empty(t, ref.ChangedAttributes())
}

// lidOf returns the JSON string of the lid in a request body.
func lidOf(body string) string {
	doc, err := jsonapi.Decode([]byte(body))
	if err != nil || doc.One() == nil {
		return `""`
	}
	b, _ := json.Marshal(doc.One().LID)
	return string(b)
}

func TestCreateRecordIDs(t *testing.T) {
	t.Run("an id in use is an error, not an upsert", func(t *testing.T) {
		s := writeStore(t, "http://127.0.0.1:1")
		pushAlbum(t, s)
		_, err := store.CreateRecord(s, fixture.Album{ID: "1", Title: "dup"})
		require.ErrorIs(t, err, store.ErrIDInUse)
		a, _ := store.PeekRecord[fixture.Album](s, "1")
		assert.Equal(t, "Old", a.Title, "nothing changed")
	})
	t.Run("a client id is sent on create", func(t *testing.T) {
		b := newBackend(t, func(r recorded) (int, string) { return 204, "" })
		s := writeStore(t, b.srv.URL)
		ref, err := store.CreateRecord(s, fixture.Album{ID: "c1", Title: "mine"})
		require.NoError(t, err)
		assert.Equal(t, "c1", ref.ID())
		require.NoError(t, ref.Save(context.Background()))
		res := decodeBody(t, b.last().Body).One()
		assert.Equal(t, "c1", res.ID)
		assert.False(t, ref.State().IsNew, "a 204 commits what was sent")
	})
	t.Run("the adapter's id generator", func(t *testing.T) {
		b := newBackend(t, func(r recorded) (int, string) { return 204, "" })
		n := 0
		s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: b.srv.URL, NewID: func(typ string) string {
			n++
			return typ + "-gen-" + string(rune('0'+n))
		}}}, &serializers.JSONAPI{}, store.WithModels(fixture.Models()...))
		require.NoError(t, err)
		defer s.Close()
		ref, err := store.CreateRecord(s, fixture.Album{Title: "g"})
		require.NoError(t, err)
		assert.Equal(t, "album-gen-1", ref.ID())
		a, ok := store.PeekRecord[fixture.Album](s, "album-gen-1")
		require.True(t, ok)
		assert.Equal(t, "album-gen-1", a.ID)
		require.NoError(t, ref.Save(context.Background()))
		assert.Equal(t, "album-gen-1", decodeBody(t, b.last().Body).One().ID)
	})
	t.Run("a panicking id generator is a plugin error", func(t *testing.T) {
		s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: "http://127.0.0.1:1", NewID: func(string) string { panic("boom") }}},
			nil, store.WithModels(fixture.Models()...))
		require.NoError(t, err)
		defer s.Close()
		_, err = store.CreateRecord(s, fixture.Album{Title: "g"})
		require.ErrorIs(t, err, store.ErrPlugin)
		assert.Equal(t, 0, store.PeekAll[fixture.Album](s).Len())
	})
	t.Run("relationships to unknown lids or types are errors", func(t *testing.T) {
		s := writeStore(t, "http://127.0.0.1:1")
		v := fixture.Album{Title: "x"}
		v.Artist.SetIdentifier(jsonapi.Identifier{LID: "nope"})
		_, err := store.CreateRecord(s, v)
		require.ErrorIs(t, err, store.ErrNotLoaded)
		v.Artist.SetIdentifier(jsonapi.Identifier{Type: "song", ID: "1"})
		_, err = store.CreateRecord(s, v)
		require.ErrorIs(t, err, store.ErrTypeMismatch)
		assert.Equal(t, 0, store.PeekAll[fixture.Album](s).Len())
	})
}

func TestRelationshipToNewRecordByLID(t *testing.T) {
	var mu sync.Mutex
	next := 100
	b := newBackend(t, func(r recorded) (int, string) {
		mu.Lock()
		defer mu.Unlock()
		next++
		doc, _ := jsonapi.Decode([]byte(r.Body))
		return 201, `{"data":{"type":"` + doc.One().Type + `","id":"` + string(rune('0'+next-100)) + `"}}`
	})
	s := writeStore(t, b.srv.URL)
	ctx := context.Background()
	artist, err := store.CreateRecord(s, fixture.Artist{Name: "New"})
	require.NoError(t, err)
	v := fixture.Album{Title: "By a new artist"}
	v.Artist.SetIdentifier(artist.Identifier().Linkage())
	album, err := store.CreateRecord(s, v)
	require.NoError(t, err)

	require.NoError(t, album.Save(ctx))
	res := decodeBody(t, b.last().Body).One()
	assert.NotContains(t, res.Relationships, "artist", "a belongsTo to an unsaved record is not sent")

	require.NoError(t, artist.Save(ctx))
	require.NoError(t, album.Update(func(a *fixture.Album) { a.Title = "Renamed" }))
	require.NoError(t, album.Update(func(a *fixture.Album) { a.Artist.SetIdentifier(artist.Identifier().Linkage()) }))
	require.NoError(t, album.Save(ctx))
	res = decodeBody(t, b.last().Body).One()
	require.Contains(t, res.Relationships, "artist")
	assert.Equal(t, artist.ID(), res.Relationships["artist"].Data[0].ID, "the lid resolves to the id the server gave")
}

func TestUpdateSendsChangedFields(t *testing.T) {
	for _, full := range []bool{false, true} {
		name := map[bool]string{false: "changed fields", true: "WithFullUpdates"}[full]
		t.Run(name, func(t *testing.T) {
			b := newBackend(t, func(r recorded) (int, string) { return 200, `{"data":{"type":"albums","id":"1"}}` })
			var opts []store.Option
			if full {
				opts = append(opts, store.WithFullUpdates())
			}
			s := writeStore(t, b.srv.URL, opts...)
			pushAlbum(t, s)
			ref := store.GetReference[fixture.Album](s, "1")
			require.NoError(t, ref.Update(func(a *fixture.Album) { a.Title = "New" }))
			assert.Equal(t, map[string][2]any{"title": {"Old", "New"}}, ref.ChangedAttributes())
			a, _ := store.PeekRecord[fixture.Album](s, "1")
			assert.Equal(t, "New", a.Title, "reads return the local state")

			require.NoError(t, ref.Save(context.Background()))
			req := b.last()
			assert.Equal(t, "PATCH", req.Method)
			assert.Equal(t, "/albums/1", req.Path)
			res := decodeBody(t, req.Body).One()
			assert.Equal(t, "1", res.ID)
			if full {
				assert.Len(t, res.Attributes, 5)
				assert.Contains(t, res.Relationships, "artist")
			} else {
				assert.Equal(t, map[string]json.RawMessage{"title": json.RawMessage(`"New"`)}, res.Attributes)
				assert.Nil(t, res.Relationships)
			}
			assert.False(t, ref.HasDirtyAttributes())
			a, _ = store.PeekRecord[fixture.Album](s, "1")
			assert.Equal(t, "New", a.Title)
		})
	}
}

func TestLocalEdits(t *testing.T) {
	s := writeStore(t, "http://127.0.0.1:1")
	pushAlbum(t, s)
	ref := store.GetReference[fixture.Album](s, "1")

	t.Run("setting a value back makes the record clean", func(t *testing.T) {
		require.NoError(t, ref.Update(func(a *fixture.Album) { a.Rating = 5 }))
		assert.True(t, ref.HasDirtyAttributes())
		assert.Equal(t, "root.loaded.updated.uncommitted", ref.State().Name())
		require.NoError(t, ref.Update(func(a *fixture.Album) { a.Rating = 4 }))
		assert.False(t, ref.HasDirtyAttributes())
		assert.Empty(t, ref.ChangedAttributes())
		assert.Equal(t, "root.loaded.saved", ref.State().Name())
	})
	t.Run("SetRecord diffs a whole value", func(t *testing.T) {
		a, _ := store.PeekRecord[fixture.Album](s, "1")
		a.Title, a.SongCount = "Whole", 9
		require.NoError(t, store.SetRecord(s, a))
		assert.Equal(t, map[string][2]any{"title": {"Old", "Whole"}, "songCount": {2, 9}}, ref.ChangedAttributes())
		require.NoError(t, ref.Rollback())
	})
	t.Run("changing the id is an error", func(t *testing.T) {
		err := ref.Update(func(a *fixture.Album) { a.ID = "2" })
		require.ErrorIs(t, err, store.ErrIDChanged)
		assert.False(t, ref.HasDirtyAttributes())
	})
	t.Run("a value of the caller's changed later changes nothing", func(t *testing.T) {
		var kept *fixture.Album
		require.NoError(t, ref.Update(func(a *fixture.Album) { a.Title = "Mine"; kept = a }))
		kept.Title = "Sneaky"
		a, _ := store.PeekRecord[fixture.Album](s, "1")
		assert.Equal(t, "Mine", a.Title)
		require.NoError(t, ref.Rollback())
	})
	t.Run("relationship edits are local state", func(t *testing.T) {
		require.NoError(t, ref.Update(func(a *fixture.Album) { a.Artist.Set("2") }))
		a, _ := store.PeekRecord[fixture.Album](s, "1")
		assert.Equal(t, "2", a.Artist.ID())
		assert.Equal(t, "artist:2", a.Artist.String(), "the type is filled in")
		assert.False(t, ref.HasDirtyAttributes(), "relationships are not attributes")
		require.NoError(t, ref.Update(func(a *fixture.Album) { a.Artist.Set("1") }))
	})
	t.Run("edits of a record not loaded fail", func(t *testing.T) {
		err := store.GetReference[fixture.Album](s, "404").Update(func(a *fixture.Album) { a.Title = "x" })
		require.ErrorIs(t, err, store.ErrNotLoaded)
		require.ErrorIs(t, store.SetRecord(s, fixture.Album{ID: "404"}), store.ErrNotLoaded)
	})
}

func TestPushOntoDirtyRecord(t *testing.T) {
	s := writeStore(t, "http://127.0.0.1:1")
	pushAlbum(t, s)
	ref := store.GetReference[fixture.Album](s, "1")
	require.NoError(t, ref.Update(func(a *fixture.Album) { a.Title = "Local"; a.Rating = 5 }))
	push := func(attrs string) {
		doc, err := jsonapi.Decode([]byte(`{"data":{"type":"album","id":"1","attributes":` + attrs + `}}`))
		require.NoError(t, err)
		_, err = s.Push(doc)
		require.NoError(t, err)
	}
	push(`{"title":"Remote","songCount":12}`)
	a, _ := store.PeekRecord[fixture.Album](s, "1")
	assert.Equal(t, "Local", a.Title, "the local edit stays on top")
	assert.Equal(t, 12, a.SongCount, "the remote change shows")
	assert.Equal(t, map[string][2]any{"title": {"Remote", "Local"}, "rating": {4.0, 5.0}}, ref.ChangedAttributes())

	push(`{"rating":5}`)
	assert.Equal(t, map[string][2]any{"title": {"Remote", "Local"}}, ref.ChangedAttributes(), "an edit the remote value now equals is dropped")
	push(`{"title":"Local"}`)
	assert.False(t, ref.HasDirtyAttributes(), "the record is clean again")
}

func TestReloadKeepsLocalEdits(t *testing.T) {
	b := newBackend(t, func(r recorded) (int, string) {
		return 200, `{"data":{"type":"albums","id":"1","attributes":{"title":"Old","rating":3.5}}}`
	})
	s := writeStore(t, b.srv.URL)
	pushAlbum(t, s)
	ref := store.GetReference[fixture.Album](s, "1")
	require.NoError(t, ref.Update(func(a *fixture.Album) { a.Title = "Local" }))
	a, err := ref.Reload(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "Local", a.Title)
	assert.Equal(t, 3.5, a.Rating)
	assert.Equal(t, map[string][2]any{"title": {"Old", "Local"}}, ref.ChangedAttributes())
}

func TestPushForNewRecordIdentifier(t *testing.T) {
	s := writeStore(t, "http://127.0.0.1:1")
	ref, err := store.CreateRecord(s, fixture.Album{Title: "Draft"})
	require.NoError(t, err)
	got, err := ref.Push(&jsonapi.Document{Shape: jsonapi.One, Data: []jsonapi.Resource{{Type: "album", ID: "77", LID: ref.Identifier().LID,
		Attributes: map[string]json.RawMessage{"rating": json.RawMessage(`2`)}}}})
	require.NoError(t, err)
	assert.Equal(t, "77", got.ID)
	assert.Equal(t, "Draft", got.Title, "the local value stays")
	st := ref.State()
	assert.False(t, st.IsNew, "a push for a new record's identifier makes it no longer new")
	assert.Equal(t, "updated", st.DirtyType)
	assert.Equal(t, "77", ref.ID())
}

func TestInvalidRoundTrip(t *testing.T) {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	s := writeStore(t, srv.URL)
	ctx := context.Background()
	_, err := store.FindRecord[fixture.Album](ctx, s, "1")
	require.NoError(t, err)
	ref := store.GetReference[fixture.Album](s, "1")
	require.NoError(t, ref.Update(func(a *fixture.Album) { a.Title = ""; a.Rating = 1 }))

	err = ref.Save(ctx)
	require.ErrorIs(t, err, store.ErrInvalid)
	st := ref.State()
	assert.False(t, st.IsValid)
	assert.False(t, st.IsError, "a validation error is not the error state")
	assert.Equal(t, map[string][]string{"title": {"title must not be blank"}}, st.Errors)
	assert.Equal(t, "root.loaded.updated.invalid", st.Name())
	a, _ := store.PeekRecord[fixture.Album](s, "1")
	assert.Equal(t, "", a.Title, "the values sent stay local")
	assert.Equal(t, 1.0, a.Rating)

	require.NoError(t, ref.Update(func(a *fixture.Album) { a.Title = "Fixed" }))
	assert.Empty(t, ref.Errors(), "a new value clears the attribute's error")
	assert.True(t, ref.State().IsValid)
	require.NoError(t, ref.Save(ctx))
	stored, _ := srv.Get("album", "1")
	assert.JSONEq(t, `"Fixed"`, string(stored.Attributes["title"]))
	assert.JSONEq(t, `1`, string(stored.Attributes["rating"]))
	assert.False(t, ref.HasDirtyAttributes())
}

func TestInvalidErrorKeys(t *testing.T) {
	body := `{"errors":[{"status":"422","detail":"too long","source":{"pointer":"/data/attributes/artist_name"}},
		{"detail":"pick another","source":{"pointer":"/data/relationships/artist"}},
		{"detail":"whole record","source":{"pointer":"/data"}},
		{"detail":"no pointer"}]}`
	cases := []struct {
		name    string
		status  int
		invalid func(int, []jsonapi.ErrorObject) bool
		want    error
	}{
		{"422", 422, nil, store.ErrInvalid},
		{"400 is an adapter error by default", 400, nil, store.ErrAdapter},
		{"400 with InvalidIfPointed", 400, adapters.InvalidIfPointed, store.ErrInvalid},
		{"422 without pointers under InvalidIfPointed", 422, adapters.InvalidIfPointed, store.ErrInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newBackend(t, func(recorded) (int, string) { return c.status, body })
			s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: b.srv.URL, Invalid: c.invalid}},
				&serializers.JSONAPI{}, store.WithModels(fixture.Models()...))
			require.NoError(t, err)
			defer s.Close()
			pushAlbum(t, s)
			ref := store.GetReference[fixture.Album](s, "1")
			require.NoError(t, ref.Update(func(a *fixture.Album) { a.ArtistName = strings.Repeat("x", 300) }))
			err = ref.Save(context.Background())
			require.ErrorIs(t, err, c.want)
			if c.want != store.ErrInvalid {
				assert.True(t, ref.State().IsError)
				assert.True(t, ref.State().IsValid)
				return
			}
			want := map[string][]string{"artistName": {"too long"}, "artist": {"pick another"}, "base": {"whole record"}}
			assert.Equal(t, want, ref.Errors(), "errors are reported under the model's names")
			var ae *store.AdapterError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, want, ae.AttributeErrors())
			assert.True(t, ref.HasDirtyAttributes())
		})
	}
}

func TestFailedSaveKeepsEditsAndRetries(t *testing.T) {
	fail := true
	var mu sync.Mutex
	b := newBackend(t, func(r recorded) (int, string) {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			return 503, "down for maintenance"
		}
		return 200, `{"data":{"type":"albums","id":"1"}}`
	})
	s := writeStore(t, b.srv.URL)
	pushAlbum(t, s)
	ref := store.GetReference[fixture.Album](s, "1")
	require.NoError(t, ref.Update(func(a *fixture.Album) { a.Title = "Keep me" }))
	err := ref.Save(context.Background())
	require.ErrorIs(t, err, store.ErrServer)
	st := ref.State()
	assert.True(t, st.IsError)
	assert.ErrorIs(t, st.Err, store.ErrServer)
	assert.False(t, st.IsSaving)
	assert.Equal(t, map[string][2]any{"title": {"Old", "Keep me"}}, ref.ChangedAttributes())

	mu.Lock()
	fail = false
	mu.Unlock()
	require.NoError(t, ref.Save(context.Background()))
	assert.JSONEq(t, `{"title":"Keep me"}`, string(jsonOf(t, decodeBody(t, b.last().Body).One().Attributes)))
	assert.False(t, ref.State().IsError, "a later success clears the error")
	assert.False(t, ref.HasDirtyAttributes())
}

func jsonOf(t *testing.T, v any) []byte {
	t.Helper()
	out, err := json.Marshal(v)
	require.NoError(t, err)
	return out
}

func TestEditsDuringSaveAreKept(t *testing.T) {
	gate := make(chan struct{})
	b := newBackend(t, func(r recorded) (int, string) {
		<-gate
		return 200, `{"data":{"type":"albums","id":"1","attributes":{"title":"Sent"}}}`
	})
	s := writeStore(t, b.srv.URL)
	pushAlbum(t, s)
	ref := store.GetReference[fixture.Album](s, "1")
	require.NoError(t, ref.Update(func(a *fixture.Album) { a.Title = "Sent" }))
	done := saveInFlight(t, ref)
	assert.Equal(t, "root.loaded.updated.inFlight", ref.State().Name())
	require.ErrorIs(t, s.UnloadRecord("album", "1"), store.ErrSaving)
	require.NoError(t, ref.Update(func(a *fixture.Album) { a.Rating = 1 }))
	close(gate)
	require.NoError(t, <-done)
	assert.Equal(t, map[string][2]any{"rating": {4.0, 1.0}}, ref.ChangedAttributes(), "the edit made in flight is still local")
	a, _ := store.PeekRecord[fixture.Album](s, "1")
	assert.Equal(t, "Sent", a.Title)
	assert.Equal(t, 1.0, a.Rating)
}

func TestSecondSaveWaitsAndSendsTheRest(t *testing.T) {
	gate := make(chan struct{})
	b := newBackend(t, func(r recorded) (int, string) {
		gate <- struct{}{}
		return 200, `{"data":{"type":"albums","id":"1"}}`
	})
	s := writeStore(t, b.srv.URL)
	pushAlbum(t, s)
	ref := store.GetReference[fixture.Album](s, "1")
	ctx := context.Background()
	require.NoError(t, ref.Update(func(a *fixture.Album) { a.Title = "First" }))
	first := saveInFlight(t, ref)
	require.NoError(t, ref.Update(func(a *fixture.Album) { a.SongCount = 20 }))
	second := make(chan error)
	go func() { second <- ref.Save(ctx) }()
	<-gate // the first request
	require.NoError(t, <-first)
	<-gate // the second, sent after the first answered
	require.NoError(t, <-second)
	reqs := b.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, map[string]json.RawMessage{"title": json.RawMessage(`"First"`)}, decodeBody(t, reqs[0].Body).One().Attributes)
	assert.Equal(t, map[string]json.RawMessage{"song-count": json.RawMessage(`20`)}, decodeBody(t, reqs[1].Body).One().Attributes,
		"the second save sends only what is still dirty")
	assert.False(t, ref.HasDirtyAttributes())

	require.NoError(t, ref.Save(ctx), "a clean record sends nothing")
	assert.Len(t, b.requests(), 2)
}

func TestDeleteAndDestroy(t *testing.T) {
	b := newBackend(t, func(r recorded) (int, string) { return 204, "" })
	s := writeStore(t, b.srv.URL)
	pushAlbum(t, s)
	ctx := context.Background()
	ref := store.GetReference[fixture.Album](s, "1")

	require.NoError(t, s.DeleteRecord("album", "1"))
	st := ref.State()
	assert.True(t, st.IsDeleted)
	assert.True(t, st.HasDirtyAttributes, "a deleted record is dirty (Ember Data 5.x)")
	assert.Equal(t, "deleted", st.DirtyType)
	assert.Equal(t, "root.deleted.uncommitted", st.Name())
	assert.Equal(t, 1, store.PeekAll[fixture.Album](s).Len(), "still in PeekAll until the deletion is saved")
	err := ref.Update(func(a *fixture.Album) { a.Title = "x" })
	require.ErrorIs(t, err, store.ErrDeleted)
	assert.Contains(t, err.Error(), `"title"`)

	require.NoError(t, ref.Save(ctx))
	assert.Equal(t, recorded{Method: "DELETE", Path: "/albums/1"}, b.last())
	st = ref.State()
	assert.True(t, st.IsDeletionCommitted)
	assert.False(t, st.HasDirtyAttributes)
	assert.Equal(t, "root.deleted.saved", st.Name())
	assert.Equal(t, 0, store.PeekAll[fixture.Album](s).Len())
	require.NoError(t, ref.Save(ctx), "saving again sends nothing")
	assert.Len(t, b.requests(), 1)

	pushAlbum(t, s)
	require.NoError(t, store.GetReference[fixture.Album](s, "1").Destroy(ctx))
	assert.Equal(t, "DELETE", b.last().Method)
	_, ok := store.PeekRecord[fixture.Album](s, "1")
	assert.False(t, ok, "Destroy unloads")
}

func TestDeleteNewRecord(t *testing.T) {
	b := newBackend(t, nil)
	s := writeStore(t, b.srv.URL)
	ref, err := store.CreateRecord(s, fixture.Album{Title: "Never saved"})
	require.NoError(t, err)
	require.NoError(t, ref.Delete())
	assert.Equal(t, 0, store.PeekAll[fixture.Album](s).Len(), "a new record is unloaded at once")
	_, ok := ref.Value()
	assert.False(t, ok)
	require.NoError(t, ref.Save(context.Background()))
	assert.Empty(t, b.requests(), "saving a deleted new record sends nothing")
}

func TestRollback(t *testing.T) {
	b := newBackend(t, func(recorded) (int, string) {
		return 422, `{"errors":[{"detail":"bad","source":{"pointer":"/data/attributes/title"}}]}`
	})
	s := writeStore(t, b.srv.URL)
	pushAlbum(t, s)
	ref := store.GetReference[fixture.Album](s, "1")
	require.NoError(t, ref.Update(func(a *fixture.Album) { a.Title = "Bad"; a.Artist.Set("2") }))
	require.ErrorIs(t, ref.Save(context.Background()), store.ErrInvalid)
	require.NoError(t, ref.Delete())
	require.NoError(t, ref.Rollback())
	st := ref.State()
	assert.False(t, st.IsDeleted)
	assert.True(t, st.IsValid)
	assert.Empty(t, st.Errors)
	assert.False(t, st.HasDirtyAttributes)
	a, _ := ref.Value()
	assert.Equal(t, "Old", a.Title)
	assert.Equal(t, "2", a.Artist.ID(), "relationships are not rolled back")

	created, err := store.CreateRecord(s, fixture.Album{Title: "new"})
	require.NoError(t, err)
	require.NoError(t, created.Rollback())
	assert.False(t, created.IsLoaded(), "rolling back a new record unloads it")
	assert.Equal(t, 1, store.PeekAll[fixture.Album](s).Len())
}

func TestConcurrentEditsOfDifferentFields(t *testing.T) {
	s := writeStore(t, "http://127.0.0.1:1")
	pushAlbum(t, s)
	one, two := store.GetReference[fixture.Album](s, "1"), store.GetReference[fixture.Album](s, "1")
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(2)
		go func() { defer wg.Done(); assert.NoError(t, one.Update(func(a *fixture.Album) { a.SongCount = i })) }()
		go func() {
			defer wg.Done()
			assert.NoError(t, two.Update(func(a *fixture.Album) { a.Rating = float64(i) }))
		}()
		go func() {
			a, _ := store.PeekRecord[fixture.Album](s, "1")
			_ = a.Title
		}()
	}
	wg.Wait()
	require.NoError(t, one.Update(func(a *fixture.Album) { a.SongCount = 1000 }))
	require.NoError(t, two.Update(func(a *fixture.Album) { a.Rating = 1000 }))
	a, _ := store.PeekRecord[fixture.Album](s, "1")
	assert.Equal(t, 1000, a.SongCount, "neither edit lost the other")
	assert.Equal(t, 1000.0, a.Rating)
}
