// Package natsfanout is a fanout.Transport over NATS core pub/sub
// (github.com/nats-io/nats.go): every instance publishes to one subject and
// subscribes to it.
//
// NATS core delivers at most once and keeps nothing for a subscriber that is
// away; the node's sequence numbers detect what was missed. The transport
// reports a loss when the connection drops, when it is made again, and when
// the client drops messages for a slow subscriber.
package natsfanout

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go"

	"github.com/larder-go/larder/fanout"
)

// DefaultSubject is the subject New uses when given "".
const DefaultSubject = "larder.changes"

// A Transport publishes to and subscribes to one NATS subject.
type Transport struct {
	nc      *nats.Conn
	subject string
	owned   bool // Dial made nc: Close closes it

	mu      sync.RWMutex // held to deliver; taken whole to close
	closed  bool
	sub     *nats.Subscription
	status  chan nats.Status
	subStat <-chan nats.SubStatus
	wg      sync.WaitGroup
}

// New returns a transport on subject over nc, which stays the caller's:
// Close leaves it open.
func New(nc *nats.Conn, subject string) *Transport {
	if subject == "" {
		subject = DefaultSubject
	}
	return &Transport{nc: nc, subject: subject}
}

// Dial connects to the NATS server at url (nats.DefaultURL for "") and
// returns a transport on subject that owns the connection. It reconnects
// for ever, as a service should; opts may say otherwise.
func Dial(url, subject string, opts ...nats.Option) (*Transport, error) {
	if url == "" {
		url = nats.DefaultURL
	}
	opts = append([]nats.Option{nats.MaxReconnects(-1), nats.Name("larder fanout")}, opts...)
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, fmt.Errorf("natsfanout: %w", err)
	}
	t := New(nc, subject)
	t.owned = true
	return t, nil
}

// Publish sends msg on the subject. While the client reconnects it buffers
// the message (up to its reconnect buffer), as nats.go does.
func (t *Transport) Publish(ctx context.Context, msg []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t.mu.RLock()
	closed := t.closed
	t.mu.RUnlock()
	if closed {
		return fanout.ErrClosed
	}
	return t.nc.Publish(t.subject, msg)
}

// errDisconnected and errReconnected are what lost receives.
var (
	errDisconnected = errors.New("natsfanout: disconnected")
	errReconnected  = errors.New("natsfanout: reconnected")
	errSlowConsumer = errors.New("natsfanout: slow consumer, messages dropped")
)

// Subscribe subscribes to the subject and returns once the server has the
// subscription.
func (t *Transport) Subscribe(deliver func([]byte), lost func(error)) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed || t.sub != nil {
		return fanout.ErrClosed
	}
	sub, err := t.nc.Subscribe(t.subject, func(m *nats.Msg) {
		t.mu.RLock()
		defer t.mu.RUnlock()
		if !t.closed {
			deliver(m.Data)
		}
	})
	if err != nil {
		return fmt.Errorf("natsfanout: subscribe %q: %w", t.subject, err)
	}
	if err := t.nc.Flush(); err != nil {
		_ = sub.Unsubscribe()
		return fmt.Errorf("natsfanout: subscribe %q: %w", t.subject, err)
	}
	t.sub = sub
	t.status = t.nc.StatusChanged(nats.DISCONNECTED, nats.CONNECTED)
	t.subStat = sub.StatusChanged(nats.SubscriptionSlowConsumer)
	t.wg.Add(1)
	go t.watch(lost)
	return nil
}

// watch turns connection and subscription events into lost.
func (t *Transport) watch(lost func(error)) {
	defer t.wg.Done()
	report := func(err error) {
		t.mu.RLock()
		defer t.mu.RUnlock()
		if !t.closed {
			lost(err)
		}
	}
	for {
		select {
		case st, ok := <-t.status:
			if !ok {
				return
			}
			switch st {
			case nats.DISCONNECTED:
				report(errDisconnected)
			case nats.CONNECTED:
				report(errReconnected)
			}
		case st, ok := <-t.subStat:
			if !ok {
				t.subStat = nil // the subscription closed
				continue
			}
			if st == nats.SubscriptionSlowConsumer {
				report(errSlowConsumer)
			}
		}
	}
}

// Close unsubscribes, and closes the connection if Dial made it.
func (t *Transport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	sub, status := t.sub, t.status
	t.mu.Unlock()
	var err error
	if sub != nil {
		err = sub.Unsubscribe()
		if errors.Is(err, nats.ErrConnectionClosed) || errors.Is(err, nats.ErrBadSubscription) {
			err = nil
		}
		t.nc.RemoveStatusListener(status) // closes status: watch returns
		t.wg.Wait()
	}
	if t.owned {
		t.nc.Close()
	}
	return err
}
