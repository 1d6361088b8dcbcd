package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/store"
)

// flipPolicy answers true to the first shouldReloadRecord question and false
// afterwards, counting the questions: a store that asks twice per find gets
// the cached record and no reload.
type flipPolicy struct{ reloads, backgrounds atomic.Int32 }

func (p *flipPolicy) ShouldReloadRecord(string, string) bool { return p.reloads.Add(1) == 1 }
func (p *flipPolicy) ShouldBackgroundReloadRecord(string, string) bool {
	p.backgrounds.Add(1)
	return false
}
func (p *flipPolicy) ShouldReloadAll(string, int) bool           { return false }
func (p *flipPolicy) ShouldBackgroundReloadAll(string, int) bool { return false }

func TestEachReloadHookIsAskedOncePerCall(t *testing.T) {
	f := newFake()
	f.put("album", "1", `{"title":"v1"}`)
	p := &flipPolicy{}
	s := storeOver(t, f, store.WithReloadPolicy(p))
	_, err := store.Push[fixture.Album](s, mustDecode(t, `{"data":{"type":"album","id":"1","attributes":{"title":"v0"}}}`))
	require.NoError(t, err)
	a, err := store.FindRecord[fixture.Album](context.Background(), s, "1")
	require.NoError(t, err)
	assert.Equal(t, "v1", a.Title, "the hook said reload, so the find waited for the backend")
	assert.Equal(t, int32(1), p.reloads.Load(), "shouldReloadRecord asked once")
	assert.Equal(t, 1, f.count(store.OpFindRecord))

	_, err = store.FindRecord[fixture.Album](context.Background(), s, "1")
	require.NoError(t, err)
	assert.Equal(t, int32(2), p.reloads.Load())
	assert.Equal(t, int32(1), p.backgrounds.Load(), "shouldBackgroundReloadRecord asked once, on the hit")
	assert.Equal(t, 1, f.count(store.OpFindRecord))
}

func TestFindAllIsUpdatingWhenItReturns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.gate = make(chan struct{})
		f.put("album", "1", `{"title":"a"}`)
		s := storeOver(t, f)
		_, err := store.Push[fixture.Album](s, mustDecode(t, `{"data":{"type":"album","id":"1","attributes":{"title":"a"}}}`))
		require.NoError(t, err)
		arr, err := store.FindAll[fixture.Album](context.Background(), s)
		require.NoError(t, err)
		assert.True(t, arr.IsUpdating(), "true from the moment FindAll returns, before the goroutine runs")
		close(f.gate)
		synctest.Wait()
		assert.False(t, arr.IsUpdating())
		assert.Equal(t, 1, f.count(store.OpFindAll))
	})
}

// A reload the policy asks for is shared by concurrent finds, as before the
// hook was asked once per call; only Reload(true) is never shared.
func TestPolicyReloadIsShared(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.put("album", "1", `{"title":"v1"}`)
		s := storeOver(t, f, store.WithReloadPolicy(alwaysReload{}))
		_, err := store.Push[fixture.Album](s, mustDecode(t, `{"data":{"type":"album","id":"1","attributes":{"title":"v0"}}}`))
		require.NoError(t, err)
		f.mu.Lock()
		f.gate = make(chan struct{})
		f.mu.Unlock()
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() {
				a, err := store.FindRecord[fixture.Album](context.Background(), s, "1")
				assert.NoError(t, err)
				assert.Equal(t, "v1", a.Title)
			})
		}
		synctest.Wait()
		assert.Equal(t, 1, f.count(store.OpFindRecord), "one shared request")
		close(f.gate)
		wg.Wait()
		for range 2 {
			wg.Go(func() {
				_, err := store.FindRecord[fixture.Album](context.Background(), s, "1", store.Reload(true))
				assert.NoError(t, err)
			})
		}
		wg.Wait()
		assert.Equal(t, 3, f.count(store.OpFindRecord), "Reload(true) is never shared")
	})
}

type panickyPolicy struct{}

func (panickyPolicy) ShouldReloadRecord(string, string) bool           { panic("policy bug") }
func (panickyPolicy) ShouldBackgroundReloadRecord(string, string) bool { panic("policy bug") }
func (panickyPolicy) ShouldReloadAll(string, int) bool                 { panic("policy bug") }
func (panickyPolicy) ShouldBackgroundReloadAll(string, int) bool       { panic("policy bug") }

// A panicking reload hook does not end the process: it is reported as a
// *PluginError, and the find goes on with Ember's default answer.
func TestPanickingPolicyIsContained(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.put("album", "1", `{"title":"v1"}`)
		var mu sync.Mutex
		var errs []error
		s := storeOver(t, f, store.WithReloadPolicy(panickyPolicy{}), store.WithErrorHandler(func(err error) {
			mu.Lock()
			defer mu.Unlock()
			errs = append(errs, err)
		}))
		a, err := store.FindRecord[fixture.Album](context.Background(), s, "1")
		require.NoError(t, err, "not loaded: fetched without asking")
		assert.Equal(t, "v1", a.Title)
		a, err = store.FindRecord[fixture.Album](context.Background(), s, "1")
		require.NoError(t, err)
		assert.Equal(t, "v1", a.Title, "defaults: no blocking reload, a background one")
		arr, err := store.FindAll[fixture.Album](context.Background(), s)
		require.NoError(t, err)
		assert.Equal(t, 1, arr.Len())
		synctest.Wait()
		assert.Equal(t, 2, f.count(store.OpFindRecord), "the default background reload ran")
		mu.Lock()
		defer mu.Unlock()
		require.NotEmpty(t, errs)
		var pe *store.PluginError
		require.ErrorAs(t, errs[0], &pe)
		assert.ErrorIs(t, errs[0], store.ErrPlugin)
		assert.Contains(t, pe.Plugin, "store_test.panickyPolicy")
	})
}
