package store_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapitest"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

// mirrorOne is the single-album document as plain structs, for the baseline
// decode of the miss benchmark.
type mirrorOne struct {
	Data struct {
		Type       string `json:"type"`
		ID         string `json:"id"`
		Attributes struct {
			Title      string    `json:"title"`
			ArtistName string    `json:"artist-name"`
			SongCount  int       `json:"song-count"`
			ReleasedAt time.Time `json:"released-at"`
			Rating     float64   `json:"rating"`
		} `json:"attributes"`
		Relationships struct {
			Artist struct {
				Data fixture.MirrorIdentifier `json:"data"`
			} `json:"artist"`
			Songs struct {
				Data []fixture.MirrorIdentifier `json:"data"`
			} `json:"songs"`
		} `json:"relationships"`
	} `json:"data"`
}

// BenchmarkFindRecord compares a cache hit with a bare map lookup, and a miss
// over loopback HTTP with a bare net/http GET plus encoding/json decode of the
// same document from the same server.
func BenchmarkFindRecord(b *testing.B) {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	client := srv.Client()
	s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL, Client: client}}, &serializers.JSONAPI{},
		store.WithModels(fixture.Models()...))
	require.NoError(b, err)
	defer s.Close()
	ctx := context.Background()

	ids := []string{"1", "2", "3"}
	b.Run("hit/larder", func(b *testing.B) {
		for _, id := range ids {
			_, err := store.FindRecord[fixture.Album](ctx, s, id, store.BackgroundReload(false))
			require.NoError(b, err)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := store.FindRecord[fixture.Album](ctx, s, ids[i%3], store.BackgroundReload(false)); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("hit/map", func(b *testing.B) {
		type key struct{ typ, id string }
		m := map[key]*fixture.Album{{"album", "1"}: {}, {"album", "2"}: {}, {"album", "3"}: {}}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if m[key{"album", ids[i%3]}] == nil {
				b.Fatal("miss")
			}
			i++
		}
	})
	b.Run("miss/larder", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			// The unload (about a microsecond) is timed too: Stop/StartTimer would
			// read memory statistics, stopping the world, every iteration.
			if err := s.UnloadRecord("album", "1"); err != nil {
				b.Fatal(err)
			}
			if _, err := store.FindRecord[fixture.Album](ctx, s, "1"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("miss/net-http+encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/albums/1", nil)
			req.Header.Set("Accept", "application/vnd.api+json")
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				b.Fatal(err)
			}
			var doc mirrorOne
			if err := json.Unmarshal(body, &doc); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkFindHit is the find hit over the 1,000 albums of the anchor
// document (BenchmarkFindRecord's hit cycles three records that stay in L1):
// the cost a program sees when its hot set is larger than a few records.
func BenchmarkFindHit(b *testing.B) {
	s := warmStore(b)
	ctx := context.Background()
	ids := make([]string, benchAlbums)
	for i := range ids {
		ids[i] = strconv.Itoa(i + 1)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := store.FindRecord[fixture.Album](ctx, s, ids[i%benchAlbums], store.BackgroundReload(false)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
