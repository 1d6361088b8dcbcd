package store_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"runtime"
	"strconv"
	"sync"
	"testing"

	gojson "github.com/goccy/go-json"
	gj "github.com/google/jsonapi"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/examples/music"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/store"
)

const (
	benchAlbums  = 1000
	benchSongs   = 10
	benchArtists = 100
)

var benchDoc = fixture.AlbumsDocument(benchAlbums, benchSongs, benchArtists)

func newBenchStore(b *testing.B) *store.Cache {
	s, err := store.New(nil, nil, store.WithModels(fixture.Models()...))
	require.NoError(b, err)
	b.Cleanup(func() { s.Close() })
	return s
}

func perRecord(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchAlbums, "ns/record")
}

// BenchmarkPush compares decoding the 1,000-album document into the cache with
// encoding/json into mirror structs and google/jsonapi on the same bytes.
func BenchmarkPush(b *testing.B) {
	b.SetBytes(int64(len(benchDoc)))
	cold := func(opts ...store.Option) func(b *testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				s, err := store.New(nil, nil, append([]store.Option{store.WithModels(fixture.Models()...)}, opts...)...)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				doc, err := jsonapi.Decode(benchDoc)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := store.Push[fixture.Album](s, doc); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				s.Close()
				b.StartTimer()
			}
			perRecord(b)
		}
	}
	b.Run("larder/document-cold", func(b *testing.B) {
		pushDocumentCold(b, benchDoc, nil, fixture.Models())
		perRecord(b)
	})
	b.Run("larder/generated-cold", func(b *testing.B) {
		pushDocumentCold(b, benchDoc, nil, music.Models())
		perRecord(b)
	})
	b.Run("larder/cold", cold())
	// The same push with the relationship graph off: the cost of keeping
	// inverses is the ratio of larder/cold to this.
	b.Run("larder/cold-no-inverses", cold(store.WithoutGraph()))
	b.Run("larder/warm", func(b *testing.B) {
		s := newBenchStore(b)
		b.ReportAllocs()
		for b.Loop() {
			doc, err := jsonapi.Decode(benchDoc)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.Push(doc); err != nil {
				b.Fatal(err)
			}
		}
		perRecord(b)
	})
	b.Run("larder/decode-only", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := jsonapi.Decode(benchDoc); err != nil {
				b.Fatal(err)
			}
		}
		perRecord(b)
	})
	b.Run("encoding-json/mirror", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var d fixture.MirrorDocument
			if err := json.Unmarshal(benchDoc, &d); err != nil {
				b.Fatal(err)
			}
		}
		perRecord(b)
	})
	b.Run("floor/goccy-mirror+map", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			floorPush(b, benchDoc, map[floorKey]any{})
		}
		perRecord(b)
	})
	b.Run("google-jsonapi", func(b *testing.B) {
		b.ReportAllocs()
		t := reflect.TypeOf(new(fixture.GoogleAlbum))
		for b.Loop() {
			if _, err := gj.UnmarshalManyPayload(bytes.NewReader(benchDoc), t); err != nil {
				b.Fatal(err)
			}
		}
		perRecord(b)
	})
}

func warmStore(b *testing.B) *store.Cache {
	s := newBenchStore(b)
	doc, err := jsonapi.Decode(benchDoc)
	require.NoError(b, err)
	_, err = s.Push(doc)
	require.NoError(b, err)
	return s
}

// BenchmarkPeekRecord compares a cache hit with a bare map lookup by {type, id}.
func BenchmarkPeekRecord(b *testing.B) {
	s := warmStore(b)
	ids := make([]string, benchAlbums)
	for i := range ids {
		ids[i] = strconv.Itoa(i + 1)
	}
	type key struct{ typ, id string }
	bare := map[key]*fixture.Album{}
	for _, a := range store.PeekAll[fixture.Album](s).Records() {
		bare[key{"album", a.ID}] = &a
	}
	b.Run("larder/serial", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, ok := store.PeekRecord[fixture.Album](s, ids[i%benchAlbums]); !ok {
				b.Fatal("miss")
			}
			i++
		}
	})
	b.Run("larder/parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, ok := store.PeekRecord[fixture.Album](s, ids[i%benchAlbums]); !ok {
					b.Fatal("miss")
				}
				i++
			}
		})
	})
	b.Run("map/serial", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if bare[key{"album", ids[i%benchAlbums]}] == nil {
				b.Fatal("miss")
			}
			i++
		}
	})
	b.Run("map/parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if bare[key{"album", ids[i%benchAlbums]}] == nil {
					b.Fatal("miss")
				}
				i++
			}
		})
	})
}

// BenchmarkPeekAll reads the live array of 1,000 albums.
func BenchmarkPeekAll(b *testing.B) {
	s := warmStore(b)
	b.Run("Len", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if store.PeekAll[fixture.Album](s).Len() != benchAlbums {
				b.Fatal("len")
			}
		}
	})
	b.Run("Records", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if len(store.PeekAll[fixture.Album](s).Records()) != benchAlbums {
				b.Fatal("len")
			}
		}
	})
}

// BenchmarkMemory reports the heap a cached album costs beside the bytes of its
// JSON resource object.
func BenchmarkMemory(b *testing.B) {
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		s := warmStore(b)
		runtime.GC()
		runtime.ReadMemStats(&after)
		perAlbum := float64(after.HeapAlloc-before.HeapAlloc) / benchAlbums
		b.ReportMetric(perAlbum, "heapB/album")
		b.ReportMetric(float64(len(benchDoc))/benchAlbums, "jsonB/album")
		runtime.KeepAlive(s)
	}
}

// floorKey and floorPush are the push floor of reference/perf-anchors.md: the
// fastest decoder (goccy/go-json) into typed mirror structs, then each record
// inserted into a map under a lock.
type floorKey struct{ typ, id string }

var floorMu sync.Mutex

func floorPush(b *testing.B, data []byte, m map[floorKey]any) {
	var d fixture.MirrorDocument
	if err := gojson.Unmarshal(data, &d); err != nil {
		b.Fatal(err)
	}
	floorMu.Lock()
	for i := range d.Included {
		m[floorKey{d.Included[i].Type, d.Included[i].ID}] = &d.Included[i]
	}
	for i := range d.Data {
		m[floorKey{d.Data[i].Type, d.Data[i].ID}] = &d.Data[i]
	}
	floorMu.Unlock()
}

// BenchmarkPush100k pushes a document of 100,000 new albums (1,000 artists)
// into a store already holding 100,000, beside the same baselines on the
// same bytes; the floor inserts into a map already holding 100,000 records.
// ns/record divides by the 100,000 albums pushed.
func BenchmarkPush100k(b *testing.B) {
	if testing.Short() {
		b.Skip("100k albums: skipped under -short")
	}
	const n = 100_000
	first := fixture.AlbumsDocumentFrom(1, n, benchSongs, 1000)
	second := fixture.AlbumsDocumentFrom(n+1, n, benchSongs, 1000)
	per := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/record")
	}
	for _, tc := range []struct {
		name   string
		models []any
	}{{"larder/document", fixture.Models()}, {"larder/generated", music.Models()}} {
		b.Run(tc.name, func(b *testing.B) {
			pushDocumentCold(b, second, first, tc.models)
			per(b)
		})
	}
	b.Run("floor/goccy-mirror+map", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			m := map[floorKey]any{}
			floorPush(b, first, m)
			b.StartTimer()
			floorPush(b, second, m)
		}
		per(b)
	})
	b.Run("encoding-json/mirror", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var d fixture.MirrorDocument
			if err := json.Unmarshal(second, &d); err != nil {
				b.Fatal(err)
			}
		}
		per(b)
	})
	b.Run("google-jsonapi", func(b *testing.B) {
		b.ReportAllocs()
		t := reflect.TypeOf(new(fixture.GoogleAlbum))
		for b.Loop() {
			if _, err := gj.UnmarshalManyPayload(bytes.NewReader(second), t); err != nil {
				b.Fatal(err)
			}
		}
		per(b)
	})
}

// pushDocumentCold times PushDocument of doc into a new store of models,
// filled beforehand (untimed) with fill when it is set.
func pushDocumentCold(b *testing.B, doc, fill []byte, models []any) {
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		s, err := store.New(nil, nil, store.WithModels(models...))
		require.NoError(b, err)
		if fill != nil {
			require.NoError(b, s.PushDocument(fill))
		}
		b.StartTimer()
		if err := s.PushDocument(doc); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}
