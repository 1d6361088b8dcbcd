package store_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/model"
	"github.com/larder-go/larder/relationship"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

// Graph models: a one-to-one (person, passport), a many-to-many with a sync
// side (person, group), a reflexive many-to-many (friends), a to-many without
// an inverse (tags), and a polymorphic to-one (comment target: post or video).
type (
	Person struct {
		ID       string                           `id:""`
		Name     string                           `attr:"name"`
		Passport relationship.BelongsTo[Passport] `rel:"passport"`
		Groups   relationship.HasMany[Group]      `rel:"groups"`
		Friends  relationship.HasMany[Person]     `rel:"friends,inverse=friends"`
		Tags     relationship.HasMany[Tag]        `rel:"tags,inverse=-"`
	}
	Passport struct {
		ID     string                         `id:""`
		Number string                         `attr:"number"`
		Owner  relationship.BelongsTo[Person] `rel:"owner"`
	}
	Group struct {
		ID      string                       `id:""`
		Name    string                       `attr:"name"`
		Members relationship.HasMany[Person] `rel:"members,sync"`
	}
	Tag struct {
		ID    string `id:""`
		Label string `attr:"label"`
	}
	Commentable interface{ Heading() string }
	Comment     struct {
		ID     string                              `id:""`
		Body   string                              `attr:"body"`
		Target relationship.BelongsTo[Commentable] `rel:"target,polymorphic,inverse=comments"`
	}
	Post struct {
		ID       string                        `id:""`
		Title    string                        `attr:"title"`
		Comments relationship.HasMany[Comment] `rel:"comments,inverse=target"`
	}
	Video struct {
		ID       string                        `id:""`
		Title    string                        `attr:"title"`
		Comments relationship.HasMany[Comment] `rel:"comments,inverse=target"`
	}
)

func (p Post) Heading() string  { return "post: " + p.Title }
func (v Video) Heading() string { return "video: " + v.Title }

func graphStore(t testing.TB, opts ...store.Option) *store.Cache {
	t.Helper()
	models := append(fixture.Models(), Person{}, Passport{}, Group{}, Tag{}, Comment{}, Post{}, Video{})
	s, err := store.New(nil, nil, append([]store.Option{store.WithModels(models...)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func pushT(t testing.TB, s *store.Cache, doc string) {
	t.Helper()
	d, err := jsonapi.Decode([]byte(doc))
	require.NoError(t, err)
	_, err = s.Push(d)
	require.NoError(t, err)
}

func peek[T any](t testing.TB, s *store.Cache, id string) T {
	t.Helper()
	v, ok := store.PeekRecord[T](s, id)
	require.True(t, ok, "%T %s is loaded", v, id)
	return v
}

func TestInverseOneToMany(t *testing.T) {
	s := graphStore(t)
	pushT(t, s, `{"data":[{"type":"artist","id":"1"},{"type":"artist","id":"2"}]}`)
	pushT(t, s, `{"data":{"type":"album","id":"1","relationships":{"artist":{"data":{"type":"artist","id":"1"}}}}}`)
	assert.Equal(t, []string{"1"}, peek[fixture.Artist](t, s, "1").Albums.IDs(), "the push of album 1 reaches its artist")

	pushT(t, s, `{"data":{"type":"album","id":"2","relationships":{"artist":{"data":{"type":"artist","id":"1"}}}}}`)
	assert.Equal(t, []string{"1", "2"}, peek[fixture.Artist](t, s, "1").Albums.IDs())

	// Album 1 moves to artist 2: it leaves artist 1 and joins artist 2.
	pushT(t, s, `{"data":{"type":"album","id":"1","relationships":{"artist":{"data":{"type":"artist","id":"2"}}}}}`)
	assert.Equal(t, []string{"2"}, peek[fixture.Artist](t, s, "1").Albums.IDs())
	assert.Equal(t, []string{"1"}, peek[fixture.Artist](t, s, "2").Albums.IDs())

	// The to-many side pushed whole: album 2 now points at artist 2, and
	// artist 1 loses it.
	pushT(t, s, `{"data":{"type":"artist","id":"2","relationships":{"albums":{"data":[{"type":"album","id":"1"},{"type":"album","id":"2"}]}}}}`)
	assert.Equal(t, "2", peek[fixture.Album](t, s, "2").Artist.ID())
	assert.Empty(t, peek[fixture.Artist](t, s, "1").Albums.IDs())
	assert.False(t, peek[fixture.Artist](t, s, "2").Albums.IsPartial(), "received whole")
}

func TestInverseOfRecordsNotLoaded(t *testing.T) {
	s := graphStore(t)
	// Songs 1 and 2 are named, never loaded: when they arrive without their
	// album, they know it.
	pushT(t, s, `{"data":{"type":"album","id":"1","relationships":{"songs":{"data":[{"type":"song","id":"1"},{"type":"song","id":"2"}]}}}}`)
	_, ok := store.PeekRecord[fixture.Song](s, "1")
	assert.False(t, ok, "a member named is not loaded")
	pushT(t, s, `{"data":{"type":"song","id":"1","attributes":{"title":"Selling Advertising"}}}`)
	assert.Equal(t, "1", peek[fixture.Song](t, s, "1").Album.ID())

	// Song 2 arrives naming another album: album 1 lets it go.
	pushT(t, s, `{"data":{"type":"song","id":"2","relationships":{"album":{"data":{"type":"album","id":"9"}}}}}`)
	assert.Equal(t, []string{"1"}, peek[fixture.Album](t, s, "1").Songs.IDs())

	// A member the album dropped before it arrived does not get the album.
	pushT(t, s, `{"data":{"type":"album","id":"2","relationships":{"songs":{"data":[{"type":"song","id":"3"}]}}}}`)
	pushT(t, s, `{"data":{"type":"album","id":"2","relationships":{"songs":{"data":[]}}}}`)
	pushT(t, s, `{"data":{"type":"song","id":"3"}}`)
	assert.False(t, peek[fixture.Song](t, s, "3").Album.HasLinkage())
}

func TestInverseOneToOne(t *testing.T) {
	s := graphStore(t)
	pushT(t, s, `{"data":[{"type":"person","id":"1","relationships":{"passport":{"data":{"type":"passport","id":"p"}}}},
		{"type":"person","id":"2"},{"type":"passport","id":"p"}]}`)
	assert.Equal(t, "1", peek[Passport](t, s, "p").Owner.ID())

	// Locally, person 2 takes the passport: person 1 loses it, locally.
	p2 := store.GetReference[Person](s, "2")
	require.NoError(t, p2.Update(func(p *Person) { p.Passport.Set("p") }))
	assert.Equal(t, "2", peek[Passport](t, s, "p").Owner.ID())
	assert.True(t, peek[Person](t, s, "1").Passport.IsNull())

	changed := store.GetReference[Person](s, "1").ChangedRelationships()
	require.Contains(t, changed, "passport")
	assert.Equal(t, []jsonapi.Identifier{{Type: "passport", ID: "p"}}, changed["passport"].Removed)

	// Rolling person 2 back undoes its edit and the inverse's (Ember Data
	// 5.3's rollbackRelationships); person 1, displaced, is rolled back on
	// its own, as is the passport, which then names person 1 again.
	require.NoError(t, p2.RollbackRelationships())
	assert.False(t, peek[Person](t, s, "2").Passport.HasLinkage())
	assert.True(t, peek[Passport](t, s, "p").Owner.IsNull())
	require.NoError(t, store.GetReference[Passport](s, "p").RollbackRelationships())
	assert.Equal(t, "1", peek[Passport](t, s, "p").Owner.ID())
	assert.Equal(t, "p", peek[Person](t, s, "1").Passport.ID())
	for _, id := range []string{"1", "2"} {
		assert.False(t, store.GetReference[Person](s, id).HasChangedRelationships(), "person %s", id)
	}
	assert.False(t, store.GetReference[Passport](s, "p").HasChangedRelationships())
}

func TestInverseManyToManyLocalEdits(t *testing.T) {
	s := graphStore(t)
	pushT(t, s, `{"data":[{"type":"person","id":"1","relationships":{"groups":{"data":[{"type":"group","id":"a"},{"type":"group","id":"b"}]}}},
		{"type":"group","id":"a"},{"type":"group","id":"b"},{"type":"group","id":"c"}]}`)
	assert.Equal(t, []string{"1"}, peek[Group](t, s, "a").Members.IDs())

	ref := store.GetReference[Person](s, "1")
	groups, err := store.HasMany[Group](ref, "groups")
	require.NoError(t, err)
	require.NoError(t, groups.Remove("a"))
	require.NoError(t, groups.Add("c"))
	assert.Equal(t, []string{"b", "c"}, groups.IDs())
	assert.Empty(t, peek[Group](t, s, "a").Members.IDs(), "the inverse follows locally")
	assert.Equal(t, []string{"1"}, peek[Group](t, s, "c").Members.IDs())

	c := ref.ChangedRelationships()["groups"]
	assert.Equal(t, []jsonapi.Identifier{{Type: "group", ID: "c"}}, c.Added)
	assert.Equal(t, []jsonapi.Identifier{{Type: "group", ID: "a"}}, c.Removed)
	assert.False(t, c.Reordered)
	assert.True(t, store.GetReference[Group](s, "a").HasChangedRelationships())
	assert.False(t, ref.HasDirtyAttributes(), "relationships are never part of HasDirtyAttributes")

	require.NoError(t, groups.Replace("c", "b"))
	assert.True(t, ref.ChangedRelationships()["groups"].Reordered || len(ref.ChangedRelationships()["groups"].Added) > 0)

	require.NoError(t, ref.RollbackRelationships())
	assert.Equal(t, []string{"a", "b"}, groups.IDs())
	assert.Equal(t, []string{"1"}, peek[Group](t, s, "a").Members.IDs())
	assert.Empty(t, peek[Group](t, s, "c").Members.IDs())
}

func TestInverseReflexive(t *testing.T) {
	s := graphStore(t)
	pushT(t, s, `{"data":[{"type":"person","id":"1","relationships":{"friends":{"data":[{"type":"person","id":"2"}]}}},{"type":"person","id":"2"}]}`)
	assert.Equal(t, []string{"1"}, peek[Person](t, s, "2").Friends.IDs(), "a self-inverse relationship is kept on both records")
	pushT(t, s, `{"data":{"type":"person","id":"2","relationships":{"friends":{"data":[]}}}}`)
	assert.Empty(t, peek[Person](t, s, "1").Friends.IDs())
}

func TestImplicitInverse(t *testing.T) {
	s := graphStore(t)
	pushT(t, s, `{"data":[{"type":"person","id":"1","relationships":{"tags":{"data":[{"type":"tag","id":"t1"},{"type":"tag","id":"t2"}]}}},
		{"type":"tag","id":"t1"},{"type":"tag","id":"t2"}]}`)
	require.NoError(t, s.UnloadRecord("tag", "t1"))
	assert.Equal(t, []string{"t2"}, peek[Person](t, s, "1").Tags.IDs(), "a relationship without an inverse lets an unloaded record go")
}

func TestPolymorphic(t *testing.T) {
	s := graphStore(t)
	pushT(t, s, `{"data":[{"type":"comment","id":"1","attributes":{"body":"hi"},"relationships":{"target":{"data":{"type":"post","id":"p"}}}},
		{"type":"comment","id":"2","relationships":{"target":{"data":{"type":"video","id":"v"}}}}],
		"included":[{"type":"post","id":"p","attributes":{"title":"Go"}},{"type":"video","id":"v","attributes":{"title":"Ember"}}]}`)
	assert.Equal(t, []string{"1"}, peek[Post](t, s, "p").Comments.IDs())
	assert.Equal(t, []string{"2"}, peek[Video](t, s, "v").Comments.IDs())

	target, err := store.BelongsTo[Commentable](store.GetReference[Comment](s, "2"), "target")
	require.NoError(t, err)
	v, ok := target.Peek()
	require.True(t, ok)
	assert.Equal(t, Video{ID: "v", Title: "Ember", Comments: peek[Video](t, s, "v").Comments}, v, "the concrete value behind the interface")

	d, err := jsonapi.Decode([]byte(`{"data":{"type":"comment","id":"3","relationships":{"target":{"data":{"type":"tag","id":"t"}}}}}`))
	require.NoError(t, err)
	_, err = s.Push(d)
	var de *store.DocumentError
	require.ErrorAs(t, err, &de)
	assert.ErrorIs(t, err, store.ErrTypeMismatch)
	assert.Equal(t, "/data/relationships/target/data/type", de.Pointer)
	assert.False(t, s.HasRecordForID("comment", "3"), "a bad member changes nothing")

	_, err = store.BelongsTo[Post](store.GetReference[Comment](s, "2"), "target")
	assert.ErrorIs(t, err, store.ErrTypeMismatch, "R must fit every accepted model")
	_, err = store.HasMany[Comment](store.GetReference[Comment](s, "2"), "target")
	assert.ErrorIs(t, err, store.ErrNoRelationship)
}

func TestAmbiguousInverseIsAModelError(t *testing.T) {
	type Edge struct {
		ID   string                       `id:""`
		From relationship.BelongsTo[Edge] `rel:"from"`
		To   relationship.BelongsTo[Edge] `rel:"to"`
		Next relationship.HasMany[Edge]   `rel:"next"`
	}
	_, err := store.New(nil, nil, store.WithModels(Edge{}))
	assert.ErrorIs(t, err, model.ErrInverse, "several relationships point back and none is named")
}

func TestPushReplacesLocalButKeepsNewMembers(t *testing.T) {
	s := graphStore(t)
	pushT(t, s, `{"data":{"type":"album","id":"1","relationships":{"songs":{"data":[{"type":"song","id":"1"},{"type":"song","id":"2"}]}}}}`)
	ref := store.GetReference[fixture.Album](s, "1")
	songs, err := store.HasMany[fixture.Song](ref, "songs")
	require.NoError(t, err)
	created, err := songs.Create(fixture.Song{Title: "New"})
	require.NoError(t, err)
	require.NoError(t, songs.Remove("2"))
	assert.Len(t, songs.Identifiers(), 2)

	pushT(t, s, `{"data":{"type":"album","id":"1","relationships":{"songs":{"data":[{"type":"song","id":"1"},{"type":"song","id":"2"},{"type":"song","id":"3"}]}}}}`)
	ids := songs.Identifiers()
	require.Len(t, ids, 4, "the push replaces local members (3.x) but the unsaved new one survives")
	assert.Equal(t, []string{"1", "2", "3", ""}, songs.IDs())
	assert.Equal(t, created.Identifier().LID, ids[3].LID)
	s3, ok := store.PeekRecord[fixture.Song](s, "3")
	assert.False(t, ok, "song 3 is named, not loaded")
	assert.Empty(t, s3.ID)
}

func TestStaleRelatedLink(t *testing.T) {
	s := graphStore(t)
	pushT(t, s, `{"data":{"type":"artist","id":"1","relationships":{"albums":{"data":[],"links":{"related":"/artists/1/albums"}}}}}`)
	assert.False(t, peek[fixture.Artist](t, s, "1").Albums.IsStale())
	pushT(t, s, `{"data":{"type":"artist","id":"1","relationships":{"albums":{"links":{"related":"/artists/1/albums?v=2"}}}}}`)
	a := peek[fixture.Artist](t, s, "1")
	assert.True(t, a.Albums.IsStale(), "a changed related link without data marks the relationship stale")
	assert.Equal(t, "/artists/1/albums?v=2", a.Albums.Link("related"))
	pushT(t, s, `{"data":{"type":"artist","id":"1","relationships":{"albums":{"data":[]}}}}`)
	assert.False(t, peek[fixture.Artist](t, s, "1").Albums.IsStale(), "data makes it fresh")
}

// relatedServer serves related links and findMany for a graph test, counting
// requests by path.
type relatedServer struct {
	*httptest.Server
	hits map[string]*atomic.Int32
}

func newRelatedServer(t *testing.T, routes map[string]string) *relatedServer {
	t.Helper()
	rs := &relatedServer{hits: map[string]*atomic.Int32{}}
	for p := range routes {
		rs.hits[p] = &atomic.Int32{}
	}
	rs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Path
		if r.URL.RawQuery != "" {
			key += "?" + r.URL.RawQuery
		}
		body, ok := routes[key]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"errors":[{"status":"404","title":"Not Found","detail":"` + key + `"}]}`))
			return
		}
		rs.hits[key].Add(1)
		w.Header().Set("Content-Type", jsonapi.MediaType)
		w.Write([]byte(body))
	}))
	t.Cleanup(rs.Close)
	return rs
}

func (rs *relatedServer) count(path string) int { return int(rs.hits[path].Load()) }

func relatedStore(t *testing.T, url string, coalesce bool) *store.Cache {
	t.Helper()
	s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: url, Namespace: "api", Coalesce: coalesce}}, &serializers.JSONAPI{},
		store.WithModels(fixture.Models()...))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func TestLoadHasManyByLink(t *testing.T) {
	rs := newRelatedServer(t, map[string]string{
		"/artists/1/albums": `{"data":[{"type":"albums","id":"1","attributes":{"title":"A"},"relationships":{"artist":{"data":{"type":"artists","id":"9"}}}},
			{"type":"albums","id":"2","attributes":{"title":"B"}}],"meta":{"total":2},"links":{"self":"/artists/1/albums"}}`,
		"/api/artists/1/albums-relative": `{"data":[]}`,
	})
	s := relatedStore(t, rs.URL, false)
	pushT(t, s, `{"data":{"type":"artist","id":"1","relationships":{"albums":{"links":{"related":"/artists/1/albums"}}}}}`)
	albums, err := store.HasMany[fixture.Album](store.GetReference[fixture.Artist](s, "1"), "albums")
	require.NoError(t, err)
	assert.Equal(t, "link", albums.RemoteType())
	assert.Empty(t, albums.Peek(), "Peek never does I/O")

	got, err := albums.Load(context.Background())
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, []string{"A", "B"}, []string{got[0].Title, got[1].Title})
	assert.Equal(t, 1, rs.count("/artists/1/albums"), "a link starting with / ignores the namespace")
	assert.Equal(t, "1", peek[fixture.Album](t, s, "1").Artist.ID(), "each record's inverse is forced to the parent")
	st := albums.State()
	assert.Equal(t, `2`, string(st.Meta()["total"]), "the response's meta is kept on the relationship")
	assert.Equal(t, "/artists/1/albums", st.Link("related"), "the related link survives the response's links")
	assert.Equal(t, "/artists/1/albums", st.Link("self"))
	assert.Equal(t, "ids", albums.RemoteType())

	// Everything is loaded and fresh: no request.
	_, err = albums.Load(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, rs.count("/artists/1/albums"))
	// Reload asks.
	_, err = albums.Reload(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 2, rs.count("/artists/1/albums"))

	// A relative link resolves under the record's own URL.
	pushT(t, s, `{"data":{"type":"artist","id":"1","relationships":{"albums":{"links":{"related":"albums-relative"}}}}}`)
	got, err = albums.Load(context.Background())
	require.NoError(t, err)
	assert.Empty(t, got)
	assert.Equal(t, 1, rs.count("/api/artists/1/albums-relative"), "stale after the link changed: refetched")
	assert.True(t, peek[fixture.Album](t, s, "1").Artist.IsNull(), "a member the link no longer names leaves, and its inverse follows")
}

func TestLoadBelongsToByLinkAndByID(t *testing.T) {
	rs := newRelatedServer(t, map[string]string{
		"/api/albums/1/artist": `{"data":{"type":"artists","id":"1","attributes":{"name":"David Bazan"}}}`,
		"/api/artists/2":       `{"data":{"type":"artists","id":"2","attributes":{"name":"Bon Iver"}}}`,
		"/api/albums/3/artist": `{"data":[]}`,
	})
	s := relatedStore(t, rs.URL, false)
	pushT(t, s, `{"data":[{"type":"album","id":"1","relationships":{"artist":{"data":{"type":"artist","id":"1"},"links":{"related":"/api/albums/1/artist"}}}},
		{"type":"album","id":"2","relationships":{"artist":{"data":{"type":"artist","id":"2"}}}},
		{"type":"album","id":"3","relationships":{"artist":{"links":{"related":"/api/albums/3/artist"}}}}]}`)
	ctx := context.Background()

	artist, err := store.BelongsTo[fixture.Artist](store.GetReference[fixture.Album](s, "1"), "artist")
	require.NoError(t, err)
	assert.Equal(t, "1", artist.ID())
	v, ok, err := artist.Load(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "David Bazan", v.Name)
	assert.Equal(t, []string{"1"}, peek[fixture.Artist](t, s, "1").Albums.IDs())

	byID, err := store.BelongsTo[fixture.Artist](store.GetReference[fixture.Album](s, "2"), "artist")
	require.NoError(t, err)
	v, ok, err = byID.Load(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "Bon Iver", v.Name, "without a link, by id")
	assert.Equal(t, 1, rs.count("/api/artists/2"))

	wrong, err := store.BelongsTo[fixture.Artist](store.GetReference[fixture.Album](s, "3"), "artist")
	require.NoError(t, err)
	_, _, err = wrong.Load(ctx)
	assert.ErrorIs(t, err, store.ErrShape, "a to-one link answering an array is a typed error")
	_, ok = wrong.Peek()
	assert.False(t, ok)
}

func TestLoadHasManyByIDsCoalescedOneFailsAlone(t *testing.T) {
	rs := newRelatedServer(t, map[string]string{
		"/api/songs?filter%5Bid%5D=1%2C2%2C3": `{"data":[{"type":"songs","id":"1","attributes":{"title":"one"}},{"type":"songs","id":"3","attributes":{"title":"three"}}]}`,
	})
	s := relatedStore(t, rs.URL, true)
	pushT(t, s, `{"data":{"type":"album","id":"1","relationships":{"songs":{"data":[{"type":"song","id":"1"},{"type":"song","id":"2"},{"type":"song","id":"3"}]}}}}`)
	songs, err := store.HasMany[fixture.Song](store.GetReference[fixture.Album](s, "1"), "songs")
	require.NoError(t, err)
	got, err := songs.Load(context.Background())
	require.Error(t, err, "song 2 is missing from the findMany answer")
	assert.ErrorIs(t, err, store.ErrNotFound)
	assert.True(t, strings.Contains(err.Error(), "song:2"), err.Error())
	require.Len(t, got, 2, "the others load")
	assert.Equal(t, "one", got[0].Title)
	assert.Equal(t, "three", got[1].Title)
	assert.Equal(t, 1, rs.count("/api/songs?filter%5Bid%5D=1%2C2%2C3"), "one coalesced request")
	assert.Equal(t, []string{"1", "2", "3"}, songs.IDs(), "the ids stay, loaded or not")
	assert.Equal(t, "1", peek[fixture.Song](t, s, "3").Album.ID())
}

func TestUnloadSyncAndAsyncInverses(t *testing.T) {
	s := graphStore(t)
	pushT(t, s, `{"data":[{"type":"person","id":"1","relationships":{"groups":{"data":[{"type":"group","id":"a"}]}}},{"type":"group","id":"a"},
		{"type":"album","id":"1","relationships":{"artist":{"data":{"type":"artist","id":"1"}}}},{"type":"artist","id":"1"}]}`)

	// group.members is sync: unloading the person removes it.
	require.NoError(t, s.UnloadRecord("person", "1"))
	assert.Empty(t, peek[Group](t, s, "a").Members.IDs())

	// artist.albums is async: the identifier stays, the relationship is stale.
	require.NoError(t, s.UnloadRecord("album", "1"))
	a := peek[fixture.Artist](t, s, "1")
	assert.Equal(t, []string{"1"}, a.Albums.IDs())
	assert.True(t, a.Albums.IsStale(), "the next load refetches")
	albums, err := store.HasMany[fixture.Album](store.GetReference[fixture.Artist](s, "1"), "albums")
	require.NoError(t, err)
	assert.Empty(t, albums.Peek(), "an unloaded member is left out")

	// Pushed again, album 1 still knows its artist, and artist 1 has it once.
	pushT(t, s, `{"data":{"type":"album","id":"1","attributes":{"title":"back"}}}`)
	assert.Equal(t, "1", peek[fixture.Album](t, s, "1").Artist.ID())
	assert.Equal(t, []string{"1"}, peek[fixture.Artist](t, s, "1").Albums.IDs())

	// Unloading the artist too lets every identifier go.
	require.NoError(t, s.UnloadAll())
	for _, typ := range []string{"album", "artist", "person", "group"} {
		_, ok := s.PeekIdentifier(typ, map[string]string{"group": "a"}[typ]+map[bool]string{true: "1"}[typ != "group"])
		assert.False(t, ok, "%s freed", typ)
	}
}

func TestUnloadNewRecordLeavesEverywhere(t *testing.T) {
	s := graphStore(t)
	pushT(t, s, `{"data":{"type":"artist","id":"1"}}`)
	v := fixture.Album{Title: "draft"}
	v.Artist.Set("1")
	ref, err := store.CreateRecord(s, v)
	require.NoError(t, err)
	assert.Len(t, peek[fixture.Artist](t, s, "1").Albums.Identifiers(), 1, "a new record joins its inverse locally")
	require.NoError(t, ref.Unload())
	assert.Empty(t, peek[fixture.Artist](t, s, "1").Albums.Identifiers())
	assert.False(t, store.GetReference[fixture.Artist](s, "1").HasChangedRelationships(), "and the artist is clean again")
}

func TestCommittedDeleteLeavesRelationships(t *testing.T) {
	b := newBackend(t, func(r recorded) (int, string) { return 204, "" })
	s := writeStore(t, b.srv.URL)
	pushT(t, s, `{"data":[{"type":"album","id":"1","relationships":{"artist":{"data":{"type":"artist","id":"1"}},"songs":{"data":[{"type":"song","id":"1"}]}}},
		{"type":"artist","id":"1"},{"type":"song","id":"1"}]}`)
	ref := store.GetReference[fixture.Album](s, "1")
	require.NoError(t, ref.Delete())
	assert.Equal(t, []string{"1"}, peek[fixture.Artist](t, s, "1").Albums.IDs(), "an unsaved delete leaves the graph as it is")
	require.NoError(t, ref.Save(context.Background()))
	assert.Empty(t, peek[fixture.Artist](t, s, "1").Albums.IDs())
	assert.False(t, peek[fixture.Song](t, s, "1").Album.HasLinkage() && peek[fixture.Song](t, s, "1").Album.ID() != "")
}

func TestSaveSendsChangedRelationshipAndInversesSettle(t *testing.T) {
	b := newBackend(t, func(r recorded) (int, string) { return 204, "" })
	s := writeStore(t, b.srv.URL)
	pushT(t, s, `{"data":[{"type":"album","id":"1","attributes":{"title":"T"},"relationships":{"artist":{"data":{"type":"artist","id":"1"}}}},
		{"type":"artist","id":"1"},{"type":"artist","id":"2"}]}`)
	ref := store.GetReference[fixture.Album](s, "1")
	artist, err := store.BelongsTo[fixture.Artist](ref, "artist")
	require.NoError(t, err)
	require.NoError(t, artist.Set("2"))
	assert.True(t, store.GetReference[fixture.Artist](s, "2").HasChangedRelationships())

	require.NoError(t, ref.Save(context.Background()))
	res := decodeBody(t, b.last().Body).One()
	assert.Empty(t, res.Attributes, "only what changed")
	require.Contains(t, res.Relationships, "artist")
	assert.Equal(t, "2", res.Relationships["artist"].Data[0].ID)
	for _, id := range []string{"1", "2"} {
		assert.False(t, store.GetReference[fixture.Artist](s, id).HasChangedRelationships(), "artist %s is clean once the save is done", id)
	}
	assert.Equal(t, []string{"1"}, peek[fixture.Artist](t, s, "2").Albums.IDs())
	assert.False(t, ref.HasChangedRelationships())
}

func TestNewMemberGetsItsIDInInverses(t *testing.T) {
	b := newBackend(t, func(r recorded) (int, string) {
		return 201, `{"data":{"type":"songs","id":"77"}}`
	})
	s := writeStore(t, b.srv.URL)
	pushT(t, s, `{"data":{"type":"album","id":"1","relationships":{"songs":{"data":[]}}}}`)
	songs, err := store.HasMany[fixture.Song](store.GetReference[fixture.Album](s, "1"), "songs")
	require.NoError(t, err)
	song, err := songs.Create(fixture.Song{Title: "fresh"})
	require.NoError(t, err)
	assert.Equal(t, []string{""}, songs.IDs())
	require.NoError(t, song.Save(context.Background()))
	assert.Equal(t, []string{"77"}, songs.IDs(), "the album names the saved song by its id")
	got := songs.Peek()
	require.Len(t, got, 1)
	assert.Equal(t, "fresh", got[0].Title)
}

func TestCyclicGraphOf100kRecords(t *testing.T) {
	if testing.Short() {
		t.Skip("100k records")
	}
	s := graphStore(t)
	// 50k albums over 50k artists, each album's artist naming it back, and
	// every artist's albums naming the next album too: a graph of cycles.
	const n = 50_000
	var b strings.Builder
	b.WriteString(`{"data":[`)
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteByte(',')
		}
		next := i%n + 1
		b.WriteString(`{"type":"album","id":"` + itoa(i) + `","relationships":{"artist":{"data":{"type":"artist","id":"` + itoa(i) + `"}}}},`)
		b.WriteString(`{"type":"artist","id":"` + itoa(i) + `","relationships":{"albums":{"data":[{"type":"album","id":"` + itoa(i) + `"},{"type":"album","id":"` + itoa(next) + `"}]}}}`)
	}
	b.WriteString(`]}`)
	pushT(t, s, b.String())
	assert.Equal(t, n, store.PeekAll[fixture.Album](s).Len())
	// Album i+1 is named by artist i and then moved to artist i+1 by its own
	// push; album 1, named last by artist n, moves to it.
	assert.Equal(t, itoa(n), peek[fixture.Album](t, s, "1").Artist.ID())
	albums, err := store.HasMany[fixture.Album](store.GetReference[fixture.Artist](s, "7"), "albums")
	require.NoError(t, err)
	assert.Equal(t, []string{"7"}, albums.IDs())
	last, err := store.HasMany[fixture.Album](store.GetReference[fixture.Artist](s, itoa(n)), "albums")
	require.NoError(t, err)
	assert.Len(t, last.Peek(), 2)
	assert.Empty(t, peek[fixture.Artist](t, s, "1").Albums.IDs())
	require.NoError(t, s.UnloadAll())
	assert.Equal(t, 0, store.PeekAll[fixture.Artist](s).Len())
	_, ok := s.PeekIdentifier("album", "1")
	assert.False(t, ok)
}

func TestRelatedReferenceErrors(t *testing.T) {
	s := graphStore(t)
	_, err := store.BelongsTo[fixture.Artist](store.GetReference[fixture.Album](s, "1"), "nope")
	assert.ErrorIs(t, err, store.ErrNoRelationship)
	_, err = store.BelongsTo[fixture.Song](store.GetReference[fixture.Album](s, "1"), "artist")
	assert.ErrorIs(t, err, store.ErrTypeMismatch)
	songs, err := store.HasMany[fixture.Song](store.GetReference[fixture.Album](s, "1"), "songs")
	require.NoError(t, err)
	assert.Nil(t, songs.IDs(), "a parent not loaded has no members")
	assert.ErrorIs(t, songs.Add("1"), store.ErrNotLoaded)
	_, err = songs.Load(context.Background())
	assert.True(t, errors.Is(err, store.ErrNotLoaded), "%v", err)
}

// A related link's answer is outside data: whatever it holds, loading never
// panics, fails with a typed error that changes nothing, or sets the
// relationship to what it names.
func FuzzRelatedLink(f *testing.F) {
	f.Add(uint16(200), []byte(`{"data":[{"type":"album","id":"1","relationships":{"artist":{"data":{"type":"artist","id":"2"}}}}]}`))
	f.Add(uint16(200), []byte(`{"data":{"type":"album","id":"1"}}`))
	f.Add(uint16(200), []byte(`{"data":[{"type":"song","id":"1"}]}`))
	f.Add(uint16(200), []byte(`{"data":[{"type":"album"}],"meta":{"n":1},"links":{"self":"x"}}`))
	f.Add(uint16(200), []byte(`{"data":[],"included":[{"type":"artist","id":"1","relationships":{"albums":{"data":[{"type":"album","id":"1"}]}}}]}`))
	f.Add(uint16(404), []byte(`{"errors":[{"status":"404"}]}`))
	f.Add(uint16(204), []byte(``))
	f.Fuzz(func(t *testing.T, status uint16, body []byte) {
		a := store.AdapterFunc(func(ctx context.Context, req *store.Request) (*store.Response, error) {
			return &store.Response{Status: int(status), Body: body}, nil
		})
		s, err := store.New(a, nil, store.WithModels(fixture.Models()...))
		require.NoError(t, err)
		defer s.Close()
		pushT(t, s, `{"data":{"type":"artist","id":"1","relationships":{"albums":{"data":[{"type":"album","id":"9"}],"links":{"related":"/artists/1/albums"}}}}}`)
		albums, err := store.HasMany[fixture.Album](store.GetReference[fixture.Artist](s, "1"), "albums")
		require.NoError(t, err)
		got, err := albums.Load(context.Background())
		if err != nil {
			var ae *store.AdapterError
			var de *store.DocumentError
			assert.True(t, errors.As(err, &ae) || errors.As(err, &de), "a typed error: %v", err)
			assert.Equal(t, []string{"9"}, albums.IDs(), "a failed load changes nothing")
			return
		}
		assert.Len(t, got, albums.State().Len(), "every member the link named is loaded")
		for _, al := range got {
			assert.Equal(t, "1", peek[fixture.Album](t, s, al.ID).Artist.ID(), "each member's inverse is the parent")
		}
	})
}

// TestLongToManyAcrossCommits grows, shrinks and regrows a to-many past the
// length from which its member positions are indexed between commits, and
// checks it against the list it must be after each step.
func TestLongToManyAcrossCommits(t *testing.T) {
	s := graphStore(t)
	pushT(t, s, `{"data":[{"type":"artist","id":"1"},{"type":"artist","id":"2"}]}`)
	album := func(id, artist string) string {
		return `{"data":{"type":"album","id":"` + id + `","relationships":{"artist":{"data":{"type":"artist","id":"` + artist + `"}}}}}`
	}
	var want []string
	for i := 1; i <= 80; i++ {
		id := strconv.Itoa(i)
		pushT(t, s, album(id, "1"))
		want = append(want, id)
		pushT(t, s, album(id, "1")) // again: no duplicate
	}
	require.Equal(t, want, peek[fixture.Artist](t, s, "1").Albums.IDs())

	// Albums 10..19 move to artist 2, one commit each; then 15 comes back.
	for i := 10; i < 20; i++ {
		pushT(t, s, album(strconv.Itoa(i), "2"))
	}
	want = append(append([]string{}, want[:9]...), want[19:]...)
	require.Equal(t, want, peek[fixture.Artist](t, s, "1").Albums.IDs())
	pushT(t, s, album("15", "1"))
	want = append(want, "15")
	require.Equal(t, want, peek[fixture.Artist](t, s, "1").Albums.IDs())

	// Album 80 unloads (async inverse: artist 1 keeps its id); album 81 joins.
	require.NoError(t, s.UnloadRecord("album", "80"))
	pushT(t, s, album("81", "1"))
	want = append(want, "81")
	got := peek[fixture.Artist](t, s, "1").Albums
	require.Equal(t, want, got.IDs())
	assert.True(t, got.IsStale())

	// Many members in one commit, some already there.
	pushT(t, s, `{"data":{"type":"artist","id":"1","relationships":{"albums":{"data":[`+
		`{"type":"album","id":"1"},{"type":"album","id":"15"},{"type":"album","id":"90"},{"type":"album","id":"91"}]}}}}`)
	require.Equal(t, []string{"1", "15", "90", "91"}, peek[fixture.Artist](t, s, "1").Albums.IDs())
	assert.Equal(t, "", peek[fixture.Album](t, s, "2").Artist.ID(), "album 2 left artist 1")
	for i := 92; i < 140; i++ {
		pushT(t, s, album(strconv.Itoa(i), "1"))
	}
	ids := peek[fixture.Artist](t, s, "1").Albums.IDs()
	require.Len(t, ids, 4+48)
	assert.Equal(t, "139", ids[len(ids)-1])
}
