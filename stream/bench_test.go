package stream_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	sse "github.com/tmaxmax/go-sse"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapitest"
	"github.com/larder-go/larder/store"
	"github.com/larder-go/larder/stream"
)

// BenchmarkEventToSubscriber is the latency from a server-sent event written
// by jsonapitest on loopback to its change read from a subscription of the
// store the source feeds (larder), against the same event read by a bare
// go-sse connection and handed over a channel (go-sse): the baseline, so
// that the ratio is what the store adds. One event at a time, so ns/op is
// the mean; p50 and p99 are reported beside it.
func BenchmarkEventToSubscriber(b *testing.B) {
	events := [2][]byte{}
	for k := range events {
		events[k] = fmt.Appendf(nil, `{"atomic:operations":[{"op":"add","data":{"type":"album","id":"1","attributes":{"title":"t%d"}}}]}`, k)
	}
	b.Run("larder", func(b *testing.B) {
		srv := jsonapitest.NewServer()
		defer srv.Close()
		s, err := store.New(nil, nil, store.WithModels(fixture.Models()...))
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		ctx := context.Background()
		sub := store.SubscribeType[fixture.Album](ctx, s)
		defer sub.Close()
		src, err := stream.Connect(ctx, s, srv.URL+jsonapitest.EventsPath)
		if err != nil {
			b.Fatal(err)
		}
		defer src.Close()
		for src.State() != stream.Live {
			time.Sleep(time.Millisecond)
		}
		latencies(b, func(i int) {
			srv.Emit("operations", events[i%2])
			if _, err := sub.Next(ctx); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("go-sse", func(b *testing.B) {
		srv := jsonapitest.NewServer()
		defer srv.Close()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+jsonapitest.EventsPath, nil)
		if err != nil {
			b.Fatal(err)
		}
		got := make(chan string, 1)
		conn := (&sse.Client{}).NewConnection(req)
		conn.SubscribeToAll(func(e sse.Event) { got <- e.Data })
		done := make(chan struct{})
		go func() { defer close(done); _ = conn.Connect() }()
		defer func() { cancel(); <-done }()
		for srv.Streams() == 0 {
			time.Sleep(time.Millisecond)
		}
		latencies(b, func(i int) {
			srv.Emit("operations", events[i%2])
			<-got
		})
	})
}

// latencies runs one round trip per iteration and reports its p50 and p99.
func latencies(b *testing.B, round func(i int)) {
	var lat []time.Duration
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		start := time.Now()
		round(i)
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
}
