package store_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/store"
)

func TestPeekAllIsLive(t *testing.T) {
	s := newStore(t)
	all := store.PeekAll[fixture.Album](s)
	assert.Same(t, all, store.PeekAll[fixture.Album](s), "the same array every time")
	assert.Same(t, all, store.For[fixture.Album](s).PeekAll())
	assert.Equal(t, "album", all.Type())
	assert.Equal(t, 0, all.Len())

	push(t, s, `{"data":[{"type":"album","id":"1","attributes":{"title":"a"}},{"type":"album","id":"2","attributes":{"title":"b"}}]}`)
	assert.Equal(t, 2, all.Len(), "later pushes show up")
	assert.Equal(t, []string{"1", "2"}, all.IDs())
	push(t, s, `{"data":{"type":"album","id":"3","attributes":{"title":"c"}}}`)
	push(t, s, `{"data":{"type":"album","id":"1","attributes":{"title":"a2"}}}`)
	assert.Equal(t, []string{"1", "2", "3"}, all.IDs(), "an update keeps the order")
	titles := []string{}
	for i, a := range all.All() {
		assert.Equal(t, len(titles), i)
		titles = append(titles, a.Title)
	}
	assert.Equal(t, []string{"a2", "b", "c"}, titles)

	require.NoError(t, s.UnloadRecord("album", "2"))
	assert.Equal(t, []string{"1", "3"}, all.IDs(), "unloads drop out")
	assert.Equal(t, 2, len(all.Records()))
	push(t, s, `{"data":{"type":"album","id":"2","attributes":{"title":"back"}}}`)
	assert.Equal(t, []string{"1", "3", "2"}, all.IDs(), "a record pushed again joins at the end")

	for range all.All() {
		break // early exit is fine
	}
}

func TestUnloadRecord(t *testing.T) {
	s := newStore(t)
	push(t, s, bazan)
	require.NoError(t, s.UnloadRecord("album", "1"))
	_, ok := store.PeekRecord[fixture.Album](s, "1")
	assert.False(t, ok)
	assert.False(t, s.HasRecordForID("album", "1"))
	assert.True(t, s.HasRecordForID("artist", "1"), "other records stay")
	require.NoError(t, s.UnloadRecord("album", "1"), "unloading twice is harmless")
	require.NoError(t, s.UnloadRecord("album", "404"))
	assert.ErrorIs(t, s.UnloadRecord("label", "1"), store.ErrUnknownType)

	// After an unload the record comes back with only what is pushed again.
	push(t, s, `{"data":{"type":"album","id":"1","attributes":{"title":"again"}}}`)
	a, ok := store.PeekRecord[fixture.Album](s, "1")
	require.True(t, ok)
	assert.Equal(t, "again", a.Title)
	assert.Equal(t, 0, a.SongCount, "unloaded data is gone, not merged")
	assert.False(t, a.Songs.HasLinkage())
}

func TestUnloadAll(t *testing.T) {
	s := newStore(t)
	push(t, s, bazan)
	push(t, s, `{"data":{"type":"song","id":"1"}}`)
	require.NoError(t, s.UnloadAll("album"))
	assert.False(t, s.HasRecordForID("album", "1"))
	assert.True(t, s.HasRecordForID("artist", "1"))
	assert.Equal(t, 0, store.PeekAll[fixture.Album](s).Len())

	require.NoError(t, s.UnloadAll())
	assert.False(t, s.HasRecordForID("artist", "1"))
	assert.False(t, s.HasRecordForID("song", "1"))
	assert.ErrorIs(t, s.UnloadAll("album", "label"), store.ErrUnknownType)

	push(t, s, bazan)
	assert.True(t, s.HasRecordForID("album", "1"), "the store is usable after UnloadAll")
}

func TestUnloadCompactsIndex(t *testing.T) {
	s := newStore(t)
	push(t, s, string(fixture.AlbumsDocument(300, 1, 3)))
	for i := 1; i <= 300; i++ {
		require.NoError(t, s.UnloadRecord("album", itoa(i)))
	}
	_, ok := s.PeekIdentifier("album", "1")
	assert.True(t, ok, "the artists' albums (async) keep the identifiers of unloaded albums")
	assert.False(t, s.HasRecordForID("album", "1"))
	require.NoError(t, s.UnloadAll("artist"))
	_, ok = s.PeekIdentifier("album", "1")
	assert.False(t, ok, "entries are reclaimed once nothing refers to them")
	push(t, s, `{"data":{"type":"album","id":"1","attributes":{"title":"x"}}}`)
	assert.True(t, s.HasRecordForID("album", "1"))
}

func TestTypedStore(t *testing.T) {
	s := newStore(t)
	albums := store.For[fixture.Album](s)
	assert.Equal(t, "album", albums.Type())
	assert.Same(t, s, albums.Cache())
	recs, err := albums.Push(decode(t, bazan))
	require.NoError(t, err)
	require.Len(t, recs, 1)
	a, ok := albums.Peek("1")
	require.True(t, ok)
	assert.Equal(t, "Fewer Moving Parts", a.Title)
	assert.True(t, albums.Has("1"))
	assert.False(t, albums.Has("2"))
	require.NoError(t, albums.Unload("1"))
	assert.False(t, albums.Has("1"))
}

func TestChangedAndVersion(t *testing.T) {
	s := newStore(t)
	ch := s.Changed()
	v := s.Version()
	select {
	case <-ch:
		t.Fatal("closed before any change")
	default:
	}
	push(t, s, bazan)
	select {
	case <-ch:
	default:
		t.Fatal("not closed by a push")
	}
	assert.Greater(t, s.Version(), v)
	assert.NotEqual(t, ch, s.Changed(), "a new channel after each change")
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}
