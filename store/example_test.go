package store_test

import (
	"fmt"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/store"
)

func ExampleCache_Push() {
	s, err := store.New(nil, nil, store.WithModels(fixture.Album{}, fixture.Artist{}, fixture.Song{}))
	if err != nil {
		panic(err)
	}
	defer s.Close()
	doc, err := jsonapi.Decode([]byte(`{
	  "data": {"type": "album", "id": "1", "attributes": {"title": "Fewer Moving Parts", "songCount": 10},
	           "relationships": {"artist": {"data": {"type": "artist", "id": "1"}}}},
	  "included": [{"type": "artist", "id": "1", "attributes": {"name": "David Bazan"}}]
	}`))
	if err != nil {
		panic(err)
	}
	albums, err := store.Push[fixture.Album](s, doc)
	if err != nil {
		panic(err)
	}
	fmt.Println(albums[0].Title, albums[0].SongCount, albums[0].Artist.ID())
	fmt.Println(s.HasRecordForID("artist", "1"))
	// Output:
	// Fewer Moving Parts 10 1
	// true
}

func ExamplePeekRecord() {
	s, _ := store.New(nil, nil, store.WithModels(fixture.Models()...))
	defer s.Close()
	doc, _ := jsonapi.Decode([]byte(`{"data": {"type": "artist", "id": "7", "attributes": {"name": "Bon Iver"}}}`))
	if _, err := s.Push(doc); err != nil {
		panic(err)
	}
	if a, ok := store.PeekRecord[fixture.Artist](s, "7"); ok {
		fmt.Println(a.Name)
	}
	_, ok := store.PeekRecord[fixture.Artist](s, "8")
	fmt.Println(ok)
	// Output:
	// Bon Iver
	// false
}

func ExamplePeekAll() {
	s, _ := store.New(nil, nil, store.WithModels(fixture.Models()...))
	defer s.Close()
	artists := store.PeekAll[fixture.Artist](s) // live: the same array, updated by later pushes
	doc, _ := jsonapi.Decode([]byte(`{"data": [{"type": "artist", "id": "1", "attributes": {"name": "David Bazan"}},
	                                           {"type": "artist", "id": "2", "attributes": {"name": "Bon Iver"}}]}`))
	if _, err := s.Push(doc); err != nil {
		panic(err)
	}
	for _, a := range artists.All() {
		fmt.Println(a.ID, a.Name)
	}
	_ = s.UnloadRecord("artist", "1")
	fmt.Println(artists.Len())
	// Output:
	// 1 David Bazan
	// 2 Bon Iver
	// 1
}

func ExampleFor() {
	s, _ := store.New(nil, nil, store.WithModels(fixture.Models()...))
	defer s.Close()
	albums := store.For[fixture.Album](s)
	doc, _ := jsonapi.Decode([]byte(`{"data": {"type": "album", "id": "1", "attributes": {"title": "Calgary"}}}`))
	if _, err := albums.Push(doc); err != nil {
		panic(err)
	}
	a, _ := albums.Peek("1")
	fmt.Println(a.Title)
	// Output: Calgary
}

// PushDocument takes a normalized document as bytes and decodes it in one
// pass, returning nothing.
func ExampleCache_PushDocument() {
	s, err := store.New(nil, nil, store.WithModels(fixture.Models()...))
	if err != nil {
		panic(err)
	}
	defer s.Close()
	err = s.PushDocument([]byte(`{"data":[
		{"type":"album","id":"1","attributes":{"title":"Blue"},"relationships":{"artist":{"data":{"type":"artist","id":"9"}}}}],
		"included":[{"type":"artist","id":"9","attributes":{"name":"Joni Mitchell"}}]}`))
	fmt.Println(err)
	artist, _ := store.PeekRecord[fixture.Artist](s, "9")
	fmt.Println(artist.Name, artist.Albums.IDs())
	// Output:
	// <nil>
	// Joni Mitchell [1]
}
