package index_test

import (
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/store/internal/index"
)

type entry struct {
	val int
	key string // not the first field, so the offset New finds matters
}

func newTable() *index.Table[entry] { return index.New(func(e *entry) *string { return &e.key }) }

// New refuses a field function that does not return a field of its argument.
func TestNewRefusesAFieldOutsideTheEntry(t *testing.T) {
	other := ""
	assert.Panics(t, func() { index.New(func(*entry) *string { return &other }) })
	tb := newTable()
	tb.Put(&entry{1, "a"})
	tb.Put(&entry{2, "b"})
	require.NotNil(t, tb.Get("b"))
	assert.Equal(t, 2, tb.Get("b").val, "entries are found by the field New was given")
	assert.Nil(t, tb.Get("c"))
}

// Random puts, deletes and resets, checked against a plain map after each step.
func TestModelCheck(t *testing.T) {
	for seed := range uint64(20) {
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, seed))
			tb := newTable()
			model := map[string]int{}
			keys := 1 + rng.IntN(2000)
			for step := range 20000 {
				k := strconv.Itoa(rng.IntN(keys))
				switch op := rng.IntN(100); {
				case op < 55:
					tb.Put(&entry{step, k})
					model[k] = step
				case op < 99:
					got := tb.Delete(k)
					want, ok := model[k]
					if ok {
						require.NotNil(t, got, "delete %q at step %d", k, step)
						assert.Equal(t, want, got.val)
					} else {
						require.Nil(t, got)
					}
					delete(model, k)
				default:
					if rng.IntN(20) == 0 {
						tb.Reset()
						clear(model)
					}
				}
				e := tb.Get(k)
				if want, ok := model[k]; ok {
					require.NotNil(t, e)
					require.Equal(t, want, e.val)
				} else {
					require.Nil(t, e)
				}
				require.Equal(t, len(model), tb.Len())
			}
			for k, v := range model {
				e := tb.Get(k)
				require.NotNil(t, e, k)
				assert.Equal(t, v, e.val)
			}
			n := 0
			tb.All(func(e *entry) bool { n++; return model[e.key] == e.val })
			assert.Equal(t, len(model), n)
		})
	}
}

func TestEdgeKeys(t *testing.T) {
	tb := newTable()
	for _, k := range []string{"", "\x00", "a\x00b", "..", "é", string(make([]byte, 4096))} {
		tb.Put(&entry{len(k), k})
	}
	for _, k := range []string{"", "\x00", "a\x00b", "..", "é", string(make([]byte, 4096))} {
		require.NotNil(t, tb.Get(k), "%q", k)
		assert.Equal(t, len(k), tb.Get(k).val)
	}
	assert.Nil(t, tb.Get("a"))
}

// Readers run while a writer fills, empties and refills the table: every
// reader finds the keys that were stored before it started and are never
// removed, under the race detector.
func TestReadersDuringWrites(t *testing.T) {
	tb := newTable()
	for i := range 100 {
		tb.Put(&entry{i, "stable" + strconv.Itoa(i)})
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				for i := range 100 {
					e := tb.Get("stable" + strconv.Itoa(i))
					if e == nil || e.val != i {
						t.Errorf("stable%d: %v", i, e)
						return
					}
				}
			}
		})
	}
	for round := range 20 {
		for i := range 500 {
			tb.Put(&entry{i, strconv.Itoa(round*1000 + i)})
		}
		for i := range 500 {
			tb.Delete(strconv.Itoa(round*1000 + i))
		}
	}
	close(stop)
	wg.Wait()
	assert.Equal(t, 100, tb.Len())
}

func BenchmarkGet(b *testing.B) {
	for _, n := range []int{1_000, 100_000, 1_000_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			tb := newTable()
			m := map[string]*entry{}
			keys := make([]string, n)
			for i := range n {
				keys[i] = strconv.Itoa(i)
				e := &entry{i, keys[i]}
				tb.Put(e)
				m[keys[i]] = e
			}
			b.Run("index", func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if tb.Get(keys[i%n]) == nil {
						b.Fatal("miss")
					}
					i++
				}
			})
			b.Run("map", func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if m[keys[i%n]] == nil {
						b.Fatal("miss")
					}
					i++
				}
			})
		})
	}
}
