package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/relationship"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

// Ember Data 3.28's own write and graph tests, translated: each test names
// the behaviour Ember's test checks.

// A feed holds items of two models, each with a to-one inverse: a
// polymorphic one-to-many.
type (
	Feed struct {
		ID    string                         `id:""`
		Name  string                         `attr:"name"`
		Items relationship.HasMany[FeedItem] `rel:"items,polymorphic,inverse=feed"`
	}
	FeedItem interface{ isFeedItem() }
	Article  struct {
		ID   string                       `id:""`
		Feed relationship.BelongsTo[Feed] `rel:"feed,inverse=items"`
	}
	Photo struct {
		ID   string                       `id:""`
		Feed relationship.BelongsTo[Feed] `rel:"feed,inverse=items"`
	}
)

func (Article) isFeedItem() {}
func (Photo) isFeedItem()   {}

// Ember Data 3.28's "deleting a newly created record" (tests/unit/model
// lifecycle): the record is empty again, and isDeleted.
func TestEmberDeletedNewRecordIsEmpty(t *testing.T) {
	s := writeStore(t, newBackend(t, nil).srv.URL)
	ref, err := store.CreateRecord(s, fixture.Album{Title: "new"})
	require.NoError(t, err)
	require.NoError(t, ref.Delete())
	st := ref.State()
	assert.Equal(t, "root.empty", st.Name())
	assert.True(t, st.IsDeleted)
	assert.False(t, st.HasDirtyAttributes)
}

// Ember Data 3.28's "rollbackAttributes() on a new record unloads it and
// marks it deleted" (5.x keeps the rule).
func TestEmberRollbackOfNewRecordIsDeleted(t *testing.T) {
	s := writeStore(t, newBackend(t, nil).srv.URL)
	ref, err := store.CreateRecord(s, fixture.Album{Title: "new"})
	require.NoError(t, err)
	require.NoError(t, ref.Rollback())
	st := ref.State()
	assert.True(t, st.IsDeleted)
	assert.Equal(t, "root.empty", st.Name())
	assert.False(t, ref.IsLoaded())
	assert.Zero(t, store.PeekAll[fixture.Album](s).Len())
}

// Ember's "deleteRecord: a response with sideloaded records pushes them".
func TestEmberDeleteResponseSideloadsArePushed(t *testing.T) {
	b := newBackend(t, func(r recorded) (int, string) {
		return 200, `{"data":{"type":"albums","id":"1"},"included":[{"type":"artists","id":"1","attributes":{"name":"Renamed"}}]}`
	})
	s := writeStore(t, b.srv.URL)
	pushAlbum(t, s)
	ref := store.GetReference[fixture.Album](s, "1")
	require.NoError(t, ref.Delete())
	require.NoError(t, ref.Save(context.Background()))
	assert.Equal(t, "DELETE", b.last().Method)
	assert.True(t, ref.State().IsDeletionCommitted)
	assert.Equal(t, "Renamed", peek[fixture.Artist](t, s, "1").Name, "the sideloaded artist was pushed")
}

// Ember's "a polymorphic one-to-many hasMany is not serialized": it is saved
// from its members' belongsTo side.
func TestEmberPolymorphicOneToManyIsNotSerialized(t *testing.T) {
	b := newBackend(t, func(r recorded) (int, string) { return 204, "" })
	s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: b.srv.URL}}, &serializers.JSONAPI{},
		store.WithModels(Feed{}, Article{}, Photo{}))
	require.NoError(t, err)
	defer s.Close()
	pushT(t, s, `{"data":{"type":"feed","id":"1","attributes":{"name":"a"}},"included":[{"type":"article","id":"2"},{"type":"photo","id":"3"}]}`)
	feed := store.GetReference[Feed](s, "1")
	items, err := store.HasMany[FeedItem](feed, "items")
	require.NoError(t, err)
	require.NoError(t, items.AddIdentifiers(store.Identifier{Type: "article", ID: "2"}.Linkage(), store.Identifier{Type: "photo", ID: "3"}.Linkage()))
	require.NoError(t, feed.Update(func(f *Feed) { f.Name = "b" }))
	require.NoError(t, feed.Save(context.Background()))
	body := decodeBody(t, b.last().Body)
	assert.Contains(t, body.One().Attributes, "name")
	assert.NotContains(t, body.One().Relationships, "items", "saved from the belongsTo side")
	assert.Equal(t, "1", peek[Article](t, s, "2").Feed.ID(), "the inverse follows")
}

// Ember's "createRecord: a response's related link is kept" for a
// relationship the save did not send.
func TestEmberCreateResponseRelatedLinkIsKept(t *testing.T) {
	b := newBackend(t, func(r recorded) (int, string) {
		return 201, `{"data":{"type":"artists","id":"9","attributes":{"name":"New"},
			"relationships":{"albums":{"links":{"related":"/artists/9/albums"}}}}}`
	})
	s := writeStore(t, b.srv.URL)
	ref, err := store.CreateRecord(s, fixture.Artist{Name: "New"})
	require.NoError(t, err)
	require.NoError(t, ref.Save(context.Background()))
	a := peek[fixture.Artist](t, s, "9")
	assert.Equal(t, "/artists/9/albums", a.Albums.Link("related"))
	albums, err := store.HasMany[fixture.Album](ref, "albums")
	require.NoError(t, err)
	assert.Equal(t, "link", albums.RemoteType())
}
