package redisfanout_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/larder-go/larder/fanout"
	"github.com/larder-go/larder/fanout/internal/fanouttest"
	"github.com/larder-go/larder/fanout/redisfanout"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// server is a real redis-server on a loopback port, started by the test.
type server struct {
	port int
	cmd  *exec.Cmd
}

// startRedis starts redis-server, or skips the test when it is missing and
// LARDER_REQUIRE_REDIS is not set (make test sets it, after installing it).
func startRedis(t testing.TB) *server {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("LARDER_REQUIRE_REDIS") != "" {
			t.Fatal("redis-server is not installed; make test installs it")
		}
		t.Skip("redis-server is not installed (make test installs it)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	s := &server{port: port}
	s.start(t)
	t.Cleanup(s.stop)
	return s
}

func (s *server) start(t testing.TB) {
	t.Helper()
	s.cmd = exec.Command("redis-server", "--port", fmt.Sprint(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning")
	require.NoError(t, s.cmd.Start())
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.port))
		if err == nil {
			c.Close()
		}
		return err == nil
	}, 10*time.Second, 10*time.Millisecond, "redis-server listens")
}

func (s *server) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	}
}

func (s *server) Transport(t testing.TB) fanout.Transport {
	tr, err := redisfanout.Dial(fmt.Sprintf("redis://127.0.0.1:%d/0", s.port), "test.changes")
	require.NoError(t, err)
	return tr
}

func (s *server) Restart(t testing.TB) {
	s.stop()
	s.start(t)
}

func TestScenariosOverRedis(t *testing.T) {
	fanouttest.Run(t, startRedis(t))
}

func BenchmarkConvergence(b *testing.B) { fanouttest.BenchmarkConvergence(b, startRedis(b)) }

func BenchmarkCommit(b *testing.B) {
	b.Run("without fan-out", func(b *testing.B) { fanouttest.BenchmarkCommit(b, nil) })
	b.Run("redis", func(b *testing.B) { fanouttest.BenchmarkCommit(b, startRedis(b)) })
}
