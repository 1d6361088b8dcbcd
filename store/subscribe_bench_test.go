package store_test

import (
	"bytes"
	"context"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/store"
)

// BenchmarkCommitSubscribers is the cost of announcing: a commit that
// changes one album's title (edit), and one that pushes the 1,000-album
// document again with every title changed (push), with 0, 1 and 100
// store-wide subscriptions, each drained by a goroutine of its own as a
// program's would be. Compare subs=1 and subs=100 with subs=0 in one run.
// edit/unread has one subscription nobody reads: the change set is built
// and delivered, and no reader goroutine is woken, which splits the cost of
// announcing from the runtime's cost of waking a parked reader.
func BenchmarkCommitSubscribers(b *testing.B) {
	b.Run("edit/unread", func(b *testing.B) {
		s := newBenchStore(b)
		pushBench(b, s, benchDoc)
		sub := s.Subscribe(context.Background(), store.WithBuffer(1))
		defer sub.Close()
		editLoop(b, store.GetReference[fixture.Album](s, "1"))
	})
	for _, n := range []int{0, 1, 100} {
		b.Run("edit/subs="+strconv.Itoa(n), func(b *testing.B) {
			s := newBenchStore(b)
			pushBench(b, s, benchDoc)
			stop := drainers(b, s, n)
			defer stop()
			editLoop(b, store.GetReference[fixture.Album](s, "1"))
		})
		b.Run("push/subs="+strconv.Itoa(n), func(b *testing.B) {
			s := newBenchStore(b)
			docs := [2]*jsonapi.Document{}
			for k := range docs {
				d, err := jsonapi.Decode(retitled(benchDoc, "v"+strconv.Itoa(k)))
				require.NoError(b, err)
				docs[k] = d
			}
			_, err := s.Push(docs[1])
			require.NoError(b, err)
			stop := drainers(b, s, n)
			defer stop()
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				i++
				if _, err := s.Push(docs[i%2]); err != nil {
					b.Fatal(err)
				}
			}
			perRecord(b)
		})
	}
}

// editLoop changes the album's title back and forth, once per iteration.
func editLoop(b *testing.B, ref store.Ref[fixture.Album]) {
	titles := [2]string{"a", "b"}
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		if err := ref.Update(func(a *fixture.Album) { a.Title = titles[i%2] }); err != nil {
			b.Fatal(err)
		}
	}
}

// drainers opens n subscriptions, each read by a goroutine until stop.
func drainers(b *testing.B, s *store.Cache, n int) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range n {
		sub := s.Subscribe(ctx)
		wg.Go(func() {
			for range sub.All(ctx) {
			}
		})
	}
	return func() { cancel(); wg.Wait() }
}

func pushBench(b *testing.B, s *store.Cache, raw []byte) {
	doc, err := jsonapi.Decode(raw)
	require.NoError(b, err)
	_, err = s.Push(doc)
	require.NoError(b, err)
}

// retitled returns the document with every album title prefixed.
func retitled(raw []byte, prefix string) []byte {
	return bytes.ReplaceAll(raw, []byte(`"title":"`), []byte(`"title":"`+prefix))
}

// BenchmarkEditWatchedAtScale is BenchmarkEdit's edit with one store-wide
// subscription drained beside it, in stores of 1k, 100k and 1M albums: what
// a commit pays to be announced must not grow with the store.
func BenchmarkEditWatchedAtScale(b *testing.B) {
	for _, n := range scaleSizes {
		b.Run("albums="+sizeName(n), func(b *testing.B) {
			s := scaleStore(b, n)
			stop := drainers(b, s, 1)
			defer stop()
			editLoop(b, store.GetReference[fixture.Album](s, strconv.Itoa(n/2)))
		})
	}
}
