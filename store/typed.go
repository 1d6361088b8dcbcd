package store

import "github.com/larder-go/larder/jsonapi"

// A Store is the typed store of one model: it binds model T to the shared
// [Cache], so code can say albums.Find(ctx, "1") rather than
// store.FindRecord[Album](ctx, c, "1"). Every Store of a Cache reads and writes
// the same records. A Store is a small value, safe for concurrent use; make one
// with [For] and keep it.
type Store[T any] struct {
	s  *Cache
	tc *typeCache
}

// For returns the typed store of model T over the cache s. It panics if T is not registered.
func For[T any](s *Cache) Store[T] {
	return Store[T]{s: s, tc: mustCacheOf[T](s)}
}

// Type returns the model's type name.
func (v Store[T]) Type() string { return v.typeCache().model.Name }

// Cache returns the shared cache the Store reads and writes.
func (v Store[T]) Cache() *Cache { return v.cache() }

// Peek is [PeekRecord] for T.
func (v Store[T]) Peek(id string) (T, bool) { return peek[T](v.typeCache(), id) }

// PeekAll is [PeekAll] for T.
func (v Store[T]) PeekAll() *RecordArray[T] { return liveArray[T](v.cache(), v.typeCache()) }

// Has is [Cache.HasRecordForID] for T.
func (v Store[T]) Has(id string) bool {
	_, st := v.typeCache().find(id)
	return st.loaded()
}

// Push is [Push] for T.
func (v Store[T]) Push(doc *jsonapi.Document) ([]T, error) { return Push[T](v.cache(), doc) }

// Unload is [Cache.UnloadRecord] for T.
func (v Store[T]) Unload(id string) error {
	return v.cache().UnloadRecord(v.typeCache().model.Name, id)
}

// zeroStore is the panic of a Store[T] made without For.
const zeroStore = "store: use of a zero store.Store[T]: make one with store.For[T](cache)"

func (v Store[T]) typeCache() *typeCache {
	if v.tc == nil {
		panic(zeroStore)
	}
	return v.tc
}

func (v Store[T]) cache() *Cache {
	if v.s == nil {
		panic(zeroStore)
	}
	return v.s
}

// Create is [CreateRecord] for T.
func (v Store[T]) Create(value T) (Ref[T], error) { return CreateRecord[T](v.cache(), value) }

// Set is [SetRecord] for T.
func (v Store[T]) Set(value T) error { return SetRecord[T](v.cache(), value) }
