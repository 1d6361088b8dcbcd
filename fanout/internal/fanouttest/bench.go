package fanouttest

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/fanout"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/store"
)

// pushStore is a store without an adapter, holding album 1.
func pushStore(b testing.TB) *store.Cache {
	s, err := store.New(nil, nil, store.WithModels(fixture.Models()...))
	require.NoError(b, err)
	b.Cleanup(func() { s.Close() })
	pushTitle(b, s, "start")
	return s
}

// titleDoc is a document that sets album 1's title.
func titleDoc(title string) *jsonapi.Document {
	return &jsonapi.Document{Shape: jsonapi.One, Data: []jsonapi.Resource{{Type: "album", ID: "1",
		Attributes: map[string]json.RawMessage{"title": json.RawMessage(strconv.Quote(title))}}}}
}

func pushTitle(b testing.TB, s *store.Cache, title string) {
	if _, err := s.Push(titleDoc(title)); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkConvergence measures a commit on one instance until the change
// is visible on another (a subscription there receives it), over the
// broker, and reports p50 and p99 besides the mean.
func BenchmarkConvergence(b *testing.B, br Broker) {
	a, peer := pushStore(b), pushStore(b)
	for _, s := range []*store.Cache{a, peer} {
		node, err := fanout.Join(context.Background(), s, br.Transport(b), fanout.WithHeartbeat(0))
		require.NoError(b, err)
		b.Cleanup(func() { node.Close() })
	}
	sub := store.SubscribeType[fixture.Album](context.Background(), peer)
	defer sub.Close()
	docs := make([]*jsonapi.Document, 64)
	for i := range docs {
		docs[i] = titleDoc("title " + strconv.Itoa(i))
	}
	lat := make([]time.Duration, 0, b.N)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		if _, err := a.Push(docs[i%len(docs)]); err != nil {
			b.Fatal(err)
		}
		for {
			wait, cancel := context.WithTimeout(ctx, 10*time.Second)
			cs, err := sub.Next(wait)
			cancel()
			if err != nil {
				b.Fatal(err)
			}
			if cs.Origin == store.OriginPeer {
				break
			}
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	}
}

// BenchmarkCommit measures a push (one record, one changed attribute) with
// the store joined to the broker, or not when br is nil: the cost fan-out
// adds to a commit, its publisher running beside it.
func BenchmarkCommit(b *testing.B, br Broker) {
	s := pushStore(b)
	if br != nil {
		node, err := fanout.Join(context.Background(), s, br.Transport(b), fanout.WithHeartbeat(0))
		require.NoError(b, err)
		b.Cleanup(func() { node.Close() })
	}
	docs := make([]*jsonapi.Document, 64)
	for i := range docs {
		docs[i] = titleDoc("title " + strconv.Itoa(i))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := s.Push(docs[i%len(docs)]); err != nil {
			b.Fatal(err)
		}
	}
}
