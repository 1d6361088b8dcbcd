package mailbox_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/larder-go/larder/store/internal/mailbox"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// notice marks a dropped value by negating it.
func notice(last int) int { return -last }

// drain takes what the box holds without waiting.
func drain(t *testing.T, b *mailbox.Box[int]) []int {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out []int
	for {
		v, err := b.Next(ctx)
		if err != nil {
			return out
		}
		out = append(out, v)
	}
}

func TestBoxBound(t *testing.T) {
	tests := []struct {
		name  string
		bound int
		put   []int
		want  []int
	}{
		{"within the bound, in order", 3, []int{1, 2, 3}, []int{1, 2, 3}},
		{"one past: a notice, then what follows", 3, []int{1, 2, 3, 4}, []int{-4}},
		{"the notice stands for every drop, then what follows", 2, []int{1, 2, 3, 4, 5}, []int{-3, 4, 5}},
		{"a second overflow: one notice", 2, []int{1, 2, 3, 4, 5, 6}, []int{-6}},
		{"a bound below 1 is 1", 0, []int{1, 2}, []int{-2}},
		{"nothing put", 3, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := mailbox.New(tt.bound, notice)
			for _, v := range tt.put {
				b.Put(v)
			}
			assert.Equal(t, tt.want, drain(t, b))
		})
	}
	t.Run("reading makes room: a queue, not a window", func(t *testing.T) {
		b := mailbox.New(2, notice)
		var got []int
		for v := 1; v <= 100; v++ {
			b.Put(v)
			if v%2 == 0 {
				got = append(got, drain(t, b)...)
			}
		}
		require.Len(t, got, 100)
		for i, v := range got {
			assert.Equal(t, i+1, v)
		}
	})
}

func TestBoxClose(t *testing.T) {
	b := mailbox.New(4, notice)
	b.Put(1)
	assert.True(t, b.Close())
	assert.False(t, b.Close(), "closed once")
	b.Put(2) // after Close: dropped
	v, err := b.Next(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, v, "what it held is still read")
	_, err = b.Next(context.Background())
	assert.ErrorIs(t, err, mailbox.ErrClosed)
}

func TestBoxWaits(t *testing.T) {
	t.Run("a reader is woken by a put", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			b := mailbox.New(4, notice)
			var got int
			var wg sync.WaitGroup
			wg.Go(func() { got, _ = b.Next(context.Background()) })
			synctest.Wait()
			b.Put(7)
			wg.Wait()
			assert.Equal(t, 7, got)
		})
	})
	t.Run("until its context is done", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			b := mailbox.New(4, notice)
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			start := time.Now()
			_, err := b.Next(ctx)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Equal(t, time.Second, time.Since(start))
		})
	})
	t.Run("readers together are each woken, and all ended by Close", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			b := mailbox.New(8, notice)
			var mu sync.Mutex
			var got []int
			var ends []error
			var wg sync.WaitGroup
			for range 3 {
				wg.Go(func() {
					for {
						v, err := b.Next(context.Background())
						mu.Lock()
						if err != nil {
							ends = append(ends, err)
							mu.Unlock()
							return
						}
						got = append(got, v)
						mu.Unlock()
					}
				})
			}
			synctest.Wait()
			b.Put(1)
			b.Put(2) // before any reader ran: one token for two values
			synctest.Wait()
			mu.Lock()
			assert.ElementsMatch(t, []int{1, 2}, got)
			mu.Unlock()
			b.Close()
			wg.Wait()
			assert.Equal(t, []error{mailbox.ErrClosed, mailbox.ErrClosed, mailbox.ErrClosed}, ends)
		})
	})
}

// TestBoxReaderLeavingPassesTheToken: a reader whose context ends as a value
// arrives may take the wake-up meant for another reader; it passes it on.
func TestBoxReaderLeavingPassesTheToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := mailbox.New(4, notice)
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		var leftErr error
		wg.Go(func() { _, leftErr = b.Next(ctx) })
		synctest.Wait()
		var got int
		wg.Go(func() { got, _ = b.Next(context.Background()) })
		synctest.Wait() // both wait
		b.Put(7)        // the token goes to the first reader,
		cancel()        // whose context ends before it runs
		wg.Wait()
		assert.Equal(t, 7, got, "the staying reader got the value")
		assert.ErrorIs(t, leftErr, context.Canceled)
	})
}

// TestBoxWritersNeverWait: many writers and a reader, under -race: the
// reader sees each writer's values in the order it put them, and every value
// is either read or stood for by a notice.
func TestBoxWritersNeverWait(t *testing.T) {
	const writers, each = 4, 1000
	b := mailbox.New(16, notice)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				b.Put(w*each + i + 1)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	var got []int
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			v, err := b.Next(ctx)
			if err != nil {
				return
			}
			got = append(got, v)
		}
	}()
	wg.Wait()
	b.Close()
	<-done
	cancel()
	last := map[int]int{}
	for _, v := range got {
		if v < 0 {
			clear(last) // values were dropped: order restarts after a notice
			continue
		}
		w := (v - 1) / each
		assert.Greater(t, v, last[w], "writer %d's values in order", w)
		last[w] = v
	}
}
