package stream_test

import (
	"context"
	"fmt"
	"time"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapitest"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
	"github.com/larder-go/larder/stream"
)

func ExampleConnect() {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	s, _ := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL}}, &serializers.JSONAPI{},
		store.WithModels(fixture.Models()...))
	defer s.Close()
	ctx := context.Background()
	sub := store.SubscribeType[fixture.Album](ctx, s)
	defer sub.Close()

	src, _ := stream.Connect(ctx, s, srv.URL+jsonapitest.EventsPath)
	defer src.Close()
	for src.State() != stream.Live {
		time.Sleep(time.Millisecond)
	}
	// The server tells of a change made elsewhere, spelled as its responses are.
	srv.Emit("operations", []byte(`{"atomic:operations":[{"op":"add","data":{"type":"albums","id":"7","attributes":{"title":"Live","song-count":12}}}]}`))

	cs, _ := sub.Next(ctx)
	c := cs.At(0)
	album, _ := store.PeekRecord[fixture.Album](s, "7")
	fmt.Println(c.Record.Type, c.Record.ID, c.Fields, album.Title, album.SongCount)
	// Output: album 7 [title songCount] Live 12
}
