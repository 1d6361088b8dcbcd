package store_test

import (
	"context"
	"fmt"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapitest"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

// Loading related records: an album's artist by its related link, then the
// artist's albums, which the inverse already names.
func ExampleBelongsTo() {
	srv := jsonapitest.NewServer() // serves /albums/1/artist and /artists/1/albums
	defer srv.Close()
	s, _ := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL}}, &serializers.JSONAPI{},
		store.WithModels(fixture.Models()...))
	defer s.Close()
	ctx := context.Background()

	album, _ := store.FindRecord[fixture.Album](ctx, s, "1")
	artistRef, _ := store.BelongsTo[fixture.Artist](store.GetReference[fixture.Album](s, album.ID), "artist")
	_, loaded := artistRef.Peek() // never I/O
	artist, _, err := artistRef.Load(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println(loaded, artist.Name, artist.Albums.IDs())

	albums, _ := store.HasMany[fixture.Album](store.GetReference[fixture.Artist](s, artist.ID), "albums")
	all, _ := albums.Load(ctx)
	for _, a := range all {
		fmt.Println(a.ID, a.Title)
	}
	// Output:
	// false David Bazan [1 3]
	// 1 Fewer Moving Parts
	// 3 Curse Your Branches
}

// Editing a hasMany: a song moves from one album to another, locally; both
// albums and the song agree, and a rollback puts everything back.
func ExampleHasManyRef_Add() {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	s, _ := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL}}, &serializers.JSONAPI{},
		store.WithModels(fixture.Models()...))
	defer s.Close()
	ctx := context.Background()
	store.FindRecord[fixture.Album](ctx, s, "2", store.Include("songs"))
	store.FindRecord[fixture.Album](ctx, s, "3", store.Include("songs"))

	target := store.GetReference[fixture.Album](s, "3")
	songs, _ := store.HasMany[fixture.Song](target, "songs")
	if err := songs.Add("11"); err != nil { // song 11 is on album 2
		panic(err)
	}
	song, _ := store.PeekRecord[fixture.Song](s, "11")
	from, _ := store.PeekRecord[fixture.Album](s, "2")
	fmt.Println(songs.IDs(), song.Album.ID(), from.Songs.IDs())
	added := target.ChangedRelationships()["songs"].Added
	fmt.Println(added[0].Type, added[0].ID)

	song11 := store.GetReference[fixture.Song](s, "11")
	if err := song11.RollbackRelationships(); err != nil {
		panic(err)
	}
	song, _ = store.PeekRecord[fixture.Song](s, "11")
	from, _ = store.PeekRecord[fixture.Album](s, "2")
	fmt.Println(songs.IDs(), song.Album.ID(), from.Songs.IDs())
	// Output:
	// [13 11] 3 [12]
	// song 11
	// [13] 2 [12 11]
}
