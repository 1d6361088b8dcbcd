package store_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapitest"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

func ExampleFindRecord() {
	srv := jsonapitest.NewServer() // an in-memory JSON:API backend on loopback
	defer srv.Close()
	s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL}}, &serializers.JSONAPI{},
		store.WithModels(fixture.Models()...))
	if err != nil {
		panic(err)
	}
	defer s.Close()
	ctx := context.Background()

	a, err := store.FindRecord[fixture.Album](ctx, s, "2", store.Include("artist"))
	if err != nil {
		panic(err)
	}
	artist, _ := store.PeekRecord[fixture.Artist](s, a.Artist.ID())
	fmt.Printf("%s by %s, %d songs\n", a.Title, artist.Name, a.SongCount)

	_, err = store.FindRecord[fixture.Album](ctx, s, "404")
	fmt.Println(errors.Is(err, store.ErrNotFound), s.HasRecordForID("album", "404"))
	// Output:
	// Calgary b/w I Can't Make You Love Me/Nick Of Time by Bon Iver, 2 songs
	// true false
}

func ExampleQuery() {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	s, _ := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL}}, &serializers.JSONAPI{},
		store.WithModels(fixture.Models()...))
	defer s.Close()
	page, err := store.Query[fixture.Song](context.Background(), s, url.Values{"page[number]": {"1"}, "page[size]": {"5"}})
	if err != nil {
		panic(err)
	}
	fmt.Println(page.IDs(), "of", string(page.Meta()["total"]))
	for page.HasPage("next") {
		if page, err = page.Next(context.Background()); err != nil {
			panic(err)
		}
		fmt.Println(page.IDs())
	}
	// Output:
	// [1 2 3 4 5] of 13
	// [6 7 8 9 10]
	// [11 12 13]
}
