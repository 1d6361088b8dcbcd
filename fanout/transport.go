package fanout

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// A Transport carries messages between the instances of a service: one
// channel of a broker (a NATS subject, a Redis pub/sub channel) that every
// instance publishes to and subscribes to. Package natsfanout and package
// redisfanout implement it; LocalBroker does in one process.
//
// A Transport need not keep messages for subscribers that are away, nor
// deliver each exactly once: a Node detects what was missed by its sequence
// numbers. It must deliver one publisher's messages in the order they were
// published, and say when it may have lost some.
type Transport interface {
	// Publish sends msg to every subscriber of the channel, the publisher's
	// own subscription included or not. It must return by the time ctx is
	// done, and may fail at once while the broker is unreachable. msg is not
	// used after Publish returns.
	Publish(ctx context.Context, msg []byte) error
	// Subscribe starts delivering the channel's messages to deliver, one at a
	// time, in the order the broker has them; it returns once the
	// subscription is in place. deliver must not keep msg after it returns.
	// lost is called whenever messages may have been missed: the connection
	// dropped, it was made again, the broker dropped messages for a slow
	// reader. Subscribe is called once.
	Subscribe(deliver func(msg []byte), lost func(err error)) error
	// Close ends the subscription, and the connection if the Transport made
	// it. Neither deliver nor lost is called after Close returns.
	Close() error
}

// ErrClosed is returned by a Transport used after Close.
var ErrClosed = errors.New("fanout: transport closed")

// A LocalBroker carries messages between the nodes of one process: tests,
// examples, and several stores in one program. Each transport it makes has
// its own bounded queue and goroutine, so a slow node never blocks another;
// a full queue drops the message and tells its node it lost some, as a
// broker does with a slow consumer. A LocalBroker is safe for concurrent use.
type LocalBroker struct {
	mu   sync.Mutex
	subs []*localTransport
	drop int // messages still to drop, for tests of loss
}

// NewLocalBroker returns a broker with no transports.
func NewLocalBroker() *LocalBroker { return &LocalBroker{} }

// localQueue is how many messages a local transport holds for its node.
const localQueue = 1024

// Transport returns a new transport on the broker.
func (b *LocalBroker) Transport() Transport {
	return &localTransport{b: b, q: make(chan []byte, localQueue), done: make(chan struct{})}
}

// Drop makes the broker lose the next n messages published, silently, as a
// broker that restarts between a publish and its delivery does.
func (b *LocalBroker) Drop(n int) {
	b.mu.Lock()
	b.drop += n
	b.mu.Unlock()
}

// Interrupt tells every transport's node that messages may have been lost,
// as a reconnect does.
func (b *LocalBroker) Interrupt() {
	b.mu.Lock()
	subs := append([]*localTransport(nil), b.subs...)
	b.mu.Unlock()
	for _, t := range subs {
		t.interrupt(errInterrupted)
	}
}

var (
	errInterrupted = errors.New("fanout: local broker interrupted")
	errOverflow    = errors.New("fanout: local queue full; messages dropped")
)

type localTransport struct {
	b       *LocalBroker
	q       chan []byte
	done    chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex // held while calling lost, and to close
	closed  bool
	started bool
	// overflowed: a message was dropped for a full queue
	overflowed atomic.Bool
	lost       func(error)
}

func (t *localTransport) Publish(ctx context.Context, msg []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t.mu.Lock()
	closed := t.closed
	t.mu.Unlock()
	if closed {
		return ErrClosed
	}
	b := t.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drop > 0 {
		b.drop--
		return nil
	}
	for _, s := range b.subs {
		select {
		case s.q <- append([]byte(nil), msg...):
		default:
			s.overflowed.Store(true) // its goroutine tells its node
		}
	}
	return nil
}

func (t *localTransport) Subscribe(deliver func([]byte), lost func(error)) error {
	t.mu.Lock()
	if t.closed || t.started {
		t.mu.Unlock()
		return ErrClosed
	}
	t.started, t.lost = true, lost
	t.mu.Unlock()
	t.b.mu.Lock()
	t.b.subs = append(t.b.subs, t)
	t.b.mu.Unlock()
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		for {
			select {
			case msg := <-t.q:
				if t.overflowed.Swap(false) {
					t.interrupt(errOverflow)
				}
				deliver(msg)
			case <-t.done:
				return
			}
		}
	}()
	return nil
}

func (t *localTransport) interrupt(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.closed && t.lost != nil {
		t.lost(err)
	}
}

func (t *localTransport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	t.mu.Unlock()
	b := t.b
	b.mu.Lock()
	for i, s := range b.subs {
		if s == t {
			b.subs = append(b.subs[:i:i], b.subs[i+1:]...)
			break
		}
	}
	b.mu.Unlock()
	close(t.done)
	t.wg.Wait()
	return nil
}
