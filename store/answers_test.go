package store_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/store"
)

// heldBackend answers each method with its own function; a method with a
// gate waits for the gate to be closed (or fed) before it answers.
func heldBackend(t *testing.T, gates map[string]chan struct{}, answer func(r recorded) (int, string)) *backend {
	return newBackend(t, func(r recorded) (int, string) {
		if g := gates[r.Method]; g != nil {
			<-g
		}
		return answer(r)
	})
}

// saveInFlight starts ref's save in a goroutine and returns once the save
// is in flight (held by the test server); the channel gets Save's answer.
func saveInFlight(t *testing.T, ref store.Ref[fixture.Album]) <-chan error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- ref.Save(context.Background()) }()
	require.Eventually(t, func() bool { return ref.State().IsSaving }, 5*time.Second, time.Millisecond)
	return done
}

// A push that lands while a save is in flight is the server's state: after
// the save's answer it is still remote, not a local edit, and the next save
// does not send it back.
func TestPushDuringSaveStaysRemote(t *testing.T) {
	gate := make(chan struct{})
	b := heldBackend(t, map[string]chan struct{}{"PATCH": gate}, func(r recorded) (int, string) {
		return 204, ""
	})
	s := writeStore(t, b.srv.URL)
	pushAlbum(t, s)
	ref := store.GetReference[fixture.Album](s, "1")
	require.NoError(t, ref.Update(func(a *fixture.Album) { a.Title = "Edited" }))
	done := saveInFlight(t, ref)
	pushT(t, s, `{"data":{"type":"album","id":"1","attributes":{"artistName":"Y"}}}`)
	close(gate)
	require.NoError(t, <-done)

	assert.Empty(t, ref.ChangedAttributes(), "the pushed artist is remote, the saved title too")
	a := peek[fixture.Album](t, s, "1")
	assert.Equal(t, "Edited", a.Title)
	assert.Equal(t, "Y", a.ArtistName)
	assert.False(t, ref.State().HasDirtyAttributes)
	n := len(b.requests())
	require.NoError(t, ref.Save(context.Background()))
	assert.Len(t, b.requests(), n, "nothing left to send")
}

// The store's own background reload, answered after a save of the record,
// does not put the older value back: the record keeps the saved value and is
// stale, so the next find reloads it.
func TestReloadAnswerDoesNotUndoASave(t *testing.T) {
	getGate := make(chan struct{})
	var gets atomic.Int32
	b := heldBackend(t, map[string]chan struct{}{"GET": getGate}, func(r recorded) (int, string) {
		if r.Method == "PATCH" {
			return 204, ""
		}
		if gets.Add(1) == 1 {
			// The first GET is answered with what the server had when it
			// got the request, before the save.
			return 200, `{"data":{"type":"albums","id":"1","attributes":{"title":"old"}}}`
		}
		return 200, `{"data":{"type":"albums","id":"1","attributes":{"title":"saved"}}}`
	})
	s := writeStore(t, b.srv.URL)
	pushT(t, s, `{"data":{"type":"album","id":"1","attributes":{"title":"old"}}}`)
	ctx := context.Background()
	// A hit that starts a background reload, held by the server.
	_, err := store.FindRecord[fixture.Album](ctx, s, "1", store.BackgroundReload(true))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return s.StateOf("album", "1").IsReloading }, 5*time.Second, time.Millisecond)

	ref := store.GetReference[fixture.Album](s, "1")
	require.NoError(t, ref.Update(func(a *fixture.Album) { a.Title = "saved" }))
	require.NoError(t, ref.Save(ctx))
	getGate <- struct{}{}
	require.Eventually(t, func() bool { return !s.StateOf("album", "1").IsReloading }, 5*time.Second, time.Millisecond)

	assert.Equal(t, "saved", peek[fixture.Album](t, s, "1").Title, "the older answer did not undo the save")
	assert.True(t, s.StateOf("album", "1").IsStale, "the answer was older: reload on the next find")
	assert.Empty(t, ref.ChangedAttributes())
	close(getGate)
	a, err := store.FindRecord[fixture.Album](ctx, s, "1", store.BackgroundReload(false))
	require.NoError(t, err)
	assert.Equal(t, "saved", a.Title)
	assert.False(t, s.StateOf("album", "1").IsStale)
}

// Nothing saving is dropped: Delete and Rollback of a record whose create is
// in flight fail with ErrSaving, UnloadAll leaves it, and the save's answer
// gives it the server's id.
func TestNothingSavingIsDropped(t *testing.T) {
	gate := make(chan struct{})
	b := heldBackend(t, map[string]chan struct{}{"POST": gate}, func(r recorded) (int, string) {
		return 201, `{"data":{"type":"albums","id":"41","attributes":{"title":"New"}}}`
	})
	s := writeStore(t, b.srv.URL)
	ref, err := store.CreateRecord(s, fixture.Album{Title: "New"})
	require.NoError(t, err)
	done := saveInFlight(t, ref)

	assert.ErrorIs(t, ref.Delete(), store.ErrSaving)
	assert.ErrorIs(t, ref.Rollback(), store.ErrSaving)
	require.NoError(t, s.UnloadAll())
	require.NoError(t, s.UnloadAll("album"))
	assert.True(t, ref.IsLoaded(), "UnloadAll leaves a record whose save is in flight")
	assert.Equal(t, []string{""}, store.PeekAll[fixture.Album](s).IDs())
	close(gate)
	require.NoError(t, <-done)
	assert.Equal(t, "41", ref.ID())
	a := peek[fixture.Album](t, s, "41")
	assert.Equal(t, "New", a.Title)
	assert.False(t, ref.State().IsDeleted)
}

// A save whose record something else unloaded while it was in flight (a
// stream's remove) reports it: a typed error, never nil.
func TestSaveOfARecordUnloadedInFlight(t *testing.T) {
	gate := make(chan struct{})
	b := heldBackend(t, map[string]chan struct{}{"PATCH": gate}, func(r recorded) (int, string) {
		return 204, ""
	})
	s := writeStore(t, b.srv.URL)
	pushAlbum(t, s)
	ref := store.GetReference[fixture.Album](s, "1")
	require.NoError(t, ref.Update(func(a *fixture.Album) { a.Title = "Edited" }))
	done := saveInFlight(t, ref)
	require.NoError(t, s.Apply(store.Operation{Op: store.OpRemove, Ref: store.Identifier{Type: "album", ID: "1"}}))
	close(gate)
	err := <-done
	require.Error(t, err)
	assert.ErrorIs(t, err, store.ErrNotLoaded)
	var ae *store.AdapterError
	assert.True(t, errors.As(err, &ae))
	_, ok := store.PeekRecord[fixture.Album](s, "1")
	assert.False(t, ok)
}
