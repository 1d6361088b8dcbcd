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
	mu      sync.Mutex
	waiting map[string][]chan batchResult // guarded by mu
}

type batchResult struct {
	rec *record
	err error
}

func (s *Cache) coalesces(typ string) bool {
	b, ok := s.AdapterFor(typ).(BatchAdapter)
	return ok && b.CoalesceFindRequests(typ)
}

// batchFind joins (or opens) the type's pending batch and waits for its result.
func (s *Cache) batchFind(ctx context.Context, tc *typeCache, id string) (*record, error) {
	ch := make(chan batchResult, 1)
	b := &tc.batch
	b.mu.Lock()
	first := b.waiting == nil
	if first {
		b.waiting = map[string][]chan batchResult{}
	}
	b.waiting[id] = append(b.waiting[id], ch)
	b.mu.Unlock()
	if first {
		if !s.bg.enter() {
			s.flushBatch(context.Background(), tc, ErrClosed)
		} else {
			go func() {
				defer s.bg.leave()
				t := time.NewTimer(s.opts.coalesceWindow)
				defer t.Stop()
				select {
				case <-t.C:
					s.flushBatch(s.bg.ctx, tc, nil)
				case <-s.bg.ctx.Done():
					s.flushBatch(s.bg.ctx, tc, ErrClosed)
				}
			}()
		}
	}
	select {
	case res := <-ch:
		return res.rec, res.err
	case <-ctx.Done():
		return nil, transportError(ctx, &Request{Op: OpFindRecord, Type: tc.model.Name, ID: id}, ctx.Err())
	}
}

// flushBatch sends the pending batch: one id as findRecord, several as
// findMany. Ids missing from a findMany response fail alone, as in Ember Data.
func (s *Cache) flushBatch(ctx context.Context, tc *typeCache, closed error) {
	b := &tc.batch
	b.mu.Lock()
	waiting := b.waiting
	b.waiting = nil
	b.mu.Unlock()
	deliver := func(id string, res batchResult) {
		for _, ch := range waiting[id] {
			ch <- res
		}
	}
	typ := tc.model.Name
	if closed != nil {
		for id := range waiting {
			deliver(id, batchResult{err: &AdapterError{Op: OpFindMany, Type: typ, ID: id, Err: closed}})
		}
		return
	}
	ids := make([]string, 0, len(waiting))
	for id := range waiting {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if len(ids) == 1 {
		id := ids[0]
		doc, err := s.fetch(ctx, &Request{Op: OpFindRecord, Type: typ, Model: tc.model, ID: id})
		if err != nil {
			s.recordFailure(tc, id, err)
			deliver(id, batchResult{err: err})
			return
		}
		r, err := s.pushFound(tc, id, doc)
		if err != nil {
			s.recordFailure(tc, id, err)
		}
		deliver(id, batchResult{rec: r, err: err})
		return
	}
	doc, err := s.fetch(ctx, &Request{Op: OpFindMany, Type: typ, Model: tc.model, IDs: ids})
	if err == nil {
		_, err = s.push(doc, nil)
	}
	for _, id := range ids {
		if err != nil {
			s.recordFailure(tc, id, err)
			deliver(id, batchResult{err: err})
			continue
		}
		r := tc.get(id)
		if r == nil || !r.state.Load().loaded() {
			deliver(id, batchResult{err: &AdapterError{Op: OpFindMany, Type: typ, ID: id, Err: ErrNotFound,
				Cause: fmt.Errorf("expected %s:%s to be present in the findMany response", typ, id)}})
			continue
		}
		deliver(id, batchResult{rec: r})
	}
}
