// Command demo runs larder's seed stories end to end: preloading with Push,
// then loading from a JSON:API backend (an embedded one on loopback, or the
// server given by -server), PushPayload through a REST serializer, a custom
// endpoint whose answer is pushed into the store, the relationship graph
// (related links, inverses, a move rolled back), and writing: create, save,
// edit, a validation error, delete, destroy and rollback; a live view over
// server-sent events; and scale-out: two instances sharing their changes
// over a broker (an embedded NATS server, or the URL given by -broker).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapitest"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

func main() {
	server := flag.String("server", "", "base URL of a JSON:API server to use instead of the embedded one")
	broker := flag.String("broker", "", "nats:// or redis:// URL of a broker for the scale-out story (default: an embedded NATS server)")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *server, *broker); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, server, broker string) error {
	pre, err := store.New(nil, nil, store.WithModels(fixture.Models()...))
	if err != nil {
		return err
	}
	defer pre.Close()
	if err := preload(w, pre); err != nil {
		return err
	}
	if err := generated(w); err != nil {
		return err
	}

	var embedded *jsonapitest.Server
	if server == "" {
		embedded = jsonapitest.NewServer()
		defer embedded.Close()
		server = embedded.URL
	}
	fmt.Fprintf(w, "\nbackend: %s\n", server)
	s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: server}}, &serializers.JSONAPI{},
		store.WithModels(fixture.Models()...),
		store.WithErrorHandler(func(err error) { fmt.Fprintln(w, "  background error:", err) }))
	if err != nil {
		return err
	}
	defer s.Close()
	if err := loading(ctx, w, s, embedded); err != nil {
		return err
	}
	if err := restPayload(w); err != nil {
		return err
	}
	if err := customEndpoint(ctx, w, s); err != nil {
		return err
	}
	if err := graph(ctx, w, server); err != nil {
		return err
	}
	if err := writing(ctx, w, server); err != nil {
		return err
	}
	if embedded != nil { // the live story needs the embedded server's event stream
		if err := live(ctx, w, embedded); err != nil {
			return err
		}
	}
	if err := scaleOut(ctx, w, server, broker); err != nil {
		return err
	}
	return stats(w, s)
}

// loading is the seed story of finding: a miss, a hit, a background reload,
// FindAll and Query.
func loading(ctx context.Context, w io.Writer, s *store.Cache, embedded *jsonapitest.Server) error {
	fmt.Fprintln(w, "== loading: FindRecord miss, then hit, then a background reload")
	start := time.Now()
	a, err := store.FindRecord[fixture.Album](ctx, s, "1", store.Include("artist"))
	if err != nil {
		return err
	}
	miss := time.Since(start)
	fmt.Fprintf(w, "  miss: %q rated %.1f (%d songs) in %v\n", a.Title, a.Rating, a.Songs.Len(), miss.Round(time.Microsecond))
	if artist, ok := store.PeekRecord[fixture.Artist](s, a.Artist.ID()); ok {
		fmt.Fprintf(w, "  side-loaded artist: %s\n", artist.Name)
	}
	start = time.Now()
	a, err = store.FindRecord[fixture.Album](ctx, s, "1", store.BackgroundReload(false))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  hit:  %q in %v (no request)\n", a.Title, time.Since(start))

	if embedded != nil {
		r, _ := embedded.Get("album", "1")
		r.Attributes["rating"] = []byte("5")
		embedded.Put(r)
		fmt.Fprintln(w, "  the server now rates it 5.0")
	}
	changed := s.Changed()
	a, err = store.FindRecord[fixture.Album](ctx, s, "1") // Ember's default: return cached, refresh in background
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  FindRecord returned the cached rating %.1f at once\n", a.Rating)
	select {
	case <-changed:
	case <-time.After(5 * time.Second):
		return fmt.Errorf("background reload did not arrive")
	}
	a, _ = store.PeekRecord[fixture.Album](s, "1")
	fmt.Fprintf(w, "  after the background reload, PeekRecord sees %.1f\n", a.Rating)

	songs, err := store.FindAll[fixture.Song](ctx, s)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  FindAll songs: %d in the live array\n", songs.Len())
	q, err := store.Query[fixture.Album](ctx, s, map[string][]string{"filter[artist]": {"1"}})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  Query albums by artist 1: %v (meta total %s)\n", q.IDs(), q.Meta()["total"])
	page, err := store.Query[fixture.Song](ctx, s, map[string][]string{"page[size]": {"5"}})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  songs, 5 a page, following the server's next links: %v", page.IDs())
	for page.HasPage("next") {
		if page, err = page.Next(ctx); err != nil {
			return err
		}
		fmt.Fprintf(w, " %v", page.IDs())
	}
	fmt.Fprintln(w)
	return nil
}

// restPayload is the seed story of a REST payload whose album serializer maps
// song_count to songCount.
func restPayload(w io.Writer) error {
	fmt.Fprintln(w, "== PushPayload through a REST serializer (song_count -> songCount)")
	s, err := store.New(nil, &serializers.REST{}, store.WithModels(fixture.Models()...),
		store.WithSerializerFor("album", &serializers.REST{Keys: serializers.Keys{
			Attrs: map[string]string{"songCount": "song_count"},
		}}))
	if err != nil {
		return err
	}
	defer s.Close()
	payload := `{"albums": [{"id": 10, "title": "Bon Iver, Bon Iver", "song_count": 10, "artist": 2}],
	             "artists": [{"id": 2, "name": "Bon Iver"}]}`
	if err := s.PushPayload("album", []byte(payload)); err != nil {
		return err
	}
	a, _ := store.PeekRecord[fixture.Album](s, "10")
	artist, _ := store.PeekRecord[fixture.Artist](s, a.Artist.ID())
	fmt.Fprintf(w, "  album %s: %q by %s, songCount %d\n", a.ID, a.Title, artist.Name, a.SongCount)
	return nil
}

// customEndpoint is the seed story of an action endpoint whose response is
// pushed into the store.
func customEndpoint(ctx context.Context, w io.Writer, s *store.Cache) error {
	fmt.Fprintln(w, "== custom endpoint: POST /payments/1/process-payment")
	if _, err := s.Execute(ctx, &store.Request{Type: "payment", ID: "1", Method: "POST", URL: "process-payment"}); err != nil {
		return err
	}
	p, _ := store.PeekRecord[fixture.Payment](s, "1")
	fmt.Fprintf(w, "  payment %s: %d cents, status %s\n", p.ID, p.Amount, p.Status)
	_, err := s.Execute(ctx, &store.Request{Type: "payment", ID: "1", Method: "POST", URL: "process-payment"})
	var ae *store.AdapterError
	if errorsAs(err, &ae) {
		fmt.Fprintf(w, "  again: %d, %v\n", ae.Status, ae.AttributeErrors())
	}
	return nil
}
