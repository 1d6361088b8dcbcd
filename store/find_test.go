package store_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/store"
)

// fakeAdapter is an in-memory backend that counts requests. Its bodies are
// normalized JSON:API, so the store needs no serializer.
type fakeAdapter struct {
	mu       sync.Mutex
	records  map[string]string // "type:id" -> attributes JSON
	calls    map[store.Op]int
	reqs     []store.Request
	gate     chan struct{} // when set, each request waits for a value
	status   int           // when set, every response has this status
	coalesce bool
	policy   *policy // when set, the adapter implements store.ReloadPolicy
}

type policy struct{ reload, background, reloadAll, backgroundAll bool }

func newFake() *fakeAdapter {
	return &fakeAdapter{records: map[string]string{}, calls: map[store.Op]int{}}
}

func (f *fakeAdapter) put(typ, id, attrs string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.records[typ+":"+id] = attrs
}

func (f *fakeAdapter) count(op store.Op) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

func (f *fakeAdapter) resource(typ, id string) (string, bool) {
	attrs, ok := f.records[typ+":"+id]
	if !ok {
		return "", false
	}
	return fmt.Sprintf(`{"type":%q,"id":%q,"attributes":%s}`, typ, id, attrs), true
}

func (f *fakeAdapter) Do(ctx context.Context, req *store.Request) (*store.Response, error) {
	f.mu.Lock()
	f.calls[req.Op]++
	f.reqs = append(f.reqs, *req)
	gate, status := f.gate, f.status
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if status != 0 {
		return &store.Response{Status: status, Body: []byte(`{"errors":[{"status":"` + fmt.Sprint(status) + `","title":"failed"}]}`)}, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch req.Op {
	case store.OpFindRecord:
		r, ok := f.resource(req.Type, req.ID)
		if !ok {
			return &store.Response{Status: 404, Body: []byte(`{"errors":[{"status":"404","title":"Not Found"}]}`)}, nil
		}
		return &store.Response{Status: 200, Body: []byte(`{"data":` + r + `}`)}, nil
	case store.OpFindMany:
		var rs []string
		for _, id := range req.IDs {
			if r, ok := f.resource(req.Type, id); ok {
				rs = append(rs, r)
			}
		}
		return &store.Response{Status: 200, Body: []byte(`{"data":[` + strings.Join(rs, ",") + `]}`)}, nil
	case store.OpFindAll, store.OpQuery:
		var rs []string
		for k := range f.records {
			typ, id, _ := strings.Cut(k, ":")
			if typ != req.Type || (req.Query.Get("id") != "" && req.Query.Get("id") != id) {
				continue
			}
			r, _ := f.resource(typ, id)
			rs = append(rs, r)
		}
		return &store.Response{Status: 200, Body: []byte(`{"data":[` + strings.Join(rs, ",") + `],"meta":{"total":` + fmt.Sprint(len(rs)) + `},"links":{"next":"/next"}}`)}, nil
	case store.OpQueryRecord:
		r, ok := f.resource(req.Type, req.Query.Get("id"))
		if !ok {
			return &store.Response{Status: 200, Body: []byte(`{"data":null}`)}, nil
		}
		return &store.Response{Status: 200, Body: []byte(`{"data":` + r + `}`)}, nil
	}
	return &store.Response{Status: 400}, nil
}

func (f *fakeAdapter) CoalesceFindRequests(string) bool { return f.coalesce }

// policyAdapter adds a ReloadPolicy to the fake.
type policyAdapter struct{ *fakeAdapter }

func (p policyAdapter) ShouldReloadRecord(string, string) bool           { return p.policy.reload }
func (p policyAdapter) ShouldBackgroundReloadRecord(string, string) bool { return p.policy.background }
func (p policyAdapter) ShouldReloadAll(string, int) bool                 { return p.policy.reloadAll }
func (p policyAdapter) ShouldBackgroundReloadAll(string, int) bool       { return p.policy.backgroundAll }

func storeOver(t *testing.T, a store.Adapter, opts ...store.Option) *store.Cache {
	t.Helper()
	s, err := store.New(a, nil, append([]store.Option{store.WithModels(fixture.Models()...)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func TestFindRecordDecisionTable(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		policy     *policy
		opts       []store.FindOption
		blocking   bool // the cached record is refetched before returning
		background bool // a background request is made
	}{
		{"default: cached, refreshed in background", nil, nil, false, true},
		{"reload true", nil, []store.FindOption{store.Reload(true)}, true, false},
		{"reload false with default background", nil, []store.FindOption{store.Reload(false)}, false, true},
		{"backgroundReload false", nil, []store.FindOption{store.BackgroundReload(false)}, false, false},
		{"shouldReloadRecord", &policy{reload: true}, nil, true, false},
		{"reload false beats shouldReloadRecord", &policy{reload: true}, []store.FindOption{store.Reload(false), store.BackgroundReload(false)}, false, false},
		{"shouldBackgroundReloadRecord false", &policy{}, nil, false, false},
		{"backgroundReload true beats the hook", &policy{}, []store.FindOption{store.BackgroundReload(true)}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake()
				f.put("album", "1", `{"title":"v1"}`)
				var a store.Adapter = f
				if tt.policy != nil {
					f.policy = tt.policy
					a = policyAdapter{f}
				}
				s := storeOver(t, a)
				got, err := store.FindRecord[fixture.Album](ctx, s, "1", store.BackgroundReload(false))
				require.NoError(t, err)
				require.Equal(t, "v1", got.Title, "not loaded: fetched and waited for")
				require.Equal(t, 1, f.count(store.OpFindRecord))

				f.put("album", "1", `{"title":"v2"}`)
				got, err = store.FindRecord[fixture.Album](ctx, s, "1", tt.opts...)
				require.NoError(t, err)
				if tt.blocking {
					assert.Equal(t, "v2", got.Title)
				} else {
					assert.Equal(t, "v1", got.Title, "the cached record comes back at once")
				}
				synctest.Wait() // background work has run
				want := 1
				if tt.blocking || tt.background {
					want = 2
				}
				assert.Equal(t, want, f.count(store.OpFindRecord))
				if tt.background {
					now, _ := store.PeekRecord[fixture.Album](s, "1")
					assert.Equal(t, "v2", now.Title, "the background reload updated the cache")
				}
				require.NoError(t, s.Close())
			})
		})
	}
}

func TestFindRecordFailures(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	s := storeOver(t, f)
	_, err := store.FindRecord[fixture.Album](ctx, s, "1")
	assert.ErrorIs(t, err, store.ErrNotFound)
	assert.False(t, s.HasRecordForID("album", "1"), "a failed first load leaves no record")
	assert.False(t, s.StateOf("album", "1").IsLoaded)

	f.put("album", "1", `{"title":"x"}`)
	_, err = store.FindRecord[fixture.Album](ctx, s, "1", store.BackgroundReload(false))
	require.NoError(t, err, "the same id can be found again")

	f.mu.Lock()
	delete(f.records, "album:1")
	f.mu.Unlock()
	_, err = store.FindRecord[fixture.Album](ctx, s, "1", store.Reload(true))
	assert.ErrorIs(t, err, store.ErrNotFound)
	a, ok := store.PeekRecord[fixture.Album](s, "1")
	assert.True(t, ok, "a 404 on reload keeps the record")
	assert.Equal(t, "x", a.Title)
	st := s.StateOf("album", "1")
	assert.True(t, st.IsError)
	assert.ErrorIs(t, st.Err, store.ErrNotFound)

	f.put("album", "1", `{"title":"y"}`)
	_, err = store.FindRecord[fixture.Album](ctx, s, "1", store.Reload(true))
	require.NoError(t, err)
	assert.False(t, s.StateOf("album", "1").IsError, "a later success clears the error")

	_, err = store.FindRecord[fixture.Album](ctx, s, "")
	assert.ErrorIs(t, err, store.ErrMissingID)
	_, err = store.FindRecord[struct{ ID string }](ctx, s, "1")
	assert.ErrorIs(t, err, store.ErrUnknownType)
	noAdapter := storeOver(t, nil)
	_, err = store.FindRecord[fixture.Album](ctx, noAdapter, "1")
	assert.ErrorIs(t, err, store.ErrNoAdapter)
}

func TestFindRecordResponseForAnotherID(t *testing.T) {
	a := store.AdapterFunc(func(ctx context.Context, req *store.Request) (*store.Response, error) {
		return &store.Response{Status: 200, Body: []byte(`{"data":{"type":"album","id":"other","attributes":{"title":"t"}}}`)}, nil
	})
	s := storeOver(t, a)
	got, err := store.FindRecord[fixture.Album](context.Background(), s, "1")
	require.NoError(t, err)
	assert.Equal(t, "1", got.ID, "the payload lands on the requested id")
	assert.False(t, s.HasRecordForID("album", "other"))
}

// TestFindRecordSharesOneRequest: ten concurrent finds of one record send one
// request, proven deterministically inside a synctest bubble.
func TestFindRecordSharesOneRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.put("album", "1", `{"title":"shared"}`)
		f.gate = make(chan struct{})
		s, err := store.New(f, nil, store.WithModels(fixture.Models()...))
		require.NoError(t, err)
		defer s.Close()
		var wg sync.WaitGroup
		results := make([]string, 10)
		for i := range 10 {
			wg.Go(func() {
				a, err := store.FindRecord[fixture.Album](context.Background(), s, "1")
				if err == nil {
					results[i] = a.Title
				}
			})
		}
		synctest.Wait() // every caller is parked on the one flight
		assert.Equal(t, 1, f.count(store.OpFindRecord))
		f.gate <- struct{}{}
		wg.Wait()
		for _, r := range results {
			assert.Equal(t, "shared", r)
		}
		assert.Equal(t, 1, f.count(store.OpFindRecord))
	})
}

// TestCancelledCallerFailsAlone: one caller's context ends; the others still get
// the record from the same request.
func TestCancelledCallerFailsAlone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.put("album", "1", `{"title":"t"}`)
		f.gate = make(chan struct{})
		s, err := store.New(f, nil, store.WithModels(fixture.Models()...))
		require.NoError(t, err)
		defer s.Close()
		ctx, cancel := context.WithCancel(context.Background())
		var cancelled, ok error
		var wg sync.WaitGroup
		wg.Go(func() { _, cancelled = store.FindRecord[fixture.Album](ctx, s, "1") })
		wg.Go(func() { _, ok = store.FindRecord[fixture.Album](context.Background(), s, "1") })
		synctest.Wait()
		cancel()
		synctest.Wait()
		f.gate <- struct{}{}
		wg.Wait()
		assert.ErrorIs(t, cancelled, store.ErrAborted)
		assert.NoError(t, ok)
		assert.Equal(t, 1, f.count(store.OpFindRecord))
		assert.True(t, s.HasRecordForID("album", "1"))
	})
}

// TestCoalescedFindMany: concurrent finds of different ids become one findMany;
// an id missing from its response fails alone.
func TestCoalescedFindMany(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.coalesce = true
		for _, id := range []string{"1", "2", "3"} {
			f.put("album", id, `{"title":"t`+id+`"}`)
		}
		s, err := store.New(f, nil, store.WithModels(fixture.Models()...))
		require.NoError(t, err)
		defer s.Close()
		ids := []string{"1", "2", "3", "404"}
		errs := make([]error, len(ids))
		titles := make([]string, len(ids))
		var wg sync.WaitGroup
		for i, id := range ids {
			wg.Go(func() {
				a, err := store.FindRecord[fixture.Album](context.Background(), s, id)
				titles[i], errs[i] = a.Title, err
			})
		}
		wg.Wait()
		assert.Equal(t, 1, f.count(store.OpFindMany))
		assert.Equal(t, 0, f.count(store.OpFindRecord))
		assert.Equal(t, []string{"1", "2", "3", "404"}, f.reqs[0].IDs)
		for i := range 3 {
			assert.NoError(t, errs[i])
			assert.Equal(t, "t"+ids[i], titles[i])
		}
		assert.ErrorIs(t, errs[3], store.ErrNotFound)
		assert.Contains(t, errs[3].Error(), "album:404")

		// A lone find after the window goes out as findRecord.
		_, err = store.FindRecord[fixture.Album](context.Background(), s, "404")
		assert.ErrorIs(t, err, store.ErrNotFound)
		assert.Equal(t, 1, f.count(store.OpFindRecord))
	})
}

func TestReloadTrueIsNotShared(t *testing.T) {
	f := newFake()
	f.put("album", "1", `{"title":"t"}`)
	s := storeOver(t, f)
	_, err := store.FindRecord[fixture.Album](context.Background(), s, "1", store.BackgroundReload(false))
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			_, err := store.FindRecord[fixture.Album](context.Background(), s, "1", store.Reload(true))
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.Equal(t, 4, f.count(store.OpFindRecord), "Ember never matches reload:true against a request in flight")
}

func TestBackgroundReloadErrorsReachTheProgram(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.put("album", "1", `{"title":"t"}`)
		var mu sync.Mutex
		var got []error
		s := storeOver(t, f, store.WithErrorHandler(func(err error) {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, err)
		}))
		_, err := store.FindRecord[fixture.Album](context.Background(), s, "1", store.BackgroundReload(false))
		require.NoError(t, err)
		f.mu.Lock()
		f.status = 500
		f.mu.Unlock()
		_, err = store.FindRecord[fixture.Album](context.Background(), s, "1")
		require.NoError(t, err, "the cached record comes back")
		synctest.Wait()
		mu.Lock()
		defer mu.Unlock()
		require.Len(t, got, 1)
		assert.ErrorIs(t, got[0], store.ErrServer)
		assert.True(t, s.StateOf("album", "1").IsError)
		require.NoError(t, s.Close())
	})
}

func TestBackgroundReloadsAreBoundedAndDeduplicated(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.put("album", "1", `{"title":"t"}`)
		s, err := store.New(f, nil, store.WithModels(fixture.Models()...), store.WithMaxBackground(1))
		require.NoError(t, err)
		_, err = store.FindRecord[fixture.Album](context.Background(), s, "1", store.BackgroundReload(false))
		require.NoError(t, err)
		f.mu.Lock()
		f.gate = make(chan struct{})
		f.mu.Unlock()
		for range 50 {
			_, err := store.FindRecord[fixture.Album](context.Background(), s, "1")
			require.NoError(t, err)
		}
		synctest.Wait()
		assert.Equal(t, 2, f.count(store.OpFindRecord), "fifty hits start one refresh")
		require.NoError(t, s.Close(), "Close cancels the refresh and waits for it")
	})
}

func TestCloseStopsLoading(t *testing.T) {
	f := newFake()
	s := storeOver(t, f)
	require.NoError(t, s.Close())
	_, err := store.FindRecord[fixture.Album](context.Background(), s, "1")
	assert.ErrorIs(t, err, store.ErrClosed)
	require.NoError(t, s.Close(), "Close twice is fine")
}

func TestPreload(t *testing.T) {
	f := newFake()
	f.put("album", "1", `{"title":"server"}`)
	f.gate = make(chan struct{})
	s := storeOver(t, f)
	done := make(chan fixture.Album)
	go func() {
		a, _ := store.FindRecord[fixture.Album](context.Background(), s, "1",
			store.Preload(map[string]any{"title": "preloaded", "rating": 3.5, "artist": "7", "songs": []string{"1", "2"}}))
		done <- a
	}()
	require.Eventually(t, func() bool { return f.count(store.OpFindRecord) == 1 }, time.Second, time.Millisecond)
	a, ok := store.PeekRecord[fixture.Album](s, "1")
	require.True(t, ok, "preloaded values are in the cache before the response")
	assert.Equal(t, "preloaded", a.Title)
	assert.Equal(t, 3.5, a.Rating)
	assert.Equal(t, "7", a.Artist.ID())
	assert.Equal(t, []string{"1", "2"}, a.Songs.IDs())
	f.gate <- struct{}{}
	got := <-done
	assert.Equal(t, "server", got.Title, "a record not loaded before preload is fetched")
	assert.Equal(t, 3.5, got.Rating, "the response's omissions keep preloaded values")

	_, err := store.FindRecord[fixture.Album](context.Background(), s, "2", store.Preload(map[string]any{"artist": 5}))
	assert.ErrorIs(t, err, store.ErrTypeMismatch)
}

func TestFindAllDecisionTable(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		f := newFake()
		f.put("album", "1", `{"title":"a"}`)
		s := storeOver(t, f)
		arr, err := store.FindAll[fixture.Album](ctx, s)
		require.NoError(t, err)
		assert.Same(t, store.PeekAll[fixture.Album](s), arr, "FindAll returns the live array")
		assert.Equal(t, 1, arr.Len(), "empty array: blocking")
		assert.Equal(t, 1, f.count(store.OpFindAll))

		// Merge, never replace: the server forgets 1 and gains 2.
		f.mu.Lock()
		delete(f.records, "album:1")
		f.mu.Unlock()
		f.put("album", "2", `{"title":"b"}`)
		_, err = store.FindAll[fixture.Album](ctx, s, store.BackgroundReload(false))
		require.NoError(t, err)
		assert.Equal(t, 1, f.count(store.OpFindAll), "backgroundReload false: no request")
		_, err = store.FindAll[fixture.Album](ctx, s, store.Reload(true))
		require.NoError(t, err)
		assert.Equal(t, []string{"1", "2"}, arr.IDs(), "records the server no longer returns stay")

		// Default: the array is returned and refreshed in the background.
		f.put("album", "3", `{"title":"c"}`)
		_, err = store.FindAll[fixture.Album](ctx, s)
		require.NoError(t, err)
		synctest.Wait()
		assert.Equal(t, 3, f.count(store.OpFindAll))
		assert.Equal(t, 3, arr.Len(), "the background reload updated the live array")
		assert.False(t, arr.IsUpdating())
		require.NoError(t, s.Close())
	})
}

func TestFindAllPolicyAndUpdating(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.put("album", "1", `{"title":"a"}`)
		f.policy = &policy{reloadAll: true}
		s, err := store.New(policyAdapter{f}, nil, store.WithModels(fixture.Models()...))
		require.NoError(t, err)
		defer s.Close()
		f.gate = make(chan struct{})
		arr := store.PeekAll[fixture.Album](s)
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() {
				_, err := store.FindAll[fixture.Album](context.Background(), s)
				assert.NoError(t, err)
			})
		}
		synctest.Wait()
		assert.True(t, arr.IsUpdating())
		assert.Equal(t, 1, f.count(store.OpFindAll), "concurrent FindAll calls share one request")
		f.gate <- struct{}{}
		wg.Wait()
		assert.False(t, arr.IsUpdating())
		assert.Equal(t, 1, arr.Len())
	})
}

func TestQuery(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	f.put("album", "1", `{"title":"a"}`)
	f.put("album", "2", `{"title":"b"}`)
	s := storeOver(t, f)
	q := url.Values{"id": {"1"}}
	c, err := store.Query[fixture.Album](ctx, s, q, store.AdapterOptions(map[string]any{"k": 1}))
	require.NoError(t, err)
	assert.Equal(t, []string{"1"}, c.IDs())
	assert.Equal(t, `1`, string(c.Meta()["total"]))
	assert.Equal(t, "/next", c.Links().Href("next"))
	assert.Equal(t, q, c.Query())
	assert.Equal(t, map[string]any{"k": 1}, f.reqs[0].AdapterOptions)

	_, err = store.Query[fixture.Album](ctx, s, q)
	require.NoError(t, err)
	assert.Equal(t, 2, f.count(store.OpQuery), "query always sends a request")

	push(t, s, `{"data":{"type":"album","id":"9"}}`)
	assert.Equal(t, 1, c.Len(), "not live: pushes do not add")
	require.NoError(t, s.UnloadRecord("album", "1"))
	assert.Equal(t, 0, c.Len(), "unloaded records drop out")
	push(t, s, `{"data":{"type":"album","id":"1"}}`)
	assert.Equal(t, 0, c.Len(), "and stay out when pushed again")
	assert.Empty(t, c.Records())
}

func TestQueryRecord(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	f.put("album", "1", `{"title":"a"}`)
	s := storeOver(t, f)
	a, err := store.QueryRecord[fixture.Album](ctx, s, url.Values{"id": {"1"}})
	require.NoError(t, err)
	require.NotNil(t, a)
	assert.Equal(t, "a", a.Title)
	none, err := store.QueryRecord[fixture.Album](ctx, s, url.Values{"id": {"2"}})
	require.NoError(t, err)
	assert.Nil(t, none, "data: null gives nil")
	_, err = store.QueryRecord[fixture.Album](ctx, s, url.Values{"id": {"1"}})
	require.NoError(t, err)
	assert.Equal(t, 3, f.count(store.OpQueryRecord))
}

func TestQueryShapeErrors(t *testing.T) {
	body := `{"data":{"type":"album","id":"1"}}`
	a := store.AdapterFunc(func(ctx context.Context, req *store.Request) (*store.Response, error) {
		if req.Op == store.OpQueryRecord {
			return &store.Response{Status: 200, Body: []byte(`{"data":[]}`)}, nil
		}
		return &store.Response{Status: 200, Body: []byte(body)}, nil
	})
	s := storeOver(t, a)
	_, err := store.Query[fixture.Album](context.Background(), s, nil)
	assert.ErrorIs(t, err, store.ErrShape)
	_, err = store.QueryRecord[fixture.Album](context.Background(), s, nil)
	assert.ErrorIs(t, err, store.ErrShape)
	_, err = store.FindAll[fixture.Album](context.Background(), s)
	assert.ErrorIs(t, err, store.ErrShape)
}

func TestTransportErrors(t *testing.T) {
	tests := []struct {
		err  error
		cond error
	}{
		{context.DeadlineExceeded, store.ErrTimeout},
		{context.Canceled, store.ErrAborted},
		{errors.New("connection reset"), store.ErrAdapter},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			s := storeOver(t, store.AdapterFunc(func(context.Context, *store.Request) (*store.Response, error) { return nil, tt.err }))
			_, err := store.FindRecord[fixture.Album](context.Background(), s, "1")
			assert.ErrorIs(t, err, tt.cond)
			assert.ErrorIs(t, err, tt.err, "the cause is kept")
		})
	}
}

func TestTypedStoreLoads(t *testing.T) {
	f := newFake()
	f.put("album", "1", `{"title":"a"}`)
	s := storeOver(t, f)
	albums := store.For[fixture.Album](s)
	a, err := albums.Find(context.Background(), "1", store.BackgroundReload(false))
	require.NoError(t, err)
	assert.Equal(t, "a", a.Title)
	arr, err := albums.FindAll(context.Background(), store.BackgroundReload(false))
	require.NoError(t, err)
	assert.Equal(t, 1, arr.Len())
	c, err := albums.Query(context.Background(), url.Values{"id": {"1"}})
	require.NoError(t, err)
	assert.Equal(t, 1, c.Len())
	r, err := albums.QueryRecord(context.Background(), url.Values{"id": {"1"}})
	require.NoError(t, err)
	assert.Equal(t, "a", r.Title)
}

func TestAdapterAndSerializerFor(t *testing.T) {
	app, own := newFake(), newFake()
	own.put("artist", "1", `{"name":"own"}`)
	s := storeOver(t, app, store.WithAdapterFor("artist", own))
	assert.Same(t, own, s.AdapterFor("artist"))
	assert.Same(t, app, s.AdapterFor("album"))
	a, err := store.FindRecord[fixture.Artist](context.Background(), s, "1")
	require.NoError(t, err)
	assert.Equal(t, "own", a.Name)
	assert.Nil(t, s.SerializerFor("album"), "nil means the built-in JSON:API reading")
}
