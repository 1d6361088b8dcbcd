package store_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapitest"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

func ExampleCreateRecord() {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	s, _ := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL}}, &serializers.JSONAPI{},
		store.WithModels(fixture.Models()...))
	defer s.Close()
	ctx := context.Background()

	artist, _ := store.FindRecord[fixture.Artist](ctx, s, "1")
	post := fixture.Album{Title: "Rails is omakase"}
	post.Artist.Set(artist.ID) // a relationship to a record the store holds
	ref, err := store.CreateRecord(s, post)
	if err != nil {
		panic(err)
	}
	fmt.Println(ref.State().Name(), ref.ID() == "")
	if err := ref.Save(ctx); err != nil { // POST /albums
		panic(err)
	}
	fmt.Println(ref.State().Name(), ref.ID())
	saved, _ := store.PeekRecord[fixture.Album](s, ref.ID())
	fmt.Println(saved.Title, saved.Artist)
	// Output:
	// root.loaded.created.uncommitted true
	// root.loaded.saved new-1
	// Rails is omakase artist:1
}

func ExampleRef_Save() {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	s, _ := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL}}, &serializers.JSONAPI{},
		store.WithModels(fixture.Models()...))
	defer s.Close()
	ctx := context.Background()

	if _, err := store.FindRecord[fixture.Album](ctx, s, "2"); err != nil {
		panic(err)
	}
	album := store.GetReference[fixture.Album](s, "2")
	album.Update(func(a *fixture.Album) { a.Title = "" }) // a local edit: nothing is sent yet
	fmt.Println(album.ChangedAttributes()["title"][1] == "", album.State().DirtyType)

	err := album.Save(ctx) // PATCH /albums/2 with the title only; the server says 422
	fmt.Println(errors.Is(err, store.ErrInvalid), album.Errors()["title"])

	album.Update(func(a *fixture.Album) { a.Title = "Calgary" }) // clears the title's error
	if err := album.Save(ctx); err != nil {
		panic(err)
	}
	a, _ := album.Value()
	fmt.Println(a.Title, album.HasDirtyAttributes())
	// Output:
	// true updated
	// true [title must not be blank]
	// Calgary false
}

func ExampleCache_DeleteRecord() {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	s, _ := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL}}, &serializers.JSONAPI{},
		store.WithModels(fixture.Models()...))
	defer s.Close()
	ctx := context.Background()

	store.FindRecord[fixture.Song](ctx, s, "1")
	s.DeleteRecord("song", "1")
	fmt.Println(s.StateOf("song", "1").Name(), store.PeekAll[fixture.Song](s).Len())
	song := store.GetReference[fixture.Song](s, "1")
	if err := song.Save(ctx); err != nil { // DELETE /songs/1
		panic(err)
	}
	fmt.Println(song.State().Name(), store.PeekAll[fixture.Song](s).Len())
	// Output:
	// root.deleted.uncommitted 1
	// root.deleted.saved 0
}

func ExampleRef_Rollback() {
	s, _ := store.New(nil, nil, store.WithModels(fixture.Models()...))
	defer s.Close()
	artist, _ := store.CreateRecord(s, fixture.Artist{ID: "9", Name: "Draft"})
	artist.Save(context.Background()) // no adapter: the save fails and keeps the record as it was
	fmt.Println(artist.State().IsError, artist.State().IsNew)
	artist.Rollback() // a new record rolled back is unloaded
	_, ok := store.PeekRecord[fixture.Artist](s, "9")
	fmt.Println(ok)
	// Output:
	// true true
	// false
}
