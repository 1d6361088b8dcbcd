package main

import (
	"context"
	"fmt"
	"io"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

// graph is the seed's album, artist and songs as a graph: an album and its
// artist loaded by the related link, the artist's albums from the inverse, a
// song moved to another album and the move rolled back.
func graph(ctx context.Context, w io.Writer, server string) error {
	fmt.Fprintln(w, "== the relationship graph")
	s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: server}}, &serializers.JSONAPI{},
		store.WithModels(fixture.Models()...))
	if err != nil {
		return err
	}
	defer s.Close()

	album, err := store.FindRecord[fixture.Album](ctx, s, "1")
	if err != nil {
		return err
	}
	albumRef := store.GetReference[fixture.Album](s, album.ID)
	artistRef, err := store.BelongsTo[fixture.Artist](albumRef, "artist")
	if err != nil {
		return err
	}
	artist, _, err := artistRef.Load(ctx) // GET the album's artist link
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  album 1's artist by its link %s: %s\n", album.Artist.Link("related"), artist.Name)

	if _, err := store.FindRecord[fixture.Album](ctx, s, "3"); err != nil {
		return err
	}
	albums, err := store.HasMany[fixture.Album](store.GetReference[fixture.Artist](s, artist.ID), "albums")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  %s's albums, from the inverse, no request:", artist.Name)
	for _, a := range albums.Peek() {
		fmt.Fprintf(w, " %q", a.Title)
	}
	fmt.Fprintln(w)

	if _, err := store.FindRecord[fixture.Song](ctx, s, "13"); err != nil {
		return err
	}
	song := store.GetReference[fixture.Song](s, "13")
	onAlbum, err := store.BelongsTo[fixture.Album](song, "album")
	if err != nil {
		return err
	}
	if err := onAlbum.Set("1"); err != nil { // move "Hard to Be" to album 1
		return err
	}
	a1, _ := store.PeekRecord[fixture.Album](s, "1")
	a3, _ := store.PeekRecord[fixture.Album](s, "3")
	fmt.Fprintf(w, "  moved song 13 to album 1: album 1 has %d songs, album 3 has %v, changed %v\n",
		a1.Songs.Len(), a3.Songs.IDs(), song.HasChangedRelationships())
	if err := song.RollbackRelationships(); err != nil {
		return err
	}
	a1, _ = store.PeekRecord[fixture.Album](s, "1")
	a3, _ = store.PeekRecord[fixture.Album](s, "3")
	fmt.Fprintf(w, "  rolled back: album 1 has %d songs, album 3 has %v, changed %v\n",
		a1.Songs.Len(), a3.Songs.IDs(), song.HasChangedRelationships())
	return nil
}
