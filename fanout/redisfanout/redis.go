// Package redisfanout is a fanout.Transport over Redis pub/sub
// (github.com/redis/go-redis/v9): every instance publishes to one channel
// and subscribes to it.
//
// Redis pub/sub keeps nothing for a subscriber that is away; the node's
// sequence numbers detect what was missed. The transport reports a loss when
// reading the subscription fails and again when go-redis has subscribed anew
// after reconnecting.
package redisfanout

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/larder-go/larder/fanout"
)

// DefaultChannel is the channel New uses when given "".
const DefaultChannel = "larder.changes"

// A Transport publishes to and subscribes to one Redis channel.
type Transport struct {
	rdb     *redis.Client
	channel string
	owned   bool // Dial made rdb: Close closes it

	mu     sync.Mutex
	closed bool
	ps     *redis.PubSub
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns a transport on channel over rdb, which stays the caller's:
// Close leaves it open.
func New(rdb *redis.Client, channel string) *Transport {
	if channel == "" {
		channel = DefaultChannel
	}
	return &Transport{rdb: rdb, channel: channel}
}

// Dial returns a transport on channel with a client of its own for the
// Redis URL ("redis://localhost:6379/0"; see redis.ParseURL).
func Dial(url, channel string) (*Transport, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redisfanout: %w", err)
	}
	t := New(redis.NewClient(opt), channel)
	t.owned = true
	return t, nil
}

// Publish sends msg on the channel: one round trip to Redis, bounded by ctx.
func (t *Transport) Publish(ctx context.Context, msg []byte) error {
	t.mu.Lock()
	closed := t.closed
	t.mu.Unlock()
	if closed {
		return fanout.ErrClosed
	}
	return t.rdb.Publish(ctx, t.channel, msg).Err()
}

var errResubscribed = errors.New("redisfanout: subscribed again after a reconnect")

// Subscribe subscribes to the channel and returns once Redis confirmed it.
func (t *Transport) Subscribe(deliver func([]byte), lost func(error)) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed || t.ps != nil {
		return fanout.ErrClosed
	}
	ctx, cancel := context.WithCancel(context.Background())
	ps := t.rdb.Subscribe(ctx, t.channel)
	wait, stop := context.WithTimeout(ctx, 10*time.Second)
	_, err := ps.Receive(wait) // the confirmation
	stop()
	if err != nil {
		cancel()
		_ = ps.Close()
		return fmt.Errorf("redisfanout: subscribe %q: %w", t.channel, err)
	}
	t.ps, t.cancel = ps, cancel
	t.wg.Add(1)
	go t.read(ctx, ps, deliver, lost)
	return nil
}

// read receives until Close. go-redis reconnects and subscribes again by
// itself on the Receive after a failure; each failure and each new
// subscription is reported as a possible loss.
func (t *Transport) read(ctx context.Context, ps *redis.PubSub, deliver func([]byte), lost func(error)) {
	defer t.wg.Done()
	down := false
	wait := 50 * time.Millisecond
	for {
		msg, err := ps.Receive(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			if !down {
				down = true
				lost(fmt.Errorf("redisfanout: %w", err))
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			wait = min(2*wait, time.Second)
			continue
		}
		wait = 50 * time.Millisecond
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				down = false
				lost(errResubscribed)
			}
		case *redis.Message:
			down = false
			deliver([]byte(m.Payload))
		}
	}
}

// Close ends the subscription, and closes the client if Dial made it.
func (t *Transport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	ps, cancel := t.ps, t.cancel
	t.mu.Unlock()
	var err error
	if ps != nil {
		cancel()
		err = ps.Close()
		t.wg.Wait()
	}
	if t.owned {
		if cerr := t.rdb.Close(); err == nil {
			err = cerr
		}
	}
	return err
}
