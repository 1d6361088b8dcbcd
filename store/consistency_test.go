package store_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/store"
)

// songsDoc is album k holding songs 1..n: pushing it moves every song from
// album k-1 to album k in one commit.
func songsDoc(k, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"data":{"type":"album","id":"%d","relationships":{"songs":{"data":[`, k)
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type":"song","id":"%d"}`, i)
	}
	b.WriteString(`]}}},"included":[`)
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type":"song","id":"%d","attributes":{"title":"s%d"}}`, i, i)
	}
	b.WriteString(`]}`)
	return b.String()
}

// moveSongs pushes album 1 with songs 1..n, then starts a writer in wg that
// moves them to album 2, 3, ... up to album last, one commit each; the flag
// says when it is done.
func moveSongs(t *testing.T, s *store.Cache, wg *sync.WaitGroup, n, last int) *atomic.Bool {
	t.Helper()
	_, err := s.Push(decode(t, songsDoc(1, n)))
	require.NoError(t, err)
	done := new(atomic.Bool)
	wg.Go(func() {
		defer done.Store(true)
		for k := 2; k <= last; k++ {
			if _, err := s.Push(decode(t, songsDoc(k, n))); err != nil {
				t.Error(err)
				return
			}
		}
	})
	return done
}

// TestReadersSeeWholeCommits is the torn-commit finding: a writer moves 500
// songs from album to album, one commit each; readers read song 500's album,
// then that album's songs, then the song again. A reader that saw album k in
// the song must find the song in album k's list unless a later commit moved
// it, in which case the second read of the song names a later album: never
// the same album k with the song missing from it.
func TestReadersSeeWholeCommits(t *testing.T) {
	for _, n := range []int{2, 500} {
		t.Run(fmt.Sprintf("members=%d", n), func(t *testing.T) {
			assert.Zero(t, tornReads(t, n, false), "reads saw part of a commit")
		})
	}
	// The check catches a torn commit: one that publishes a record after
	// its window.
	t.Run("broken", func(t *testing.T) {
		assert.Positive(t, tornReads(t, 50, true))
	})
}

// tornReads runs the scenario and counts the reads that saw part of a
// commit. Commits yield after each record (SlowCommits), so readers meet them
// half done.
func tornReads(t *testing.T, n int, broken bool) int32 {
	s := newStore(t)
	store.SlowCommits(s, broken)
	last := fmt.Sprint(n)
	var wg sync.WaitGroup
	done := moveSongs(t, s, &wg, n, 60)
	var torn atomic.Int32
	for range 3 {
		wg.Go(func() {
			for !done.Load() {
				song := store.GetReference[fixture.Song](s, last)
				bt, err := store.BelongsTo[fixture.Album](song, "album")
				if err != nil {
					t.Error(err)
					return
				}
				k := bt.ID()
				hm, err := store.HasMany[fixture.Song](store.GetReference[fixture.Album](s, k), "songs")
				if err != nil {
					t.Error(err)
					return
				}
				ids := hm.IDs()
				again := bt.ID()
				if !slices.Contains(ids, last) && again == k {
					torn.Add(1)
				}
				// The other way round: album k's list names song 1,
				// so song 1 names album k or a later one.
				if slices.Contains(ids, "1") {
					one := store.GetReference[fixture.Song](s, "1")
					b1, _ := store.BelongsTo[fixture.Album](one, "album")
					if albumNo(b1.ID()) < albumNo(k) {
						torn.Add(1)
					}
				}
				// The live array and a peek agree with each other too.
				a, ok := store.PeekRecord[fixture.Album](s, k)
				if ok && len(a.Songs.IDs()) != 0 && len(a.Songs.IDs()) != n {
					torn.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return torn.Load()
}

// albumNo is an album id as a number, 0 for none.
func albumNo(id string) int {
	n, _ := strconv.Atoi(id)
	return n
}

// TestViewSeesOneMoment reads, inside one View, the song's album and that
// album's songs while the writer moves them: the two always agree.
func TestViewSeesOneMoment(t *testing.T) {
	s := newStore(t)
	store.SlowCommits(s, false) // commits yield inside their window: views meet them
	const n = 50
	var wg sync.WaitGroup
	done := moveSongs(t, s, &wg, n, 100)
	var reads, disagreed atomic.Int32
	for range 3 {
		wg.Go(func() {
			for !done.Load() {
				err := s.Read(func(v *store.View) error {
					song, ok := v.Related("song", "7", "album")
					if !ok || song.Len() != 1 {
						return fmt.Errorf("song 7 has no album")
					}
					album, ok := store.ViewRecord[fixture.Album](v, song.ID(0))
					if !ok {
						return fmt.Errorf("album %s not loaded", song.ID(0))
					}
					if !slices.Contains(album.Songs.IDs(), "7") {
						disagreed.Add(1)
					}
					if st := v.State("album", song.ID(0)); !st.IsLoaded {
						disagreed.Add(1)
					}
					reads.Add(1)
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	assert.Zero(t, disagreed.Load())
	assert.Positive(t, reads.Load())
}

// TestViewReturnsErrorAndRepanics: Read returns f's error, and a panic of f's
// own is not swallowed.
func TestViewReturnsErrorAndRepanics(t *testing.T) {
	s := newStore(t)
	want := fmt.Errorf("mine")
	assert.Same(t, want, s.Read(func(*store.View) error { return want }))
	assert.PanicsWithValue(t, "boom", func() {
		_ = s.Read(func(*store.View) error { panic("boom") })
	})
	_, err := s.Push(decode(t, `{"data":{"type":"album","id":"1","attributes":{"title":"a"}}}`))
	require.NoError(t, err)
	require.NoError(t, s.Read(func(v *store.View) error {
		all := store.ViewAll[fixture.Album](v)
		require.Len(t, all, 1)
		assert.Equal(t, "a", all[0].Title)
		_, ok := store.ViewRecord[fixture.Album](v, "2")
		assert.False(t, ok)
		_, ok = v.Related("album", "1", "nope")
		assert.False(t, ok)
		assert.True(t, v.State("nope", "1").IsEmpty)
		return nil
	}))
}

// TestUpdateIsAtomic is the lost-update finding: two goroutines increment a
// field 200 times each through Update; every increment survives. A
// relationship edit is a read-modify-write too: concurrent Adds keep every
// member.
func TestUpdateIsAtomic(t *testing.T) {
	s := newStore(t)
	_, err := s.Push(decode(t, `{"data":{"type":"album","id":"1","attributes":{"title":"a","songCount":0}}}`))
	require.NoError(t, err)
	ref := store.GetReference[fixture.Album](s, "1")
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for range 200 {
				if err := ref.Update(func(a *fixture.Album) { a.SongCount++ }); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for w := range 2 {
		wg.Go(func() {
			hm, err := store.HasMany[fixture.Song](ref, "songs")
			if err != nil {
				t.Error(err)
				return
			}
			for i := range 50 {
				if err := hm.Add(fmt.Sprintf("%d-%d", w, i)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	a, ok := ref.Value()
	require.True(t, ok)
	assert.Equal(t, 400, a.SongCount)
	assert.Len(t, a.Songs.IDs(), 100)
}

// Two concurrent loads of one link-backed relationship share one request,
// as two FindRecords of one record do.
func TestConcurrentRelationshipLoadsShareARequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		gate := make(chan struct{})
		var calls atomic.Int32
		a := store.AdapterFunc(func(ctx context.Context, req *store.Request) (*store.Response, error) {
			if req.Op == store.OpFindHasMany {
				calls.Add(1)
				<-gate
				return &store.Response{Status: 200, Body: []byte(`{"data":[{"type":"album","id":"7","attributes":{"title":"Seven"}}]}`)}, nil
			}
			return &store.Response{Status: 404}, nil
		})
		s, err := store.New(a, nil, store.WithModels(fixture.Models()...))
		require.NoError(t, err)
		defer s.Close()
		pushT(t, s, `{"data":{"type":"artist","id":"1","relationships":{"albums":{"links":{"related":"/artists/1/albums"}}}}}`)
		albums, err := store.HasMany[fixture.Album](store.GetReference[fixture.Artist](s, "1"), "albums")
		require.NoError(t, err)
		results := make(chan []fixture.Album, 2)
		for range 2 {
			go func() {
				got, err := albums.Load(context.Background())
				assert.NoError(t, err)
				results <- got
			}()
		}
		synctest.Wait()
		close(gate)
		for range 2 {
			got := <-results
			require.Len(t, got, 1)
			assert.Equal(t, "Seven", got[0].Title)
		}
		assert.Equal(t, int32(1), calls.Load(), "one request for both loads")
		st, err := s.StatsFor("artist")
		require.NoError(t, err)
		assert.Equal(t, uint64(1), st.Shared)
	})
}
