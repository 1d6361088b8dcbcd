package fanout_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/larder-go/larder/fanout"
	"github.com/larder-go/larder/fanout/internal/fanouttest"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapitest"
	"github.com/larder-go/larder/store"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// local is the in-process broker as a fanouttest.Broker: a restart loses
// nothing in flight but tells every node it may have.
type local struct{ *fanout.LocalBroker }

func (l local) Transport(testing.TB) fanout.Transport { return l.LocalBroker.Transport() }
func (l local) Restart(testing.TB)                    { l.Interrupt() }

func TestScenariosOverTheLocalBroker(t *testing.T) {
	fanouttest.Run(t, local{fanout.NewLocalBroker()})
}

func TestAGapIsDetectedByTheNextMessageAndInvalidatesItsTypes(t *testing.T) {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	b := fanout.NewLocalBroker()
	in := fanouttest.Instances(t, local{b}, srv, 2, fanout.WithHeartbeat(0))
	fanouttest.Load(t, in, "1")
	fanouttest.Load(t, in, "2")
	fanouttest.Quiet(t, in)

	b.Drop(1) // the broker loses A's next message, silently
	fanouttest.Save(t, in[0].S, "1", func(a *fixture.Album) { a.Title = "lost on the way" })
	fanouttest.Save(t, in[0].S, "2", func(a *fixture.Album) { a.Title = "arrives" })
	fanouttest.Eventually(t, func() bool { return fanouttest.Peek(in[1].S, "2").Title == "arrives" }, "the next message arrives")

	st := in[1].Node.Stats()
	assert.Equal(t, uint64(1), st.Gaps)
	assert.True(t, in[1].S.StateOf("album", "1").IsStale, "album 1's change was missed: stale")
	assert.True(t, in[1].Errs.Has(fanout.ErrGap))
	a, err := store.FindRecord[fixture.Album](context.Background(), in[1].S, "1", store.BackgroundReload(false))
	require.NoError(t, err)
	assert.Equal(t, "lost on the way", a.Title, "the reload converged")
}

func TestAHeartbeatRevealsALostLastMessage(t *testing.T) {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	b := fanout.NewLocalBroker()
	in := fanouttest.Instances(t, local{b}, srv, 2, fanout.WithHeartbeat(20*time.Millisecond))
	fanouttest.Load(t, in, "1")
	fanouttest.Quiet(t, in)
	fanouttest.Save(t, in[0].S, "1", func(a *fixture.Album) { a.Title = "first" })
	fanouttest.Eventually(t, func() bool { return fanouttest.Peek(in[1].S, "1").Title == "first" }, "first")
	b.Drop(1)
	fanouttest.Save(t, in[0].S, "1", func(a *fixture.Album) { a.Title = "lost, and A says nothing more" })
	fanouttest.Eventually(t, func() bool { return in[1].S.StateOf("album", "1").IsStale }, "a heartbeat shows the gap")
	assert.NotZero(t, in[0].Node.Stats().Heartbeats)
}

func TestInvalidateModeSendsIdentifiersOnly(t *testing.T) {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	b := fanout.NewLocalBroker()
	spy := b.Transport()
	var got []string
	msgs := make(chan string, 16)
	require.NoError(t, spy.Subscribe(func(m []byte) { msgs <- string(m) }, func(error) {}))
	defer spy.Close()
	in := fanouttest.Instances(t, local{b}, srv, 2, fanout.WithMode("album", fanout.Invalidate))
	fanouttest.Load(t, in, "1")
	fanouttest.Quiet(t, in)
	for len(msgs) > 0 {
		<-msgs // the loads'
	}
	fanouttest.Save(t, in[0].S, "1", func(a *fixture.Album) { a.Title = "secret title" })
	fanouttest.Eventually(t, func() bool { return in[1].S.StateOf("album", "1").IsStale }, "B marks it stale")
	assert.NotEqual(t, "secret title", fanouttest.Peek(in[1].S, "1").Title, "no value crossed")
	fanouttest.Eventually(t, func() bool {
		for len(msgs) > 0 {
			got = append(got, <-msgs)
		}
		return len(got) > 0 && strings.Contains(got[len(got)-1], `"invalidate"`)
	}, "the spy sees the message")
	for _, m := range got {
		assert.NotContains(t, m, "secret title")
	}
	assert.Contains(t, got[len(got)-1], `"invalidate":{"records":[{"type":"album","id":"1"}]}`)
	a, err := store.FindRecord[fixture.Album](context.Background(), in[1].S, "1", store.BackgroundReload(false))
	require.NoError(t, err)
	assert.Equal(t, "secret title", a.Title, "read on B: reloaded from the server")
}

func TestALargeChangeSetGoesAsInvalidation(t *testing.T) {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	in := fanouttest.Instances(t, local{fanout.NewLocalBroker()}, srv, 2, fanout.WithMaxMessageSize(4096))
	fanouttest.Load(t, in, "1")
	fanouttest.Quiet(t, in)
	long := strings.Repeat("x", 5000)
	fanouttest.Save(t, in[0].S, "1", func(a *fixture.Album) { a.Title = long })
	fanouttest.Eventually(t, func() bool { return in[1].S.StateOf("album", "1").IsStale }, "B marks it stale")
	assert.Equal(t, uint64(1), in[0].Node.Stats().Oversize)
	assert.NotEqual(t, long, fanouttest.Peek(in[1].S, "1").Title)
}

func TestOffKeepsATypeLocal(t *testing.T) {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	in := fanouttest.Instances(t, local{fanout.NewLocalBroker()}, srv, 2, fanout.WithMode("album", fanout.Off))
	fanouttest.Load(t, in, "1")
	fanouttest.Save(t, in[0].S, "1", func(a *fixture.Album) { a.Title = "mine only" })
	st := in[0].Node.Stats()
	assert.Equal(t, st.Heartbeats, st.Published, "heartbeats only")
	assert.Equal(t, fanout.Off, in[0].Node.Mode("album"))
	assert.Equal(t, fanout.Replicate, in[0].Node.Mode("artist"))
}

func TestJoinRefusesAModeForAnUnknownType(t *testing.T) {
	s, err := store.New(nil, nil, store.WithModels(fixture.Models()...))
	require.NoError(t, err)
	defer s.Close()
	_, err = fanout.Join(context.Background(), s, fanout.NewLocalBroker().Transport(), fanout.WithMode("albums", fanout.Invalidate))
	require.ErrorIs(t, err, store.ErrUnknownType)
}

func TestClosingTheContextStopsTheNode(t *testing.T) {
	s, err := store.New(nil, nil, store.WithModels(fixture.Models()...))
	require.NoError(t, err)
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	node, err := fanout.Join(ctx, s, fanout.NewLocalBroker().Transport())
	require.NoError(t, err)
	cancel()
	require.NoError(t, node.Close())
	require.NoError(t, node.Close(), "idempotent")
}

func BenchmarkConvergence(b *testing.B) {
	fanouttest.BenchmarkConvergence(b, local{fanout.NewLocalBroker()})
}

func BenchmarkCommit(b *testing.B) {
	b.Run("without fan-out", func(b *testing.B) { fanouttest.BenchmarkCommit(b, nil) })
	b.Run("local broker", func(b *testing.B) { fanouttest.BenchmarkCommit(b, local{fanout.NewLocalBroker()}) })
}
