package serializers_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/model"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

// spellingServer is a JSON:API server that reads and writes one spelling of
// members and one of its album type, and, like Fortune.js and Django REST
// framework, drops members it does not know and refuses a resource of
// another type (409).
type spellingServer struct {
	*httptest.Server
	typ    string
	member func(string) string

	mu      sync.Mutex
	albums  map[string]map[string]json.RawMessage // id -> attributes, in the server's spelling
	artists map[string]string                     // album id -> its artist's id
	next    int
}

// artistType is the server's spelling of the artist type, as it spells
// albums.
func (srv *spellingServer) artistType() string { return strings.ReplaceAll(srv.typ, "lbum", "rtist") }

var albumAttrs = []string{"title", "artistName", "songCount", "rating"}

func newSpellingServer(t *testing.T, typ string, member func(string) string) *spellingServer {
	srv := &spellingServer{typ: typ, member: member, albums: map[string]map[string]json.RawMessage{}, artists: map[string]string{"1": "1"}, next: 100}
	srv.albums["1"] = map[string]json.RawMessage{member("title"): json.RawMessage(`"Old"`), member("artistName"): json.RawMessage(`"A"`), member("songCount"): json.RawMessage(`2`)}
	srv.Server = httptest.NewServer(http.HandlerFunc(srv.serve))
	t.Cleanup(srv.Close)
	return srv
}

func (srv *spellingServer) known(key string) bool {
	for _, a := range albumAttrs {
		if srv.member(a) == key {
			return true
		}
	}
	return false
}

func (srv *spellingServer) resource(id string) []byte {
	attrs := map[string]json.RawMessage{}
	for _, a := range albumAttrs {
		v, ok := srv.albums[id][srv.member(a)]
		if !ok {
			v = json.RawMessage("null")
		}
		attrs[srv.member(a)] = v
	}
	rels := map[string]any{}
	if a := srv.artists[id]; a != "" {
		rels["artist"] = map[string]any{"data": map[string]any{"type": srv.artistType(), "id": a}}
	}
	b, _ := json.Marshal(map[string]any{"data": map[string]any{"type": srv.typ, "id": id, "attributes": attrs, "relationships": rels}})
	return b
}

func (srv *spellingServer) serve(w http.ResponseWriter, r *http.Request) {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	w.Header().Set("Content-Type", jsonapi.MediaType)
	id := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/albums"), "/")
	var body struct {
		Data struct {
			Type          string                     `json:"type"`
			Attributes    map[string]json.RawMessage `json:"attributes"`
			Relationships map[string]struct {
				Data *struct{ Type, ID string } `json:"data"`
			} `json:"relationships"`
		} `json:"data"`
	}
	if r.Method == http.MethodPost || r.Method == http.MethodPatch {
		raw, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(raw, &body)
		if body.Data.Type != srv.typ {
			w.WriteHeader(http.StatusConflict)
			io.WriteString(w, `{"errors":[{"status":"409","detail":"type"}]}`)
			return
		}
		if rel, ok := body.Data.Relationships["artist"]; ok && rel.Data != nil && rel.Data.Type != srv.artistType() {
			w.WriteHeader(http.StatusConflict)
			io.WriteString(w, `{"errors":[{"status":"409","detail":"relationship type"}]}`)
			return
		}
	}
	switch r.Method {
	case http.MethodGet:
		if srv.albums[id] == nil {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"errors":[{"status":"404"}]}`)
			return
		}
		w.Write(srv.resource(id))
	case http.MethodPost, http.MethodPatch:
		if r.Method == http.MethodPost {
			srv.next++
			id = strings.TrimSpace(json.Number(rune('0' + srv.next%10)).String())
			id = string(rune('a'+srv.next%26)) + id
			srv.albums[id] = map[string]json.RawMessage{}
		}
		for k, v := range body.Data.Attributes {
			if srv.known(k) {
				srv.albums[id][k] = v
			}
		}
		if rel, ok := body.Data.Relationships["artist"]; ok && rel.Data != nil {
			srv.artists[id] = rel.Data.ID
		}
		if r.Method == http.MethodPost {
			w.WriteHeader(http.StatusCreated)
		}
		w.Write(srv.resource(id))
	case http.MethodDelete:
		delete(srv.albums, id)
		w.WriteHeader(http.StatusNoContent)
	}
}

func (srv *spellingServer) stored(id, member string) string {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return string(srv.albums[id][srv.member(member)])
}

// Zero-configuration writes: against servers in each member spelling and
// type spelling, a store with only the server's URL reads, creates, updates
// and deletes, and the server keeps what was sent.
func TestWritesInTheSpellingRead(t *testing.T) {
	members := map[string]func(string) string{
		"camelCase": model.Camelize, "dasherized": model.Dasherize, "snake_case": model.Underscore,
	}
	types := []string{"albums", "album", "Album", "Albums"}
	for mname, member := range members {
		for _, typ := range types {
			t.Run(mname+"/"+typ, func(t *testing.T) {
				srv := newSpellingServer(t, typ, member)
				s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL}}, &serializers.JSONAPI{}, store.WithModels(fixture.Models()...))
				require.NoError(t, err)
				defer s.Close()
				ctx := context.Background()

				a, err := store.FindRecord[fixture.Album](ctx, s, "1")
				require.NoError(t, err)
				assert.Equal(t, "A", a.ArtistName, "read in the server's spelling")

				ref := store.GetReference[fixture.Album](s, "1")
				require.NoError(t, ref.Update(func(a *fixture.Album) { a.ArtistName = "B"; a.SongCount = 7; a.Artist.Set("2") }))
				require.NoError(t, ref.Save(ctx))
				assert.Equal(t, `"B"`, srv.stored("1", "artistName"), "the server kept the update")
				srv.mu.Lock()
				assert.Equal(t, "2", srv.artists["1"], "the related type spelled as the server spells it")
				srv.mu.Unlock()
				assert.Equal(t, `7`, srv.stored("1", "songCount"))
				a, _ = store.PeekRecord[fixture.Album](s, "1")
				assert.Equal(t, "B", a.ArtistName)

				created, err := store.CreateRecord(s, fixture.Album{Title: "New", ArtistName: "C", SongCount: 3})
				require.NoError(t, err)
				require.NoError(t, created.Save(ctx))
				id := created.ID()
				require.NotEmpty(t, id)
				assert.Equal(t, `"C"`, srv.stored(id, "artistName"), "the server kept the create")
				assert.Equal(t, `3`, srv.stored(id, "songCount"))
				c, _ := store.PeekRecord[fixture.Album](s, id)
				assert.Equal(t, "C", c.ArtistName, "and the record reads what was saved")

				require.NoError(t, created.Destroy(ctx))
				assert.Empty(t, srv.stored(id, "title"), "deleted on the server")
			})
		}
	}
}

// A type never read is written in the default spelling; a server that drops
// what it sent answers nulls, and the store says so, once per member. The
// answer teaches the spelling: the next save is kept.
func TestUnechoedMembersAreLogged(t *testing.T) {
	srv := newSpellingServer(t, "albums", model.Camelize)
	var logs strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), nil))
	s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL}}, &serializers.JSONAPI{},
		store.WithModels(fixture.Models()...), store.WithLogger(logger))
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()
	for _, artist := range []string{"first", "second"} {
		ref, err := store.CreateRecord(s, fixture.Album{Title: "T", ArtistName: artist})
		require.NoError(t, err)
		require.NoError(t, ref.Save(ctx))
		if artist == "first" {
			assert.Empty(t, srv.stored(ref.ID(), "artistName"), "dasherized: dropped by the camelCase server")
		} else {
			assert.Equal(t, `"second"`, srv.stored(ref.ID(), "artistName"), "learned from the first answer")
		}
	}
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	assert.Equal(t, 1, strings.Count(out, "member=artistName"), "one warning for the member: %s", out)
	assert.Contains(t, out, "may not know it under the key it was sent with")
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
