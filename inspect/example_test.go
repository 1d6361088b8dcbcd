package inspect_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/larder-go/larder/inspect"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/store"
)

// Mount the view on an operator's mux, under a prefix of its choosing.
func ExampleHandler() {
	s, err := store.New(nil, nil, store.WithModels(fixture.Models()...))
	if err != nil {
		panic(err)
	}
	defer s.Close()
	s.PushDocument([]byte(`{"data":{"type":"album","id":"1","attributes":{"title":"One"}}}`))

	mux := http.NewServeMux()
	mux.Handle("/debug/larder/", http.StripPrefix("/debug/larder", inspect.Handler(s)))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/debug/larder/?type=album&id=1")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(string(body))
	// Output:
	// album: 1 records, 1 identifiers
	//   root.loaded.saved                    1
	//   album 1 root.loaded.saved
	//     artistName = ""
	//     rating = 0
	//     releasedAt = null
	//     songCount = 0
	//     title = "One"
}
