package store_test

import (
	"fmt"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/store"
)

func ExampleCache_Read() {
	s, _ := store.New(nil, nil, store.WithModels(fixture.Models()...))
	defer s.Close()
	doc, _ := jsonapi.Decode([]byte(`{"data":{"type":"album","id":"1","attributes":{"title":"Blue"},
		"relationships":{"songs":{"data":[{"type":"song","id":"7"}]}}},
		"included":[{"type":"song","id":"7","attributes":{"title":"Carey"}}]}`))
	if _, err := s.Push(doc); err != nil {
		panic(err)
	}
	// The song's album and that album's songs, read as of one moment: a
	// commit that moves the song lands before or after, never between.
	err := s.Read(func(v *store.View) error {
		rel, ok := v.Related("song", "7", "album")
		if !ok || rel.Len() == 0 {
			return fmt.Errorf("song 7 has no album")
		}
		album, _ := store.ViewRecord[fixture.Album](v, rel.ID(0))
		fmt.Println(album.Title, album.Songs.IDs())
		return nil
	})
	fmt.Println(err)
	// Output:
	// Blue [7]
	// <nil>
}

func ExampleRef_Update() {
	s, _ := store.New(nil, nil, store.WithModels(fixture.Models()...))
	defer s.Close()
	doc, _ := jsonapi.Decode([]byte(`{"data":{"type":"album","id":"1","attributes":{"songCount":0}}}`))
	if _, err := s.Push(doc); err != nil {
		panic(err)
	}
	ref := store.GetReference[fixture.Album](s, "1")
	done := make(chan struct{})
	for range 2 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 100 {
				// An atomic read-modify-write: no increment is lost.
				_ = ref.Update(func(a *fixture.Album) { a.SongCount++ })
			}
		}()
	}
	<-done
	<-done
	a, _ := ref.Value()
	fmt.Println(a.SongCount)
	// Output: 200
}
