package flight

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
)

// ErrNotStarted is returned when the Group's Spawn function refused to start
// the call (the owner is shutting down).
var ErrNotStarted = errors.New("flight: call not started")

// A PanicError is a panic recovered from a call.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// A Group runs at most one call per key at a time. The zero value is ready to
// use; a Group must not be copied after first use. It is safe for concurrent use
// by multiple goroutines.
type Group[K comparable, V any] struct {
	// Spawn starts f in a new goroutine and reports whether it did. Nil means
	// a plain go statement. The store sets it so that it can count (and wait
	// for) the goroutines a Group starts.
	Spawn func(f func()) bool

	mu    sync.Mutex
	calls map[K]*call[V] // guarded by mu
}

type call[V any] struct {
	done    chan struct{} // closed when val and err are set
	val     V
	err     error
	waiters int // guarded by Group.mu
	cancel  context.CancelFunc
}

// Do returns the result of fn for key, starting fn in a new goroutine unless a
// call for key is already under way, in which case it waits for that one.
// joined reports whether it did: the caller joined a call another started.
//
// fn runs under a context that carries ctx's values (not its deadline or
// cancellation) and that is cancelled when parent ends or when every caller
// waiting for the call has left. A caller whose ctx ends leaves at once with
// ctx.Err(); the call goes on for the others.
func (g *Group[K, V]) Do(ctx, parent context.Context, key K, fn func(context.Context) (V, error)) (v V, err error, joined bool) {
	g.mu.Lock()
	if g.calls == nil {
		g.calls = map[K]*call[V]{}
	}
	c, ok := g.calls[key]
	if ok {
		c.waiters++
		g.mu.Unlock()
		return g.wait(ctx, key, c, true)
	}
	cctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(parent, cancel)
	c = &call[V]{done: make(chan struct{}), waiters: 1, cancel: cancel}
	g.calls[key] = c
	g.mu.Unlock()

	// finish releases the call's context, forgets it and wakes its waiters.
	finish := func() {
		stop()
		cancel()
		g.mu.Lock()
		if g.calls[key] == c {
			delete(g.calls, key)
		}
		g.mu.Unlock()
		close(c.done)
	}
	run := func() {
		defer func() {
			if r := recover(); r != nil {
				c.err = &PanicError{Value: r, Stack: debug.Stack()}
			}
			finish()
		}()
		c.val, c.err = fn(cctx)
	}
	spawn := g.Spawn
	if spawn == nil {
		spawn = func(f func()) bool { go f(); return true }
	}
	if !spawn(run) {
		c.err = ErrNotStarted
		finish()
	}
	return g.wait(ctx, key, c, false)
}

func (g *Group[K, V]) wait(ctx context.Context, key K, c *call[V], joined bool) (V, error, bool) {
	select {
	case <-c.done:
		return c.val, c.err, joined
	case <-ctx.Done():
	}
	g.mu.Lock()
	c.waiters--
	last := c.waiters == 0
	if last && g.calls[key] == c {
		// Nobody waits any more: forget the call so a new caller starts afresh,
		// and cancel it.
		delete(g.calls, key)
	}
	g.mu.Unlock()
	if last {
		c.cancel()
	}
	var zero V
	return zero, ctx.Err(), joined
}

// InFlight reports the number of calls under way.
func (g *Group[K, V]) InFlight() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.calls)
}
