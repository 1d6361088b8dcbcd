package store_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/store"
)

// TestConcurrentReadersAndWriters runs pushes, unloads and reads together; under
// -race it proves readers and writers share no unsynchronized memory, and every
// record a reader sees is whole (title and rating always written together).
func TestConcurrentReadersAndWriters(t *testing.T) {
	s := newStore(t)
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := range 200 {
				id := (i % 20) + 1
				doc := fmt.Sprintf(`{"data":{"type":"album","id":"%d","attributes":{"title":"t%d","rating":%d}}}`, id, i, i)
				if _, err := s.Push(decode(t, doc)); err != nil {
					t.Error(err)
					return
				}
				if i%17 == w {
					_ = s.UnloadRecord("album", fmt.Sprint(id))
				}
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for i := range 2000 {
				if a, ok := store.PeekRecord[fixture.Album](s, fmt.Sprint(i%20+1)); ok {
					if a.Title != fmt.Sprintf("t%d", int(a.Rating)) {
						t.Errorf("torn record: %+v", a)
						return
					}
				}
				for _, a := range store.PeekAll[fixture.Album](s).Records() {
					if a.ID == "" {
						t.Error("record without id in live array")
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

// TestModelCheck runs random pushes, partial updates and unloads against the
// store and against a plain map, and compares them after every step.
func TestModelCheck(t *testing.T) {
	type want struct {
		title  string
		rating float64
	}
	for seed := range uint64(5) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 1))
			s := newStore(t)
			ref := map[string]want{}
			var order []string
			for step := range 400 {
				id := fmt.Sprint(r.IntN(30))
				switch op := r.IntN(10); {
				case op < 5:
					w := want{title: fmt.Sprintf("t%d", step), rating: float64(step)}
					push(t, s, fmt.Sprintf(`{"data":{"type":"album","id":%q,"attributes":{"title":%q,"rating":%v}}}`, id, w.title, w.rating))
					if _, ok := ref[id]; !ok {
						order = append(order, id)
					}
					ref[id] = w
				case op < 8:
					push(t, s, fmt.Sprintf(`{"data":{"type":"album","id":%q,"attributes":{"rating":%d}}}`, id, step))
					w, ok := ref[id]
					if !ok {
						order = append(order, id)
					}
					w.rating = float64(step)
					ref[id] = w
				default:
					require.NoError(t, s.UnloadRecord("album", id))
					if _, ok := ref[id]; ok {
						delete(ref, id)
						for i, o := range order {
							if o == id {
								order = append(order[:i], order[i+1:]...)
								break
							}
						}
					}
				}
				for k := range 30 {
					id := fmt.Sprint(k)
					a, ok := store.PeekRecord[fixture.Album](s, id)
					w, wok := ref[id]
					require.Equal(t, wok, ok, "step %d id %s", step, id)
					if ok {
						require.Equal(t, w.title, a.Title)
						require.Equal(t, w.rating, a.Rating)
					}
				}
				require.Equal(t, order, store.PeekAll[fixture.Album](s).IDs(), "step %d", step)
			}
		})
	}
}

// FuzzPush checks that no document makes Push panic, and that a rejected push
// changes nothing.
func FuzzPush(f *testing.F) {
	f.Add([]byte(bazan))
	f.Add([]byte(`{"data":[{"type":"album","id":"1","attributes":{"songCount":1.5}}]}`))
	f.Add([]byte(`{"data":{"type":"note","id":"1","attributes":{"tags":["a"],"props":{"a":1},"count":"2"}}}`))
	f.Add([]byte(`{"data":{"type":"album","lid":"x","relationships":{"songs":{"data":[{"type":"song","lid":"y"}]}}}}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		doc, err := jsonapiDecode(in)
		if err != nil {
			return
		}
		s, err := store.New(nil, nil, store.WithModels(append(fixture.Models(), Note{})...))
		require.NoError(t, err)
		defer s.Close()
		push(t, s, bazan)
		before := store.PeekAll[fixture.Album](s).Records()
		v := s.Version()
		if _, err := s.Push(doc); err != nil {
			assert.Equal(t, before, store.PeekAll[fixture.Album](s).Records())
			assert.Equal(t, v, s.Version())
		}
	})
}
