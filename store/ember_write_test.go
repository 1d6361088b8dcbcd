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

// Ember Data's write cases: three translated from Ember Data's own tests and
// named after them (the source file is cited), three from the issue's
// findings of Ember's behaviour.

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

// Ember Data's "Calling save on a newly created then deleted record should
// not error" (packages/-ember-data/tests/integration/records/
// delete-record-test.js): the deleted new record is empty, out of the live
// array, and saving it sends nothing. Ember 3.28 also reports it deleted.
func TestEmberCallingSaveOnANewlyCreatedThenDeletedRecordShouldNotError(t *testing.T) {
	b := newBackend(t, nil)
	s := writeStore(t, b.srv.URL)
	ref, err := store.CreateRecord(s, fixture.Album{Title: "pablobm"})
	require.NoError(t, err)
	assert.Equal(t, 1, store.PeekAll[fixture.Album](s).Len(), "the new record is in the store")
	require.NoError(t, ref.Delete())
	st := ref.State()
	assert.True(t, st.IsEmpty, "the correct persisted saved state")
	assert.Equal(t, "root.empty", st.Name())
	assert.True(t, st.IsDeleted)
	assert.False(t, st.HasDirtyAttributes)
	assert.Zero(t, store.PeekAll[fixture.Album](s).Len(), "removed from the store")
	require.NoError(t, ref.Save(context.Background()))
	assert.Empty(t, b.requests(), "no adapter call")
}

// Ember Data's "Deleting an invalid newly created record should remove it
// from the store" (the same file).
func TestEmberDeletingAnInvalidNewlyCreatedRecordShouldRemoveItFromTheStore(t *testing.T) {
	b := newBackend(t, func(recorded) (int, string) {
		return 422, `{"errors":[{"title":"Invalid Attribute","detail":"name is invalid","source":{"pointer":"/data/attributes/title"}}]}`
	})
	s := writeStore(t, b.srv.URL)
	ref, err := store.CreateRecord(s, fixture.Album{Title: "pablobm"})
	require.NoError(t, err)
	require.ErrorIs(t, ref.Save(context.Background()), store.ErrInvalid)
	assert.Equal(t, "root.loaded.created.invalid", ref.State().Name(), "starts in the created.invalid state")
	assert.Equal(t, 1, store.PeekAll[fixture.Album](s).Len())
	require.NoError(t, ref.Delete())
	assert.True(t, ref.State().IsEmpty, "the new record's state is empty")
	assert.Zero(t, store.PeekAll[fixture.Album](s).Len(), "removed from the store")
}

// Ember Data's "Rolling Back Attributes on a New Record unloads that record
// safely" (emberjs/data, tests/main/tests/integration/records/
// new-record-unload-test.js): the new friend leaves Matt's friends and the
// live array. Ember 3.28 and 5.x report the record deleted.
func TestEmberRollingBackAttributesOnANewRecordUnloadsThatRecordSafely(t *testing.T) {
	s := graphStore(t)
	pushT(t, s, `{"data":{"type":"person","id":"1","attributes":{"name":"Matthew Seidel"},"relationships":{"friends":{"data":[]}}}}`)
	pat, err := store.CreateRecord(s, Person{Name: "Patrick Wachter"})
	require.NoError(t, err)
	friends, err := store.HasMany[Person](store.GetReference[Person](s, "1"), "friends")
	require.NoError(t, err)
	require.NoError(t, friends.AddIdentifiers(pat.Identifier().Linkage()))
	require.Len(t, friends.Identifiers(), 1, "Matt has friends")
	require.Equal(t, 2, store.PeekAll[Person](s).Len(), "two people records in the store")
	require.True(t, pat.State().HasDirtyAttributes)
	require.True(t, pat.State().IsNew)

	require.NoError(t, pat.Rollback())
	assert.Empty(t, friends.Identifiers(), "Matt has no friends")
	assert.Equal(t, 1, store.PeekAll[Person](s).Len(), "one person left in the store")
	st := pat.State()
	assert.True(t, st.IsDeleted)
	assert.Equal(t, "root.empty", st.Name())
	assert.False(t, pat.IsLoaded())
}

// Ember Data pushes the records a deleteRecord response sideloads (a
// finding of the issue; no Ember test of that name was found to cite).
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

// Ember Data's JSONAPISerializer sends a hasMany only for manyToNone and
// manyToMany relationships: a polymorphic one-to-many is saved from its
// members' belongsTo side (a finding of the issue).
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

// Ember Data keeps the related link a createRecord response gives a
// relationship the save did not send (a finding of the issue).
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
