package fanout

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/store"
)

// A Mode says how a type's changes travel between instances.
type Mode uint8

const (
	// Replicate sends the changed fields and relationship operations, so
	// that peers update the records they hold without a request.
	Replicate Mode = iota + 1
	// Invalidate sends identifiers only; peers mark those records stale and
	// reload them on their next find. For large records, and for records
	// whose values must not cross the broker.
	Invalidate
	// Off keeps the type's changes to the instance.
	Off
)

func (m Mode) String() string {
	switch m {
	case Replicate:
		return "replicate"
	case Invalidate:
		return "invalidate"
	case Off:
		return "off"
	}
	return fmt.Sprintf("Mode(%d)", m)
}

// Defaults.
const (
	DefaultMaxMessageSize = 256 << 10
	DefaultHeartbeat      = 2 * time.Second
	DefaultPublishTimeout = 2 * time.Second
	DefaultBuffer         = 4096
)

// An Option configures a Node.
type Option func(*config)

type config struct {
	instance  string
	modes     map[string]Mode
	fallback  Mode
	maxSize   int
	heartbeat time.Duration
	timeout   time.Duration
	buffer    int
}

// WithInstanceID sets the node's instance id (default: 16 random hex
// digits). Each instance needs its own; messages carrying a node's own id are
// its echo and are ignored.
func WithInstanceID(id string) Option { return func(c *config) { c.instance = id } }

// WithMode sets the mode of one type, by its type name ("album").
func WithMode(typ string, m Mode) Option {
	return func(c *config) {
		if c.modes == nil {
			c.modes = map[string]Mode{}
		}
		c.modes[typ] = m
	}
}

// WithDefaultMode sets the mode of the types WithMode does not name (default
// Replicate).
func WithDefaultMode(m Mode) Option { return func(c *config) { c.fallback = m } }

// WithMaxMessageSize bounds a message, in bytes (default 256 KiB): a commit
// whose changes encode larger goes out as invalidation of its records, or of
// its types if even that is larger, and a larger message received is refused.
func WithMaxMessageSize(n int) Option { return func(c *config) { c.maxSize = n } }

// WithHeartbeat sets how often an idle node says where its sequence stands
// (default 2s), so that peers detect lost messages within that time; 0 turns
// heartbeats off.
func WithHeartbeat(d time.Duration) Option { return func(c *config) { c.heartbeat = d } }

// WithPublishTimeout bounds each publish (default 2s).
func WithPublishTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithBuffer sets how many commits wait to be published before the node
// drops them for an invalidation of every type (default 4096).
func WithBuffer(n int) Option { return func(c *config) { c.buffer = n } }

// A Node is one store's part in fan-out: it publishes the store's commits
// that came from its own adapter or program, and applies what the other
// nodes publish. Its methods are safe for concurrent use.
type Node struct {
	s     *store.Cache
	t     Transport
	cfg   config
	modes map[string]Mode // every registered type's mode
	sub   *store.Subscription

	cancel    context.CancelFunc
	stopAfter func() bool // stops the parent context's AfterFunc
	wg        sync.WaitGroup
	once      sync.Once

	// Publishing: one message at a time, in sequence order.
	pubMu   sync.Mutex
	seq     uint64
	counts  map[string]uint64
	failing bool // the last publish failed: report again only after one succeeds
	lastPub time.Time

	// Receiving.
	recvMu sync.Mutex
	peers  map[string]*peer
	warned map[string]bool // unknown types already logged

	echo   []byte // how the node's own messages begin
	stats  counters
	done   atomic.Uint64 // the last commit the publisher handled
	closed chan struct{} // closed at Close
	hello  chan struct{} // a new peer said hello
}

// peer is what a node knows of another's sequence.
type peer struct {
	seq    uint64
	counts map[string]uint64
	seen   time.Time
}

// maxPeers bounds the senders a node tracks; the longest silent is
// forgotten first.
const maxPeers = 4096

// Join starts fan-out of s over t and returns its node. The node owns t and
// closes it at Close. It publishes every commit of the store that came from
// its adapter (a load, a save, a query) or its program (Push, Apply), each
// type in its mode, and applies what other nodes publish as the changes of a
// peer (store.OriginPeer), which it never publishes again. Join a store
// before it loads anything: records loaded before Join are not covered by
// the sequence checks of messages sent before it.
//
// The node runs until ctx is done or Close. Join fails for a mode of a type
// the store does not know, or when t cannot subscribe.
func Join(parent context.Context, s *store.Cache, t Transport, opts ...Option) (*Node, error) {
	cfg := config{fallback: Replicate, maxSize: DefaultMaxMessageSize, heartbeat: DefaultHeartbeat, timeout: DefaultPublishTimeout, buffer: DefaultBuffer}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.instance == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		cfg.instance = hex.EncodeToString(b[:])
	}
	cfg.maxSize = max(cfg.maxSize, 1024)
	n := &Node{s: s, t: t, cfg: cfg, modes: map[string]Mode{}, counts: map[string]uint64{}, peers: map[string]*peer{}, warned: map[string]bool{}, closed: make(chan struct{}), hello: make(chan struct{}, 1)}
	n.echo = appendHeader(nil, cfg.instance, 0, false, nil)
	n.echo = n.echo[:bytes.Index(n.echo, []byte(`,"seq":`))+len(`,"seq":`)]
	for _, m := range s.Registry().Models() {
		n.modes[m.Name] = cfg.fallback
	}
	for typ, m := range cfg.modes {
		if _, ok := n.modes[typ]; !ok {
			return nil, fmt.Errorf("fanout: mode for %q: %w", typ, store.ErrUnknownType)
		}
		n.modes[typ] = m
	}
	ctx, cancel := context.WithCancel(parent)
	n.cancel = cancel
	n.sub = s.Subscribe(ctx, store.WithBuffer(cfg.buffer))
	n.done.Store(s.Version()) // commits before Subscribe are not the node's
	if err := t.Subscribe(n.receive, n.lost); err != nil {
		n.cancel()
		n.sub.Close()
		return nil, fmt.Errorf("fanout: subscribe: %w", err)
	}
	// A first heartbeat makes the node known to its peers at sequence 0, so
	// that the loss of its first message is a gap they see.
	n.pubMu.Lock()
	n.send(ctx, append(appendHeader(nil, n.cfg.instance, 0, true, n.counts), `,"hello":true}`...), false)
	n.pubMu.Unlock()
	n.wg.Add(1)
	go n.publishLoop(ctx)
	n.wg.Add(1)
	go n.heartbeatLoop(ctx)
	n.stopAfter = context.AfterFunc(parent, func() { n.Close() })
	return n, nil
}

// Instance returns the node's instance id.
func (n *Node) Instance() string { return n.cfg.instance }

// Mode returns the mode of a type ("album"), or Off for a type the store
// does not know.
func (n *Node) Mode(typ string) Mode {
	if m, ok := n.modes[typ]; ok {
		return m
	}
	return Off
}

// Close stops the node: it publishes nothing more, closes the transport and
// waits for its goroutines. Changes not yet published are dropped (peers
// detect the gap). The store stays as it is. Close is idempotent.
func (n *Node) Close() error {
	var err error
	n.once.Do(func() {
		n.stopAfter()
		n.cancel()
		close(n.closed)
		n.sub.Close()
		n.wg.Wait()
		err = n.t.Close()
	})
	return err
}

// Publishing.

func (n *Node) publishLoop(ctx context.Context) {
	defer n.wg.Done()
	for {
		cs, err := n.sub.Next(ctx)
		if err != nil {
			return
		}
		switch {
		case cs.Missed:
			n.stats.overflows.Add(1)
			n.publish(ctx, n.invalidateAll())
		case cs.Origin == store.OriginAdapter || cs.Origin == store.OriginProgram:
			if b := n.bodyOf(cs); b != nil {
				n.publish(ctx, b)
			}
		}
		if cs.Seq > n.done.Load() {
			n.done.Store(cs.Seq) // the publisher alone stores, but Join set a start
		}
	}
}

// Flush waits until every commit the store made before the call has been
// published (or found to have nothing to publish), or ctx is done.
func (n *Node) Flush(ctx context.Context) error {
	want := n.s.Version()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for n.done.Load() < want {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-n.closed:
			return ErrClosed
		case <-tick.C:
		}
	}
	return nil
}

// invalidateAll is the body that marks every type that travels stale: what
// a node sends when it lost track of what it should have sent.
func (n *Node) invalidateAll() *body {
	types := n.traveling(nil)
	return &body{types: types, invalidate: invalidation{Types: types}}
}

// bodyOf turns a change set into a message body, each type in its mode, or
// nil when nothing of it travels.
func (n *Node) bodyOf(cs store.ChangeSet) *body {
	ops, stale, err := cs.RemoteOperations()
	if err != nil {
		// A value that does not encode: its records go out as invalidation.
		n.report(&Error{Instance: n.cfg.instance, Err: err})
		var recs []store.Identifier
		for c := range cs.All() {
			if c.Record.ID != "" {
				recs = append(recs, c.Record)
			}
		}
		return n.invalidation(recs)
	}
	if cs.Origin == store.OriginAdapter && !isSave(cs) {
		return n.invalidation(loadedBefore(cs, ops, stale))
	}
	b := &body{}
	keep, invalid := byMode(ops, n.Mode)
	for i := range keep {
		b.recs = appendUnique(b.recs, opRecord(&keep[i]))
	}
	for _, y := range invalid {
		b.invalidate.Records = appendUnique(b.invalidate.Records, y)
	}
	for _, y := range stale {
		if n.Mode(y.Type) != Off {
			b.invalidate.Records = appendUnique(b.invalidate.Records, y)
		}
	}
	if len(keep) == 0 && len(b.invalidate.Records) == 0 {
		return nil
	}
	if len(keep) > 0 {
		raw, err := jsonapi.EncodeOperations(store.WireOperations(keep))
		if err != nil {
			n.report(&Error{Instance: n.cfg.instance, Err: err})
			return n.invalidation(append(b.recs, b.invalidate.Records...))
		}
		b.ops = raw[len(`{"atomic:operations":`) : len(raw)-1]
	}
	for _, op := range keep {
		b.types = appendUniqueString(b.types, opType(&op))
	}
	for _, y := range b.invalidate.Records {
		b.types = appendUniqueString(b.types, y.Type)
	}
	slices.Sort(b.types)
	return b
}

// isSave reports whether a commit is a save's: its record's new remote
// state is what this instance wrote, and its values may travel.
func isSave(cs store.ChangeSet) bool {
	for c := range cs.All() {
		if c.Kind == store.ChangeSaved {
			return true
		}
	}
	return false
}

// loadedBefore returns the records a load changed that the store held
// before it. A load's values are a read of the server at some moment, which
// may reach a peer after a newer write did; sent as values they could put an
// older value back, so a load travels as invalidation, and only for records
// whose data it changed (a record loaded for the first time tells peers
// nothing).
func loadedBefore(cs store.ChangeSet, ops []store.Operation, stale []store.Identifier) []store.Identifier {
	var recs []store.Identifier
	for i := range ops {
		y := opRecord(&ops[i])
		if c, ok := cs.Find(y.Type, y.ID); ok && c.Kind == store.ChangeLoaded {
			continue
		}
		recs = appendUnique(recs, y)
	}
	for _, y := range stale {
		recs = appendUnique(recs, y)
	}
	return recs
}

// byMode splits operations by their type's mode: those to apply
// (Replicate), and the records of those to invalidate (Invalidate); those
// of types that are Off are dropped.
func byMode(ops []store.Operation, mode func(typ string) Mode) (apply []store.Operation, invalidate []store.Identifier) {
	for i := range ops {
		op := &ops[i]
		switch mode(opType(op)) {
		case Replicate:
			apply = append(apply, *op)
		case Invalidate:
			invalidate = append(invalidate, opRecord(op))
		}
	}
	return apply, invalidate
}

// invalidation is the body that marks records stale.
func (n *Node) invalidation(recs []store.Identifier) *body {
	b := &body{}
	for _, y := range recs {
		if n.Mode(y.Type) == Off {
			continue
		}
		b.invalidate.Records = appendUnique(b.invalidate.Records, y)
		b.types = appendUniqueString(b.types, y.Type)
	}
	if len(b.types) == 0 {
		return nil
	}
	slices.Sort(b.types)
	return b
}

func appendUnique(ys []store.Identifier, y store.Identifier) []store.Identifier {
	if slices.Contains(ys, y) {
		return ys
	}
	return append(ys, y)
}

func appendUniqueString(ss []string, s string) []string {
	if slices.Contains(ss, s) {
		return ss
	}
	return append(ss, s)
}

// publish sends one message: the body under the next sequence number. A body
// too large goes as invalidation of its records, then of its types. A failed
// publish still uses its number, so that peers see the gap.
func (n *Node) publish(ctx context.Context, b *body) {
	if b == nil {
		return
	}
	raw, err := b.encode()
	if err == nil && len(raw)+headerRoom(len(n.modes)) > n.cfg.maxSize && b.ops != nil {
		n.stats.oversize.Add(1)
		recs := b.invalidate.Records
		for _, y := range b.recs {
			recs = appendUnique(recs, y)
		}
		b = &body{types: b.types, invalidate: invalidation{Types: b.invalidate.Types, Records: recs}}
		raw, err = b.encode()
	}
	if err == nil && len(raw)+headerRoom(len(n.modes)) > n.cfg.maxSize {
		b = &body{types: b.types, invalidate: invalidation{Types: b.types}}
		raw, err = b.encode()
	}
	if err != nil {
		n.report(&Error{Instance: n.cfg.instance, Err: err})
		return
	}
	n.pubMu.Lock()
	defer n.pubMu.Unlock()
	n.seq++
	for _, t := range b.types {
		n.counts[t]++
	}
	msg := appendHeader(make([]byte, 0, len(raw)+128+32*len(n.counts)), n.cfg.instance, n.seq, false, n.counts)
	msg = append(append(msg, raw...), '}')
	n.send(ctx, msg, true)
}

// headerRoom is a bound on a header's size with counts of n types.
func headerRoom(types int) int { return 128 + 64*types }

// send publishes msg, counting it in Published when count is set; the
// caller holds pubMu.
func (n *Node) send(ctx context.Context, msg []byte, count bool) {
	pctx, cancel := context.WithTimeout(ctx, n.cfg.timeout)
	err := n.t.Publish(pctx, msg)
	cancel()
	n.lastPub = time.Now()
	if err != nil {
		n.stats.publishErrors.Add(1)
		if !n.failing && ctx.Err() == nil {
			n.failing = true
			n.report(&Error{Instance: n.cfg.instance, Seq: n.seq, Err: fmt.Errorf("%w: %w", ErrPublish, err)})
		}
		return
	}
	if count {
		n.stats.published.Add(1)
		n.stats.bytes.Add(uint64(len(msg)))
	}
	if n.failing {
		n.failing = false
		n.s.Logger().Info("fanout: publishing again", "instance", n.cfg.instance, "seq", n.seq)
	}
}

// heartbeatLoop sends heartbeats every period, and one at once when a new
// peer says hello, so that it knows where this node's sequence stands.
func (n *Node) heartbeatLoop(ctx context.Context) {
	defer n.wg.Done()
	var tick <-chan time.Time
	if n.cfg.heartbeat > 0 {
		t := time.NewTicker(n.cfg.heartbeat)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-n.hello:
			n.beat(ctx, time.Now(), true)
		case now := <-tick:
			n.beat(ctx, now, false)
			n.forget(now)
		}
	}
}

// beat publishes a heartbeat: forced, or when something was sent and nothing
// went out within the period.
func (n *Node) beat(ctx context.Context, now time.Time, force bool) {
	n.pubMu.Lock()
	defer n.pubMu.Unlock()
	if !force && (n.seq == 0 || now.Sub(n.lastPub) < n.cfg.heartbeat) {
		return // nothing sent yet: nothing a peer could miss
	}
	msg := append(appendHeader(nil, n.cfg.instance, n.seq, true, n.counts), '}')
	n.stats.heartbeats.Add(1)
	n.send(ctx, msg, true)
}

// forget drops the peers silent for long: instances that left.
func (n *Node) forget(now time.Time) {
	n.recvMu.Lock()
	defer n.recvMu.Unlock()
	for id, p := range n.peers {
		if now.Sub(p.seen) > 100*n.cfg.heartbeat {
			delete(n.peers, id)
		}
	}
}

// Receiving.

// receive handles one message from the transport.
func (n *Node) receive(raw []byte) {
	n.stats.received.Add(1)
	if len(raw) > n.cfg.maxSize {
		n.malformed(nil, fmt.Errorf("%w: %d bytes, more than %d", ErrMalformed, len(raw), n.cfg.maxSize))
		return
	}
	if bytes.HasPrefix(raw, n.echo) {
		// The node's own message, as it writes it: not decoded at all.
		n.stats.echoes.Add(1)
		return
	}
	m, err := decodeHeader(raw)
	if err != nil {
		n.malformed(nil, err)
		return
	}
	if m.From == n.cfg.instance {
		n.stats.echoes.Add(1)
		return
	}
	if m.Hello {
		select { // a new peer: tell it where this node stands
		case n.hello <- struct{}{}:
		default:
		}
	}
	n.recvMu.Lock()
	defer n.recvMu.Unlock()
	gaps, fresh := n.track(m)
	if !fresh {
		n.stats.duplicates.Add(1)
		return
	}
	if len(gaps) > 0 {
		n.stats.gaps.Add(1)
		n.invalidateTypes(gaps)
		n.report(&Error{Instance: m.From, Seq: m.Seq, Types: gaps, Err: ErrGap})
	}
	if m.Beat {
		return
	}
	ops, err := m.operations()
	if err != nil {
		n.malformed(m, err)
		return
	}
	if err := n.apply(m, ops); err != nil {
		n.malformed(m, err)
		return
	}
	n.stats.applied.Add(1)
}

// track checks m against what the node saw of its sender, and returns the
// types it missed messages of, and false for a message it saw already. The
// caller holds recvMu.
func (n *Node) track(m *message) (gaps []string, fresh bool) {
	p := n.peers[m.From]
	if p == nil {
		if len(n.peers) >= maxPeers {
			n.forgetOldest()
		}
		n.peers[m.From] = &peer{seq: m.Seq, counts: m.Counts, seen: time.Now()}
		return nil, true
	}
	p.seen = time.Now()
	if m.Seq < p.seq || m.Seq == p.seq && !m.Beat {
		return nil, false
	}
	for typ, c := range m.Counts {
		want := p.counts[typ]
		if !m.Beat && slices.Contains(m.Types, typ) {
			want++
		}
		if c > want && n.Mode(typ) != Off {
			gaps = append(gaps, typ)
		}
	}
	slices.Sort(gaps)
	p.seq, p.counts = m.Seq, m.Counts
	return gaps, true
}

func (n *Node) forgetOldest() {
	var oldest string
	var at time.Time
	for id, p := range n.peers {
		if oldest == "" || p.seen.Before(at) {
			oldest, at = id, p.seen
		}
	}
	delete(n.peers, oldest)
}

// apply applies a message's operations and invalidations, each type in this
// node's mode: a type this node does not know is skipped and logged once.
func (n *Node) apply(m *message, ops []store.Operation) error {
	keep, stale := byMode(ops, n.modeOf)
	if inv := m.Invalidate; inv != nil {
		for _, y := range inv.Records {
			if n.modeOf(y.Type) != Off {
				stale = append(stale, y)
			}
		}
		var types []string
		for _, t := range inv.Types {
			if n.modeOf(t) != Off {
				types = append(types, t)
			}
		}
		n.invalidateTypes(types)
	}
	if len(keep) > 0 {
		if err := n.s.From(store.OriginPeer).Apply(keep...); err != nil {
			return err
		}
	}
	if len(stale) > 0 {
		n.s.Invalidate(stale...)
		n.stats.recordsInvalidated.Add(uint64(len(stale)))
	}
	return nil
}

// modeOf is Mode, logging once a type the store does not know: an instance
// running another version of the models, in the middle of a deploy.
func (n *Node) modeOf(typ string) Mode {
	m, ok := n.modes[typ]
	if !ok {
		if !n.warned[typ] && len(n.warned) < maxTypes {
			n.warned[typ] = true
			n.s.Logger().Warn("fanout: changes of a type this store does not know are skipped", "type", typ)
		}
		return Off
	}
	return m
}

// malformed reports a message that could not be read and invalidates what it
// may have carried: its types when its header was read, else every type.
func (n *Node) malformed(m *message, err error) {
	n.stats.malformed.Add(1)
	types := n.traveling(nil)
	e := &Error{Err: err}
	if m != nil {
		types = n.traveling(m.Types)
		e.Instance, e.Seq = m.From, m.Seq
	}
	n.invalidateTypes(types)
	e.Types = types
	n.report(e)
}

// lost handles the transport's report that messages may have been missed:
// every type that travels is invalidated, and every peer's sequence
// forgotten, as the next message of each starts afresh.
func (n *Node) lost(err error) {
	n.stats.interruptions.Add(1)
	types := n.traveling(nil)
	n.recvMu.Lock()
	clear(n.peers)
	n.recvMu.Unlock()
	n.invalidateTypes(types)
	n.report(&Error{Types: types, Err: fmt.Errorf("%w: %w", ErrInterrupted, err)})
}

// traveling returns the types of ts that travel here, or, for nil, every
// such type, sorted.
func (n *Node) traveling(ts []string) []string {
	var out []string
	if ts == nil {
		for t, m := range n.modes {
			if m != Off {
				out = append(out, t)
			}
		}
	} else {
		for _, t := range ts {
			if m, ok := n.modes[t]; ok && m != Off {
				out = append(out, t)
			}
		}
	}
	slices.Sort(out)
	return out
}

func (n *Node) invalidateTypes(types []string) {
	for _, t := range types {
		if n.s.InvalidateType(t) == nil {
			n.stats.typesInvalidated.Add(1)
		}
	}
}

// report hands an error to the store's logger and error handler.
func (n *Node) report(err error) { n.s.ReportError(err) }

// Errors.

var (
	// ErrGap: messages of a peer were missed (seen by its sequence).
	ErrGap = errors.New("fanout: messages were missed")
	// ErrInterrupted: the transport may have lost messages (a reconnect).
	ErrInterrupted = errors.New("fanout: transport interrupted")
	// ErrPublish: a message could not be published.
	ErrPublish = errors.New("fanout: publish failed")
)

// An Error is what a node reports to the store's logger and error handler:
// what happened (Err: ErrGap, ErrInterrupted, ErrPublish, ErrMalformed, or
// an operation that did not apply), from which instance and message, and
// the types it marked stale for it.
type Error struct {
	Instance string   // the sender, or this node for a publish; "" when unknown
	Seq      uint64   // the message's sequence number, when known
	Types    []string // the types invalidated
	Err      error
}

func (e *Error) Error() string {
	s := e.Err.Error()
	if e.Instance != "" {
		s += fmt.Sprintf(" (instance %s, seq %d)", e.Instance, e.Seq)
	}
	if len(e.Types) > 0 {
		s += fmt.Sprintf("; invalidated %v", e.Types)
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }
