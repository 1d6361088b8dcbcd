// Package fanouttest runs the fan-out scenarios against any broker: three
// store instances over one JSON:API server, each joined to the broker.
package fanouttest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/fanout"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapitest"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

// A Broker makes transports on one channel and can be restarted.
type Broker interface {
	// Transport returns a new transport on the broker's channel.
	Transport(t testing.TB) fanout.Transport
	// Restart stops the broker and starts it again at the same address;
	// messages published meanwhile are lost.
	Restart(t testing.TB)
}

// Errors collects what a store reports.
type Errors struct {
	mu  sync.Mutex
	all []error
}

func (e *Errors) add(err error) { e.mu.Lock(); e.all = append(e.all, err); e.mu.Unlock() }

// Has reports whether an error matching target was reported.
func (e *Errors) Has(target error) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, err := range e.all {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// An Instance is one store and its node.
type Instance struct {
	S    *store.Cache
	Node *fanout.Node
	Errs *Errors
}

// Instances starts n stores over srv, joined over b.
func Instances(t testing.TB, b Broker, srv *jsonapitest.Server, n int, opts ...fanout.Option) []*Instance {
	t.Helper()
	out := make([]*Instance, n)
	for i := range out {
		e := &Errors{}
		s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL}}, &serializers.JSONAPI{},
			store.WithModels(fixture.Models()...), store.WithErrorHandler(e.add))
		require.NoError(t, err)
		node, err := fanout.Join(context.Background(), s, b.Transport(t), opts...)
		require.NoError(t, err)
		out[i] = &Instance{S: s, Node: node, Errs: e}
		t.Cleanup(func() {
			node.Close()
			s.Close()
		})
	}
	return out
}

var noBackground = store.BackgroundReload(false)

// Load finds album id on every instance.
func Load(t testing.TB, in []*Instance, id string) {
	t.Helper()
	for _, x := range in {
		_, err := store.FindRecord[fixture.Album](context.Background(), x.S, id, noBackground)
		require.NoError(t, err)
	}
}

// Quiet waits until every message the instances published reached all of
// them.
func Quiet(t testing.TB, in []*Instance) {
	t.Helper()
	for _, x := range in {
		require.NoError(t, x.Node.Flush(context.Background()))
	}
	Eventually(t, func() bool {
		var pub, recv uint64
		for _, x := range in {
			st := x.Node.Stats()
			pub += st.Published
			recv += st.Received
		}
		return recv >= uint64(len(in))*pub
	}, "the broker is quiet")
}

// Peek returns album id as an instance holds it.
func Peek(s *store.Cache, id string) fixture.Album {
	a, _ := store.PeekRecord[fixture.Album](s, id)
	return a
}

// Eventually waits, in real time (a broker is real I/O), for cond.
func Eventually(t testing.TB, cond func() bool, msg string) {
	t.Helper()
	require.Eventually(t, cond, 10*time.Second, time.Millisecond, msg)
}

// Save edits album id on s with f and saves it.
func Save(t testing.TB, s *store.Cache, id string, f func(*fixture.Album)) {
	t.Helper()
	ref := store.GetReference[fixture.Album](s, id)
	require.NoError(t, ref.Update(f))
	require.NoError(t, ref.Save(context.Background()))
}

// Run runs every scenario over b.
func Run(t *testing.T, b Broker) {
	ctx := context.Background()

	t.Run("a save on one is visible on the others, without a request", func(t *testing.T) {
		srv := jsonapitest.NewServer()
		defer srv.Close()
		in := Instances(t, b, srv, 3)
		Load(t, in, "1")
		Quiet(t, in)
		before := in[1].S.Stats().Requests.Total()
		// Heartbeats aside: B answers a peer's hello with one, and on a
		// loaded machine a hello can arrive after this count is taken. A
		// heartbeat is counted when it starts and published when it is
		// sent: read the two when no heartbeat is between them.
		sent := func() (n uint64) {
			Eventually(t, func() bool {
				st := in[1].Node.Stats()
				n = st.Published - st.Heartbeats
				return st.Published >= st.Heartbeats
			}, "no heartbeat half sent")
			return n
		}
		applied, published := in[0].Node.Stats().Applied, sent()
		Save(t, in[0].S, "1", func(a *fixture.Album) { a.Title = "Saved on A" })
		for _, x := range in[1:] {
			Eventually(t, func() bool { return Peek(x.S, "1").Title == "Saved on A" }, "the save reaches every peer")
			assert.False(t, x.S.StateOf("album", "1").IsStale, "replicated: fresh enough to serve")
		}
		Quiet(t, in)
		assert.Equal(t, before, in[1].S.Stats().Requests.Total(), "no request was needed")
		assert.Equal(t, published, sent(), "B does not publish what it received")
		assert.Equal(t, applied, in[0].Node.Stats().Applied, "so nothing comes back to A")
	})

	t.Run("concurrent saves of different fields converge", func(t *testing.T) {
		srv := jsonapitest.NewServer()
		defer srv.Close()
		in := Instances(t, b, srv, 3)
		Load(t, in, "1")
		var wg sync.WaitGroup
		wg.Go(func() { Save(t, in[0].S, "1", func(a *fixture.Album) { a.Title = "Title from A" }) })
		wg.Go(func() { Save(t, in[1].S, "1", func(a *fixture.Album) { a.SongCount = 99 }) })
		wg.Wait()
		for i, x := range in {
			ok := assert.Eventually(t, func() bool {
				// A record a crossed answer left stale is reloaded on read.
				a, err := store.FindRecord[fixture.Album](ctx, x.S, "1", noBackground)
				return err == nil && a.Title == "Title from A" && a.SongCount == 99
			}, 10*time.Second, time.Millisecond, "instance "+string(rune('A'+i))+" has both fields")
			if !ok {
				a, err := store.FindRecord[fixture.Album](ctx, x.S, "1", noBackground)
				t.Logf("%q %d %v %+v %+v", a.Title, a.SongCount, err, x.S.StateOf("album", "1"), x.Node.Stats())
				d, _ := x.S.Dump(store.DumpOptions{Types: []string{"album"}, ID: "1", Records: 1})
				var b strings.Builder
				_ = d.WriteText(&b)
				t.Log(b.String())
				t.FailNow()
			}
		}
	})

	t.Run("a peer with local edits keeps them", func(t *testing.T) {
		srv := jsonapitest.NewServer()
		defer srv.Close()
		in := Instances(t, b, srv, 3)
		Load(t, in, "1")
		ref := store.GetReference[fixture.Album](in[2].S, "1")
		require.NoError(t, ref.Update(func(a *fixture.Album) { a.Title = "C's unsaved title" }))
		Save(t, in[0].S, "1", func(a *fixture.Album) { a.Title = "A's title"; a.SongCount = 7 })
		Eventually(t, func() bool { return Peek(in[2].S, "1").SongCount == 7 }, "the save reaches C")
		assert.Equal(t, "C's unsaved title", Peek(in[2].S, "1").Title, "the local edit stays on top")
		require.NoError(t, ref.Rollback())
		assert.Equal(t, "A's title", Peek(in[2].S, "1").Title, "underneath, the remote value is A's")
	})

	t.Run("a broker restart: reconnect, gap detected, invalidated, converged", func(t *testing.T) {
		srv := jsonapitest.NewServer()
		defer srv.Close()
		in := Instances(t, b, srv, 3, fanout.WithHeartbeat(50*time.Millisecond))
		Load(t, in, "1")
		Save(t, in[0].S, "1", func(a *fixture.Album) { a.Title = "before the restart" })
		Eventually(t, func() bool { return Peek(in[1].S, "1").Title == "before the restart" }, "first save arrives")

		b.Restart(t)
		Eventually(t, func() bool { return in[1].Node.Stats().Interruptions > 0 }, "B hears of the interruption")
		Eventually(t, func() bool { return in[1].S.StateOf("album", "1").IsStale }, "B invalidated what it may have missed")
		assert.True(t, in[1].Errs.Has(fanout.ErrInterrupted), "and reported it")

		// A save after the restart reaches the others, or their reload does.
		Save(t, in[0].S, "1", func(a *fixture.Album) { a.Title = "after the restart" })
		for _, x := range in[1:] {
			Eventually(t, func() bool {
				a, err := store.FindRecord[fixture.Album](ctx, x.S, "1", noBackground)
				return err == nil && a.Title == "after the restart"
			}, "converged after the restart")
		}
	})

	t.Run("a malformed message is skipped, reported and invalidates", func(t *testing.T) {
		srv := jsonapitest.NewServer()
		defer srv.Close()
		in := Instances(t, b, srv, 2)
		Load(t, in, "1")
		raw := b.Transport(t)
		require.NoError(t, raw.Subscribe(func([]byte) {}, func(error) {}))
		defer raw.Close()
		require.NoError(t, raw.Publish(ctx, []byte(`{"larder":1,"from":"x","seq":1,"counts":{"album":1},"types":["album"],"atomic:operations":[{"op":"frob"}]}`)))
		Eventually(t, func() bool { return in[1].Node.Stats().Malformed > 0 }, "skipped")
		assert.True(t, in[1].Errs.Has(fanout.ErrMalformed))
		assert.True(t, in[1].S.StateOf("album", "1").IsStale, "what it may have carried is stale")

		// Later messages still apply.
		Save(t, in[0].S, "1", func(a *fixture.Album) { a.Title = "after the bad one" })
		Eventually(t, func() bool { return Peek(in[1].S, "1").Title == "after the bad one" }, "still live")
	})
}
