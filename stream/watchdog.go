package stream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// ErrTimeout reports a connection given up for silence: no response within
// the connect timeout, or no byte within the idle timeout. The source
// reconnects after it, as after any drop.
var ErrTimeout = errors.New("stream: timed out")

// watchdog is a transport that gives up on a stream that says nothing: a
// request with no response within connect, and a body with no byte within
// idle (0: never). A hung backend or a connection dead without a FIN would
// otherwise hold the source forever, connecting or live and missing events.
type watchdog struct {
	base          http.RoundTripper
	connect, idle time.Duration
}

func (w *watchdog) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	var t *time.Timer
	if w.connect > 0 {
		t = time.AfterFunc(w.connect, func() {
			cancel(fmt.Errorf("%w: no response within %s", ErrTimeout, w.connect))
		})
	}
	resp, err := w.base.RoundTrip(req.WithContext(ctx))
	if t != nil {
		t.Stop()
	}
	if err != nil {
		if cause := context.Cause(ctx); errors.Is(cause, ErrTimeout) {
			err = cause
		}
		cancel(nil)
		return nil, err
	}
	b := &watchedBody{ReadCloser: resp.Body, ctx: ctx, cancel: cancel, idle: w.idle}
	if w.idle > 0 {
		b.timer = time.AfterFunc(w.idle, func() {
			cancel(fmt.Errorf("%w: nothing read for %s", ErrTimeout, w.idle))
		})
	}
	resp.Body = b
	return resp, nil
}

// watchedBody is a response body whose connection ends when nothing is read
// for idle. Its context lives as long as the body.
type watchedBody struct {
	io.ReadCloser
	ctx    context.Context
	cancel context.CancelCauseFunc
	idle   time.Duration
	timer  *time.Timer
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 && b.timer != nil {
		b.timer.Reset(b.idle)
	}
	if err != nil {
		if cause := context.Cause(b.ctx); errors.Is(cause, ErrTimeout) {
			err = cause
		}
	}
	return n, err
}

func (b *watchedBody) Close() error {
	if b.timer != nil {
		b.timer.Stop()
	}
	err := b.ReadCloser.Close()
	b.cancel(nil)
	return err
}
