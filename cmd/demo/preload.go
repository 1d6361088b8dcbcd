package main

import (
	"fmt"
	"io"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/store"
)

// preloadDocument is the seed story's start-up payload: two albums, their
// artists and songs, pushed before any request is made.
const preloadDocument = `{
  "data": [
    {"type": "album", "id": "1",
     "attributes": {"title": "Fewer Moving Parts", "artistName": "David Bazan", "songCount": 10, "releasedAt": "2006-09-26T00:00:00Z", "rating": 4.5},
     "relationships": {"artist": {"data": {"type": "artist", "id": "1"}},
                       "songs": {"data": [{"type": "song", "id": "1"}, {"type": "song", "id": "2"}, {"type": "song", "id": "3"}, {"type": "song", "id": "4"}, {"type": "song", "id": "5"},
                                          {"type": "song", "id": "6"}, {"type": "song", "id": "7"}, {"type": "song", "id": "8"}, {"type": "song", "id": "9"}, {"type": "song", "id": "10"}]}}},
    {"type": "album", "id": "2",
     "attributes": {"title": "Calgary b/w I Can't Make You Love Me/Nick Of Time", "artistName": "Bon Iver", "songCount": 2, "releasedAt": "2011-09-19T00:00:00Z", "rating": 4.0},
     "relationships": {"artist": {"data": {"type": "artist", "id": "2"}},
                       "songs": {"data": [{"type": "song", "id": "11"}, {"type": "song", "id": "12"}]}}}
  ],
  "included": [
    {"type": "artist", "id": "1", "attributes": {"name": "David Bazan"}},
    {"type": "artist", "id": "2", "attributes": {"name": "Bon Iver"}},
    {"type": "song", "id": "11", "attributes": {"title": "Calgary", "duration": 250}},
    {"type": "song", "id": "12", "attributes": {"title": "I Can't Make You Love Me/Nick Of Time", "duration": 363}}
  ]
}`

// preload pushes the two seed albums and reads them back typed.
func preload(w io.Writer, s *store.Cache) error {
	fmt.Fprintln(w, "== preload: Push at start-up, then PeekRecord / PeekAll")
	doc, err := jsonapi.Decode([]byte(preloadDocument))
	if err != nil {
		return err
	}
	albums, err := store.Push[fixture.Album](s, doc)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "pushed %d albums\n", len(albums))
	for _, a := range store.PeekAll[fixture.Album](s).All() {
		artist, _ := store.PeekRecord[fixture.Artist](s, a.Artist.ID())
		fmt.Fprintf(w, "  album %s: %q by %s, %d songs (%d linked), released %s\n",
			a.ID, a.Title, artist.Name, a.SongCount, a.Songs.Len(), a.ReleasedAt.Format("2006-01-02"))
	}
	if song, ok := store.PeekRecord[fixture.Song](s, "11"); ok {
		fmt.Fprintf(w, "  song 11: %q (%ds)\n", song.Title, song.Duration)
	}
	return nil
}
