package store_test

import (
	"context"
	"fmt"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapitest"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

// Stats counts hits and misses, requests and pushes, per store and per type.
func ExampleCache_Stats() {
	srv := jsonapitest.NewServer() // seeded with albums 1 to 3
	defer srv.Close()
	s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL}}, &serializers.JSONAPI{},
		store.WithModels(fixture.Models()...))
	if err != nil {
		panic(err)
	}
	defer s.Close()
	ctx := context.Background()

	store.FindRecord[fixture.Album](ctx, s, "1")                                // a miss: one request
	store.FindRecord[fixture.Album](ctx, s, "1", store.BackgroundReload(false)) // a hit
	store.PeekRecord[fixture.Album](s, "1")                                     // a peek hit
	store.PeekRecord[fixture.Album](s, "404")                                   // a peek miss

	st := s.Stats()
	fmt.Printf("finds: %d hits, %d misses (%.0f%%)\n", st.Finds.Hits, st.Finds.Misses, 100*st.Finds.Ratio())
	fmt.Printf("peeks: %d hits, %d misses\n", st.Peeks.Hits, st.Peeks.Misses)
	fmt.Printf("requests: %d findRecord\n", st.Requests.FindRecord)
	fmt.Printf("held: %d records\n", st.Records)
	// Output:
	// finds: 1 hits, 1 misses (50%)
	// peeks: 1 hits, 1 misses
	// requests: 1 findRecord
	// held: 1 records
}
