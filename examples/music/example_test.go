package music_test

import (
	"fmt"

	"github.com/larder-go/larder/examples/music"
	"github.com/larder-go/larder/store"
)

// A generated model package registers like hand-written models; the store
// decodes its attributes with the generated codecs.
func ExampleModels() {
	s, err := store.New(nil, nil, store.WithModels(music.Models()...))
	if err != nil {
		panic(err)
	}
	defer s.Close()
	err = s.PushDocument([]byte(`{"data":{"type":"album","id":"1",
		"attributes":{"title":"Blue","songCount":10,"releasedAt":"1971-06-22"},
		"relationships":{"artist":{"data":{"type":"artist","id":"9"}}}}}`))
	if err != nil {
		panic(err)
	}
	a, _ := store.PeekRecord[music.Album](s, "1")
	fmt.Println(a.Title, a.SongCount, a.ReleasedAt.Year(), a.Artist.ID())
	// Output: Blue 10 1971 9
}
