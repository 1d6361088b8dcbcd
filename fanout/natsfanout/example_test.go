package natsfanout_test

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/larder-go/larder/fanout"
	"github.com/larder-go/larder/fanout/natsfanout"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/store"
)

// Two instances over a NATS server (here one embedded in the process; in
// production, the URL of yours).
func ExampleDial() {
	ns, _ := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, NoLog: true, NoSigs: true})
	ns.Start()
	defer ns.Shutdown()
	ns.ReadyForConnections(5 * time.Second)

	ctx := context.Background()
	var stores []*store.Cache
	for range 2 {
		s, _ := store.New(nil, nil, store.WithModels(fixture.Models()...))
		defer s.Close()
		doc, _ := jsonapi.Decode([]byte(`{"data":{"type":"album","id":"1","attributes":{"title":"One"}}}`))
		_, _ = s.Push(doc)
		t, err := natsfanout.Dial(ns.ClientURL(), "example.larder")
		if err != nil {
			fmt.Println(err)
			return
		}
		node, _ := fanout.Join(ctx, s, t)
		defer node.Close()
		stores = append(stores, s)
	}
	sub := stores[1].Subscribe(ctx)
	defer sub.Close()
	doc, _ := jsonapi.Decode([]byte(`{"data":{"type":"album","id":"1","attributes":{"title":"Uno"}}}`))
	_, _ = stores[0].Push(doc)
	cs, _ := sub.Next(ctx)
	album, _ := store.PeekRecord[fixture.Album](stores[1], "1")
	fmt.Println(cs.Origin, album.Title)
	// Output: peer Uno
}
