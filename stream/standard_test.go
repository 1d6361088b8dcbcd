package stream_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/stream"
)

func albumEvent(id, albumID, title string) string {
	return "id: " + id + "\ndata: {\"data\":{\"type\":\"album\",\"id\":\"" + albumID + "\",\"attributes\":{\"title\":\"" + title + "\"}}}\n\n"
}

// lastIDs records the Last-Event-ID of each reconnection.
type lastIDs struct {
	mu  sync.Mutex
	ids []string
	at  []time.Time
}

func (l *lastIDs) add(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ids = append(l.ids, id)
	l.at = append(l.at, time.Now())
}

func (l *lastIDs) get() ([]string, []time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.ids...), append([]time.Time(nil), l.at...)
}

// A server written from the WHATWG text/event-stream rules, case by case.
func TestSourceFollowsTheEventStreamStandard(t *testing.T) {
	t.Run("an oversized event is skipped, reported once, and not asked for again", func(t *testing.T) {
		var again lastIDs
		srv, served := rawServer(t,
			func(w http.ResponseWriter, f http.Flusher, last string) {
				header(w)
				io.WriteString(w, albumEvent("1", "1", "small"))
				io.WriteString(w, "id: 2\ndata: "+strings.Repeat("x", 4096)+"\n\n")
				io.WriteString(w, albumEvent("3", "3", "after"))
			},
			func(w http.ResponseWriter, f http.Flusher, last string) {
				again.add(last)
				header(w)
				f.Flush()
			},
		)
		s, errs := newStore(t, srv.URL)
		src, err := stream.Connect(context.Background(), s, srv.URL, stream.WithMaxEventSize(1024), stream.WithBackoff(time.Millisecond, 5*time.Millisecond))
		require.NoError(t, err)
		served.Wait()
		eventually(t, func() bool { return title(s, "3") == "after" }, "the stream goes on after it")
		require.NoError(t, src.Close())
		assert.Equal(t, "small", title(s, "1"))
		ids, _ := again.get()
		assert.Equal(t, []string{"3"}, ids, "one reconnection, after the last event: no loop")
		assert.Equal(t, int64(1), src.Skipped())
		var oversize []*stream.EventError
		for _, err := range errs.list() {
			var ee *stream.EventError
			if errors.As(err, &ee) {
				oversize = append(oversize, ee)
			}
		}
		require.Len(t, oversize, 1, "reported once")
		assert.Equal(t, "2", oversize[0].ID)
		assert.Contains(t, oversize[0].Error(), "larger than")
	})
	t.Run("an event cut off by the end of the stream is discarded and asked for again", func(t *testing.T) {
		var again lastIDs
		srv, served := rawServer(t,
			func(w http.ResponseWriter, f http.Flusher, last string) {
				header(w)
				io.WriteString(w, albumEvent("1", "1", "one"))
				io.WriteString(w, "id: 2\ndata: {\"data\":{\"type\":\"album\",\"id\":\"2\",\"attributes\":{\"title\":\"cu") // a clean end, mid-event
			},
			func(w http.ResponseWriter, f http.Flusher, last string) {
				again.add(last)
				header(w)
				io.WriteString(w, albumEvent("2", "2", "whole"))
			},
		)
		s, errs := newStore(t, srv.URL)
		src, err := stream.Connect(context.Background(), s, srv.URL, stream.WithBackoff(time.Millisecond, 5*time.Millisecond))
		require.NoError(t, err)
		served.Wait()
		eventually(t, func() bool { return title(s, "2") == "whole" }, "replayed whole")
		require.NoError(t, src.Close())
		ids, _ := again.get()
		assert.Equal(t, []string{"1"}, ids, "the last id stayed before the cut event")
		assert.Zero(t, src.Skipped(), "the cut event was not dispatched")
		for _, err := range errs.list() {
			var ee *stream.EventError
			assert.False(t, errors.As(err, &ee), "no event error: %v", err)
		}
	})
	t.Run("a server's long retry is kept within the longest wait", func(t *testing.T) {
		var again lastIDs
		srv, _ := rawServer(t,
			func(w http.ResponseWriter, f http.Flusher, last string) {
				header(w)
				io.WriteString(w, "retry: 60000\n\n")
			},
			func(w http.ResponseWriter, f http.Flusher, last string) {
				again.add(last)
				header(w)
				f.Flush()
			},
		)
		s, _ := newStore(t, srv.URL)
		src, err := stream.Connect(context.Background(), s, srv.URL, stream.WithBackoff(5*time.Millisecond, 100*time.Millisecond))
		require.NoError(t, err)
		eventually(t, func() bool { ids, _ := again.get(); return len(ids) == 1 }, "reconnected within the longest wait, not after 60 s")
		require.NoError(t, src.Close())
	})
	t.Run("a server's short retry is kept above the first wait", func(t *testing.T) {
		var ended lastIDs
		var again lastIDs
		srv, _ := rawServer(t,
			func(w http.ResponseWriter, f http.Flusher, last string) {
				header(w)
				io.WriteString(w, "retry: 1\n\n")
				ended.add(last)
			},
			func(w http.ResponseWriter, f http.Flusher, last string) {
				again.add(last)
				header(w)
				f.Flush()
			},
		)
		s, _ := newStore(t, srv.URL)
		const first = 150 * time.Millisecond
		src, err := stream.Connect(context.Background(), s, srv.URL, stream.WithBackoff(first, time.Second))
		require.NoError(t, err)
		eventually(t, func() bool { ids, _ := again.get(); return len(ids) == 1 }, "reconnected")
		require.NoError(t, src.Close())
		_, endAt := ended.get()
		_, againAt := again.get()
		assert.GreaterOrEqual(t, againAt[0].Sub(endAt[0]), first, "not sooner than the first wait")
	})
	t.Run("blocks with no data are not events", func(t *testing.T) {
		hold := make(chan struct{})
		srv, _ := rawServer(t,
			func(w http.ResponseWriter, f http.Flusher, last string) {
				header(w)
				io.WriteString(w, "id: 7\n\nretry: 5000\n\n")
				f.Flush()
				<-hold // then hold the connection: no event, no end
			},
		)
		t.Cleanup(func() { close(hold) }) // before the server closes
		s, errs := newStore(t, srv.URL)
		src, err := stream.Connect(context.Background(), s, srv.URL)
		require.NoError(t, err)
		eventually(t, func() bool { return src.LastEventID() == "7" }, "id: 7 alone moves the last id")
		require.NoError(t, src.Close())
		assert.Zero(t, src.Skipped())
		assert.Zero(t, src.Applied())
		for _, err := range errs.list() {
			var ee *stream.EventError
			assert.False(t, errors.As(err, &ee), "no event error: %v", err)
		}
	})
}
