package mailbox

import (
	"context"
	"errors"
	"sync"
)

// ErrClosed is returned by Next once the box is closed and empty.
var ErrClosed = errors.New("mailbox: closed")

// A Box is a bounded queue of values of type T. It is safe for concurrent
// use by any number of writers and readers.
type Box[T any] struct {
	max    int
	notice func(last T) T // the value that stands for those dropped

	mu      sync.Mutex
	buf     []T
	head    int
	missed  bool
	last    T // the notice to return, while missed
	closed  bool
	waiting int           // readers blocked in Next
	ready   chan struct{} // a token when there may be something to read
}

// New returns a box that holds at most bound values (at least 1). When a Put
// finds it full, the box drops what it holds, and Next returns notice(v),
// where v is the last value dropped, before any later value.
func New[T any](bound int, notice func(last T) T) *Box[T] {
	return &Box[T]{max: max(bound, 1), notice: notice, ready: make(chan struct{}, 1)}
}

// Put adds v, or, with the box full, drops what it holds for a notice. It
// never blocks on a reader, and does nothing once the box is closed.
func (b *Box[T]) Put(v T) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	if len(b.buf)-b.head >= b.max {
		clear(b.buf)
		b.buf, b.head = b.buf[:0], 0
		b.missed, b.last = true, b.notice(v)
	} else {
		if b.head > 0 && len(b.buf) == cap(b.buf) {
			n := copy(b.buf, b.buf[b.head:])
			clear(b.buf[n:])
			b.buf, b.head = b.buf[:n], 0
		}
		b.buf = append(b.buf, v)
	}
	waiting := b.waiting > 0
	b.mu.Unlock()
	if waiting {
		b.wake()
	}
}

// Close closes the box and reports whether this call closed it. Values it
// holds are still returned by Next, then ErrClosed.
func (b *Box[T]) Close() bool {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return false
	}
	b.closed = true
	b.mu.Unlock()
	b.wake()
	return true
}

func (b *Box[T]) wake() {
	select {
	case b.ready <- struct{}{}:
	default:
	}
}

// Next returns the next value (or notice), waiting for one until ctx is
// done. Once the box is closed and empty it returns ErrClosed.
func (b *Box[T]) Next(ctx context.Context) (T, error) {
	for {
		b.mu.Lock()
		v, ok, err := b.take()
		if ok {
			// One token wakes one reader: pass it on while others wait and
			// there is more to read, or the box is closed.
			pass := b.waiting > 0 && b.pending()
			b.mu.Unlock()
			if pass {
				b.wake()
			}
			return v, err
		}
		b.waiting++
		b.mu.Unlock()
		select {
		case <-b.ready:
		case <-ctx.Done():
		}
		b.mu.Lock()
		b.waiting--
		err = ctx.Err()
		// A reader leaving for its context may have taken the token meant
		// for another: pass it on.
		pass := err != nil && b.waiting > 0 && b.pending()
		b.mu.Unlock()
		if pass {
			b.wake()
		}
		if err != nil {
			var zero T
			return zero, err
		}
	}
}

// pending reports whether Next would return at once. The caller holds b.mu.
func (b *Box[T]) pending() bool { return b.missed || b.head < len(b.buf) || b.closed }

// take returns what Next returns now, if anything: the notice, the next
// value, or ErrClosed. The caller holds b.mu.
func (b *Box[T]) take() (v T, ok bool, err error) {
	switch {
	case b.missed:
		v, b.missed = b.last, false
		var zero T
		b.last = zero
		return v, true, nil
	case b.head < len(b.buf):
		v = b.buf[b.head]
		var zero T
		b.buf[b.head] = zero
		if b.head++; b.head == len(b.buf) {
			b.buf, b.head = b.buf[:0], 0
		}
		return v, true, nil
	case b.closed:
		return v, true, ErrClosed
	}
	return v, false, nil
}
