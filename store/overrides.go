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

func (s *Cache) validateOverrides() error {
	for typ := range s.opts.adapters {
		if _, ok := s.reg.ByName(typ); !ok {
			return fmt.Errorf("store: adapter for %w %q", ErrUnknownType, typ)
		}
	}
	for typ := range s.opts.serializers {
		if _, ok := s.reg.ByName(typ); !ok {
			return fmt.Errorf("store: serializer for %w %q", ErrUnknownType, typ)
		}
	}
	return nil
}

// AdapterFor returns the adapter for a type: the type's own, then the store's.
// It returns nil when there is none.
func (s *Cache) AdapterFor(typ string) Adapter {
	if a, ok := s.opts.adapters[typ]; ok {
		return a
	}
	return s.adapter
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
