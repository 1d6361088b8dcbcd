package stream_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/jsonapitest"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
	"github.com/larder-go/larder/stream"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// errs collects what a store reports.
type errs struct {
	mu  sync.Mutex
	all []error
}

func (e *errs) add(err error) { e.mu.Lock(); e.all = append(e.all, err); e.mu.Unlock() }
func (e *errs) list() []error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]error(nil), e.all...)
}

func newStore(t *testing.T, host string) (*store.Cache, *errs) {
	t.Helper()
	e := &errs{}
	s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: host}}, &serializers.JSONAPI{},
		store.WithModels(fixture.Models()...), store.WithErrorHandler(e.add))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s, e
}

// eventually waits (in real time: a stream is real I/O) for cond.
func eventually(t *testing.T, cond func() bool, msg string) {
	t.Helper()
	require.Eventually(t, cond, 5*time.Second, time.Millisecond, msg)
}

func title(s *store.Cache, id string) string {
	a, _ := store.PeekRecord[fixture.Album](s, id)
	return a.Title
}

func TestSourceFollowsJSONAPITest(t *testing.T) {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	reader, errs := newStore(t, srv.URL)
	writer, _ := newStore(t, srv.URL)
	ctx := context.Background()

	_, err := store.FindRecord[fixture.Album](ctx, reader, "1")
	require.NoError(t, err)
	sub := store.SubscribeType[fixture.Album](ctx, reader)
	defer sub.Close()
	var states []stream.State
	var smu sync.Mutex
	src, err := stream.Connect(ctx, reader, srv.URL+jsonapitest.EventsPath, stream.WithBackoff(5*time.Millisecond, 50*time.Millisecond),
		stream.OnState(func(st stream.State) { smu.Lock(); states = append(states, st); smu.Unlock() }))
	require.NoError(t, err)
	eventually(t, func() bool { return src.State() == stream.Live }, "connects")

	// Another client edits album 1; the reader's subscription hears of it.
	ref := store.GetReference[fixture.Album](writer, "1")
	_, err = ref.Load(ctx)
	require.NoError(t, err)
	require.NoError(t, ref.Update(func(a *fixture.Album) { a.Title = "Edited elsewhere" }))
	require.NoError(t, ref.Save(ctx))
	wait, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	cs, err := sub.Next(wait)
	require.NoError(t, err)
	c, ok := cs.Find("album", "1")
	require.True(t, ok)
	assert.True(t, c.Fields.Has("title"))
	assert.Equal(t, store.OriginStream, cs.Origin, "fan-out tells the stream's commits from the program's")
	assert.Equal(t, "Edited elsewhere", title(reader, "1"))

	// Created, then deleted, elsewhere.
	created, err := store.CreateRecord(writer, fixture.Album{Title: "Born elsewhere"})
	require.NoError(t, err)
	require.NoError(t, created.Save(ctx))
	eventually(t, func() bool { return title(reader, created.ID()) == "Born elsewhere" }, fmt.Sprint("the created album arrives: ", errs.list()))
	require.NoError(t, created.Destroy(ctx))
	eventually(t, func() bool { return !store.GetReference[fixture.Album](reader, created.ID()).IsLoaded() }, "the deletion arrives")

	// The server drops the stream; events written meanwhile are replayed
	// after Last-Event-ID, none lost and none twice.
	// The source counts an event once applied: wait for the count too, not
	// only for the store to show it.
	eventually(t, func() bool { return src.Applied() == 3 }, "three events so far")
	before := src.Applied()
	require.Equal(t, 1, srv.DropStreams())
	for i := range 5 {
		srv.Emit("operations", fmt.Appendf(nil, `{"atomic:operations":[{"op":"update","data":{"type":"album","id":"1","attributes":{"title":"t%d"}}}]}`, i))
	}
	ok = assert.Eventually(t, func() bool { return src.Applied() == before+5 }, 5*time.Second, time.Millisecond, "the five events missed are replayed")
	require.True(t, ok, "applied %d skipped %d (before %d), last %q, %v", src.Applied(), src.Skipped(), before, src.LastEventID(), errs.list())
	assert.Equal(t, "t4", title(reader, "1"))
	assert.Equal(t, "8", src.LastEventID(), "three changes, then five events")
	time.Sleep(20 * time.Millisecond)
	assert.Equal(t, before+5, src.Applied(), "none twice")
	require.Len(t, errs.list(), 1, "the drop is reported, and nothing else")
	assert.Contains(t, errs.list()[0].Error(), "connection to server lost")

	require.NoError(t, src.Close())
	assert.Equal(t, stream.Closed, src.State())
	smu.Lock()
	assert.Equal(t, []stream.State{stream.Live, stream.Retrying, stream.Live, stream.Closed}, states)
	smu.Unlock()
}

func TestSourceResetWhenTheLogHasMoved(t *testing.T) {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	// A gate in front of the server holds the reconnect off until the log
	// has moved past the source's last event; without it the source may come
	// back in the middle of the emits and be replayed from its id.
	var closed atomic.Bool
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if closed.Load() {
			http.Error(w, "closed", http.StatusServiceUnavailable)
			return
		}
		srv.ServeHTTP(w, req)
	}))
	defer front.Close()
	reader, errs := newStore(t, srv.URL)
	src, err := stream.Connect(context.Background(), reader, front.URL+jsonapitest.EventsPath, stream.WithBackoff(5*time.Millisecond, 20*time.Millisecond))
	require.NoError(t, err)
	defer src.Close()
	eventually(t, func() bool { return src.State() == stream.Live }, "connects")
	srv.Emit("", []byte(`{"data":{"type":"album","id":"1","attributes":{"title":"first"}}}`))
	eventually(t, func() bool { return src.Applied() == 1 }, "first event")
	closed.Store(true)
	srv.DropStreams()
	for range jsonapitest.StreamLog + 1 {
		srv.Emit("ping", []byte("{}"))
	}
	closed.Store(false)
	eventually(t, func() bool {
		for _, err := range errs.list() {
			if errors.Is(err, stream.ErrGap) {
				return true
			}
		}
		return false
	}, "the gap is reported")
	assert.True(t, reader.StateOf("album", "1").IsStale, "what the source may have missed is marked stale")
	assert.Equal(t, "first", title(reader, "1"), "and still served to peeks")
}

func TestSourceWithoutReplay(t *testing.T) {
	event := func(id, title string) string {
		return "id: " + id + "\ndata: {\"data\":{\"type\":\"album\",\"id\":\"1\",\"attributes\":{\"title\":\"" + title + "\"}}}\n\n"
	}
	for _, tt := range []struct {
		name string
		opts []stream.Option
		gap  bool
	}{
		{"trusted to replay", nil, false},
		{"every reconnection is a gap", []stream.Option{stream.WithoutReplay()}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, served := rawServer(t,
				func(w http.ResponseWriter, f http.Flusher, last string) {
					header(w)
					io.WriteString(w, event("1", "one"))
				},
				func(w http.ResponseWriter, f http.Flusher, last string) {
					header(w)
					io.WriteString(w, event("2", "two"))
				},
			)
			s, errs := newStore(t, srv.URL)
			opts := append([]stream.Option{stream.WithBackoff(time.Millisecond, 5*time.Millisecond)}, tt.opts...)
			src, err := stream.Connect(context.Background(), s, srv.URL, opts...)
			require.NoError(t, err)
			served.Wait()
			eventually(t, func() bool { return src.Applied() == 2 }, "both events")
			require.NoError(t, src.Close())
			gaps := 0
			for _, err := range errs.list() {
				if errors.Is(err, stream.ErrGap) {
					gaps++
				}
			}
			// The second event came after the reconnect, so the gap was
			// marked before it: album 1 is fresh again only if its event
			// came from the server after the gap.
			assert.Equal(t, "two", title(s, "1"))
			if tt.gap {
				assert.GreaterOrEqual(t, gaps, 1, "the reconnection is reported as a gap")
			} else {
				assert.Zero(t, gaps)
			}
		})
	}
}

func TestSourceRedirects(t *testing.T) {
	creds := http.Header{"X-Api-Key": {"secret"}}
	var mu sync.Mutex
	var keys []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		mu.Lock()
		keys = append(keys, req.Header.Get("X-Api-Key"))
		mu.Unlock()
		header(w)
		io.WriteString(w, "id: 1\ndata: {\"data\":{\"type\":\"album\",\"id\":\"1\",\"attributes\":{\"title\":\"elsewhere\"}}}\n\n")
		w.(http.Flusher).Flush()
		<-req.Context().Done()
	}))
	defer other.Close()
	home := httptest.NewServer(http.RedirectHandler(other.URL+"/events", http.StatusTemporaryRedirect))
	defer home.Close()
	seen := func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), keys...) }

	t.Run("to another origin: refused", func(t *testing.T) {
		s, errs := newStore(t, home.URL)
		src, err := stream.Connect(context.Background(), s, home.URL, stream.WithHeader(creds), stream.WithBackoff(time.Millisecond, 5*time.Millisecond))
		require.NoError(t, err)
		eventually(t, func() bool {
			return slicesAny(errs.list(), func(err error) bool { return errors.Is(err, stream.ErrOtherOrigin) })
		}, "the refusal is reported")
		require.NoError(t, src.Close())
		assert.Empty(t, seen(), "nothing reached the other origin")
		assert.NotEqual(t, stream.Live, src.State())
	})
	t.Run("to an allowed host: followed without the headers", func(t *testing.T) {
		s, _ := newStore(t, home.URL)
		src, err := stream.Connect(context.Background(), s, home.URL, stream.WithHeader(creds),
			stream.WithAllowHosts(other.Listener.Addr().String()))
		require.NoError(t, err)
		eventually(t, func() bool { return title(s, "1") == "elsewhere" }, "the redirected stream is read")
		require.NoError(t, src.Close())
		assert.Equal(t, []string{""}, seen(), "the credentials stayed on the stream's origin")
	})
}

// rawServer serves each connection with the next script; a script gets the
// request's Last-Event-ID.
func rawServer(t *testing.T, scripts ...func(w http.ResponseWriter, f http.Flusher, last string)) (*httptest.Server, *sync.WaitGroup) {
	var mu sync.Mutex
	n := 0
	var served sync.WaitGroup
	served.Add(len(scripts))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		mu.Lock()
		i := n
		n++
		mu.Unlock()
		if i >= len(scripts) {
			<-req.Context().Done()
			return
		}
		defer served.Done()
		scripts[i](w, w.(http.Flusher), req.Header.Get("Last-Event-ID"))
	}))
	t.Cleanup(srv.Close)
	return srv, &served
}

func header(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
}

func TestSourceAgainstHostileStreams(t *testing.T) {
	var lasts []string
	var lmu sync.Mutex
	srv, served := rawServer(t,
		func(w http.ResponseWriter, f http.Flusher, last string) {
			http.Error(w, "busy", http.StatusServiceUnavailable) // retried after backoff
		},
		func(w http.ResponseWriter, f http.Flusher, last string) {
			header(w)
			io.WriteString(w, "id: 1\ndata: {\"data\":{\"type\":\"album\",\"id\":\"1\",\"attributes\":{\"title\":\"good\"}}}\n\n")
			io.WriteString(w, "id: 2\ndata: {\"data\":{\"type\":\"album\",\"id\":\"1\",\"attributes\":{\"title\":\n\n")             // not JSON
			io.WriteString(w, "id: 3\ndata: {\"data\":{\"type\":\"album\",\"id\":\"2\",\"attributes\":{\"songCount\":\"x\"}}}\n\n") // bad attribute
			io.WriteString(w, "id: 4\nevent: operations\ndata: {\"atomic:operations\":[{\"op\":\"add\",\"data\":{\"type\":\"album\",\"id\":\"3\"}},{\"op\":\"remove\",\"ref\":{\"type\":\"planet\",\"id\":\"1\"}}]}\n\n")
			io.WriteString(w, "id: 5\nevent: surprise\ndata: whatever\n\n")
			// One event in three writes.
			io.WriteString(w, "id: 6\ndata: {\"data\":{\"type\":\"album\",")
			f.Flush()
			time.Sleep(10 * time.Millisecond)
			io.WriteString(w, "\"id\":\"4\",\"attributes\":{\"title\":\"split\"}}}")
			f.Flush()
			time.Sleep(10 * time.Millisecond)
			io.WriteString(w, "\n\n")
			// Then the connection drops in the middle of event 7.
			io.WriteString(w, "id: 7\ndata: {\"data\":{\"type\":\"album\",\"id\":\"5\",\"attributes\":{\"title\":\"cut")
			f.Flush()
		},
		func(w http.ResponseWriter, f http.Flusher, last string) {
			lmu.Lock()
			lasts = append(lasts, last)
			lmu.Unlock()
			header(w)
			io.WriteString(w, "id: 7\ndata: {\"data\":{\"type\":\"album\",\"id\":\"5\",\"attributes\":{\"title\":\"whole\"}}}\n\n")
			f.Flush()
		},
	)
	s, errs := newStore(t, srv.URL)
	src, err := stream.Connect(context.Background(), s, srv.URL, stream.WithBackoff(5*time.Millisecond, 20*time.Millisecond))
	require.NoError(t, err)
	served.Wait()
	eventually(t, func() bool { return title(s, "5") == "whole" }, "the event cut in two arrives whole after the reconnect")
	require.NoError(t, src.Close())

	assert.Equal(t, "good", title(s, "1"), "event 2, not JSON, was skipped")
	assert.False(t, store.GetReference[fixture.Album](s, "2").IsLoaded(), "event 3 was skipped whole")
	assert.False(t, store.GetReference[fixture.Album](s, "3").IsLoaded(), "event 4's batch failed whole")
	assert.Equal(t, "split", title(s, "4"))
	lmu.Lock()
	assert.Equal(t, []string{"6"}, lasts, "the reconnect asks for what follows the last whole event")
	lmu.Unlock()
	assert.Equal(t, int64(3), src.Applied())

	var skipped []string
	for _, err := range errs.list() {
		var ee *stream.EventError
		if errors.As(err, &ee) {
			skipped = append(skipped, ee.ID)
		}
	}
	assert.Equal(t, []string{"2", "3", "4"}, skipped)
	var decodeErr *jsonapi.DecodeError
	assert.True(t, slicesAny(errs.list(), func(err error) bool { return errors.As(err, &decodeErr) }))
	assert.True(t, slicesAny(errs.list(), func(err error) bool { return strings.Contains(err.Error(), "503") }), "the refused connection is reported")
}

func slicesAny(errs []error, f func(error) bool) bool {
	for _, err := range errs {
		if f(err) {
			return true
		}
	}
	return false
}

func TestSourceStops(t *testing.T) {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	t.Run("context", func(t *testing.T) {
		s, _ := newStore(t, srv.URL)
		ctx, cancel := context.WithCancel(context.Background())
		src, err := stream.Connect(ctx, s, srv.URL+jsonapitest.EventsPath)
		require.NoError(t, err)
		eventually(t, func() bool { return src.State() == stream.Live }, "connects")
		cancel()
		eventually(t, func() bool { return src.State() == stream.Closed }, "stops")
		require.NoError(t, src.Close())
	})
	t.Run("store close", func(t *testing.T) {
		s, _ := newStore(t, srv.URL)
		src, err := stream.Connect(context.Background(), s, srv.URL+jsonapitest.EventsPath)
		require.NoError(t, err)
		eventually(t, func() bool { return src.State() == stream.Live }, "connects")
		require.NoError(t, s.Close())
		assert.Equal(t, stream.Closed, src.State(), "Close waited for the source")
		_, err = stream.Connect(context.Background(), s, srv.URL+jsonapitest.EventsPath)
		assert.ErrorIs(t, err, store.ErrClosed)
	})
	t.Run("bad URL", func(t *testing.T) {
		s, _ := newStore(t, srv.URL)
		for _, u := range []string{"", "ftp://x/y", "/relative", "http://"} {
			_, err := stream.Connect(context.Background(), s, u)
			assert.Error(t, err, u)
		}
	})
	t.Run("hung server", func(t *testing.T) {
		hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			<-req.Context().Done() // never answers
		}))
		defer hung.Close()
		s, _ := newStore(t, srv.URL)
		src, err := stream.Connect(context.Background(), s, hung.URL)
		require.NoError(t, err)
		time.Sleep(10 * time.Millisecond)
		assert.Equal(t, stream.Connecting, src.State())
		require.NoError(t, src.Close())
	})
}

func TestSourceTimeouts(t *testing.T) {
	t.Run("a backend that never answers is retried", func(t *testing.T) {
		var n atomic.Int32
		hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			n.Add(1)
			<-req.Context().Done()
		}))
		defer hung.Close()
		s, errs := newStore(t, hung.URL)
		src, err := stream.Connect(context.Background(), s, hung.URL,
			stream.WithConnectTimeout(10*time.Millisecond), stream.WithBackoff(time.Millisecond, 2*time.Millisecond))
		require.NoError(t, err)
		eventually(t, func() bool { return n.Load() >= 3 }, "given up and tried again")
		require.NoError(t, src.Close())
		assert.True(t, slicesAny(errs.list(), func(err error) bool { return errors.Is(err, stream.ErrTimeout) }), "reported as a timeout: %v", errs.list())
	})
	t.Run("a silent connection is dropped and resumed", func(t *testing.T) {
		var lasts []string
		var lmu sync.Mutex
		srv, _ := rawServer(t,
			func(w http.ResponseWriter, f http.Flusher, last string) {
				header(w)
				io.WriteString(w, "id: 1\ndata: {\"data\":{\"type\":\"album\",\"id\":\"1\",\"attributes\":{\"title\":\"one\"}}}\n\n")
				f.Flush()
				time.Sleep(300 * time.Millisecond) // then silence, as a dead path would be
			},
			func(w http.ResponseWriter, f http.Flusher, last string) {
				lmu.Lock()
				lasts = append(lasts, last)
				lmu.Unlock()
				header(w)
				io.WriteString(w, "id: 2\ndata: {\"data\":{\"type\":\"album\",\"id\":\"1\",\"attributes\":{\"title\":\"two\"}}}\n\n")
				f.Flush()
			},
		)
		s, errs := newStore(t, srv.URL)
		src, err := stream.Connect(context.Background(), s, srv.URL,
			stream.WithIdleTimeout(50*time.Millisecond), stream.WithBackoff(time.Millisecond, 2*time.Millisecond))
		require.NoError(t, err)
		eventually(t, func() bool { return title(s, "1") == "two" }, "resumed on a new connection")
		require.NoError(t, src.Close())
		lmu.Lock()
		assert.Equal(t, []string{"1"}, lasts, "with the last id read")
		lmu.Unlock()
		assert.True(t, slicesAny(errs.list(), func(err error) bool { return errors.Is(err, stream.ErrTimeout) }), "the silence is reported: %v", errs.list())
	})
	t.Run("events keep a connection alive", func(t *testing.T) {
		srv := jsonapitest.NewServer()
		defer srv.Close()
		s, errs := newStore(t, srv.URL)
		src, err := stream.Connect(context.Background(), s, srv.URL+jsonapitest.EventsPath, stream.WithIdleTimeout(500*time.Millisecond))
		require.NoError(t, err)
		eventually(t, func() bool { return src.State() == stream.Live }, "connects")
		for i := range 6 {
			srv.Emit("", fmt.Appendf(nil, `{"data":{"type":"album","id":"1","attributes":{"title":"t%d"}}}`, i))
			time.Sleep(50 * time.Millisecond)
		}
		eventually(t, func() bool { return src.Applied() == 6 }, "all six")
		require.NoError(t, src.Close())
		assert.Empty(t, errs.list(), "never idle for 500ms: never dropped")
	})
}

func TestSourceLogsAnUnknownTypeOnce(t *testing.T) {
	srv, served := rawServer(t, func(w http.ResponseWriter, f http.Flusher, last string) {
		header(w)
		for i := range 3 {
			fmt.Fprintf(w, "id: %d\nevent: surprise\ndata: x\n\n", i+1)
		}
		io.WriteString(w, "id: 4\nevent: other\ndata: y\n\n")
		f.Flush()
	})
	var logs bytes.Buffer
	var lmu sync.Mutex
	s, err := store.New(nil, nil, store.WithModels(fixture.Models()...),
		store.WithLogger(slog.New(slog.NewTextHandler(lockedWriter{&lmu, &logs}, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	require.NoError(t, err)
	defer s.Close()
	src, err := stream.Connect(context.Background(), s, srv.URL)
	require.NoError(t, err)
	served.Wait()
	eventually(t, func() bool { return src.Skipped() == 4 }, "four events skipped")
	require.NoError(t, src.Close())
	lmu.Lock()
	defer lmu.Unlock()
	assert.Equal(t, 1, strings.Count(logs.String(), "type=surprise"), logs.String())
	assert.Equal(t, 1, strings.Count(logs.String(), "type=other"), logs.String())
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
