package store

import "github.com/larder-go/larder/jsonapi"

// A View binds one model type to a store, so code can say albums.Peek("1")
// rather than store.PeekRecord[Album](s, "1"). A View is a small value, safe for
// concurrent use; make one with [For] and keep it.
type View[T any] struct {
	s  *Store
	tc *typeCache
}

// For returns the view of model T on s. It panics if T is not registered.
func For[T any](s *Store) View[T] {
	return View[T]{s: s, tc: mustCacheOf[T](s)}
}

// Type returns the model's type name.
func (v View[T]) Type() string { return v.tc.model.Name }

// Store returns the root store.
func (v View[T]) Store() *Store { return v.s }

// Peek is [PeekRecord] for T.
func (v View[T]) Peek(id string) (T, bool) { return peek[T](v.tc, id) }

// PeekAll is [PeekAll] for T.
func (v View[T]) PeekAll() *RecordArray[T] { return liveArray[T](v.tc) }

// Has is [Store.HasRecordForID] for T.
func (v View[T]) Has(id string) bool {
	r := v.tc.get(id)
	return r != nil && r.state.Load().loaded()
}

// Push is [Push] for T.
func (v View[T]) Push(doc *jsonapi.Document) ([]T, error) { return Push[T](v.s, doc) }

// Unload is [Store.UnloadRecord] for T.
func (v View[T]) Unload(id string) error { return v.s.UnloadRecord(v.tc.model.Name, id) }
