package store

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// batcher gathers the finds of one type that arrive within the coalescing
// window into one findMany request.
type batcher struct {
	mu  sync.Mutex
	cur *batch // the batch still gathering finds; guarded by mu
}

// batch is one coalesced request and the finds waiting for it. Its request
// runs under ctx, cancelled when the last waiter leaves or the store closes.
type batch struct {
	waiting map[string][]chan batchResult // guarded by batcher.mu
	n       int                           // waiters still there; guarded by batcher.mu
	ctx     context.Context
	cancel  context.CancelFunc
}

type batchResult struct {
	rec *record
	err error
}

// coalesces reports whether finds of the type are coalesced: its adapter is a
// BatchAdapter (found once, at New) that says so now.
func (tc *typeCache) coalesces() bool {
	return tc.batcher != nil && tc.batcher.CoalesceFindRequests(tc.model.Name)
}

// batchFind joins (or opens) the type's pending batch and waits for its result.
func (s *Cache) batchFind(ctx context.Context, tc *typeCache, id string) (*record, error) {
	ch := make(chan batchResult, 1)
	bt := &tc.batch
	bt.mu.Lock()
	b := bt.cur
	first := b == nil
	if first {
		b = &batch{waiting: map[string][]chan batchResult{}}
		b.ctx, b.cancel = context.WithCancel(s.bg.ctx)
		bt.cur = b
	}
	b.waiting[id] = append(b.waiting[id], ch)
	b.n++
	bt.mu.Unlock()
	if first {
		if !s.bg.spawn(func() {
			t := time.NewTimer(s.opts.coalesceWindow)
			defer t.Stop()
			select {
			case <-t.C:
			case <-b.ctx.Done():
			}
			s.flushBatch(tc, b)
		}) {
			bt.mu.Lock()
			if bt.cur == b {
				bt.cur = nil
			}
			bt.mu.Unlock()
			b.cancel()
			s.flushBatch(tc, b)
		}
	}
	select {
	case res := <-ch:
		return res.rec, res.err
	case <-ctx.Done():
	}
	bt.mu.Lock()
	b.waiting[id] = slices.DeleteFunc(b.waiting[id], func(c chan batchResult) bool { return c == ch })
	if len(b.waiting[id]) == 0 {
		delete(b.waiting, id)
	}
	b.n--
	last := b.n == 0
	bt.mu.Unlock()
	if last {
		b.cancel() // nobody waits for this batch any more
	}
	return nil, transportError(ctx, &Request{Op: OpFindRecord, Type: tc.model.Name, ID: id}, ctx.Err())
}

// flushBatch sends a batch: one id as findRecord, several as findMany requests
// (split as the adapter's URL limit requires). Ids missing from a findMany
// response fail alone, as in Ember Data.
func (s *Cache) flushBatch(tc *typeCache, b *batch) {
	bt := &tc.batch
	bt.mu.Lock()
	if bt.cur == b {
		bt.cur = nil
	}
	ids := make([]string, 0, len(b.waiting))
	for id := range b.waiting {
		ids = append(ids, id)
	}
	bt.mu.Unlock()
	defer b.cancel()
	since := s.requestStarted() // see answers.go
	defer s.requestDone()
	deliver := func(id string, res batchResult) int {
		bt.mu.Lock()
		chans := b.waiting[id]
		delete(b.waiting, id)
		bt.mu.Unlock()
		for _, ch := range chans {
			ch <- res // buffered: never blocks
		}
		return len(chans)
	}
	typ := tc.model.Name
	if err := b.ctx.Err(); err != nil {
		cond := ErrAborted
		if s.bg.ctx.Err() != nil {
			cond = ErrClosed
		}
		for _, id := range ids {
			deliver(id, batchResult{err: &AdapterError{Op: OpFindMany, Type: typ, ID: id, Err: cond}})
		}
		return
	}
	slices.Sort(ids)
	for _, group := range s.splitFindMany(tc, ids) {
		if len(group) == 1 {
			id := group[0]
			doc, err := s.fetch(b.ctx, &Request{Op: OpFindRecord, Type: typ, Model: tc.model, ID: id})
			var r *record
			if err == nil {
				r, err = s.pushFound(since, tc, id, doc)
			}
			if err != nil {
				s.recordFailure(tc, id, err)
			}
			deliver(id, batchResult{rec: r, err: err})
			continue
		}
		tc.stats.coalesced.Add(1)
		doc, err := s.fetch(b.ctx, &Request{Op: OpFindMany, Type: typ, Model: tc.model, IDs: group, coalesced: true})
		if err == nil {
			_, err = s.pushAnswer(since, doc, nil)
		}
		served := 0
		for _, id := range group {
			if err != nil {
				s.recordFailure(tc, id, err)
				served += deliver(id, batchResult{err: err})
				continue
			}
			r, st := tc.find(id)
			if !st.loaded() {
				served += deliver(id, batchResult{err: &AdapterError{Op: OpFindMany, Type: typ, ID: id, Err: ErrNotFound,
					Cause: fmt.Errorf("expected %s:%s to be present in the findMany response", typ, id)}})
				continue
			}
			served += deliver(id, batchResult{rec: r})
		}
		tc.stats.coalescedFinds.Add(uint64(served))
	}
}
