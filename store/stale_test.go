package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/larder-go/larder/jsonapi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/store"
)

func TestInvalidate(t *testing.T) {
	ctx := context.Background()
	noBackground := store.BackgroundReload(false)
	loaded := func(t *testing.T) (*fakeAdapter, *store.Cache) {
		f := newFake()
		f.put("album", "1", `{"title":"One"}`)
		f.put("album", "2", `{"title":"Two"}`)
		s := storeOver(t, f)
		for _, id := range []string{"1", "2"} {
			_, err := store.FindRecord[fixture.Album](ctx, s, id, noBackground)
			require.NoError(t, err)
		}
		return f, s
	}

	t.Run("a stale record is peeked as it is and reloaded by the next find", func(t *testing.T) {
		f, s := loaded(t)
		f.put("album", "1", `{"title":"Uno"}`)
		s.Invalidate(store.Identifier{Type: "album", ID: "1"}, store.Identifier{Type: "album", ID: "404"}, store.Identifier{Type: "nope", ID: "1"})
		assert.True(t, s.StateOf("album", "1").IsStale)
		assert.False(t, s.StateOf("album", "2").IsStale)
		assert.Equal(t, "One", peek[fixture.Album](t, s, "1").Title, "a peek does no I/O")

		got, err := store.FindRecord[fixture.Album](ctx, s, "1", noBackground)
		require.NoError(t, err)
		assert.Equal(t, "Uno", got.Title, "the find waited for the reload")
		assert.Equal(t, 3, f.count(store.OpFindRecord))
		assert.False(t, s.StateOf("album", "1").IsStale, "the server's answer makes it fresh")

		_, err = store.FindRecord[fixture.Album](ctx, s, "1", noBackground)
		require.NoError(t, err)
		assert.Equal(t, 3, f.count(store.OpFindRecord), "fresh again: a cache hit")
	})

	t.Run("Reload(false) serves a stale record", func(t *testing.T) {
		f, s := loaded(t)
		s.Invalidate(store.Identifier{Type: "album", ID: "1"})
		_, err := store.FindRecord[fixture.Album](ctx, s, "1", store.Reload(false), noBackground)
		require.NoError(t, err)
		assert.Equal(t, 2, f.count(store.OpFindRecord))
		assert.True(t, s.StateOf("album", "1").IsStale)
	})

	t.Run("a peer's change updates a stale record but leaves it stale", func(t *testing.T) {
		_, s := loaded(t)
		s.Invalidate(store.Identifier{Type: "album", ID: "1"})
		_, err := s.From(store.OriginPeer).Push(decodeDoc(t, `{"data":{"type":"album","id":"1","attributes":{"title":"from a peer"}}}`))
		require.NoError(t, err)
		assert.Equal(t, "from a peer", peek[fixture.Album](t, s, "1").Title)
		assert.True(t, s.StateOf("album", "1").IsStale)

		pushT(t, s, `{"data":{"type":"album","id":"1","attributes":{"title":"from the program"}}}`)
		assert.False(t, s.StateOf("album", "1").IsStale, "a push by the program is the server's data")
	})

	t.Run("a whole type in O(1), its live array included", func(t *testing.T) {
		f, s := loaded(t)
		_, err := store.FindAll[fixture.Album](ctx, s, noBackground)
		require.NoError(t, err)
		assert.Equal(t, 0, f.count(store.OpFindAll), "the array held records: no blocking load")

		require.NoError(t, s.InvalidateType("album"))
		assert.True(t, s.StateOf("album", "1").IsStale)
		assert.True(t, s.StateOf("album", "2").IsStale)
		_, err = store.FindAll[fixture.Album](ctx, s, noBackground)
		require.NoError(t, err)
		assert.Equal(t, 1, f.count(store.OpFindAll), "an invalidated array waits for a load")
		assert.False(t, s.StateOf("album", "2").IsStale, "the load refreshed every record it brought")

		_, err = store.FindAll[fixture.Album](ctx, s, noBackground)
		require.NoError(t, err)
		assert.Equal(t, 1, f.count(store.OpFindAll), "loaded since: no second load")

		assert.ErrorIs(t, s.InvalidateType("nope"), store.ErrUnknownType)
	})

	t.Run("a record created after a type's invalidation is not stale", func(t *testing.T) {
		_, s := loaded(t)
		require.NoError(t, s.InvalidateType("album"))
		pushT(t, s, `{"data":{"type":"album","id":"3","attributes":{"title":"Three"}}}`)
		assert.False(t, s.StateOf("album", "3").IsStale)
		assert.True(t, s.StateOf("album", "1").IsStale)
	})
}

func decodeDoc(t *testing.T, raw string) *jsonapi.Document {
	t.Helper()
	d, err := jsonapi.Decode([]byte(raw))
	require.NoError(t, err)
	return d
}

func TestAResponseThatCrossedAPeersChangeLeavesTheRecordStale(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	f.put("album", "1", `{"title":"One"}`)
	s := storeOver(t, f)
	_, err := store.FindRecord[fixture.Album](ctx, s, "1", store.BackgroundReload(false))
	require.NoError(t, err)

	gate := make(chan struct{})
	f.mu.Lock()
	f.gate = gate
	f.mu.Unlock()
	done := make(chan error)
	go func() {
		_, err := store.FindRecord[fixture.Album](ctx, s, "1", store.Reload(true))
		done <- err
	}()
	require.Eventually(t, func() bool { return f.count(store.OpFindRecord) == 2 }, 5*time.Second, time.Millisecond)

	// The server answers with what it had before a peer saved; the peer's
	// change arrives first.
	_, err = s.From(store.OriginPeer).Push(decodeDoc(t, `{"data":{"type":"album","id":"1","attributes":{"title":"saved by a peer"}}}`))
	require.NoError(t, err)
	assert.False(t, s.StateOf("album", "1").IsStale)
	gate <- struct{}{}
	require.NoError(t, <-done)

	assert.True(t, s.StateOf("album", "1").IsStale, "the answer may be older than the peer's change: reload on next read")
	assert.Equal(t, "saved by a peer", peek[fixture.Album](t, s, "1").Title, "the older answer did not undo the newer change")

	f.mu.Lock()
	f.gate = nil
	f.mu.Unlock()
	_, err = store.FindRecord[fixture.Album](ctx, s, "1", store.BackgroundReload(false))
	require.NoError(t, err)
	assert.Equal(t, 3, f.count(store.OpFindRecord), "the stale record was reloaded")
	assert.False(t, s.StateOf("album", "1").IsStale)
}
