package store_test

import (
	"encoding/json"
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/store"
)

// The scale benchmarks hold a store at 1k, 100k and 1M albums and measure one
// batch of 1,000 albums against it, so every figure is per album at that size.
// Compare sizes within one run: the targets are ratios (push at 1M within 1.3x
// of 1k, unload at 100k within 2x of 1k, peek within 3x of a map lookup).
var scaleSizes = []int{1_000, 100_000, 1_000_000}

const scaleBatch = 1000

// scaleStore returns a store holding n albums (ids 1..n), and the decoded batch
// documents it was filled from.
func scaleStore(b *testing.B, n int) *store.Cache {
	if n >= 1_000_000 && testing.Short() {
		b.Skip("1M albums: skipped under -short")
	}
	s := newBenchStore(b)
	for first := 1; first <= n; first += scaleBatch {
		doc, err := jsonapi.Decode(fixture.AlbumsDocumentFrom(first, min(scaleBatch, n-first+1), benchSongs, benchArtists))
		require.NoError(b, err)
		_, err = s.Push(doc)
		require.NoError(b, err)
	}
	require.Equal(b, n, store.PeekAll[fixture.Album](s).Len())
	// Settle the heap the fill left: otherwise the first timed iterations
	// pay for marking it (a second at 1M albums), and the figure depends on
	// when b.Loop measured.
	runtime.GC()
	return s
}

func sizeName(n int) string {
	switch {
	case n >= 1_000_000:
		return strconv.Itoa(n/1_000_000) + "M"
	case n >= 1000:
		return strconv.Itoa(n/1000) + "k"
	}
	return strconv.Itoa(n)
}

// BenchmarkPushAtScale pushes 1,000 new albums into a store of n (decoded
// beforehand, so this is the cache's cost), then unloads them untimed.
func BenchmarkPushAtScale(b *testing.B) {
	for _, n := range scaleSizes {
		b.Run("albums="+sizeName(n), func(b *testing.B) {
			s := scaleStore(b, n)
			raw := fixture.AlbumsDocumentFrom(n+1, scaleBatch, benchSongs, benchArtists)
			ids := make([]string, scaleBatch)
			for i := range ids {
				ids[i] = strconv.Itoa(n + 1 + i)
			}
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				doc, err := jsonapi.Decode(raw)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := s.Push(doc); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				for _, id := range ids {
					if err := s.UnloadRecord("album", id); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/scaleBatch, "ns/album")
		})
	}
}

// BenchmarkMapInsertAtScale is the floor under BenchmarkPushAtScale's growth
// with size: a bare Go map holding what the store notes per pushed album (its
// index entry and one pending inverse per song not included, n*(1+songs)
// entries), taking one batch's worth of new keys. Past the CPU caches each
// insert misses them, in the store as here.
func BenchmarkMapInsertAtScale(b *testing.B) {
	for _, n := range scaleSizes {
		b.Run("albums="+sizeName(n), func(b *testing.B) {
			if n >= 1_000_000 && testing.Short() {
				b.Skip("1M albums: skipped under -short")
			}
			per := uint64(1 + benchSongs)
			type edge struct {
				holder *int
				i      int
			}
			m := make(map[uint64]edge)
			var holder int
			hash := func(k uint64) uint64 { return k * 0x9e3779b97f4a7c15 }
			for k := range uint64(n) * per {
				m[hash(k)] = edge{}
			}
			first := uint64(n) * per
			b.ReportAllocs()
			for b.Loop() {
				for k := range scaleBatch * per {
					m[hash(first+k)] = edge{holder: &holder, i: int(k)}
				}
				b.StopTimer()
				for k := range scaleBatch * per {
					delete(m, hash(first+k))
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/scaleBatch, "ns/album")
		})
	}
}

// BenchmarkUnloadAtScale unloads 1,000 albums from a store of n, then pushes
// them back untimed.
func BenchmarkUnloadAtScale(b *testing.B) {
	for _, n := range scaleSizes {
		b.Run("albums="+sizeName(n), func(b *testing.B) {
			s := scaleStore(b, n)
			first := n/2 - scaleBatch/2 + 1
			raw := fixture.AlbumsDocumentFrom(first, scaleBatch, benchSongs, benchArtists)
			ids := make([]string, scaleBatch)
			for i := range ids {
				ids[i] = strconv.Itoa(first + i)
			}
			b.ReportAllocs()
			for b.Loop() {
				for _, id := range ids {
					if err := s.UnloadRecord("album", id); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				doc, err := jsonapi.Decode(raw)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.Push(doc); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/scaleBatch, "ns/album")
		})
	}
}

// BenchmarkPeekAtScale is a PeekRecord hit in a store of n beside a bare map
// lookup by {type, id} over the same n records, and beside that lookup with the
// record copied out (what a peek returns). Ids are read in order, one record
// after another, so at 100k and 1M nearly every read misses the CPU caches.
func BenchmarkPeekAtScale(b *testing.B) {
	for _, n := range scaleSizes {
		b.Run("albums="+sizeName(n), func(b *testing.B) {
			s := scaleStore(b, n)
			ids := make([]string, n)
			type key struct{ typ, id string }
			m := make(map[key]*fixture.Album, n)
			for i := range ids {
				ids[i] = strconv.Itoa(i + 1)
				a, _ := store.PeekRecord[fixture.Album](s, ids[i])
				m[key{"album", ids[i]}] = &a
			}
			b.Run("larder", func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if _, ok := store.PeekRecord[fixture.Album](s, ids[i]); !ok {
						b.Fatal("miss")
					}
					if i++; i == n {
						i = 0
					}
				}
			})
			// A map-based cache must copy the record out too, as a peek does:
			// this is the baseline for the work a peek has to do.
			b.Run("map+copy", func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				var sink fixture.Album
				for b.Loop() {
					p := m[key{"album", ids[i]}]
					if p == nil {
						b.Fatal("miss")
					}
					sink = *p
					if i++; i == n {
						i = 0
					}
				}
				_ = sink
			})
			b.Run("map", func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if m[key{"album", ids[i]}] == nil {
						b.Fatal("miss")
					}
					if i++; i == n {
						i = 0
					}
				}
			})
		})
	}
}

// BenchmarkPeerChangeAtScale applies what a fan-out peer sends, in a store of
// n albums: one album's changed title as a peer's operation (Replicate), one
// album marked stale (Invalidate), and a whole type invalidated (a gap). Each
// must cost the same at every size.
func BenchmarkPeerChangeAtScale(b *testing.B) {
	for _, n := range scaleSizes {
		b.Run("albums="+sizeName(n), func(b *testing.B) {
			s := scaleStore(b, n)
			peer := s.From(store.OriginPeer)
			ops := make([]store.Operation, 64)
			for i := range ops {
				res := &jsonapi.Resource{Type: "album", ID: strconv.Itoa(1 + i*(n/len(ops))),
					Attributes: map[string]json.RawMessage{"title": json.RawMessage(strconv.Quote("from a peer " + strconv.Itoa(i)))}}
				ops[i] = store.Operation{Op: store.OpUpdate, Resource: res}
			}
			b.Run("replicate", func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if err := peer.Apply(ops[i%len(ops)]); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
			b.Run("invalidate", func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					s.Invalidate(store.Identifier{Type: "album", ID: strconv.Itoa(1 + i%n)})
					i++
				}
			})
			b.Run("invalidate-type", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := s.InvalidateType("album"); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
