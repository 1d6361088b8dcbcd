package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/relationship"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

// A book has a writer and a shelf: two to-one inverses, each of a to-many.
type (
	Writer struct {
		ID    string                     `id:""`
		Books relationship.HasMany[Book] `rel:"books,inverse=writer"`
	}
	Shelf struct {
		ID    string                     `id:""`
		Books relationship.HasMany[Book] `rel:"books,inverse=shelf"`
	}
	Book struct {
		ID     string                         `id:""`
		Title  string                         `attr:"title"`
		Writer relationship.BelongsTo[Writer] `rel:"writer,inverse=books"`
		Shelf  relationship.BelongsTo[Shelf]  `rel:"shelf,inverse=books"`
	}
)

// Every holder of a never-loaded member gives it its inverse when it
// arrives: writer 1 and shelf 2 both list book 7.
func TestPendingInversesOfEveryHolder(t *testing.T) {
	s, err := store.New(nil, nil, store.WithModels(Writer{}, Shelf{}, Book{}))
	require.NoError(t, err)
	defer s.Close()
	pushT(t, s, `{"data":[{"type":"writer","id":"1","relationships":{"books":{"data":[{"type":"book","id":"7"}]}}},
		{"type":"shelf","id":"2","relationships":{"books":{"data":[{"type":"book","id":"7"}]}}}]}`)
	pushT(t, s, `{"data":{"type":"book","id":"7","attributes":{"title":"Seven"}}}`)
	b := peek[Book](t, s, "7")
	assert.Equal(t, "1", b.Writer.ID(), "the writer's inverse")
	assert.Equal(t, "2", b.Shelf.ID(), "the shelf's inverse")
}

// A never-loaded song listed by album 4, then by album 5, leaves album 4 (its
// album is a to-one); pushed naming album 6, it leaves album 5.
func TestNeverLoadedMemberMovesBetweenParents(t *testing.T) {
	s := newStore(t)
	pushT(t, s, `{"data":{"type":"album","id":"4","relationships":{"songs":{"data":[{"type":"song","id":"9"}]}}}}`)
	pushT(t, s, `{"data":{"type":"album","id":"5","relationships":{"songs":{"data":[{"type":"song","id":"9"}]}}}}`)
	assert.Empty(t, peek[fixture.Album](t, s, "4").Songs.IDs(), "album 5 took song 9")
	assert.Equal(t, []string{"9"}, peek[fixture.Album](t, s, "5").Songs.IDs())

	pushT(t, s, `{"data":{"type":"song","id":"9","relationships":{"album":{"data":{"type":"album","id":"6"}}}}}`)
	assert.Equal(t, "6", peek[fixture.Song](t, s, "9").Album.ID())
	assert.Empty(t, peek[fixture.Album](t, s, "4").Songs.IDs())
	assert.Empty(t, peek[fixture.Album](t, s, "5").Songs.IDs(), "the song left album 5")

	// Listed again by album 4, then loaded with no album: album 4 keeps it and
	// gives it its inverse.
	pushT(t, s, `{"data":{"type":"album","id":"4","relationships":{"songs":{"data":[{"type":"song","id":"10"}]}}}}`)
	pushT(t, s, `{"data":{"type":"song","id":"10","attributes":{"title":"Ten"}}}`)
	assert.Equal(t, "4", peek[fixture.Song](t, s, "10").Album.ID())
}

// Members listed twice are kept once, at their first position: in a pushed
// to-many, in a program's edit, and in an operation's replacement.
func TestDuplicateMembersAreKeptOnce(t *testing.T) {
	s := newStore(t)
	pushT(t, s, `{"data":{"type":"album","id":"1","relationships":{"songs":{"data":[
		{"type":"song","id":"x"},{"type":"song","id":"y"},{"type":"song","id":"x"},{"type":"song","id":"x"}]}}},
		"included":[{"type":"song","id":"x"},{"type":"song","id":"y"}]}`)
	assert.Equal(t, []string{"x", "y"}, peek[fixture.Album](t, s, "1").Songs.IDs())

	pushT(t, s, `{"data":{"type":"song","id":"a"}}`)
	songs, err := store.HasMany[fixture.Song](store.GetReference[fixture.Album](s, "1"), "songs")
	require.NoError(t, err)
	require.NoError(t, songs.Replace("a", "a"))
	assert.Equal(t, []string{"a"}, songs.IDs())
	assert.Equal(t, "1", peek[fixture.Song](t, s, "a").Album.ID(), "the inverse holds the album once")

	require.NoError(t, s.Apply(store.Operation{Op: store.OpReplaceRelationship, Ref: store.Identifier{Type: "album", ID: "1"},
		Relationship: "songs", Members: []store.Identifier{{Type: "song", ID: "y"}, {Type: "song", ID: "y"}}}))
	assert.Equal(t, []string{"y"}, peek[fixture.Album](t, s, "1").Songs.IDs())

	// Longer lists take the map path.
	var b strings.Builder
	b.WriteString(`{"data":{"type":"album","id":"2","relationships":{"songs":{"data":[`)
	for i := range 40 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"type":"song","id":"s` + string(rune('a'+i%20)) + `"}`)
	}
	b.WriteString(`]}}}}`)
	pushT(t, s, b.String())
	ids := peek[fixture.Album](t, s, "2").Songs.IDs()
	require.Len(t, ids, 20)
	assert.Equal(t, "sa", ids[0])
	assert.Equal(t, "st", ids[19])
}

// Once a new record is saved, every relationship that named it by lid names
// it by id: one without an inverse, and a polymorphic one.
func TestLidRenamesReachEveryRelationship(t *testing.T) {
	b := newBackend(t, func(r recorded) (int, string) {
		switch r.Path {
		case "/tags":
			return 201, `{"data":{"type":"tags","id":"t9","attributes":{"label":"new"}}}`
		case "/posts":
			return 201, `{"data":{"type":"posts","id":"p9","attributes":{"title":"new"}}}`
		}
		return 404, `{"errors":[{"status":"404"}]}`
	})
	models := append(fixture.Models(), Person{}, Passport{}, Group{}, Tag{}, Comment{}, Post{}, Video{})
	s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: b.srv.URL}}, &serializers.JSONAPI{}, store.WithModels(models...))
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()
	pushT(t, s, `{"data":[{"type":"person","id":"1"},{"type":"comment","id":"c1"}]}`)

	tag, err := store.CreateRecord(s, Tag{Label: "new"})
	require.NoError(t, err)
	tags, err := store.HasMany[Tag](store.GetReference[Person](s, "1"), "tags")
	require.NoError(t, err)
	require.NoError(t, tags.AddIdentifiers(tag.Identifier().Linkage()))
	require.NoError(t, tag.Save(ctx))
	assert.Equal(t, []string{"t9"}, peek[Person](t, s, "1").Tags.IDs(), "a relationship without an inverse")

	post, err := store.CreateRecord(s, Post{Title: "new"})
	require.NoError(t, err)
	target, err := store.BelongsTo[Commentable](store.GetReference[Comment](s, "c1"), "target")
	require.NoError(t, err)
	require.NoError(t, target.SetIdentifier(post.Identifier().Linkage()))
	require.NoError(t, post.Save(ctx))
	id, ok := target.Identifier()
	require.True(t, ok)
	assert.Equal(t, "p9", id.ID, "a polymorphic relationship")
	assert.Equal(t, "post", id.Type)
}
