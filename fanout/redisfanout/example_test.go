package redisfanout_test

import (
	"context"
	"log"

	"github.com/larder-go/larder/fanout"
	"github.com/larder-go/larder/fanout/redisfanout"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/store"
)

// Joining a store to the other instances of a service over Redis pub/sub.
// (Not run: it needs a Redis server at the URL.)
func ExampleDial() {
	s, err := store.New(nil, nil, store.WithModels(fixture.Models()...))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	t, err := redisfanout.Dial("redis://localhost:6379/0", "myservice.larder")
	if err != nil {
		log.Fatal(err)
	}
	node, err := fanout.Join(context.Background(), s, t, fanout.WithMode("song", fanout.Invalidate))
	if err != nil {
		log.Fatal(err)
	}
	defer node.Close()
}
