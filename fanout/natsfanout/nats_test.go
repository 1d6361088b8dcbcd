package natsfanout_test

import (
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/larder-go/larder/fanout"
	"github.com/larder-go/larder/fanout/internal/fanouttest"
	"github.com/larder-go/larder/fanout/natsfanout"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// embedded is a real NATS server in the test process.
type embedded struct {
	srv  *server.Server
	port int
}

func start(t testing.TB, port int) *server.Server {
	t.Helper()
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, NoLog: true, NoSigs: true})
	require.NoError(t, err)
	srv.Start()
	require.True(t, srv.ReadyForConnections(5*time.Second), "nats-server starts")
	return srv
}

func newEmbedded(t testing.TB) *embedded {
	srv := start(t, server.RANDOM_PORT)
	e := &embedded{srv: srv, port: srv.Addr().(*net.TCPAddr).Port}
	t.Cleanup(func() { e.srv.Shutdown(); e.srv.WaitForShutdown() })
	return e
}

func (e *embedded) url() string { return e.srv.ClientURL() }

func (e *embedded) Transport(t testing.TB) fanout.Transport {
	tr, err := natsfanout.Dial(e.url(), "test.changes", nats.ReconnectWait(20*time.Millisecond), nats.ReconnectJitter(0, 0))
	require.NoError(t, err)
	return tr
}

func (e *embedded) Restart(t testing.TB) {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
	e.srv = start(t, e.port)
}

func TestScenariosOverNATS(t *testing.T) {
	fanouttest.Run(t, newEmbedded(t))
}

func BenchmarkConvergence(b *testing.B) { fanouttest.BenchmarkConvergence(b, newEmbedded(b)) }

func BenchmarkCommit(b *testing.B) {
	b.Run("without fan-out", func(b *testing.B) { fanouttest.BenchmarkCommit(b, nil) })
	b.Run("nats", func(b *testing.B) { fanouttest.BenchmarkCommit(b, newEmbedded(b)) })
}
