package store

import "fmt"

// WithAdapterFor sets the adapter for one type, ahead of the store's own (Ember
// Data's adapter:<type>).
func WithAdapterFor(typ string, a Adapter) Option {
	return optionFunc(func(o *options) { o.adapters[typ] = a })
}

// WithSerializerFor sets the serializer for one type, ahead of the store's own
// (Ember Data's serializer:<type>).
func WithSerializerFor(typ string, sz Serializer) Option {
	return optionFunc(func(o *options) { o.serializers[typ] = sz })
}

// Middleware wraps an adapter to see or change every request: to log, count,
// retry or authenticate.
type Middleware func(next Adapter) Adapter

// WithMiddleware wraps every adapter of the store (its own and those of
// [WithAdapterFor]) in mw, the first outermost. Unlike wrapping an adapter by
// hand, it keeps the adapter's optional interfaces working: the store still asks
// the adapter itself for a [ReloadPolicy], [BatchAdapter] or
// [FindManyGrouper], and sends requests through the middleware.
func WithMiddleware(mw ...Middleware) Option {
	return optionFunc(func(o *options) { o.middleware = append(o.middleware, mw...) })
}

// WithReloadPolicy sets the reload policy of every type, ahead of the
// adapters' own.
func WithReloadPolicy(p ReloadPolicy) Option {
	return optionFunc(func(o *options) { o.policy = p })
}

// WithReloadPolicyFor sets the reload policy of one type, ahead of
// [WithReloadPolicy] and of the adapter's own.
func WithReloadPolicyFor(typ string, p ReloadPolicy) Option {
	return optionFunc(func(o *options) { o.policies[typ] = p })
}

func (s *Cache) validateOverrides() error {
	if err := knownTypes(s, "adapter", s.opts.adapters); err != nil {
		return err
	}
	if err := knownTypes(s, "serializer", s.opts.serializers); err != nil {
		return err
	}
	return knownTypes(s, "reload policy", s.opts.policies)
}

// knownTypes checks that every key of a per-type option names a model.
func knownTypes[V any](s *Cache, what string, m map[string]V) error {
	for typ := range m {
		if _, ok := s.reg.ByName(typ); !ok {
			return fmt.Errorf("store: %s for %w %q", what, ErrUnknownType, typ)
		}
	}
	return nil
}

// AdapterFor returns the adapter for a type: the type's own, then the store's,
// as given to the store (without middleware). It returns nil when there is
// none.
func (s *Cache) AdapterFor(typ string) Adapter {
	if a, ok := s.opts.adapters[typ]; ok {
		return a
	}
	return s.adapter
}

// sender returns what requests for a type go through: its adapter wrapped in
// the store's middleware.
func (s *Cache) sender(typ string) Adapter {
	a := s.AdapterFor(typ)
	if a == nil || len(s.opts.middleware) == 0 {
		return a
	}
	for i := len(s.opts.middleware) - 1; i >= 0; i-- {
		a = s.opts.middleware[i](a)
	}
	return a
}

// policyFor returns the reload policy of a type: the type's own option, the
// store's option, the adapter's, then Ember's defaults.
func (s *Cache) policyFor(typ string) ReloadPolicy {
	if p, ok := s.opts.policies[typ]; ok && p != nil {
		return p
	}
	if s.opts.policy != nil {
		return s.opts.policy
	}
	if p, ok := capability[ReloadPolicy](s.AdapterFor(typ)); ok {
		return p
	}
	return defaultPolicy{}
}

// capability finds an optional interface on an adapter, following Unwrap()
// Adapter through wrappers, as http.ResponseController does.
func capability[I any](a Adapter) (I, bool) {
	for range 32 { // a bound, so a wrapper that unwraps to itself cannot loop
		if a == nil {
			break
		}
		if i, ok := a.(I); ok {
			return i, true
		}
		u, ok := a.(interface{ Unwrap() Adapter })
		if !ok {
			break
		}
		a = u.Unwrap()
	}
	var zero I
	return zero, false
}

// SerializerFor returns the serializer for a type: the type's own, then the
// store's. It returns nil for the default, which reads bodies as normalized
// JSON:API documents.
func (s *Cache) SerializerFor(typ string) Serializer {
	if sz, ok := s.opts.serializers[typ]; ok {
		return sz
	}
	return s.serializer
}

// splitFindMany groups coalesced ids into findMany requests, with the adapter's
// FindManyGrouper when it has one, else as one request.
func (s *Cache) splitFindMany(tc *typeCache, ids []string) [][]string {
	if tc.grouper == nil {
		return [][]string{ids}
	}
	groups := tc.grouper.GroupFindMany(tc.model.Name, ids)
	// Trust no grouping: every id must be fetched exactly once.
	seen := make(map[string]int, len(ids))
	for _, id := range ids {
		seen[id] = 0
	}
	out := make([][]string, 0, len(groups))
	for _, grp := range groups {
		var keep []string
		for _, id := range grp {
			if n, ok := seen[id]; ok && n == 0 {
				seen[id] = 1
				keep = append(keep, id)
			}
		}
		if len(keep) > 0 {
			out = append(out, keep)
		}
	}
	for _, id := range ids {
		if seen[id] == 0 {
			s.opts.logger.Warn("store: findMany grouping left an id out; fetching it alone", "type", tc.model.Name, "id", id)
			out = append(out, []string{id})
		}
	}
	return out
}
