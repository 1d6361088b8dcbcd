package jsonapitest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/larder-go/larder/jsonapi"
)

// EventsPath is where a Server streams its changes as server-sent events.
//
// Every POST, PATCH and DELETE that changes a resource becomes an event of
// type "operations" whose data is a JSON:API Atomic Operations document:
// "add" of the created resource, "update" of the updated one, "remove" of
// the deleted one's identifier. Tests add any event with Emit. Events are
// numbered from 1; the server keeps the last StreamLog of them and replays
// those after a request's Last-Event-ID. When that id is older than the log
// (or unknown), it sends an event of type "reset" first: the client missed
// events it cannot have. DropStreams ends every open stream, so that clients
// reconnect.
const EventsPath = "/_events"

// StreamLog is how many events a Server keeps for replay.
const StreamLog = 1024

// event is one server-sent event.
type event struct {
	id   uint64
	typ  string
	data string
}

// stream is the server's event log and its listeners. Guarded by Server.mu.
type stream struct {
	log    []event // the last StreamLog events, oldest first
	next   uint64  // the id of the next event
	wake   map[chan struct{}]context.CancelFunc
	closed bool
}

// Close ends the event streams, then closes the server as
// httptest.Server.Close does (which would wait for open streams forever).
func (s *Server) Close() {
	s.mu.Lock()
	s.stream.closed = true
	s.mu.Unlock()
	s.DropStreams()
	s.Server.Close()
}

// Emit appends an event to the stream and returns its id. data should be a
// JSON:API document (typ "" or "document"), an operations document (typ
// "operations"), or anything a test wants a client to see.
func (s *Server) Emit(typ string, data []byte) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.emitLocked(typ, string(data))
}

func (s *Server) emitLocked(typ, data string) uint64 {
	st := &s.stream
	st.next++
	st.log = append(st.log, event{id: st.next, typ: typ, data: data})
	if len(st.log) > StreamLog {
		st.log = append(st.log[:0], st.log[len(st.log)-StreamLog:]...)
	}
	for ch := range st.wake {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	return st.next
}

// emitOps emits one atomic operation. The caller holds s.mu.
func (s *Server) emitOpLocked(op map[string]any) {
	b, err := json.Marshal(map[string]any{"atomic:operations": []any{op}})
	if err != nil {
		panic(err) // resources and identifiers always marshal
	}
	s.emitLocked("operations", string(b))
}

func resourceJSON(r *jsonapi.Resource) json.RawMessage {
	doc, err := jsonapi.Encode(&jsonapi.Document{Shape: jsonapi.One, Data: []jsonapi.Resource{*r}})
	if err != nil {
		panic(err)
	}
	var d struct {
		Data json.RawMessage `json:"data"`
	}
	_ = json.Unmarshal(doc, &d)
	return d.Data
}

// DropStreams ends every open event stream, as a proxy or a restart would,
// and reports how many it ended.
func (s *Server) DropStreams() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.stream.wake)
	for _, cancel := range s.stream.wake {
		cancel()
	}
	return n
}

// Streams reports how many event streams are open.
func (s *Server) Streams() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.stream.wake)
}

// serveEvents streams events after the request's Last-Event-ID until the
// client goes or DropStreams ends it.
func (s *Server) serveEvents(w http.ResponseWriter, req *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	ctx, cancel := context.WithCancel(req.Context())
	defer cancel()
	wake := make(chan struct{}, 1)
	s.mu.Lock()
	if s.stream.closed {
		s.mu.Unlock()
		http.Error(w, "closing", http.StatusServiceUnavailable)
		return
	}
	if s.stream.wake == nil {
		s.stream.wake = map[chan struct{}]context.CancelFunc{}
	}
	s.stream.wake[wake] = cancel
	cursor, reset := s.stream.next, false
	if h := req.Header.Get("Last-Event-ID"); h != "" {
		last, err := strconv.ParseUint(h, 10, 64)
		oldest := s.stream.next + 1 - uint64(len(s.stream.log))
		switch {
		case err != nil || last > s.stream.next:
			reset = true
		case last+1 < oldest:
			reset = true
		default:
			cursor = last
		}
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.stream.wake, wake)
		s.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if reset {
		fmt.Fprintf(w, "event: reset\ndata: {}\n\n")
	}
	flusher.Flush()
	for {
		s.mu.Lock()
		// DropStreams cancels under s.mu: checked here, a dropped stream
		// writes nothing emitted after the drop, even when its wake-up and
		// the cancel arrived together.
		if ctx.Err() != nil {
			s.mu.Unlock()
			return
		}
		var out []event
		for _, e := range s.stream.log {
			if e.id > cursor {
				out = append(out, e)
			}
		}
		s.mu.Unlock()
		for _, e := range out {
			if _, err := writeEvent(w, e); err != nil {
				return
			}
			cursor = e.id
		}
		flusher.Flush()
		select {
		case <-wake:
		case <-ctx.Done():
			return
		}
	}
}

func writeEvent(w http.ResponseWriter, e event) (int, error) {
	var b strings.Builder
	b.WriteString("id: ")
	b.WriteString(strconv.FormatUint(e.id, 10))
	b.WriteByte('\n')
	if e.typ != "" {
		b.WriteString("event: ")
		b.WriteString(e.typ)
		b.WriteByte('\n')
	}
	for line := range strings.SplitSeq(e.data, "\n") {
		b.WriteString("data: ")
		b.WriteString(line)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	return w.Write([]byte(b.String()))
}
