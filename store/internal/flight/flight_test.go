package flight_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/larder-go/larder/store/internal/flight"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type key struct {
	op       int
	typ, id  string
	includes string
}

func TestDoSharesOneCallPerKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g flight.Group[key, string]
		var calls atomic.Int32
		release := make(chan struct{})
		fn := func(ctx context.Context) (string, error) {
			calls.Add(1)
			<-release
			return "v", nil
		}
		var wg sync.WaitGroup
		results := make([]string, 10)
		joined := make([]bool, 10)
		for i := range 10 {
			wg.Go(func() {
				v, err, sh := g.Do(t.Context(), t.Context(), key{1, "album", "1", ""}, fn)
				assert.NoError(t, err)
				results[i], joined[i] = v, sh
			})
		}
		synctest.Wait()
		assert.Equal(t, 1, g.InFlight())
		close(release)
		wg.Wait()
		assert.Equal(t, int32(1), calls.Load(), "ten callers, one call")
		starters := 0
		for i := range 10 {
			assert.Equal(t, "v", results[i])
			if !joined[i] {
				starters++
			}
		}
		assert.Equal(t, 1, starters, "one caller started the call, nine joined it")
		assert.Equal(t, 0, g.InFlight())
	})
}

// Keys that joined strings would confuse ("all\x00" + "" vs "" + "all\x00")
// stay apart as structs.
func TestDoKeysByStructure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g flight.Group[key, string]
		release := make(chan struct{})
		var wg sync.WaitGroup
		got := make([]string, 2)
		for i, k := range []key{{1, "all", "\x00x", ""}, {1, "all\x00", "x", ""}} {
			wg.Go(func() {
				v, err, _ := g.Do(t.Context(), t.Context(), k, func(context.Context) (string, error) {
					<-release
					return k.typ + "|" + k.id, nil
				})
				assert.NoError(t, err)
				got[i] = v
			})
		}
		synctest.Wait()
		assert.Equal(t, 2, g.InFlight())
		close(release)
		wg.Wait()
		assert.Equal(t, []string{"all|\x00x", "all\x00|x"}, got)
	})
}

func TestLastWaiterLeavingCancelsTheCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g flight.Group[key, string]
		var cancelled atomic.Int32
		fn := func(ctx context.Context) (string, error) {
			<-ctx.Done() // a backend that never answers
			cancelled.Add(1)
			return "", ctx.Err()
		}
		var wg sync.WaitGroup
		for i := range 5 {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(t.Context(), time.Duration(10*(i+1))*time.Millisecond)
				defer cancel()
				_, err, _ := g.Do(ctx, t.Context(), key{id: "1"}, fn)
				assert.ErrorIs(t, err, context.DeadlineExceeded)
			})
		}
		time.Sleep(45 * time.Millisecond)
		synctest.Wait()
		assert.Equal(t, int32(0), cancelled.Load(), "one waiter is left, so the call goes on")
		assert.Equal(t, 1, g.InFlight())
		wg.Wait()
		synctest.Wait()
		assert.Equal(t, int32(1), cancelled.Load(), "the last waiter left, so the call was cancelled")
		assert.Equal(t, 0, g.InFlight())
	})
}

func TestParentEndsTheCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g flight.Group[key, int]
		parent, stop := context.WithCancel(t.Context())
		done := make(chan error)
		go func() {
			_, err, _ := g.Do(t.Context(), parent, key{id: "1"}, func(ctx context.Context) (int, error) {
				<-ctx.Done()
				return 0, ctx.Err()
			})
			done <- err
		}()
		synctest.Wait()
		stop()
		assert.ErrorIs(t, <-done, context.Canceled)
	})
}

func TestPanicIsReturnedToEveryWaiter(t *testing.T) {
	var g flight.Group[key, int]
	_, err, _ := g.Do(t.Context(), t.Context(), key{id: "p"}, func(context.Context) (int, error) {
		var b []int
		return b[3], nil // a plugin's bug: index out of range
	})
	var pe *flight.PanicError
	require.ErrorAs(t, err, &pe)
	assert.Contains(t, pe.Error(), "index out of range")
	assert.NotEmpty(t, pe.Stack)
	assert.Equal(t, 0, g.InFlight())
}

func TestSpawnRefused(t *testing.T) {
	g := flight.Group[key, int]{Spawn: func(func()) bool { return false }}
	_, err, _ := g.Do(t.Context(), t.Context(), key{id: "1"}, func(context.Context) (int, error) {
		t.Fatal("fn must not run")
		return 0, nil
	})
	assert.True(t, errors.Is(err, flight.ErrNotStarted))
	assert.Equal(t, 0, g.InFlight())
}
