package benchkit_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/benchkit"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapitest"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

func newStore(t testing.TB) (*store.Cache, *jsonapitest.Server) {
	srv := jsonapitest.NewServer()
	t.Cleanup(srv.Close)
	s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL, Client: srv.Client()}}, &serializers.JSONAPI{},
		store.WithModels(fixture.Models()...))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s, srv
}

func TestRun(t *testing.T) {
	s, srv := newStore(t)
	ids := []string{"1", "2", "3"}
	var progress []benchkit.Progress
	r, err := benchkit.Run[fixture.Album](context.Background(), s, ids, benchkit.Options{
		Rounds:   50,
		Progress: func(p benchkit.Progress) { progress = append(progress, p) },
	})
	require.NoError(t, err)
	assert.Equal(t, "album", r.Type)
	assert.Equal(t, 3, r.IDs)
	require.Len(t, r.Results, 3)
	for i, want := range []struct {
		op    string
		calls int
	}{{benchkit.OpPeek, 150}, {benchkit.OpFindHit, 150}, {benchkit.OpFindMiss, 3}} {
		res := r.Results[i]
		assert.Equal(t, want.op, res.Op)
		assert.Equal(t, want.calls, res.Calls)
		assert.Positive(t, res.P50, res.Op)
		assert.LessOrEqual(t, res.P50, res.P90, res.Op)
		assert.LessOrEqual(t, res.P90, res.P99, res.Op)
	}
	assert.Greater(t, r.Results[2].P50, r.Results[0].P50, "a miss over loopback costs more than a peek")
	assert.Positive(t, r.Results[2].AllocsPerOp, "a miss allocates")
	// Loading misses three times, the hits hit 150 times, the misses miss
	// three times; peeks are not finds.
	assert.Equal(t, store.Counts{Hits: 150, Misses: 6}, r.Finds)
	assert.Equal(t, uint64(6), r.Requests)
	assert.Equal(t, 6, srv.Count("GET", "/albums/1")+srv.Count("GET", "/albums/2")+srv.Count("GET", "/albums/3"))

	require.NotEmpty(t, progress)
	last := map[string]benchkit.Progress{}
	for _, p := range progress {
		last[p.Op] = p
	}
	for _, op := range []string{benchkit.OpPeek, benchkit.OpFindHit, benchkit.OpFindMiss} {
		assert.Equal(t, last[op].Total, last[op].Done, "%s ends done", op)
	}

	var table bytes.Buffer
	require.NoError(t, r.WriteTable(&table))
	assert.Contains(t, table.String(), "album: 3 ids")
	assert.Contains(t, table.String(), "find miss")
	assert.Contains(t, table.String(), "hit ratio 96.15% (150 hits, 6 misses), 6 requests")
}

func TestRunFails(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	_, err := benchkit.Run[fixture.Album](ctx, s, nil, benchkit.Options{})
	assert.ErrorIs(t, err, benchkit.ErrNoIDs)
	_, err = benchkit.Run[fixture.Album](ctx, s, []string{"1", "404"}, benchkit.Options{Rounds: 1})
	assert.ErrorIs(t, err, store.ErrNotFound)
	type Unregistered struct {
		ID string `id:"unregistered"`
	}
	_, err = benchkit.Run[Unregistered](ctx, s, []string{"1"}, benchkit.Options{})
	assert.ErrorIs(t, err, store.ErrUnknownType)
}

func BenchmarkAlbums(b *testing.B) {
	s, _ := newStore(b)
	ids := []string{"1", "2", "3"}
	b.Run("peek", func(b *testing.B) { benchkit.Peek[fixture.Album](b, s, ids) })
	b.Run("find-hit", func(b *testing.B) { benchkit.FindHit[fixture.Album](b, s, ids) })
	b.Run("find-miss", func(b *testing.B) { benchkit.FindMiss[fixture.Album](b, s, ids) })
}
