package fanout_test

import (
	"context"
	"fmt"

	"github.com/larder-go/larder/fanout"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/store"
)

// Two stores in one process, joined over a LocalBroker: what the program
// pushes into one reaches the other, which holds the record.
func ExampleJoin() {
	ctx := context.Background()
	broker := fanout.NewLocalBroker()
	var stores []*store.Cache
	for range 2 {
		s, _ := store.New(nil, nil, store.WithModels(fixture.Models()...))
		defer s.Close()
		doc, _ := jsonapi.Decode([]byte(`{"data":{"type":"album","id":"1","attributes":{"title":"One"}}}`))
		_, _ = s.Push(doc)
		node, err := fanout.Join(ctx, s, broker.Transport())
		if err != nil {
			fmt.Println(err)
			return
		}
		defer node.Close()
		stores = append(stores, s)
	}
	sub := stores[1].Subscribe(ctx)
	defer sub.Close()

	doc, _ := jsonapi.Decode([]byte(`{"data":{"type":"album","id":"1","attributes":{"title":"Uno"}}}`))
	_, _ = stores[0].Push(doc)

	cs, _ := sub.Next(ctx)
	c := cs.At(0)
	album, _ := store.PeekRecord[fixture.Album](stores[1], "1")
	fmt.Println(cs.Origin, c.Record, c.Fields, album.Title)
	// Output: peer album:1 [title] Uno
}
