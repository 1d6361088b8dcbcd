package store_test

import (
	"context"
	"fmt"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/store"
)

func ExampleCache_Subscribe() {
	s, _ := store.New(nil, nil, store.WithModels(fixture.Models()...))
	defer s.Close()
	ctx := context.Background()
	sub := s.Subscribe(ctx)
	defer sub.Close()

	doc, _ := jsonapi.Decode([]byte(`{"data":{"type":"album","id":"1","attributes":{"title":"Bon Iver"}}}`))
	s.Push(doc)
	doc, _ = jsonapi.Decode([]byte(`{"data":{"type":"album","id":"1","attributes":{"title":"Bon Iver, Bon Iver","rating":5}}}`))
	s.Push(doc)

	for range 2 {
		cs, _ := sub.Next(ctx)
		for c := range cs.All() {
			fmt.Println(cs.Seq, c.Record.Type, c.Record.ID, c.Fields)
		}
	}
	// Output:
	// 1 album 1 [title]
	// 2 album 1 [title rating]
}

func ExampleCache_Apply() {
	s, _ := store.New(nil, nil, store.WithModels(fixture.Models()...))
	defer s.Close()
	err := s.ApplyDocument([]byte(`{"atomic:operations":[
		{"op":"add","data":{"type":"artist","id":"1","attributes":{"name":"Bon Iver"}}},
		{"op":"add","data":{"type":"album","id":"1","attributes":{"title":"22, A Million"}}},
		{"op":"add","ref":{"type":"artist","id":"1","relationship":"albums"},"data":[{"type":"album","id":"1"}]}
	]}`))
	fmt.Println(err)
	album, _ := store.PeekRecord[fixture.Album](s, "1")
	fmt.Println(album.Title, "by artist", album.Artist.ID())

	err = s.Apply(store.Operation{Op: store.OpRemove, Ref: store.Identifier{Type: "planet", ID: "9"}})
	fmt.Println(err)
	// Output:
	// <nil>
	// 22, A Million by artist 1
	// store: operation 0 (remove): unknown type "planet"
}
