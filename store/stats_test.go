package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/store"
)

func statsOf(t *testing.T, s *store.Cache, typ string) store.Stats {
	t.Helper()
	st, err := s.StatsFor(typ)
	require.NoError(t, err)
	return st
}

func TestStatsCountPeeks(t *testing.T) {
	s := storeOver(t, nil)
	pushOne(t, s)
	albums := store.For[fixture.Album](s)

	_, ok := store.PeekRecord[fixture.Album](s, "1")
	require.True(t, ok)
	_, ok = albums.Peek("1")
	require.True(t, ok)
	_, ok = store.PeekRecord[fixture.Album](s, "2")
	require.False(t, ok)
	require.NoError(t, s.UnloadRecord("album", "1"))
	_, ok = albums.Peek("1")
	require.False(t, ok, "an unloaded record is a miss")

	assert.Equal(t, store.Counts{Hits: 2, Misses: 2}, statsOf(t, s, "album").Peeks)
	assert.Equal(t, store.Counts{Hits: 2, Misses: 2}, s.Stats().Peeks)
	assert.Equal(t, store.Counts{}, statsOf(t, s, "artist").Peeks, "another type's peeks are its own")
	assert.Equal(t, store.Counts{}, s.Stats().Finds, "a peek is not a find")
	assert.InDelta(t, 0.5, s.Stats().Peeks.Ratio(), 1e-9)
	assert.Zero(t, store.Counts{}.Ratio())
}

func TestStatsCountFinds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.put("album", "1", `{"title":"t"}`)
		s := storeOver(t, f)
		ctx := context.Background()
		find := func(opts ...store.FindOption) {
			t.Helper()
			_, err := store.FindRecord[fixture.Album](ctx, s, "1", opts...)
			require.NoError(t, err)
			synctest.Wait()
		}

		find()
		st := statsOf(t, s, "album")
		assert.Equal(t, store.Counts{Misses: 1}, st.Finds, "the first find waits for a request")
		assert.Equal(t, uint64(1), st.Requests.FindRecord)
		assert.Zero(t, st.BackgroundReloads)

		find(store.BackgroundReload(false))
		st = statsOf(t, s, "album")
		assert.Equal(t, store.Counts{Hits: 1, Misses: 1}, st.Finds)
		assert.Equal(t, uint64(1), st.Requests.Total(), "a hit sends nothing")

		find()
		st = statsOf(t, s, "album")
		assert.Equal(t, store.Counts{Hits: 2, Misses: 1}, st.Finds)
		assert.Equal(t, uint64(1), st.BackgroundReloads, "a hit refreshes in the background by default")
		assert.Equal(t, uint64(2), st.Requests.FindRecord)

		find(store.Reload(true))
		st = statsOf(t, s, "album")
		assert.Equal(t, store.Counts{Hits: 2, Misses: 2}, st.Finds, "a forced reload is a miss")
		assert.Equal(t, uint64(3), st.Requests.Of(store.OpFindRecord))
		assert.Equal(t, uint64(3), s.Stats().Requests.Total())
		assert.Equal(t, uint64(3), st.Pushes, "each response is a push")
		assert.Equal(t, uint64(3), st.RecordsPushed)
	})
}

func TestStatsCountFindAll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.put("album", "1", `{"title":"t"}`)
		f.put("album", "2", `{"title":"u"}`)
		s := storeOver(t, f)
		_, err := store.FindAll[fixture.Album](context.Background(), s)
		require.NoError(t, err)
		_, err = store.FindAll[fixture.Album](context.Background(), s)
		require.NoError(t, err)
		synctest.Wait()
		st := statsOf(t, s, "album")
		assert.Equal(t, store.Counts{Hits: 1, Misses: 1}, st.Finds, "an empty array loads; a full one answers")
		assert.Equal(t, uint64(2), st.Requests.FindAll)
		assert.Equal(t, uint64(1), st.BackgroundReloads)
		assert.Equal(t, 1, st.LiveArrays)
		assert.Equal(t, 2, st.Records)
	})
}

func TestStatsCountSharedRequests(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.put("album", "1", `{"title":"shared"}`)
		f.gate = make(chan struct{})
		s := storeOver(t, f)
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				_, err := store.FindRecord[fixture.Album](context.Background(), s, "1")
				assert.NoError(t, err)
			})
		}
		synctest.Wait()
		f.gate <- struct{}{}
		wg.Wait()
		st := statsOf(t, s, "album")
		assert.Equal(t, uint64(9), st.Shared, "nine finds joined the first one's request")
		assert.Equal(t, uint64(1), st.Requests.FindRecord)
		assert.Equal(t, store.Counts{Misses: 10}, st.Finds)
	})
}

func TestStatsCountCoalescedFinds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.coalesce = true
		for _, id := range []string{"1", "2", "3"} {
			f.put("album", id, `{"title":"t`+id+`"}`)
		}
		s := storeOver(t, f)
		var wg sync.WaitGroup
		for _, id := range []string{"1", "2", "3", "404"} {
			wg.Go(func() { _, _ = store.FindRecord[fixture.Album](context.Background(), s, id) })
		}
		wg.Wait()
		st := statsOf(t, s, "album")
		assert.Equal(t, uint64(1), st.Coalesced)
		assert.Equal(t, uint64(4), st.CoalescedFinds, "the missing id was answered too, with ErrNotFound")
		assert.Equal(t, uint64(1), st.Requests.FindMany)
		assert.Zero(t, st.Requests.FindRecord)
		assert.Zero(t, st.Errors.Total(), "the request itself succeeded")
		assert.Equal(t, uint64(3), st.RecordsPushed)
	})
}

// statusAdapter answers every request with one status, or fails as told.
type statusAdapter struct {
	status int
	body   string
	err    error
	panics bool
}

func (a statusAdapter) Do(ctx context.Context, req *store.Request) (*store.Response, error) {
	switch {
	case a.panics:
		panic("adapter bug")
	case a.err != nil:
		return nil, a.err
	}
	return &store.Response{Status: a.status, Body: []byte(a.body)}, nil
}

func TestStatsCountErrorsByCondition(t *testing.T) {
	tests := []struct {
		name    string
		adapter store.Adapter
		want    func(*store.Errors) *uint64
		cond    error
	}{
		{"404", statusAdapter{status: 404}, func(e *store.Errors) *uint64 { return &e.NotFound }, store.ErrNotFound},
		{"422", statusAdapter{status: 422, body: `{"errors":[{"source":{"pointer":"/data/attributes/title"}}]}`}, func(e *store.Errors) *uint64 { return &e.Invalid }, store.ErrInvalid},
		{"401", statusAdapter{status: 401}, func(e *store.Errors) *uint64 { return &e.Unauthorized }, store.ErrUnauthorized},
		{"403", statusAdapter{status: 403}, func(e *store.Errors) *uint64 { return &e.Forbidden }, store.ErrForbidden},
		{"409", statusAdapter{status: 409}, func(e *store.Errors) *uint64 { return &e.Conflict }, store.ErrConflict},
		{"503", statusAdapter{status: 503}, func(e *store.Errors) *uint64 { return &e.Server }, store.ErrServer},
		{"418", statusAdapter{status: 418}, func(e *store.Errors) *uint64 { return &e.Adapter }, store.ErrAdapter},
		{"transport", statusAdapter{err: errors.New("connection refused")}, func(e *store.Errors) *uint64 { return &e.Adapter }, store.ErrAdapter},
		{"timeout", statusAdapter{err: context.DeadlineExceeded}, func(e *store.Errors) *uint64 { return &e.Timeout }, store.ErrTimeout},
		{"cancelled", statusAdapter{err: context.Canceled}, func(e *store.Errors) *uint64 { return &e.Aborted }, store.ErrAborted},
		{"panic", statusAdapter{panics: true}, func(e *store.Errors) *uint64 { return &e.Plugin }, store.ErrPlugin},
		{"bad document", statusAdapter{status: 200, body: `{"data":{"type":"album"`}, func(e *store.Errors) *uint64 { return &e.Document }, nil},
		{"no adapter", nil, func(e *store.Errors) *uint64 { return &e.NoAdapter }, store.ErrNoAdapter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := storeOver(t, tt.adapter)
			_, err := store.FindRecord[fixture.Album](context.Background(), s, "1")
			require.Error(t, err)
			if tt.cond != nil {
				require.ErrorIs(t, err, tt.cond)
			}
			var want store.Errors
			*tt.want(&want) = 1
			assert.Equal(t, want, statsOf(t, s, "album").Errors)
			assert.Equal(t, uint64(1), s.Stats().Errors.Total())
			assert.Equal(t, store.Counts{Misses: 1}, s.Stats().Finds)
		})
	}
	t.Run("closed", func(t *testing.T) {
		s := storeOver(t, newFake())
		require.NoError(t, s.Close())
		_, err := s.Execute(context.Background(), &store.Request{Type: "album", URL: "/x"})
		require.ErrorIs(t, err, store.ErrClosed)
		assert.Equal(t, store.Errors{Closed: 1}, statsOf(t, s, "album").Errors)
		assert.Zero(t, s.Stats().Requests.Total(), "a closed store sends nothing")
	})
	t.Run("untyped", func(t *testing.T) {
		s := storeOver(t, statusAdapter{status: 500})
		_, err := s.Execute(context.Background(), &store.Request{URL: "/actions/x", Method: "POST"})
		require.ErrorIs(t, err, store.ErrServer)
		st := s.Stats()
		assert.Equal(t, uint64(1), st.Requests.Custom, "a request of no type counts on the store")
		assert.Equal(t, store.Errors{Server: 1}, st.Errors)
	})
}

func TestStatsCountPushes(t *testing.T) {
	s := storeOver(t, nil)
	doc := `{"data":{"type":"album","id":"1","attributes":{"title":"One"},
		"relationships":{"artist":{"data":{"type":"artist","id":"a"}}}},
		"included":[{"type":"artist","id":"a","attributes":{"name":"A"}},{"type":"artist","id":"b","attributes":{"name":"B"}}]}`
	require.NoError(t, s.PushDocument([]byte(doc)))
	require.NoError(t, s.PushPayload("album", []byte(`{"data":[{"type":"album","id":"2"},{"type":"album","id":"3"}]}`)))
	require.Error(t, s.PushDocument([]byte(`{"data":{"type":"album","id":"4","attributes":{"songCount":"x"}}}`)))

	st := s.Stats()
	assert.Equal(t, uint64(2), st.Pushes, "a failed push is not counted")
	assert.Equal(t, uint64(5), st.RecordsPushed)
	assert.Equal(t, 5, st.Records)
	assert.Equal(t, 5, st.Identifiers)
	albums, artists, songs := statsOf(t, s, "album"), statsOf(t, s, "artist"), statsOf(t, s, "song")
	assert.Equal(t, [2]uint64{2, 3}, [2]uint64{albums.Pushes, albums.RecordsPushed})
	assert.Equal(t, [2]uint64{1, 2}, [2]uint64{artists.Pushes, artists.RecordsPushed})
	assert.Equal(t, [2]uint64{0, 0}, [2]uint64{songs.Pushes, songs.RecordsPushed})
}

func TestStatsGauges(t *testing.T) {
	s := storeOver(t, nil)
	// Album 1 names songs that were never loaded: they are not records, and
	// not identifiers either.
	require.NoError(t, s.PushDocument([]byte(`{"data":[{"type":"album","id":"1","relationships":{"songs":{"data":[{"type":"song","id":"9"}]}}},{"type":"album","id":"2"}]}`)))
	st := statsOf(t, s, "album")
	assert.Equal(t, [3]int{2, 2, 0}, [3]int{st.Records, st.Identifiers, st.LiveArrays})
	_, err := store.CreateRecord[fixture.Album](s, fixture.Album{Title: "new"})
	require.NoError(t, err)
	store.PeekAll[fixture.Album](s)
	st = statsOf(t, s, "album")
	assert.Equal(t, [3]int{3, 2, 1}, [3]int{st.Records, st.Identifiers, st.LiveArrays}, "a new record without an id is a record, not an identifier")
	require.NoError(t, s.UnloadRecord("album", "2"))
	st = statsOf(t, s, "album")
	assert.Equal(t, 2, st.Records)
	assert.Equal(t, 1, s.Stats().LiveArrays)
	_, err = s.StatsFor("nope")
	assert.ErrorIs(t, err, store.ErrUnknownType)
	assert.Equal(t, statsOf(t, s, "album"), store.For[fixture.Album](s).Stats())
}

// Counters are exact under concurrent hits (and race-free: make test runs
// with -race).
func TestStatsExactUnderConcurrency(t *testing.T) {
	s := storeOver(t, nil)
	pushOne(t, s)
	const workers, each = 8, 2000
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range each {
				if i%2 == 0 {
					store.PeekRecord[fixture.Album](s, "1")
				} else {
					_, _ = store.FindRecord[fixture.Album](context.Background(), s, "1", store.BackgroundReload(false))
				}
				if i%100 == 0 {
					_ = s.Stats() // reading never disturbs counting
				}
			}
		})
	}
	wg.Wait()
	st := s.Stats()
	assert.Equal(t, store.Counts{Hits: workers * each / 2}, st.Peeks)
	assert.Equal(t, store.Counts{Hits: workers * each / 2}, st.Finds)
}

// The request log: one debug record per request, with the caller's context.
func TestRequestsAreLoggedAtDebug(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		var mu sync.Mutex
		h := ctxHandler{slog.NewJSONHandler(lockedWriter{&buf, &mu}, &slog.HandlerOptions{Level: slog.LevelDebug})}
		f := newFake()
		f.put("album", "1", `{"title":"t"}`)
		f.gate = make(chan struct{})
		s := storeOver(t, f, store.WithLogger(slog.New(h)))
		ctx := context.WithValue(context.Background(), traceKey{}, "trace-7")
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				_, err := store.FindRecord[fixture.Album](ctx, s, "1")
				assert.NoError(t, err)
			})
		}
		synctest.Wait()
		f.gate <- struct{}{}
		wg.Wait()
		f.gate = nil
		_, err := store.FindRecord[fixture.Album](ctx, s, "2", store.Reload(true))
		require.ErrorIs(t, err, store.ErrNotFound)

		mu.Lock()
		defer mu.Unlock()
		var recs []map[string]any
		for line := range strings.SplitSeq(strings.TrimSpace(buf.String()), "\n") {
			var m map[string]any
			require.NoError(t, json.Unmarshal([]byte(line), &m), line)
			delete(m, "time")
			require.Contains(t, m, "duration")
			delete(m, "duration")
			recs = append(recs, m)
		}
		assert.Equal(t, []map[string]any{
			{"level": "DEBUG", "msg": "store: request", "op": "findRecord", "type": "album", "id": "1", "status": float64(200), "trace": "trace-7"},
			{"level": "DEBUG", "msg": "store: request shared", "op": "findRecord", "type": "album", "id": "1", "shared": true, "trace": "trace-7"},
			{"level": "DEBUG", "msg": "store: request", "op": "findRecord", "type": "album", "id": "2", "status": float64(404), "trace": "trace-7",
				"err": "store: findRecord album:2: 404 not found: Not Found"},
		}, recs)
	})
}

func TestRequestLogNamesCoalescedFinds(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	f := newFake()
	f.coalesce = true
	f.put("album", "1", `{}`)
	f.put("album", "2", `{}`)
	s := storeOver(t, f, store.WithLogger(slog.New(slog.NewTextHandler(lockedWriter{&buf, &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	var wg sync.WaitGroup
	for _, id := range []string{"1", "2"} {
		wg.Go(func() { _, _ = store.FindRecord[fixture.Album](context.Background(), s, id) })
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	assert.Contains(t, buf.String(), "op=findMany type=album ids=2 status=200")
	assert.Contains(t, buf.String(), "coalesced=true")
}

// No record is built when debug is off.
func TestRequestLogIsOffByDefaultLevel(t *testing.T) {
	var buf bytes.Buffer
	f := newFake()
	f.put("album", "1", `{}`)
	s := storeOver(t, f, store.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	_, err := store.FindRecord[fixture.Album](context.Background(), s, "1")
	require.NoError(t, err)
	assert.Empty(t, buf.String())
}

type traceKey struct{}

// ctxHandler adds the trace value of the record's context, as a tracing
// handler would.
type ctxHandler struct{ slog.Handler }

func (h ctxHandler) Handle(ctx context.Context, r slog.Record) error {
	if v, ok := ctx.Value(traceKey{}).(string); ok {
		r.AddAttrs(slog.String("trace", v))
	}
	return h.Handler.Handle(ctx, r)
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// pushOne pushes album 1.
func pushOne(t *testing.T, s *store.Cache) {
	t.Helper()
	require.NoError(t, s.PushDocument([]byte(`{"data":{"type":"album","id":"1","attributes":{"title":"One"}}}`)))
}

func TestErrorsAllNamesEveryCondition(t *testing.T) {
	e := store.Errors{NotFound: 1, Adapter: 13, Document: 12}
	var names []string
	var sum uint64
	for name, n := range e.All() {
		names = append(names, name)
		sum += n
	}
	assert.Equal(t, []string{"notFound", "invalid", "unauthorized", "forbidden", "conflict", "server",
		"timeout", "aborted", "closed", "noAdapter", "plugin", "document", "adapter"}, names)
	assert.Equal(t, e.Total(), sum)
	js, err := json.Marshal(e)
	require.NoError(t, err)
	for _, name := range names {
		assert.Contains(t, string(js), `"`+name+`"`, "All's names are the JSON names")
	}
}
