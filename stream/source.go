package stream

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/larder-go/larder/internal/origin"
	"github.com/larder-go/larder/store"
)

// State is where a Source is in its life.
type State int32

const (
	Connecting State = iota // the first connection is being made
	Live                    // connected: events are being read
	Retrying                // the connection failed or dropped; waiting to reconnect
	Closed                  // stopped by Close, its context or the store
)

func (s State) String() string {
	switch s {
	case Connecting:
		return "connecting"
	case Live:
		return "live"
	case Retrying:
		return "retrying"
	case Closed:
		return "closed"
	}
	return fmt.Sprintf("State(%d)", int32(s))
}

// ErrGap reports that the source missed events: the server could not replay
// what came while it was disconnected (a "reset" event), or, with
// WithoutReplay, it reconnected. The source has marked every type of the
// store stale (store.Cache.InvalidateType), so that the next find of a record
// reloads it.
var ErrGap = errors.New("stream: events were missed")

// ErrOtherOrigin reports a redirect to another origin than the stream's that
// WithAllowHosts does not allow; it is not followed.
var ErrOtherOrigin = origin.ErrOther

// An EventError is an event that was skipped because it did not decode or
// apply; the store is as it was before the event.
type EventError struct {
	ID   string // the event's id, or the last id before it
	Type string // the event's type ("" for unnamed)
	Err  error
}

func (e *EventError) Error() string {
	return fmt.Sprintf("stream: event %q (type %q) skipped: %v", e.ID, e.Type, e.Err)
}

func (e *EventError) Unwrap() error { return e.Err }

// An Option configures a Source.
type Option func(*config)

type config struct {
	client   *http.Client
	header   http.Header
	allow    []string
	initial  time.Duration
	max      time.Duration
	maxEvent int
	connect  time.Duration
	idle     time.Duration
	noReplay bool
	onState  func(State)
}

// WithHTTPClient sets the HTTP client (default http.DefaultClient). It should
// have no overall Timeout: a stream is one long response.
func WithHTTPClient(c *http.Client) Option { return func(o *config) { o.client = c } }

// WithHeader adds headers (credentials, for example) to every connection.
// They are sent to the stream's origin only: a redirect to another host that
// WithAllowHosts allows is followed without them.
func WithHeader(h http.Header) Option { return func(o *config) { o.header = h.Clone() } }

// WithAllowHosts lists other hosts ("events.example.com",
// "api.example.com:8443") that the stream may be redirected to. A redirect
// to any other origin than the stream URL's is refused with ErrOtherOrigin:
// the server's answers are untrusted input.
func WithAllowHosts(hosts ...string) Option {
	return func(o *config) { o.allow = append([]string(nil), hosts...) }
}

// WithoutReplay says the server does not replay events after Last-Event-ID
// (most servers that were not written for it do not), so that every
// reconnection may have missed events: the source treats each one as a gap
// (ErrGap), marking the store's types stale. By default the source trusts
// the server to replay, or to send a "reset" event when it cannot.
func WithoutReplay() Option { return func(o *config) { o.noReplay = true } }

// WithBackoff sets the wait before the first reconnection and the longest
// wait, which grows 1.5x with jitter in between while connections fail
// (default 250ms and 10s). A server's retry field sets the first wait, kept
// within these bounds: retry: 60000 waits at most the longest wait, and
// retry: 1 at least the first.
func WithBackoff(initial, max time.Duration) Option {
	return func(o *config) { o.initial, o.max = initial, max }
}

// WithMaxEventSize sets the largest event's data kept, in bytes (default 16
// MiB). A larger event is read to its end without keeping it, skipped and
// reported (an EventError), and its id is honoured, so the stream goes on
// after it and a reconnection does not ask for it again.
func WithMaxEventSize(n int) Option { return func(o *config) { o.maxEvent = n } }

// WithConnectTimeout bounds the wait for a response to each connection
// (default 30s; 0: no bound). A backend that accepts and never answers is
// given up with ErrTimeout, and the source retries after its backoff.
func WithConnectTimeout(d time.Duration) Option { return func(o *config) { o.connect = d } }

// WithIdleTimeout drops a connection that reads nothing for d, and reconnects
// with Last-Event-ID (default 0: never). Set it above the interval of the
// server's keep-alive comments: without it, a connection that died without a
// word (a lost network path, a proxy that hung) looks live forever while
// events are missed.
func WithIdleTimeout(d time.Duration) Option { return func(o *config) { o.idle = d } }

// OnState sets a function called at every change of state, from the
// source's goroutine.
func OnState(f func(State)) Option { return func(o *config) { o.onState = f } }

// A Source applies a server-sent events stream to a store. Its methods are
// safe for concurrent use.
type Source struct {
	s       *store.Cache
	url     string
	cfg     config
	client  *http.Client // cfg.client, following redirects on the stream's origin only
	state   atomic.Int32
	live    bool // a connection was made before (the source's goroutine only)
	mu      sync.Mutex
	last    string          // the last event id read
	unknown map[string]bool // event types skipped and logged, at most maxUnknown
	applied atomic.Int64
	skipped atomic.Int64
	retry   atomic.Int64 // the server's last retry field, in milliseconds; -1 for none
	cancel  context.CancelFunc
	done    chan struct{}
}

// Connect starts a source reading the stream at rawURL into s. It returns at
// once; the source connects in the background. It fails only for a URL that
// is not http or https, or a closed store.
func Connect(ctx context.Context, s *store.Cache, rawURL string, opts ...Option) (*Source, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("stream: %q is not an http or https URL", rawURL)
	}
	cfg := config{client: http.DefaultClient, initial: 250 * time.Millisecond, max: 10 * time.Second, maxEvent: 16 << 20, connect: 30 * time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	run, cancel := context.WithCancel(ctx)
	src := &Source{s: s, url: rawURL, cfg: cfg, cancel: cancel, done: make(chan struct{})}
	src.retry.Store(-1)
	src.client = origin.New(rawURL, cfg.allow).Client(cfg.client, cfg.header)
	if cfg.connect > 0 || cfg.idle > 0 {
		base := src.client.Transport
		if base == nil {
			base = http.DefaultTransport
		}
		src.client.Transport = &watchdog{base: base, connect: cfg.connect, idle: cfg.idle}
	}
	if !s.Go(func(storeCtx context.Context) {
		defer close(src.done)
		stop := context.AfterFunc(storeCtx, cancel)
		defer stop()
		src.run(run)
	}) {
		cancel()
		return nil, store.ErrClosed
	}
	return src, nil
}

// State returns the source's state now.
func (src *Source) State() State { return State(src.state.Load()) }

// LastEventID returns the id of the last event read, which a reconnection
// sends as Last-Event-ID.
func (src *Source) LastEventID() string {
	src.mu.Lock()
	defer src.mu.Unlock()
	return src.last
}

// Applied returns how many events were applied; Skipped how many were
// reported and skipped.
func (src *Source) Applied() int64 { return src.applied.Load() }

// Skipped returns how many events were reported and skipped.
func (src *Source) Skipped() int64 { return src.skipped.Load() }

// Close stops the source and waits for its goroutine to end.
func (src *Source) Close() error {
	src.cancel()
	<-src.done
	return nil
}

func (src *Source) setState(st State) {
	if State(src.state.Swap(int32(st))) == st {
		return
	}
	src.s.Logger().Info("stream: "+st.String(), "url", src.url)
	if src.cfg.onState != nil {
		src.cfg.onState(st)
	}
}

// run connects until ctx is done, and reconnects after every drop or
// refused connection with Last-Event-ID: after a backoff that starts at the
// initial wait (or the server's retry, clamped to WithBackoff's bounds),
// grows 1.5x with jitter while connections fail, and starts over after a
// connection that went live.
func (src *Source) run(ctx context.Context) {
	defer src.setState(Closed)
	wait := src.cfg.initial
	for ctx.Err() == nil {
		live, err := src.connect(ctx)
		if ctx.Err() != nil {
			return
		}
		src.setState(Retrying)
		src.s.ReportError(fmt.Errorf("stream: %s: %w", src.url, err))
		if live {
			wait = src.base()
		}
		t := time.NewTimer(src.jitter(wait))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
		wait = min(wait*3/2, src.cfg.max)
	}
}

// base is the first wait of a backoff: the server's retry when it sent
// one, clamped to WithBackoff's bounds, else the initial wait.
func (src *Source) base() time.Duration {
	ms := src.retry.Load()
	if ms < 0 {
		return src.cfg.initial
	}
	return min(max(time.Duration(ms)*time.Millisecond, src.cfg.initial), src.cfg.max)
}

// jitter spreads a wait over half to one and a half of it, within
// WithBackoff's bounds.
func (src *Source) jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	d = d/2 + rand.N(d)
	return min(max(d, src.cfg.initial), src.cfg.max)
}

// connect makes one connection and reads it to its end. live reports that
// the server accepted it.
func (src *Source) connect(ctx context.Context) (live bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src.url, nil)
	if err != nil {
		return false, err
	}
	for k, v := range src.cfg.header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Cache-Control", "no-cache")
	last := src.LastEventID()
	if last != "" {
		req.Header.Set("Last-Event-ID", last)
	}
	res, err := src.client.Do(req)
	if err != nil {
		return false, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return false, fmt.Errorf("status %s", res.Status)
	}
	if ct, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type")); ct != "text/event-stream" {
		return false, fmt.Errorf("content type %q, not text/event-stream", res.Header.Get("Content-Type"))
	}
	src.setState(Live)
	if src.live && src.cfg.noReplay {
		src.gap()
		src.s.ReportError(fmt.Errorf("stream: %s: reconnected to a server that does not replay: %w", src.url, ErrGap))
	}
	src.live = true
	p := newParser(res.Body, src.cfg.maxEvent, last)
	for {
		b, err := p.next()
		if p.retry >= 0 {
			src.retry.Store(p.retry)
		}
		if err != nil {
			if ctx.Err() != nil {
				return true, ctx.Err()
			}
			return true, fmt.Errorf("connection to server lost: %w", err)
		}
		src.block(b)
	}
}

// maxUnknown bounds the event types a source remembers having logged: a
// server that names a new type per event is logged for the first ones only.
const maxUnknown = 64

// firstOfType reports whether an unknown event type is seen for the first
// time, so that a chatty server is logged once per type, not per event.
func (src *Source) firstOfType(typ string) bool {
	src.mu.Lock()
	defer src.mu.Unlock()
	if src.unknown[typ] || len(src.unknown) >= maxUnknown {
		return false
	}
	if src.unknown == nil {
		src.unknown = map[string]bool{}
	}
	src.unknown[typ] = true
	return true
}

// gap marks every type of the store stale: events were missed, and the
// records they would have changed cannot be told from the others.
func (src *Source) gap() {
	for _, m := range src.s.Registry().Models() {
		_ = src.s.InvalidateType(m.Name) // registered: cannot fail
	}
}

// block takes one block of the stream: an event is applied, whole or not
// at all, and the last event id becomes the block's, event or not.
func (src *Source) block(b block) {
	if b.event {
		src.handle(b)
	}
	src.mu.Lock()
	src.last = b.id
	src.mu.Unlock()
}

// handle applies one event, whole or not at all.
func (src *Source) handle(e block) {
	var err error
	switch {
	case e.oversize > 0:
		err = fmt.Errorf("%w: %d bytes", errTooLarge, e.oversize)
	case e.typ == "operations":
		err = src.s.From(store.OriginStream).ApplyPayload([]byte(e.data))
	case e.typ == "" || e.typ == "message" || e.typ == "document":
		err = src.s.From(store.OriginStream).PushPayload("", []byte(e.data))
	case e.typ == "reset":
		src.gap()
		err = ErrGap
	default:
		if src.firstOfType(e.typ) {
			src.s.Logger().Warn("stream: events of an unknown type are skipped", "url", src.url, "type", e.typ, "id", e.id)
		}
	}
	switch {
	case err != nil:
		src.skipped.Add(1)
		src.s.ReportError(&EventError{ID: e.id, Type: e.typ, Err: err})
	case e.typ == "operations" || e.typ == "" || e.typ == "message" || e.typ == "document":
		src.applied.Add(1)
	default:
		src.skipped.Add(1)
	}
}
