package main

import (
	"fmt"
	"io"
	"time"

	"github.com/larder-go/larder/examples/music"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/store"
)

// generated is the story of a generated model package (examples/music, from
// WarpDrive schemas): the benchmark's 1,000-album document pushed in one
// pass through the generated codecs, and read back as typed models.
func generated(w io.Writer) error {
	s, err := store.New(nil, nil, store.WithModels(music.Models()...))
	if err != nil {
		return err
	}
	defer s.Close()
	doc := fixture.AlbumsDocument(1000, 10, 100)
	start := time.Now()
	if err := s.PushDocument(doc); err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(w, "\ngenerated models (examples/music):\n")
	fmt.Fprintf(w, "  pushed %d albums and %d artists from %d bytes in one pass (%v)\n",
		store.PeekAll[music.Album](s).Len(), store.PeekAll[music.Artist](s).Len(), len(doc), took.Round(time.Microsecond))
	a, _ := store.PeekRecord[music.Album](s, "42")
	artist, _ := store.PeekRecord[music.Artist](s, a.Artist.ID())
	fmt.Fprintf(w, "  album 42: %q, %d songs, rated %.1f, by %s (who has %d albums)\n",
		a.Title, a.Songs.Len(), a.Rating, artist.Name, artist.Albums.Len())
	return nil
}
