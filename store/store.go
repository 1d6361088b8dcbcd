package store

import (
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/larder-go/larder/attr"
	"github.com/larder-go/larder/model"
	"github.com/larder-go/larder/store/internal/flight"
)

// A Cache is the root of a store: the shared, identity-mapped cache of records
// of every model, with the adapter and serializer that load and save them (Ember
// Data's Store). Typed code reaches it through package functions such as
// [FindRecord] and through [Store] views made by [For].
//
// A Cache is safe for concurrent use by multiple goroutines. Writes (pushes,
// edits, saves' answers, unloads) are serialized, and each is one commit.
// Reads never lock: each reads the cache between two commits, waiting only
// while one publishes, so it sees all of a commit or none of it, and no read
// sees an older cache than one before it. [Cache.Read] reads several records
// as of one moment. Every record a Cache returns is a copy that belongs to
// the caller.
type Cache struct {
	reg   *model.Registry
	types []*typeCache // by model.Index

	adapter    Adapter
	serializer Serializer
	opts       options

	mu      sync.Mutex // serializes writers: protects the maps of every typeCache
	closed  atomic.Bool
	note    notifier
	hub     hub // open subscriptions
	bg      background
	flights flight.Group[flightKey, *record]
	// bgPending holds the keys of background refreshes under way, so a burst of
	// cache hits starts one refresh, not one each.
	bgPending    sync.Map // flightKey -> struct{}
	unmatchedLog unmatchedLog
	loads        loads                     // finds in flight per record
	saving       map[*record]chan struct{} // saves in flight, closed when done; guarded by mu
	// gen is odd while a commit publishes, even otherwise: every read
	// happens within one even generation, so it sees whole commits (see
	// consistency.go).
	gen atomic.Uint64
	// implicit holds, for each record named by a relationship that has no
	// inverse, the relationships that name it; guarded by mu.
	implicit map[implicitKey]map[edge]side
	// pending holds the to-one inverses of records named but never loaded,
	// by pendingKey; guarded by mu.
	pending map[uint64]edge
	// indexes are the member positions of long to-manys, kept by writers
	// between txns (see memberIndex).
	indexes map[indexKey]*memberIndex
	// untyped counts requests of no registered type, and the documents
	// pushed (each once, whatever types it held).
	untyped counters
	// inflight counts requests whose responses are not committed yet: a
	// peer's change made meanwhile may be newer than what they bring.
	inflight atomic.Int32
	// rev is the remote revision of the last commit that changed a record's
	// remote state; written under mu (see answers.go).
	rev atomic.Uint64
	// test holds hooks that only tests set (export_test.go).
	test testCommit
}

// testCommit holds the commit's test hooks: pause runs after each record is
// published, widening the window so that concurrent readers meet it, and
// late breaks the commit on purpose, publishing one record after the window,
// so tests can show that their checks catch a torn commit.
type testCommit struct {
	pause func()
	late  bool
}

// New returns a store over adapter and serializer with the given options. It
// validates every model registered with [WithModels] up front and returns a
// *model.SchemaError for the first problem.
//
// adapter may be nil for a store that is only pushed to; finds then fail with
// ErrNoAdapter. serializer may be nil: response bodies are then read as JSON:API
// documents as they are, which is what a JSON:API backend sends when its member
// names match the models'.
func New(adapter Adapter, serializer Serializer, opts ...Option) (*Cache, error) {
	s := &Cache{adapter: adapter, serializer: serializer, saving: map[*record]chan struct{}{}, implicit: map[implicitKey]map[edge]side{}, pending: map[uint64]edge{}}
	s.opts = defaultOptions()
	for _, o := range opts {
		o.apply(&s.opts)
	}
	reg, err := model.NewRegistry(s.opts.models, s.opts.transforms)
	if err != nil {
		return nil, err
	}
	s.reg = reg
	for _, m := range reg.Models() {
		tc := newTypeCache(m)
		tc.gen = &s.gen
		s.types = append(s.types, tc)
	}
	if err := s.validateOverrides(); err != nil {
		return nil, err
	}
	for _, tc := range s.types {
		tc.policy = s.policyFor(tc.model.Name)
		if _, builtin := tc.policy.(defaultPolicy); !builtin {
			tc.policy = guardedPolicy{tc.policy, s}
		}
		tc.send = s.sender(tc.model.Name)
		tc.batcher, _ = capability[BatchAdapter](s.AdapterFor(tc.model.Name))
		tc.grouper, _ = capability[FindManyGrouper](s.AdapterFor(tc.model.Name))
		tc.idgen, _ = capability[IDGenerator](s.AdapterFor(tc.model.Name))
		tc.invalid, _ = capability[InvalidChecker](s.AdapterFor(tc.model.Name))
		tc.names, _ = s.SerializerFor(tc.model.Name).(MemberResolver)
		tc.writer, _ = s.SerializerFor(tc.model.Name).(RecordSerializer)
	}
	s.bg.init(s.opts.maxBackground)
	s.flights.Spawn = s.bg.spawn
	return s, nil
}

// Close stops the store's background work (background reloads, shared
// requests, coalesced finds), cancelling their requests, and waits for it to
// finish. Calls that need I/O fail with ErrClosed afterwards; the cache stays
// readable.
//
// Close is safe to call any number of times and from any goroutine, including
// the store's own: from an error handler, an adapter or a serializer that the
// store runs, Close cancels everything and returns without waiting (it would
// otherwise wait for itself); every Close from elsewhere waits.
func (s *Cache) Close() error {
	s.mustBeNew()
	s.closed.Store(true)
	s.bg.stop()
	s.closeSubscriptions()
	return nil
}

// mustBeNew panics, with a message naming the constructor, on a Cache that
// New did not make (a zero Cache, or a nil *Cache): a programming error, which a
// nil dereference deep inside would only obscure.
func (s *Cache) mustBeNew() {
	if s == nil || s.reg == nil {
		panic("store: use of a Cache not made by store.New (a zero or nil *store.Cache)")
	}
}

// Registry returns the store's model registry.
func (s *Cache) Registry() *model.Registry { return s.reg }

// ModelFor returns the model registered under a type name.
func (s *Cache) ModelFor(typ string) (*model.Model, error) {
	s.mustBeNew()
	m, ok := s.reg.ByName(typ)
	if !ok {
		return nil, fmt.Errorf("store: %w %q", ErrUnknownType, typ)
	}
	return m, nil
}

// typeCacheFor returns the cache of a type name.
func (s *Cache) typeCacheFor(typ string) (*typeCache, error) {
	m, err := s.ModelFor(typ)
	if err != nil {
		return nil, err
	}
	return s.types[m.Index], nil
}

// cacheOf returns the cache of model type T, and false when T is not registered.
func cacheOf[T any](s *Cache) (*typeCache, bool) {
	s.mustBeNew()
	m, ok := s.reg.ByType(reflect.TypeFor[T]())
	if !ok {
		return nil, false
	}
	return s.types[m.Index], true
}

// mustCacheOf is cacheOf for calls with no error result: using a model the store
// was not built with is a programming error.
func mustCacheOf[T any](s *Cache) *typeCache {
	tc, ok := cacheOf[T](s)
	if !ok {
		panic(fmt.Sprintf("store: model %s is not registered (pass it to store.WithModels)", reflect.TypeFor[T]()))
	}
	return tc
}

// unknownModel is the error for a model type the store was not built with.
func unknownModel[T any]() error {
	return fmt.Errorf("store: %w: model %s is not registered", ErrUnknownType, reflect.TypeFor[T]())
}

// An Option configures a Cache.
type Option interface{ apply(*options) }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

type options struct {
	models         []reflect.Type
	transforms     map[string]attr.Transform
	logger         *slog.Logger
	onError        func(error)
	maxBackground  int
	adapters       map[string]Adapter
	serializers    map[string]Serializer
	coalesceWindow time.Duration
	requestTimeout time.Duration
	middleware     []Middleware
	policy         ReloadPolicy
	policies       map[string]ReloadPolicy
	fullUpdates    bool
	noGraph        bool // tests only: inverses not kept, the baseline of the graph's cost
}

func defaultOptions() options {
	return options{
		transforms:     map[string]attr.Transform{},
		logger:         slog.New(slog.DiscardHandler),
		maxBackground:  8,
		coalesceWindow: time.Millisecond,
		requestTimeout: 30 * time.Second,
		adapters:       map[string]Adapter{},
		serializers:    map[string]Serializer{},
		policies:       map[string]ReloadPolicy{},
	}
}

// WithModels registers model types, given as values or pointers:
// WithModels(Album{}, Artist{}) or WithModels((*Album)(nil)).
func WithModels(models ...any) Option {
	return optionFunc(func(o *options) {
		for _, m := range models {
			o.models = append(o.models, reflect.TypeOf(m))
		}
	})
}

// WithTransform registers a custom attribute transform under name, for tags
// such as `attr:"price,money"`. It may replace a built-in transform.
func WithTransform(name string, t attr.Transform) Option {
	return optionFunc(func(o *options) { o.transforms[name] = t })
}

// WithLogger sets the logger for background errors and warnings. The default
// discards everything.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(o *options) {
		if l != nil {
			o.logger = l
		}
	})
}

// WithErrorHandler sets a function that receives every error from background
// work (background reloads), in addition to the logger. It is called from the
// store's goroutines and must be safe for concurrent use.
func WithErrorHandler(f func(error)) Option {
	return optionFunc(func(o *options) { o.onError = f })
}

// WithMaxBackground bounds the number of background requests in flight at once
// (default 8). Background reloads beyond it wait their turn.
func WithMaxBackground(n int) Option {
	return optionFunc(func(o *options) {
		if n > 0 {
			o.maxBackground = n
		}
	})
}

// WithCoalesceWindow sets how long the first find of a type waits for others to
// join it in one findMany request, when the adapter coalesces (default 1ms).
// Ember Data coalesces the finds of one run loop; Go has no run loop, so a short
// window stands in for it.
func WithCoalesceWindow(d time.Duration) Option {
	return optionFunc(func(o *options) {
		if d > 0 {
			o.coalesceWindow = d
		}
	})
}

// WithRequestTimeout bounds each request that no caller waits for, such as a
// background reload (default 30s). Requests a caller waits for are bounded by
// the caller's context instead, and cancelled when the last caller waiting for
// them gives up.
func WithRequestTimeout(d time.Duration) Option {
	return optionFunc(func(o *options) {
		if d > 0 {
			o.requestTimeout = d
		}
	})
}

// Logger returns the store's logger, for adapters and serializers to warn on.
func (s *Cache) Logger() *slog.Logger { return s.opts.logger }
