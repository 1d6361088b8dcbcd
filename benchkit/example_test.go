package benchkit_test

import (
	"context"
	"fmt"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/benchkit"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapitest"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

// Run measures peeks, hits and misses; its Report prints as a table
// (r.WriteTable(os.Stdout)). Latencies vary by machine, so this example
// prints only what does not.
func ExampleRun() {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL}}, &serializers.JSONAPI{},
		store.WithModels(fixture.Models()...))
	if err != nil {
		panic(err)
	}
	defer s.Close()

	r, err := benchkit.Run[fixture.Album](context.Background(), s, []string{"1", "2", "3"}, benchkit.Options{Rounds: 10})
	if err != nil {
		panic(err)
	}
	for _, res := range r.Results {
		fmt.Printf("%s: %d calls\n", res.Op, res.Calls)
	}
	fmt.Printf("hit ratio %.0f%%, %d requests\n", 100*r.Finds.Ratio(), r.Requests)
	// Output:
	// peek: 30 calls
	// find hit: 30 calls
	// find miss: 3 calls
	// hit ratio 83%, 6 requests
}
