package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/jsonapitest"
	"github.com/larder-go/larder/model"
	"github.com/larder-go/larder/relationship"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

func TestRESTWrites(t *testing.T) {
	b := newBackend(t, func(r recorded) (int, string) {
		switch r.Method {
		case "POST":
			return 201, `{"album":{"id":"5","title":"Made","song_count":1}}`
		case "PUT":
			return 200, `{"album":{"id":"1","title":"Renamed"}}`
		}
		return 204, ""
	})
	s, err := store.New(&adapters.REST{Config: adapters.Config{Host: b.srv.URL}},
		&serializers.REST{Keys: serializers.Keys{Attrs: map[string]string{"songCount": "song_count"}, Omit: []string{"rating"}}},
		store.WithModels(fixture.Models()...))
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()
	pushAlbum(t, s)

	v := fixture.Album{Title: "Made", SongCount: 1, Rating: 3}
	v.Artist.Set("2")
	ref, err := store.CreateRecord(s, v)
	require.NoError(t, err)
	require.NoError(t, ref.Save(ctx))
	req := b.last()
	assert.Equal(t, "POST", req.Method)
	assert.Equal(t, "/albums", req.Path)
	var body map[string]map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(req.Body), &body))
	require.Contains(t, body, "album", "REST wraps the record in its root key")
	assert.JSONEq(t, `1`, string(body["album"]["song_count"]), "the attrs map applies to writing")
	assert.JSONEq(t, `"2"`, string(body["album"]["artist"]), "a belongsTo is written as its id")
	assert.NotContains(t, body["album"], "rating", "Omit leaves a member out")
	assert.NotContains(t, body["album"], "id", "no client id, no id")
	assert.Equal(t, "5", ref.ID())

	edit := store.GetReference[fixture.Album](s, "1")
	require.NoError(t, edit.Update(func(a *fixture.Album) { a.Title = "Renamed" }))
	require.NoError(t, edit.Save(ctx))
	req = b.last()
	assert.Equal(t, "PUT", req.Method)
	assert.Equal(t, "/albums/1", req.Path)
	assert.JSONEq(t, `{"album":{"title":"Renamed"}}`, req.Body, "REST updates are PUT without the id in the body")
}

func TestSaveWithUpdateNoContent(t *testing.T) {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	srv.SetUpdateNoContent(true)
	s := writeStore(t, srv.URL)
	ctx := context.Background()
	_, err := store.FindRecord[fixture.Album](ctx, s, "2")
	require.NoError(t, err)
	ref := store.GetReference[fixture.Album](s, "2")
	require.NoError(t, ref.Update(func(a *fixture.Album) { a.Rating = 2.5 }))
	require.NoError(t, ref.Save(ctx))
	assert.False(t, ref.HasDirtyAttributes(), "a 204 commits what was sent")
	a, _ := ref.Value()
	assert.Equal(t, 2.5, a.Rating)
	stored, _ := srv.Get("album", "2")
	assert.JSONEq(t, `2.5`, string(stored.Attributes["rating"]))
}

// badRecordSerializer misbehaves on the write path only.
type badRecordSerializer struct {
	serializers.JSONAPI
	mode string
}

func (b *badRecordSerializer) SerializeRecord(s *store.Cache, req *store.Request, res *jsonapi.Resource) ([]byte, error) {
	switch b.mode {
	case "panic":
		panic("serialize boom")
	case "empty":
		return nil, nil
	case "error":
		return nil, errors.New("cannot write")
	}
	return b.JSONAPI.SerializeRecord(s, req, res)
}

func (b *badRecordSerializer) MemberName(*model.Model, string) (string, bool) { panic("resolver boom") }

func TestWritePluginsCannotCrash(t *testing.T) {
	for _, mode := range []string{"panic", "empty", "error"} {
		t.Run(mode, func(t *testing.T) {
			b := newBackend(t, nil)
			s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: b.srv.URL}}, &badRecordSerializer{mode: mode},
				store.WithModels(fixture.Models()...))
			require.NoError(t, err)
			defer s.Close()
			pushAlbum(t, s)
			ref := store.GetReference[fixture.Album](s, "1")
			require.NoError(t, ref.Update(func(a *fixture.Album) { a.Title = "x" }))
			err = ref.Save(context.Background())
			require.ErrorIs(t, err, store.ErrPlugin)
			var pe *store.PluginError
			require.ErrorAs(t, err, &pe)
			assert.Contains(t, pe.Plugin, "badRecordSerializer")
			assert.Empty(t, b.requests(), "nothing is sent")
			st := ref.State()
			assert.False(t, st.IsSaving)
			assert.True(t, st.IsError)
			assert.Equal(t, map[string][2]any{"title": {"Old", "x"}}, ref.ChangedAttributes())
		})
	}
	t.Run("a panicking member resolver leaves the server's key", func(t *testing.T) {
		b := newBackend(t, func(recorded) (int, string) {
			return 422, `{"errors":[{"detail":"bad","source":{"pointer":"/data/attributes/artist_name"}}]}`
		})
		var reported []error
		s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: b.srv.URL}}, &badRecordSerializer{},
			store.WithModels(fixture.Models()...), store.WithErrorHandler(func(err error) { reported = append(reported, err) }))
		require.NoError(t, err)
		defer s.Close()
		pushAlbum(t, s)
		ref := store.GetReference[fixture.Album](s, "1")
		require.NoError(t, ref.Update(func(a *fixture.Album) { a.Title = "x" }))
		require.ErrorIs(t, ref.Save(context.Background()), store.ErrInvalid)
		assert.Equal(t, map[string][]string{"artist_name": {"bad"}}, ref.Errors())
		require.Len(t, reported, 1)
		assert.ErrorIs(t, reported[0], store.ErrPlugin)
	})
}

func TestHostileSaveResponses(t *testing.T) {
	cases := []struct {
		name, body string
		status     int
		want       error
	}{
		{"not JSON", `{"data":`, 200, nil},
		{"another type", `{"data":{"type":"songs","id":"1"}}`, 200, store.ErrTypeMismatch},
		{"several primary resources", `{"data":[{"type":"albums","id":"1"},{"type":"albums","id":"2"}]}`, 200, store.ErrShape},
		{"an overflowing number", `{"data":{"type":"albums","id":"1","attributes":{"song-count":1e400}}}`, 200, nil},
		{"included of an unknown type is dropped, a bad one fails", `{"data":{"type":"albums","id":"1"},"included":[{"type":"albums"}]}`, 200, store.ErrMissingID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newBackend(t, func(recorded) (int, string) { return c.status, c.body })
			s := writeStore(t, b.srv.URL)
			pushAlbum(t, s)
			ref := store.GetReference[fixture.Album](s, "1")
			require.NoError(t, ref.Update(func(a *fixture.Album) { a.Title = "x" }))
			err := ref.Save(context.Background())
			require.Error(t, err)
			if c.want != nil {
				require.ErrorIs(t, err, c.want)
			}
			var de *store.DocumentError
			require.ErrorAs(t, err, &de)
			st := ref.State()
			assert.True(t, st.IsError)
			assert.False(t, st.IsSaving)
			assert.Equal(t, map[string][2]any{"title": {"Old", "x"}}, ref.ChangedAttributes(), "a bad answer loses no edit")
		})
	}
	t.Run("a created record without an id in the answer", func(t *testing.T) {
		b := newBackend(t, func(recorded) (int, string) { return 201, `{"data":{"type":"albums","attributes":{"title":"t"}}}` })
		s := writeStore(t, b.srv.URL)
		ref, err := store.CreateRecord(s, fixture.Album{Title: "t"})
		require.NoError(t, err)
		require.ErrorIs(t, ref.Save(context.Background()), store.ErrMissingID)
		assert.True(t, ref.State().IsNew, "still new: nothing was confirmed")
		assert.True(t, ref.State().IsError)
	})
}

func TestStateWhileLoading(t *testing.T) {
	gate := make(chan struct{})
	b := newBackend(t, func(recorded) (int, string) {
		<-gate
		return 200, `{"data":{"type":"albums","id":"1","attributes":{"title":"T"}}}`
	})
	s := writeStore(t, b.srv.URL)
	ctx := context.Background()
	assert.Equal(t, "root.empty", s.StateOf("album", "1").Name())
	assert.True(t, s.StateOf("album", "1").IsEmpty)
	done := make(chan error)
	go func() { _, err := store.FindRecord[fixture.Album](ctx, s, "1"); done <- err }()
	require.Eventually(t, func() bool { return s.StateOf("album", "1").IsLoading }, 5*time.Second, time.Millisecond)
	assert.Equal(t, "root.loading", s.StateOf("album", "1").Name())
	gate <- struct{}{}
	require.NoError(t, <-done)
	st := s.StateOf("album", "1")
	assert.True(t, st.IsLoaded)
	assert.False(t, st.IsLoading)

	go func() { _, err := store.GetReference[fixture.Album](s, "1").Reload(ctx); done <- err }()
	require.Eventually(t, func() bool { return s.StateOf("album", "1").IsReloading }, 5*time.Second, time.Millisecond)
	assert.Equal(t, "root.loaded.saved", s.StateOf("album", "1").Name())
	gate <- struct{}{}
	require.NoError(t, <-done)
	assert.False(t, s.StateOf("album", "1").IsReloading)
}

// FuzzSaveResponse answers a save with arbitrary bytes and statuses: the
// store must never panic, and a save that fails must keep the record's edit
// and leave it not saving.
func FuzzSaveResponse(f *testing.F) {
	f.Add(uint16(200), []byte(`{"data":{"type":"album","id":"1","attributes":{"title":"T"}}}`))
	f.Add(uint16(201), []byte(`{"data":{"type":"album","lid":"x"}}`))
	f.Add(uint16(204), []byte(``))
	f.Add(uint16(422), []byte(`{"errors":[{"source":{"pointer":"/data/attributes/title"},"detail":"bad"}]}`))
	f.Add(uint16(422), []byte(`{"errors":[{"source":{"pointer":"data/attributes/~1x/0"}}]}`))
	f.Add(uint16(200), []byte(`{"data":[{"type":"album","id":"1"}],"included":[{"type":"song","id":"1","relationships":{"album":{"data":null}}}]}`))
	f.Fuzz(func(t *testing.T, status uint16, body []byte) {
		s := answering(t, status, body)
		ref := store.GetReference[fixture.Album](s, "1")
		require.NoError(t, ref.Update(func(a *fixture.Album) { a.Title = "edited" }))
		err := ref.Save(context.Background())
		st := ref.State()
		assert.False(t, st.IsSaving)
		if err != nil {
			assert.Equal(t, "edited", ref.ChangedAttributes()["title"][1], "a failed save keeps the edit")
			assert.True(t, st.IsError || !st.IsValid)
		}
	})
}

// answering is a store whose adapter answers every request with status and
// body, holding album 1.
func answering(t *testing.T, status uint16, body []byte) *store.Cache {
	t.Helper()
	a := store.AdapterFunc(func(ctx context.Context, req *store.Request) (*store.Response, error) {
		return &store.Response{Status: int(status), Body: body}, nil
	})
	s, err := store.New(a, nil, store.WithModels(fixture.Models()...))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	pushAlbum(t, s)
	return s
}

// A DELETE's answer is outside data too, and its included records are now
// pushed: whatever it holds, the save never panics, a failure leaves the
// record deleted and unsaved, and a success commits the deletion.
func FuzzDeleteResponse(f *testing.F) {
	f.Add(uint16(204), []byte(``))
	f.Add(uint16(200), []byte(`{"data":{"type":"album","id":"1"},"included":[{"type":"artist","id":"1","attributes":{"name":"N"}}]}`))
	f.Add(uint16(200), []byte(`{"meta":{},"included":[{"type":"album","id":"1","attributes":{"title":"back"}}]}`))
	f.Add(uint16(200), []byte(`{"included":[{"type":"nope","id":"1"}]}`))
	f.Add(uint16(404), []byte(`{"errors":[{"status":"404"}]}`))
	f.Fuzz(func(t *testing.T, status uint16, body []byte) {
		s := answering(t, status, body)
		ref := store.GetReference[fixture.Album](s, "1")
		require.NoError(t, ref.Delete())
		err := ref.Save(context.Background())
		st := ref.State()
		assert.False(t, st.IsSaving)
		if err != nil {
			assert.True(t, st.IsDeleted && !st.IsDeletionCommitted, "a failed delete stays uncommitted: %s", st.Name())
			return
		}
		assert.True(t, st.IsDeletionCommitted, "%s", st.Name())
	})
}

// Playlist has a many-to-none hasMany, which saves send.
type Playlist struct {
	ID    string                             `id:""`
	Name  string                             `attr:"name"`
	Songs relationship.HasMany[fixture.Song] `rel:"songs,inverse=-"`
}

func TestHasManySerialization(t *testing.T) {
	b := newBackend(t, func(r recorded) (int, string) { return 201, `{"data":{"type":"playlists","id":"p1"}}` })
	s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: b.srv.URL}}, &serializers.JSONAPI{},
		store.WithModels(append(fixture.Models(), Playlist{})...))
	require.NoError(t, err)
	defer s.Close()
	doc, _ := jsonapi.Decode([]byte(`{"data":[{"type":"song","id":"1"},{"type":"song","id":"2"}]}`))
	_, err = s.Push(doc)
	require.NoError(t, err)
	newSong, err := store.CreateRecord(s, fixture.Song{Title: "unsaved"})
	require.NoError(t, err)
	var p Playlist
	p.Name = "mix"
	p.Songs.SetIdentifiers(jsonapi.Identifier{ID: "1"}, newSong.Identifier().Linkage(), jsonapi.Identifier{ID: "2"})
	ref, err := store.CreateRecord(s, p)
	require.NoError(t, err)
	require.NoError(t, ref.Save(context.Background()))
	res := decodeBody(t, b.last().Body).One()
	require.Contains(t, res.Relationships, "songs", "a many-to-none hasMany is serialized")
	assert.Equal(t, []jsonapi.Identifier{{Type: "songs", ID: "1"}, {Type: "songs", ID: "2"}}, res.Relationships["songs"].Data,
		"the new member is left out, and the others keep their own ids (not Ember's index bug)")
}

func TestStateTransitions(t *testing.T) {
	type step struct {
		status int
		body   string
	}
	cases := []struct {
		name     string
		setup    func(t *testing.T, s *store.Cache) store.Ref[fixture.Album]
		answer   step
		inFlight string
		after    string
	}{
		{"created, invalid", func(t *testing.T, s *store.Cache) store.Ref[fixture.Album] {
			ref, err := store.CreateRecord(s, fixture.Album{Title: "x"})
			require.NoError(t, err)
			return ref
		}, step{422, `{"errors":[{"detail":"no","source":{"pointer":"/data/attributes/title"}}]}`},
			"root.loaded.created.inFlight", "root.loaded.created.invalid"},
		{"created, error", func(t *testing.T, s *store.Cache) store.Ref[fixture.Album] {
			ref, err := store.CreateRecord(s, fixture.Album{Title: "x"})
			require.NoError(t, err)
			return ref
		}, step{500, `oops`}, "root.loaded.created.inFlight", "root.loaded.created.uncommitted"},
		{"deleted, invalid", func(t *testing.T, s *store.Cache) store.Ref[fixture.Album] {
			pushAlbum(t, s)
			require.NoError(t, s.DeleteRecord("album", "1"))
			return store.GetReference[fixture.Album](s, "1")
		}, step{422, `{"errors":[{"detail":"in use","source":{"pointer":"/data"}}]}`},
			"root.deleted.inFlight", "root.deleted.invalid"},
		{"updated, saved", func(t *testing.T, s *store.Cache) store.Ref[fixture.Album] {
			pushAlbum(t, s)
			ref := store.GetReference[fixture.Album](s, "1")
			require.NoError(t, ref.Update(func(a *fixture.Album) { a.Rating = 1 }))
			return ref
		}, step{200, `{"data":{"type":"albums","id":"1"}}`}, "root.loaded.updated.inFlight", "root.loaded.saved"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gate := make(chan struct{})
			b := newBackend(t, func(recorded) (int, string) { <-gate; return c.answer.status, c.answer.body })
			s := writeStore(t, b.srv.URL)
			ref := c.setup(t, s)
			done := make(chan error)
			go func() { done <- ref.Save(context.Background()) }()
			require.Eventually(t, func() bool { return ref.State().IsSaving }, 5*time.Second, time.Millisecond)
			assert.Equal(t, c.inFlight, ref.State().Name())
			close(gate)
			<-done
			assert.Equal(t, c.after, ref.State().Name())
		})
	}
}

func TestRefPushRejectsOtherRecords(t *testing.T) {
	s := writeStore(t, "http://127.0.0.1:1")
	pushAlbum(t, s)
	ref := store.GetReference[fixture.Album](s, "1")
	created, err := store.CreateRecord(s, fixture.Album{Title: "draft"})
	require.NoError(t, err)
	res := func(typ, id, lid string) *jsonapi.Document {
		return &jsonapi.Document{Shape: jsonapi.One, Data: []jsonapi.Resource{{Type: typ, ID: id, LID: lid,
			Attributes: map[string]json.RawMessage{"title": json.RawMessage(`"pushed"`)}}}}
	}
	cases := []struct {
		name string
		ref  store.Ref[fixture.Album]
		doc  *jsonapi.Document
		want error
	}{
		{"nil document", ref, nil, store.ErrShape},
		{"no primary data", ref, &jsonapi.Document{Shape: jsonapi.Null}, store.ErrShape},
		{"two resources", ref, &jsonapi.Document{Shape: jsonapi.Many, Data: []jsonapi.Resource{{Type: "album", ID: "1"}, {Type: "album", ID: "2"}}}, store.ErrShape},
		{"another id", ref, res("album", "2", ""), store.ErrTypeMismatch},
		{"another type", ref, res("song", "1", ""), store.ErrTypeMismatch},
		{"another lid for a new record", created, res("album", "", "other"), store.ErrTypeMismatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := s.Version()
			_, err := c.ref.Push(c.doc)
			require.ErrorIs(t, err, c.want)
			var de *store.DocumentError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, v, s.Version(), "nothing changed")
			_, ok := store.PeekRecord[fixture.Album](s, "2")
			assert.False(t, ok)
		})
	}
	got, err := ref.Push(res("album", "", ""))
	require.NoError(t, err, "an omitted id is the reference's")
	assert.Equal(t, "pushed", got.Title)
}
