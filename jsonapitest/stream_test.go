package jsonapitest_test

import (
	"bufio"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/jsonapitest"
)

// openStream opens the event stream with a Last-Event-ID (none if "") and
// returns a reader of its lines and a function that ends the request.
func openStream(t *testing.T, srv *jsonapitest.Server, last string) (*bufio.Scanner, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+jsonapitest.EventsPath, nil)
	require.NoError(t, err)
	if last != "" {
		req.Header.Set("Last-Event-ID", last)
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	return bufio.NewScanner(resp.Body), func() { cancel(); resp.Body.Close() }
}

// readEvent reads one event as "id type data".
func readEvent(t *testing.T, sc *bufio.Scanner) string {
	t.Helper()
	var id, typ, data string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			return strings.TrimSpace(id + " " + typ + " " + data)
		case strings.HasPrefix(line, "id: "):
			id = line[4:]
		case strings.HasPrefix(line, "event: "):
			typ = line[7:]
		case strings.HasPrefix(line, "data: "):
			data = line[6:]
		}
	}
	require.NoError(t, sc.Err())
	return ""
}

func TestStreamReplaysAfterLastEventID(t *testing.T) {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	for i := range 3 {
		assert.Equal(t, uint64(i+1), srv.Emit("ping", []byte(strconv.Itoa(i+1))))
	}
	tests := []struct {
		name, last string
		want       []string
	}{
		{"from the start of the log", "0", []string{"1 ping 1", "2 ping 2", "3 ping 3"}},
		{"after an id", "2", []string{"3 ping 3"}},
		{"an id from the future is a reset", "9", []string{"reset {}"}},
		{"an id that is no number is a reset", "x", []string{"reset {}"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, stop := openStream(t, srv, tt.last)
			defer stop()
			var got []string
			for range tt.want {
				got = append(got, readEvent(t, sc))
			}
			assert.Equal(t, tt.want, got)
		})
	}
	t.Run("no Last-Event-ID: only what follows", func(t *testing.T) {
		sc, stop := openStream(t, srv, "")
		defer stop()
		srv.Emit("", []byte("a\nb"))
		assert.Equal(t, "4  b", readEvent(t, sc), "a multi-line data is sent as data lines")
	})
	t.Run("an id older than the log is a reset, then what follows", func(t *testing.T) {
		for range jsonapitest.StreamLog {
			srv.Emit("ping", nil)
		}
		sc, stop := openStream(t, srv, "1")
		defer stop()
		assert.Equal(t, "reset {}", readEvent(t, sc))
		id := srv.Emit("pong", []byte("x"))
		assert.Equal(t, strconv.FormatUint(id, 10)+" pong x", readEvent(t, sc), "not the part of the log it kept")
	})
}

// TestDropStreamsWritesNothingAfter checks that a dropped stream sends no
// event emitted after the drop, even when an Emit's wake-up races with it:
// a client that reconnects must be replayed those events, or told of a gap.
func TestDropStreamsWritesNothingAfter(t *testing.T) {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	for round := range 200 {
		sc, stop := openStream(t, srv, "")
		before := srv.Emit("ping", nil)
		require.Equal(t, strconv.FormatUint(before, 10)+" ping", readEvent(t, sc), "round %d", round)
		srv.DropStreams()
		for range 5 {
			srv.Emit("ping", nil)
		}
		assert.Equal(t, "", readEvent(t, sc), "round %d: the stream ended with nothing after the drop", round)
		stop()
	}
}
