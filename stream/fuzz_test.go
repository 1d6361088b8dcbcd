package stream_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/store"
	"github.com/larder-go/larder/stream"
)

// bodyOnce is a transport that answers the first request with body as an
// event stream, and holds every later one (the reconnection) until its
// context is done, after telling read that the body was read to its end.
type bodyOnce struct {
	body []byte
	n    int
	read chan struct{}
}

func (b *bodyOnce) RoundTrip(req *http.Request) (*http.Response, error) {
	if b.n++; b.n > 1 {
		if b.n == 2 {
			close(b.read)
		}
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	return &http.Response{
		StatusCode: http.StatusOK,
		Status:     "200 OK",
		Header:     http.Header{"Content-Type": {"text/event-stream"}},
		Body:       io.NopCloser(bytes.NewReader(b.body)),
		Request:    req,
	}, nil
}

// FuzzSource reads any bytes as an event stream. No input may panic the
// source or leave a goroutine behind, and events it skipped change nothing:
// a source that applied no event leaves the store as it was.
func FuzzSource(f *testing.F) {
	for _, seed := range []string{
		"id: 1\ndata: {\"data\":{\"type\":\"album\",\"id\":\"1\",\"attributes\":{\"title\":\"good\"}}}\n\n",
		"id: 2\ndata: {\"data\":{\"type\":\"album\",\"id\":\"1\",\"attributes\":{\"title\":\n\n",
		"id: 3\ndata: {\"data\":{\"type\":\"album\",\"id\":\"2\",\"attributes\":{\"songCount\":\"x\"}}}\n\n",
		"id: 4\nevent: operations\ndata: {\"atomic:operations\":[{\"op\":\"add\",\"data\":{\"type\":\"album\",\"id\":\"3\"}},{\"op\":\"remove\",\"ref\":{\"type\":\"planet\",\"id\":\"1\"}}]}\n\n",
		"event: reset\ndata: {}\n\n",
		"retry: 1\nid: \x00\nevent: surprise\ndata: whatever\r\n\r\n",
		"data: {\"data\":[{\"type\":\"album\",\"id\":\"1\",\"relationships\":{\"artist\":{\"data\":{\"type\":\"artist\",\"id\":\"1\"}}}}],\n" +
			"data: \"included\":[{\"type\":\"artist\",\"id\":\"1\",\"relationships\":{\"albums\":{\"data\":[{\"type\":\"album\",\"id\":\"1\"}]}}}]}\n\n",
		":comment\n\nid: 9\ndata: {\"data\":{\"type\":\"album\",\"id\":\"5\",\"attributes\":{\"title\":\"cut",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := store.New(nil, nil, store.WithModels(fixture.Models()...), store.WithErrorHandler(func(error) {}))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		tr := &bodyOnce{body: body, read: make(chan struct{})}
		src, err := stream.Connect(context.Background(), s, "http://stream.test/events",
			stream.WithHTTPClient(&http.Client{Transport: tr}), stream.WithBackoff(time.Microsecond, time.Microsecond))
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-tr.read:
		case <-time.After(10 * time.Second):
			t.Fatal("the stream was not read to its end")
		}
		if err := src.Close(); err != nil {
			t.Fatal(err)
		}
		if src.Applied() == 0 && s.Version() != 0 {
			t.Fatalf("no event applied, yet the store changed (version %d, %d skipped)", s.Version(), src.Skipped())
		}
	})
}
