package store

import (
	"context"
	"errors"
	"iter"
	"sync/atomic"

	"github.com/larder-go/larder/store/internal/mailbox"
)

// DefaultSubscriptionBuffer is how many change sets a subscription holds for
// a reader that has not taken them, unless WithBuffer says otherwise.
const DefaultSubscriptionBuffer = 256

// A SubscribeOption configures a subscription.
type SubscribeOption func(*Subscription)

// WithBuffer sets how many change sets a subscription holds before it drops
// them for one Missed notice (at least 1).
func WithBuffer(n int) SubscribeOption {
	return func(sub *Subscription) { sub.bound = n }
}

// A Subscription receives the change sets of the commits it watches: every
// commit of the store, of one type, or of one record. It is the store's
// writers that deliver, without blocking and without a goroutine of the
// subscription's own: each change set goes into a bounded buffer, and when the
// buffer is full the subscription drops what it holds for one ChangeSet with
// Missed set, which tells the reader to read what it watches again. Later
// change sets follow that notice as usual.
//
// A Subscription is safe for concurrent use. It ends at Close, when the
// context given to Subscribe is done, or when the store closes; change sets
// already buffered are still returned by Next after Close.
type Subscription struct {
	s     *Cache
	model int          // the type watched, or -1 for every type
	key   *implicitKey // the record watched, or nil
	bound int
	stop  func() bool // stops the context's AfterFunc
	box   *mailbox.Box[ChangeSet]
}

// missed is the notice that stands for the change sets a subscription
// dropped, the last of them being last.
func missed(last ChangeSet) ChangeSet { return ChangeSet{Seq: last.Seq, Missed: true} }

// hub holds the open subscriptions. Its lists change under Cache.mu, and
// commits read them there.
type hub struct {
	open  atomic.Int32
	all   []*Subscription
	types map[int][]*Subscription
	recs  map[implicitKey][]*Subscription
}

// Subscribe returns a subscription to every commit of the store. It ends when
// ctx is done or at Close.
func (s *Cache) Subscribe(ctx context.Context, opts ...SubscribeOption) *Subscription {
	s.mustBeNew()
	return s.subscribe(ctx, -1, nil, opts)
}

// SubscribeType returns a subscription to the commits that change records of
// model T. It panics if T is not registered.
func SubscribeType[T any](ctx context.Context, s *Cache, opts ...SubscribeOption) *Subscription {
	return s.subscribe(ctx, mustCacheOf[T](s).model.Index, nil, opts)
}

// Subscribe returns a subscription to the commits that change the live array:
// records of its type joining it, leaving it or changing while in it. A live
// array holds every record of its type, so this watches what SubscribeType
// does.
func (a *RecordArray[T]) Subscribe(ctx context.Context, opts ...SubscribeOption) *Subscription {
	return a.s.subscribe(ctx, a.tc.model.Index, nil, opts)
}

// Subscribe returns a subscription to the commits that change the record,
// whether or not it is loaded yet. Each change set it receives holds that
// record's change only.
func (ref Ref[T]) Subscribe(ctx context.Context, opts ...SubscribeOption) *Subscription {
	tc := ref.typeCache()
	id, lid := ref.id, ref.lid
	if r := ref.record(); r != nil {
		lid = r.lid
		if st := tc.load(r); st != nil && st.id != "" {
			id = st.id
		}
	}
	return ref.s.subscribe(ctx, tc.model.Index, &implicitKey{model: tc.model.Index, id: id, lid: lid}, opts)
}

func (s *Cache) subscribe(ctx context.Context, model int, key *implicitKey, opts []SubscribeOption) *Subscription {
	sub := &Subscription{s: s, model: model, key: key, bound: DefaultSubscriptionBuffer}
	for _, o := range opts {
		o(sub)
	}
	sub.box = mailbox.New(sub.bound, missed)
	s.mu.Lock()
	if s.closed.Load() {
		s.mu.Unlock()
		sub.box.Close()
		return sub
	}
	h := &s.hub
	switch {
	case key != nil:
		if h.recs == nil {
			h.recs = map[implicitKey][]*Subscription{}
		}
		for _, k := range key.keys() {
			h.recs[k] = append(h.recs[k], sub)
		}
	case model >= 0:
		if h.types == nil {
			h.types = map[int][]*Subscription{}
		}
		h.types[model] = append(h.types[model], sub)
	default:
		h.all = append(h.all, sub)
	}
	h.open.Add(1)
	s.mu.Unlock()
	if ctx != nil && ctx.Done() != nil {
		sub.stop = context.AfterFunc(ctx, func() { sub.Close() })
	}
	return sub
}

// keys returns the index keys of a watched record: by id and by lid.
func (k implicitKey) keys() []implicitKey {
	var out []implicitKey
	if k.id != "" {
		out = append(out, implicitKey{model: k.model, id: k.id})
	}
	if k.lid != "" {
		out = append(out, implicitKey{model: k.model, lid: k.lid})
	}
	return out
}

// Close ends the subscription. Change sets it holds are still returned by
// Next, then Next reports ErrClosed. Close is idempotent.
func (sub *Subscription) Close() error {
	if !sub.box.Close() {
		return nil
	}
	if sub.stop != nil {
		sub.stop()
	}
	s := sub.s
	s.mu.Lock()
	defer s.mu.Unlock()
	h := &s.hub
	switch {
	case sub.key != nil:
		for _, k := range sub.key.keys() {
			if h.recs[k] = without(h.recs[k], sub); len(h.recs[k]) == 0 {
				delete(h.recs, k)
			}
		}
	case sub.model >= 0:
		if h.types[sub.model] = without(h.types[sub.model], sub); len(h.types[sub.model]) == 0 {
			delete(h.types, sub.model)
		}
	default:
		h.all = without(h.all, sub)
	}
	h.open.Add(-1)
	return nil
}

// without returns subs without sub, in a new slice.
func without(subs []*Subscription, sub *Subscription) []*Subscription {
	out := make([]*Subscription, 0, len(subs))
	for _, x := range subs {
		if x != sub {
			out = append(out, x)
		}
	}
	return out
}

// deliver buffers a change set, or, with the buffer full, drops what the
// buffer holds for a Missed notice. Writers call it under Cache.mu.
func (sub *Subscription) deliver(cs ChangeSet) { sub.box.Put(cs) }

// Next returns the next change set, waiting for one until ctx is done. After
// Close, or once the store is closed, it returns what the subscription still
// holds, then ErrClosed.
func (sub *Subscription) Next(ctx context.Context) (ChangeSet, error) {
	cs, err := sub.box.Next(ctx)
	if errors.Is(err, mailbox.ErrClosed) {
		err = ErrClosed
	}
	return cs, err
}

// All yields change sets as Next returns them, until ctx is done or the
// subscription ends.
func (sub *Subscription) All(ctx context.Context) iter.Seq[ChangeSet] {
	return func(yield func(ChangeSet) bool) {
		for {
			cs, err := sub.Next(ctx)
			if err != nil || !yield(cs) {
				return
			}
		}
	}
}

// publish hands a commit's changes to the subscriptions that watch them.
// The caller holds Cache.mu.
func (s *Cache) publish(seq uint64, origin Origin, pend []pendingChange) {
	h := &s.hub
	cs := s.changeSet(seq, origin, pend)
	for _, sub := range h.all {
		sub.deliver(cs)
	}
	if len(h.types) == 0 && len(h.recs) == 0 {
		return
	}
	for lo := 0; lo < len(cs.changes); {
		m := s.modelIndex(cs.changes[lo].Record.Type)
		hi := lo + 1
		for hi < len(cs.changes) && cs.changes[hi].Record.Type == cs.changes[lo].Record.Type {
			hi++
		}
		if subs := h.types[m]; len(subs) > 0 {
			part := ChangeSet{Seq: seq, Origin: origin, changes: cs.changes[lo:hi:hi], s: s}
			for _, sub := range subs {
				sub.deliver(part)
			}
		}
		if len(h.recs) > 0 {
			for i := lo; i < hi; i++ {
				id := cs.changes[i].Record
				one := ChangeSet{Seq: seq, Origin: origin, changes: cs.changes[i : i+1 : i+1], s: s}
				if id.ID != "" {
					for _, sub := range h.recs[implicitKey{model: m, id: id.ID}] {
						sub.deliver(one)
					}
				}
				if id.LID != "" {
					for _, sub := range h.recs[implicitKey{model: m, lid: id.LID}] {
						if sub.key.id == "" || sub.key.id != id.ID {
							sub.deliver(one) // not already reached by its id
						}
					}
				}
			}
		}
		lo = hi
	}
}

// modelIndex returns the index of a registered type name.
func (s *Cache) modelIndex(typ string) int {
	m, _ := s.reg.ByName(typ)
	return m.Index
}

// closeSubscriptions ends every subscription, at Close.
func (s *Cache) closeSubscriptions() {
	s.mu.Lock()
	h := &s.hub
	var subs []*Subscription
	subs = append(subs, h.all...)
	for _, l := range h.types {
		subs = append(subs, l...)
	}
	for _, l := range h.recs {
		subs = append(subs, l...)
	}
	s.mu.Unlock()
	for _, sub := range subs {
		sub.Close()
	}
}
