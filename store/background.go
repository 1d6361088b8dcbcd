package store

import (
	"bytes"
	"context"
	"runtime"
	"strconv"
	"sync"
)

// background runs the store's own goroutines: bounded in number where asked,
// cancelled by Close, and waited for, so none outlives the store.
//
// Close may be called from one of these goroutines (an error handler, an
// adapter or a serializer that decides to shut the store down). Waiting there
// would wait for itself, so each goroutine the store starts records its id, and
// Close called from one of them cancels everything and returns without waiting;
// a Close from any other goroutine waits for all of them.
type background struct {
	ctx     context.Context
	cancel  context.CancelFunc
	sem     chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex // protects stopped against wg.Add after Wait
	stopped bool
	owned   sync.Map // goroutine id -> struct{}: the store's goroutines now running
}

func (b *background) init(limit int) {
	b.ctx, b.cancel = context.WithCancel(context.Background())
	b.sem = make(chan struct{}, limit)
}

// spawn runs f in a new goroutine the store owns. It reports false, and does
// not run f, once the store is closed.
func (b *background) spawn(f func()) bool {
	if !b.enter() {
		return false
	}
	go func() {
		id := goroutineID()
		b.owned.Store(id, struct{}{})
		defer func() {
			b.owned.Delete(id)
			b.leave()
		}()
		f()
	}()
	return true
}

// goLimited runs f in a new goroutine once one of the limited slots is free. It
// reports false when the store is closed and f will not run.
func (b *background) goLimited(f func(ctx context.Context)) bool {
	return b.spawn(func() {
		select {
		case b.sem <- struct{}{}:
		case <-b.ctx.Done():
			return
		}
		defer func() { <-b.sem }()
		f(b.ctx)
	})
}

// enter registers work so Close waits for it. It reports false once the store
// is closed.
func (b *background) enter() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return false
	}
	b.wg.Add(1)
	return true
}

// leave ends work registered by enter.
func (b *background) leave() { b.wg.Done() }

// stop cancels background work and waits for it, unless it is called from one
// of the store's own goroutines. It may be called any number of times, from
// any goroutine.
func (b *background) stop() {
	b.mu.Lock()
	b.stopped = true
	b.mu.Unlock()
	b.cancel()
	if _, inside := b.owned.Load(goroutineID()); inside {
		return
	}
	b.wg.Wait()
}

// goroutineID returns the calling goroutine's id, read from the first line of
// its stack trace ("goroutine 42 [running]:"). The runtime offers no other way;
// the store reads it only when it starts a goroutine and in Close.
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseUint(string(b), 10, 64)
	return id
}

// Go runs f in a goroutine the store owns, as the store runs its background
// reloads: ctx is cancelled at Close, and Close waits for f to return. It
// reports false, without running f, once the store is closed. Stream
// sources and fan-out run this way, so that a closed store leaves no
// goroutine behind.
func (s *Cache) Go(f func(ctx context.Context)) bool {
	s.mustBeNew()
	return s.bg.spawn(func() { f(s.bg.ctx) })
}

// ReportError hands an error from work no caller waits for (a stream, a
// background reload) to the store's logger and error handler.
func (s *Cache) ReportError(err error) {
	s.mustBeNew()
	s.reportBackground(err)
}
