package store

import (
	"context"
	"sync"
)

// background runs the store's own goroutines: bounded in number, cancelled by
// Close, and waited for, so none outlives the store.
type background struct {
	ctx     context.Context
	cancel  context.CancelFunc
	sem     chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex // protects stopped against wg.Add after Wait
	stopped bool
}

func (b *background) init(limit int) {
	b.ctx, b.cancel = context.WithCancel(context.Background())
	b.sem = make(chan struct{}, limit)
}

// goLimited runs f in a new goroutine once one of the limited slots is free. It
// reports false when the store is closed and f will not run.
func (b *background) goLimited(f func(ctx context.Context)) bool {
	if !b.enter() {
		return false
	}
	go func() {
		defer b.leave()
		select {
		case b.sem <- struct{}{}:
		case <-b.ctx.Done():
			return
		}
		defer func() { <-b.sem }()
		f(b.ctx)
	}()
	return true
}

// enter registers work that runs in a goroutine the store does not start (a
// coalesced find runs in singleflight's), so Close waits for it. It reports
// false once the store is closed.
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

// stop cancels background work and waits for it.
func (b *background) stop() {
	b.mu.Lock()
	b.stopped = true
	b.mu.Unlock()
	b.cancel()
	b.wg.Wait()
}
