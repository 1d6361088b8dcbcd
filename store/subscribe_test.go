package store_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapitest"
	"github.com/larder-go/larder/store"
)

// next takes the next change set without waiting: the store delivers inside
// the commit, so after a call returns its change set is there.
func next(t *testing.T, sub *store.Subscription) store.ChangeSet {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cs, err := sub.Next(ctx)
	require.NoError(t, err, "a change set is waiting")
	return cs
}

// none checks that no change set is waiting.
func none(t *testing.T, sub *store.Subscription) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cs, err := sub.Next(ctx)
	require.ErrorIs(t, err, context.Canceled, "nothing waiting, got %+v", cs)
}

// summary formats a change set as "album:1 updated [title]" lines.
func summary(cs store.ChangeSet) []string {
	var out []string
	for c := range cs.All() {
		out = append(out, c.Record.Type+":"+c.Record.ID+" "+kindName(c.Kind)+" "+c.Fields.String())
	}
	return out
}

func kindName(k store.ChangeKind) string {
	return map[store.ChangeKind]string{
		store.ChangeLoaded: "loaded", store.ChangeUpdated: "updated", store.ChangeUnloaded: "unloaded",
		store.ChangeCreated: "created", store.ChangeEdited: "edited", store.ChangeState: "state", store.ChangeSaved: "saved",
	}[k]
}

func TestChangeSetsOfEveryKindOfCommit(t *testing.T) {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	s := writeStore(t, srv.URL)
	ctx := context.Background()
	sub := s.Subscribe(ctx)
	defer sub.Close()

	pushAlbum(t, s)
	cs := next(t, sub)
	assert.Equal(t, []string{
		"album:1 loaded [title artistName songCount releasedAt rating artist]",
		"artist:1 loaded [name albums]",
		"artist:2 loaded [name]",
	}, summary(cs), "one change set for the push, by type, with the fields that are set")
	assert.Equal(t, s.Version(), cs.Seq)

	pushT(t, s, `{"data":{"type":"album","id":"1","attributes":{"title":"New"}}}`)
	assert.Equal(t, []string{"album:1 updated [title]"}, summary(next(t, sub)))

	pushT(t, s, `{"data":{"type":"album","id":"1","attributes":{"title":"New"}}}`)
	none(t, sub) // nothing changed, nothing announced

	// A relationship change reaches both sides, in one change set.
	pushT(t, s, `{"data":{"type":"album","id":"1","relationships":{"artist":{"data":{"type":"artist","id":"2"}}}}}`)
	assert.Equal(t, []string{"album:1 updated [artist]", "artist:1 updated [albums]", "artist:2 updated [albums]"}, summary(next(t, sub)))

	ref := store.GetReference[fixture.Album](s, "1")
	require.NoError(t, ref.Update(func(a *fixture.Album) { a.Rating = 5 }))
	assert.Equal(t, []string{"album:1 edited [rating]"}, summary(next(t, sub)))

	require.NoError(t, ref.Rollback())
	assert.Equal(t, []string{"album:1 state [rating]"}, summary(next(t, sub)))

	created, err := store.CreateRecord(s, fixture.Album{Title: "Fresh"})
	require.NoError(t, err)
	cs = next(t, sub)
	require.Equal(t, 1, cs.Len())
	assert.Equal(t, store.ChangeCreated, cs.At(0).Kind)
	assert.Equal(t, created.Identifier().LID, cs.At(0).Record.LID)
	assert.Equal(t, []string{"title"}, cs.At(0).Fields.Names())

	require.NoError(t, created.Save(ctx))
	var kinds []store.ChangeKind
	for len(kinds) == 0 || kinds[len(kinds)-1] != store.ChangeSaved {
		cs = next(t, sub)
		require.Equal(t, 1, cs.Len())
		kinds = append(kinds, cs.At(0).Kind)
	}
	assert.Equal(t, []store.ChangeKind{store.ChangeState, store.ChangeSaved}, kinds, "saving, then saved")
	require.NotEmpty(t, created.ID())
	saved, ok := cs.Find("album", created.ID())
	require.True(t, ok, "the saved change names the id the server gave")
	assert.Equal(t, created.Identifier().LID, saved.Record.LID)

	require.NoError(t, ref.Delete())
	assert.Equal(t, []string{"album:1 state []"}, summary(next(t, sub)))
	require.NoError(t, ref.Rollback())
	next(t, sub)

	require.NoError(t, s.UnloadRecord("album", "1"))
	assert.Equal(t, []string{"album:1 unloaded []", "artist:2 updated [albums]"}, summary(next(t, sub)))
	none(t, sub)
}

func TestSubscriptionsByTypeRecordAndArray(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	all := s.Subscribe(ctx)
	albums := store.SubscribeType[fixture.Album](ctx, s)
	artists := store.PeekAll[fixture.Artist](s).Subscribe(ctx)
	one := store.GetReference[fixture.Album](s, "2").Subscribe(ctx) // not loaded yet
	defer func() {
		for _, sub := range []*store.Subscription{all, albums, artists, one} {
			require.NoError(t, sub.Close())
		}
	}()

	pushT(t, s, `{"data":[{"type":"album","id":"1","attributes":{"title":"A"}},{"type":"album","id":"2","attributes":{"title":"B"}}],
		"included":[{"type":"artist","id":"9","attributes":{"name":"N"}}]}`)
	assert.Equal(t, 3, next(t, all).Len())
	assert.Equal(t, []string{"album:1 loaded [title]", "album:2 loaded [title]"}, summary(next(t, albums)))
	assert.Equal(t, []string{"artist:9 loaded [name]"}, summary(next(t, artists)))
	assert.Equal(t, []string{"album:2 loaded [title]"}, summary(next(t, one)))

	pushT(t, s, `{"data":{"type":"album","id":"1","attributes":{"title":"A2"}}}`)
	next(t, all)
	next(t, albums)
	none(t, artists)
	none(t, one)

	// Change sets are copies: changing what one reader got changes nothing
	// for another.
	pushT(t, s, `{"data":{"type":"album","id":"2","attributes":{"title":"B2"}}}`)
	a, b := next(t, all), next(t, one)
	changes := a.Changes()
	changes[0].Record.ID = "tampered"
	assert.Equal(t, "2", a.At(0).Record.ID)
	assert.Equal(t, "2", b.At(0).Record.ID)
}

func TestSlowSubscriberGetsOneMissedNotice(t *testing.T) {
	s := newStore(t)
	sub := s.Subscribe(context.Background(), store.WithBuffer(2))
	defer sub.Close()
	for i := range 5 {
		pushT(t, s, `{"data":{"type":"album","id":"1","attributes":{"songCount":`+string(rune('0'+i))+`}}}`)
	}
	cs := next(t, sub)
	assert.True(t, cs.Missed, "the buffer overflowed: one notice instead")
	assert.Zero(t, cs.Len())
	// The notice stands for every set dropped; the sets after the overflow follow it.
	rest := []store.ChangeSet{next(t, sub)}
	for {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		cs, err := sub.Next(ctx)
		if err != nil {
			break
		}
		rest = append(rest, cs)
	}
	assert.Equal(t, s.Version(), rest[len(rest)-1].Seq, "the last commit is delivered")
	for _, cs := range rest {
		assert.False(t, cs.Missed)
	}
	// A writer never waited: five commits were made with the reader asleep.
	assert.Equal(t, uint64(5), s.Version())
}

func TestSubscriptionEnds(t *testing.T) {
	t.Run("close returns what is buffered, then ErrClosed", func(t *testing.T) {
		s := newStore(t)
		sub := s.Subscribe(context.Background())
		pushT(t, s, `{"data":{"type":"album","id":"1"}}`)
		require.NoError(t, sub.Close())
		require.NoError(t, sub.Close(), "idempotent")
		pushT(t, s, `{"data":{"type":"album","id":"2"}}`)
		assert.Equal(t, 1, next(t, sub).Len())
		_, err := sub.Next(context.Background())
		assert.ErrorIs(t, err, store.ErrClosed)
	})
	t.Run("context", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := newStore(t)
			ctx, cancel := context.WithCancel(context.Background())
			sub := store.SubscribeType[fixture.Album](ctx, s)
			var got []store.ChangeSet
			var err error
			var wg sync.WaitGroup
			wg.Go(func() {
				for cs := range sub.All(context.Background()) {
					got = append(got, cs)
				}
				_, err = sub.Next(context.Background())
			})
			synctest.Wait() // the reader is blocked
			pushT(t, s, `{"data":{"type":"album","id":"1"}}`)
			synctest.Wait()
			require.Len(t, got, 1, "woken by the commit")
			cancel()
			wg.Wait()
			assert.ErrorIs(t, err, store.ErrClosed)
		})
	})
	t.Run("store close", func(t *testing.T) {
		s := newStore(t)
		sub := s.Subscribe(context.Background())
		require.NoError(t, s.Close())
		_, err := sub.Next(context.Background())
		assert.ErrorIs(t, err, store.ErrClosed)
		late := s.Subscribe(context.Background())
		_, err = late.Next(context.Background())
		assert.ErrorIs(t, err, store.ErrClosed)
	})
	t.Run("next waits for its context", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := newStore(t)
			sub := s.Subscribe(context.Background())
			defer sub.Close()
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_, err := sub.Next(ctx)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
		})
	})
}

// TestSubscriptionOrderUnderConcurrentWriters: commits from many goroutines
// reach a subscription once each, in the order of their sequence numbers.
func TestSubscriptionOrderUnderConcurrentWriters(t *testing.T) {
	s := newStore(t)
	const writers, each = 4, 50
	sub := s.Subscribe(context.Background(), store.WithBuffer(writers*each))
	defer sub.Close()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				pushT(t, s, `{"data":{"type":"album","id":"`+string(rune('a'+w))+`","attributes":{"songCount":`+strconv.Itoa(i)+`}}}`)
			}
		})
	}
	wg.Wait()
	var seqs []uint64
	for range s.Version() {
		cs := next(t, sub)
		require.False(t, cs.Missed)
		seqs = append(seqs, cs.Seq)
	}
	none(t, sub)
	require.Len(t, seqs, writers*each, "every commit changed its album")
	for i, seq := range seqs {
		assert.Equal(t, uint64(i+1), seq, "in commit order, none twice, none lost")
	}
}

// TestRecordSubscriptionFollowsANewRecord: a subscription on a record
// created locally (known by its lid) follows it through its save, when the
// server names its id, and after.
func TestRecordSubscriptionFollowsANewRecord(t *testing.T) {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	s := writeStore(t, srv.URL)
	ctx := context.Background()
	ref, err := store.CreateRecord(s, fixture.Album{Title: "Fresh"})
	require.NoError(t, err)
	sub := ref.Subscribe(ctx)
	defer sub.Close()
	other := store.GetReference[fixture.Album](s, "1").Subscribe(ctx)
	defer other.Close()

	require.NoError(t, ref.Update(func(a *fixture.Album) { a.Rating = 3 }))
	assert.Equal(t, []string{"album: edited [rating]"}, summary(next(t, sub)), "known by its lid alone")
	require.NoError(t, ref.Save(ctx))
	var last store.ChangeSet
	for {
		cs, err := sub.Next(cancelled())
		if err != nil {
			break
		}
		require.Equal(t, 1, cs.Len(), "only this record's change")
		last = cs
	}
	require.NotEmpty(t, ref.ID())
	assert.Equal(t, store.ChangeSaved, last.At(0).Kind)
	assert.Equal(t, ref.ID(), last.At(0).Record.ID)

	pushT(t, s, `{"data":{"type":"album","id":"`+ref.ID()+`","attributes":{"title":"Renamed"}}}`)
	assert.Equal(t, []string{"album:" + ref.ID() + " updated [title]"}, summary(next(t, sub)), "by its id now, once")
	none(t, sub)
	none(t, other)
}

func cancelled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func TestChangeKindString(t *testing.T) {
	for k, want := range map[store.ChangeKind]string{
		store.ChangeLoaded: "loaded", store.ChangeUpdated: "updated", store.ChangeUnloaded: "unloaded",
		store.ChangeCreated: "created", store.ChangeEdited: "edited", store.ChangeState: "state",
		store.ChangeSaved: "saved", 0: "ChangeKind(0)", 200: "ChangeKind(200)",
	} {
		assert.Equal(t, want, k.String())
	}
	assert.Equal(t, "updated", fmt.Sprint(store.ChangeUpdated), "fmt prints the name")
}
