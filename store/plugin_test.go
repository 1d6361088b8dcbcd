package store_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/model"
	"github.com/larder-go/larder/store"
)

// badSerializer answers every call with a fixed wrong answer.
type badSerializer struct {
	doc   *jsonapi.Document
	panic bool
}

func (b badSerializer) NormalizeResponse(*store.Cache, *store.Request, []byte) (*jsonapi.Document, error) {
	if b.panic {
		panic("serializer bug")
	}
	return b.doc, nil
}

func (b badSerializer) NormalizePayload(*store.Cache, string, []byte) (*jsonapi.Document, error) {
	return b.NormalizeResponse(nil, nil, nil)
}

func (b badSerializer) Normalize(*store.Cache, *model.Model, []byte) (*jsonapi.Document, error) {
	return b.NormalizeResponse(nil, nil, nil)
}

// okAdapter answers every request with 200 and a body the serializer ignores.
func okAdapter() store.Adapter {
	return store.AdapterFunc(func(context.Context, *store.Request) (*store.Response, error) {
		return &store.Response{Status: 200, Body: []byte(`{"data":null}`)}, nil
	})
}

// Every place the store trusts a plugin turns a wrong answer into an
// *AdapterError wrapping ErrPlugin and a *PluginError that names the plugin and
// the type, and changes nothing in the cache.
func TestPluginWrongAnswersAreTypedErrors(t *testing.T) {
	serializers := map[string]badSerializer{
		"nil document":             {},
		"shape one, no resource":   {doc: &jsonapi.Document{Shape: jsonapi.One}},
		"shape null with resource": {doc: &jsonapi.Document{Shape: jsonapi.Null, Data: []jsonapi.Resource{{Type: "album", ID: "1"}}}},
		"panic":                    {panic: true},
	}
	calls := map[string]func(s *store.Cache) error{
		"FindRecord": func(s *store.Cache) error {
			_, err := store.FindRecord[fixture.Album](context.Background(), s, "1")
			return err
		},
		"FindAll": func(s *store.Cache) error {
			_, err := store.FindAll[fixture.Album](context.Background(), s)
			return err
		},
		"Query": func(s *store.Cache) error {
			_, err := store.Query[fixture.Album](context.Background(), s, url.Values{"a": {"b"}})
			return err
		},
		"QueryRecord": func(s *store.Cache) error {
			_, err := store.QueryRecord[fixture.Album](context.Background(), s, nil)
			return err
		},
		"Execute": func(s *store.Cache) error {
			_, err := s.Execute(context.Background(), &store.Request{Type: "album", URL: "/x"})
			return err
		},
		"PushPayload": func(s *store.Cache) error { return s.PushPayload("album", []byte(`{}`)) },
		"Normalize": func(s *store.Cache) error {
			_, err := s.Normalize("album", []byte(`{}`))
			return err
		},
	}
	for sname, sz := range serializers {
		for cname, call := range calls {
			t.Run(sname+"/"+cname, func(t *testing.T) {
				s, err := store.New(okAdapter(), sz, store.WithModels(fixture.Models()...))
				require.NoError(t, err)
				defer s.Close()
				err = call(s)
				require.Error(t, err)
				assert.ErrorIs(t, err, store.ErrPlugin)
				var pe *store.PluginError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, "serializer store_test.badSerializer", pe.Plugin)
				assert.Equal(t, "album", pe.Type)
				assert.Zero(t, store.PeekAll[fixture.Album](s).Len(), "nothing was applied")
			})
		}
	}
}

func TestCoalescedFindWithBadSerializer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.coalesce = true
		s, err := store.New(f, badSerializer{doc: &jsonapi.Document{Shape: jsonapi.One}}, store.WithModels(fixture.Models()...))
		require.NoError(t, err)
		defer s.Close()
		var wg sync.WaitGroup
		for _, id := range []string{"1", "2"} {
			wg.Go(func() {
				_, err := store.FindRecord[fixture.Album](context.Background(), s, id)
				assert.ErrorIs(t, err, store.ErrPlugin)
			})
		}
		wg.Wait()
	})
}

func TestAdapterWrongAnswers(t *testing.T) {
	tests := map[string]store.AdapterFunc{
		"nil response, nil error": func(context.Context, *store.Request) (*store.Response, error) { return nil, nil },
		"panic": func(context.Context, *store.Request) (*store.Response, error) {
			var b []*store.Response
			return b[1], nil // index out of range
		},
	}
	for name, a := range tests {
		t.Run(name, func(t *testing.T) {
			s := storeOver(t, a)
			_, err := store.FindRecord[fixture.Album](context.Background(), s, "1")
			assert.ErrorIs(t, err, store.ErrPlugin)
			var pe *store.PluginError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "adapter store.AdapterFunc", pe.Plugin)
			_, err = store.Query[fixture.Album](context.Background(), s, nil)
			assert.ErrorIs(t, err, store.ErrPlugin)
		})
	}
}

// A panicking error handler is logged; the background goroutine survives it.
func TestErrorHandlerPanicIsContained(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.put("album", "1", `{"title":"a"}`)
		var handled atomic.Int32
		s := storeOver(t, f, store.WithErrorHandler(func(error) {
			handled.Add(1)
			panic("handler bug")
		}))
		_, err := store.FindRecord[fixture.Album](context.Background(), s, "1")
		require.NoError(t, err)
		f.mu.Lock()
		f.status = 500
		f.mu.Unlock()
		_, err = store.FindRecord[fixture.Album](context.Background(), s, "1")
		require.NoError(t, err)
		synctest.Wait()
		assert.Equal(t, int32(1), handled.Load())
	})
}

// allModel is a model whose type name is "all": with string keys its find of id
// "album\x00" shared a flight with FindAll of albums.
type allModel struct {
	ID   string `id:"all"`
	Name string `attr:"name"`
}

func TestFlightsAreKeyedByStructure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		gate := make(chan struct{})
		var calls atomic.Int32
		a := store.AdapterFunc(func(ctx context.Context, req *store.Request) (*store.Response, error) {
			calls.Add(1)
			<-gate
			if req.Op == store.OpFindAll {
				return &store.Response{Status: 200, Body: []byte(`{"data":[{"type":"album","id":"1","attributes":{"title":"t"}}]}`)}, nil
			}
			return &store.Response{Status: 200, Body: []byte(`{"data":{"type":"all","id":"album\u0000","attributes":{"name":"n"}}}`)}, nil
		})
		s, err := store.New(a, nil, store.WithModels(append(fixture.Models(), allModel{})...))
		require.NoError(t, err)
		defer s.Close()
		var wg sync.WaitGroup
		wg.Go(func() {
			arr, err := store.FindAll[fixture.Album](context.Background(), s)
			assert.NoError(t, err)
			assert.Equal(t, []string{"1"}, arr.IDs())
		})
		wg.Go(func() {
			v, err := store.FindRecord[allModel](context.Background(), s, "album\x00")
			assert.NoError(t, err)
			assert.Equal(t, "n", v.Name)
		})
		synctest.Wait()
		assert.Equal(t, int32(2), calls.Load(), "two requests, not one shared")
		close(gate)
		wg.Wait()
	})
}

// hungAdapter never answers; it counts requests open now.
type hungAdapter struct{ open, total atomic.Int32 }

func (h *hungAdapter) Do(ctx context.Context, _ *store.Request) (*store.Response, error) {
	h.open.Add(1)
	h.total.Add(1)
	defer h.open.Add(-1)
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestRequestNobodyWaitsForIsCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &hungAdapter{}
		s := storeOver(t, h)
		var wg sync.WaitGroup
		for i := range 100 {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
				defer cancel()
				_, err := store.FindRecord[fixture.Album](ctx, s, "1")
				assert.ErrorIs(t, err, store.ErrTimeout, "caller %d", i)
			})
		}
		synctest.Wait()
		assert.Equal(t, int32(1), h.open.Load(), "one shared request")
		wg.Wait()
		synctest.Wait()
		assert.Equal(t, int32(0), h.open.Load(), "the last waiter left, so the request was cancelled")
	})
}

func TestCoalescedRequestNobodyWaitsForIsCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &hungAdapter{}
		s := storeOver(t, batchOf{h})
		var wg sync.WaitGroup
		for _, id := range []string{"1", "2", "3"} {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
				defer cancel()
				_, err := store.FindRecord[fixture.Album](ctx, s, id)
				assert.ErrorIs(t, err, store.ErrTimeout)
			})
		}
		time.Sleep(10 * time.Millisecond)
		synctest.Wait()
		assert.Equal(t, int32(1), h.open.Load(), "one findMany")
		wg.Wait()
		synctest.Wait()
		assert.Equal(t, int32(0), h.open.Load())
	})
}

// batchOf makes any adapter coalesce.
type batchOf struct{ store.Adapter }

func (batchOf) CoalesceFindRequests(string) bool { return true }

func TestBackgroundReloadHasADefaultTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var hung atomic.Bool
		h := &hungAdapter{}
		f := newFake()
		f.put("album", "1", `{"title":"a"}`)
		a := store.AdapterFunc(func(ctx context.Context, req *store.Request) (*store.Response, error) {
			if hung.Load() {
				return h.Do(ctx, req)
			}
			return f.Do(ctx, req)
		})
		errs := make(chan error, 1)
		s := storeOver(t, a, store.WithRequestTimeout(time.Second), store.WithErrorHandler(func(err error) { errs <- err }))
		_, err := store.FindRecord[fixture.Album](context.Background(), s, "1", store.BackgroundReload(false))
		require.NoError(t, err)
		hung.Store(true)
		_, err = store.FindRecord[fixture.Album](context.Background(), s, "1")
		require.NoError(t, err)
		synctest.Wait()
		assert.Equal(t, int32(1), h.open.Load())
		time.Sleep(time.Second)
		synctest.Wait()
		assert.Equal(t, int32(0), h.open.Load())
		assert.ErrorIs(t, <-errs, store.ErrTimeout)
	})
}

// The same over loopback HTTP: a backend that never answers keeps no
// connection open once every caller has given up.
func TestHungBackendOverLoopback(t *testing.T) {
	var open atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		open.Add(1)
		defer open.Add(-1)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL}}, nil, store.WithModels(fixture.Models()...))
	require.NoError(t, err)
	defer s.Close()
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			_, err := store.FindRecord[fixture.Album](ctx, s, "1")
			assert.ErrorIs(t, err, store.ErrTimeout, "caller %d", i)
		})
	}
	wg.Wait()
	require.Eventually(t, func() bool { return open.Load() == 0 }, 5*time.Second, 5*time.Millisecond,
		"the server still has %d requests open", open.Load())
}

func TestCloseFromAnywhere(t *testing.T) {
	t.Run("error handler", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake()
			f.put("album", "1", `{"title":"a"}`)
			var s *store.Cache
			closed := make(chan struct{})
			s = storeOver(t, f, store.WithErrorHandler(func(error) {
				require.NoError(t, s.Close())
				close(closed)
			}))
			_, err := store.FindRecord[fixture.Album](context.Background(), s, "1")
			require.NoError(t, err)
			f.mu.Lock()
			f.status = 500
			f.mu.Unlock()
			_, err = store.FindRecord[fixture.Album](context.Background(), s, "1")
			require.NoError(t, err)
			<-closed
			require.NoError(t, s.Close(), "a later Close waits and returns")
			require.NoError(t, s.Close())
			_, err = store.FindRecord[fixture.Album](context.Background(), s, "2")
			assert.ErrorIs(t, err, store.ErrClosed)
		})
	})
	t.Run("adapter in a shared request", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var s *store.Cache
			s = storeOver(t, store.AdapterFunc(func(ctx context.Context, _ *store.Request) (*store.Response, error) {
				s.Close()
				<-ctx.Done() // Close cancelled this request
				return nil, ctx.Err()
			}))
			_, err := store.FindRecord[fixture.Album](context.Background(), s, "1")
			assert.Error(t, err)
			require.NoError(t, s.Close())
		})
	})
	t.Run("many goroutines at once", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := storeOver(t, &hungAdapter{})
			go store.FindRecord[fixture.Album](context.Background(), s, "1") //nolint:errcheck
			synctest.Wait()
			var wg sync.WaitGroup
			for range 10 {
				wg.Go(func() { assert.NoError(t, s.Close()) })
			}
			wg.Wait()
		})
	})
}

// Middleware sees every request and keeps the adapter's optional interfaces.
func TestMiddlewareKeepsCapabilities(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.coalesce = true
		f.policy = &policy{reload: true}
		f.put("album", "1", `{"title":"a"}`)
		f.put("album", "2", `{"title":"b"}`)
		var seen atomic.Int32
		count := func(next store.Adapter) store.Adapter {
			return store.AdapterFunc(func(ctx context.Context, req *store.Request) (*store.Response, error) {
				seen.Add(1)
				return next.Do(ctx, req)
			})
		}
		s := storeOver(t, policyAdapter{f}, store.WithMiddleware(count))
		var wg sync.WaitGroup
		for _, id := range []string{"1", "2"} {
			wg.Go(func() {
				_, err := store.FindRecord[fixture.Album](context.Background(), s, id)
				assert.NoError(t, err)
			})
		}
		wg.Wait()
		assert.Equal(t, 1, f.count(store.OpFindMany), "still coalesced")
		assert.Equal(t, int32(1), seen.Load(), "through the middleware")
		_, err := store.FindRecord[fixture.Album](context.Background(), s, "1")
		require.NoError(t, err)
		assert.Equal(t, 1, f.count(store.OpFindRecord), "the adapter's policy still reloads")
		assert.Equal(t, int32(2), seen.Load())
	})
}

func TestReloadPolicyOptionAndUnwrap(t *testing.T) {
	f := newFake()
	f.put("album", "1", `{"title":"a"}`)
	s := storeOver(t, wrapped{f}, store.WithReloadPolicyFor("album", alwaysReload{}))
	for range 2 {
		_, err := store.FindRecord[fixture.Album](context.Background(), s, "1", store.BackgroundReload(false))
		require.NoError(t, err)
	}
	assert.Equal(t, 2, f.count(store.OpFindRecord), "the option's policy reloads a loaded record")
}

// wrapped hides an adapter behind Unwrap.
type wrapped struct{ inner store.Adapter }

func (w wrapped) Do(ctx context.Context, r *store.Request) (*store.Response, error) {
	return w.inner.Do(ctx, r)
}
func (w wrapped) Unwrap() store.Adapter { return w.inner }

type alwaysReload struct{}

func (alwaysReload) ShouldReloadRecord(string, string) bool           { return true }
func (alwaysReload) ShouldBackgroundReloadRecord(string, string) bool { return false }
func (alwaysReload) ShouldReloadAll(string, int) bool                 { return true }
func (alwaysReload) ShouldBackgroundReloadAll(string, int) bool       { return false }

func TestExecuteLeavesTheRequestAlone(t *testing.T) {
	s := storeOver(t, okAdapter())
	req := &store.Request{Type: "album", URL: "/x"}
	_, err := s.Execute(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, store.Request{Type: "album", URL: "/x"}, *req)
	_ = errors.New
}
