package benchkit

import (
	"context"
	"testing"

	"github.com/larder-go/larder/store"
)

// Peek benchmarks PeekRecord of model T over ids, after loading them. Call
// it from a Benchmark function; it reports allocations.
func Peek[T any](b *testing.B, s *store.Cache, ids []string) {
	b.Helper()
	load[T](b, s, ids)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, ok := store.PeekRecord[T](s, ids[i%len(ids)]); !ok {
			b.Fatalf("benchkit: %s is not loaded", ids[i%len(ids)])
		}
		i++
	}
}

// FindHit benchmarks FindRecord hits of model T over ids (with
// BackgroundReload(false), so no request is sent), after loading them. It
// reports allocations and the hit ratio the store saw, as "hit-ratio".
func FindHit[T any](b *testing.B, s *store.Cache, ids []string) {
	b.Helper()
	load[T](b, s, ids)
	ctx := context.Background()
	before := s.Stats().Finds
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := store.FindRecord[T](ctx, s, ids[i%len(ids)], store.BackgroundReload(false)); err != nil {
			b.Fatal(err)
		}
		i++
	}
	reportRatio(b, s, before)
}

// FindMiss benchmarks FindRecord misses of model T over ids: each iteration
// unloads a record and finds it again through the store's adapter (the
// unload is timed too, as it costs about a microsecond against a request's
// tens). It reports allocations and the hit ratio, which should be 0.
func FindMiss[T any](b *testing.B, s *store.Cache, ids []string) {
	b.Helper()
	load[T](b, s, ids)
	ctx := context.Background()
	typ := store.For[T](s).Type()
	before := s.Stats().Finds
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		id := ids[i%len(ids)]
		if err := s.UnloadRecord(typ, id); err != nil {
			b.Fatal(err)
		}
		if _, err := store.FindRecord[T](ctx, s, id, store.BackgroundReload(false)); err != nil {
			b.Fatal(err)
		}
		i++
	}
	reportRatio(b, s, before)
}

func load[T any](b *testing.B, s *store.Cache, ids []string) {
	b.Helper()
	if len(ids) == 0 {
		b.Fatal(ErrNoIDs)
	}
	for _, id := range ids {
		if _, err := store.FindRecord[T](context.Background(), s, id, store.BackgroundReload(false)); err != nil {
			b.Fatal(err)
		}
	}
}

// reportRatio reports the share of finds since before that hit.
func reportRatio(b *testing.B, s *store.Cache, before store.Counts) {
	after := s.Stats().Finds
	b.ReportMetric(store.Counts{Hits: after.Hits - before.Hits, Misses: after.Misses - before.Misses}.Ratio(), "hit-ratio")
}
