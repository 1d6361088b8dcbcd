package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/fanout"
	"github.com/larder-go/larder/fanout/natsfanout"
	"github.com/larder-go/larder/fanout/redisfanout"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

// scaleOut is the scale-out story: two instances of a service, each with its
// own store over the same backend, share their changes over a broker (an
// embedded NATS server, or the NATS or Redis URL given by -broker). A save on
// one is shown arriving on the other, with its latency.
func scaleOut(ctx context.Context, w io.Writer, backend, broker string) error {
	fmt.Fprintln(w, "== scale-out: two instances share their changes over a broker")
	if broker == "" {
		ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, NoLog: true, NoSigs: true})
		if err != nil {
			return err
		}
		ns.Start()
		defer func() { ns.Shutdown(); ns.WaitForShutdown() }()
		if !ns.ReadyForConnections(5 * time.Second) {
			return fmt.Errorf("the embedded NATS server did not start")
		}
		broker = ns.ClientURL()
		fmt.Fprintln(w, "  broker: embedded NATS server at", broker)
	} else {
		fmt.Fprintln(w, "  broker:", broker)
	}
	dial := func() (fanout.Transport, error) {
		if strings.HasPrefix(broker, "redis://") || strings.HasPrefix(broker, "rediss://") {
			return redisfanout.Dial(broker, "larder.demo")
		}
		return natsfanout.Dial(broker, "larder.demo")
	}
	var stores []*store.Cache
	var nodes []*fanout.Node
	for _, name := range []string{"A", "B"} {
		s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: backend}}, &serializers.JSONAPI{},
			store.WithModels(fixture.Models()...),
			store.WithErrorHandler(func(err error) { fmt.Fprintf(w, "  instance %s reports: %v\n", name, err) }))
		if err != nil {
			return err
		}
		defer s.Close()
		t, err := dial()
		if err != nil {
			return err
		}
		node, err := fanout.Join(ctx, s, t)
		if err != nil {
			return err
		}
		defer node.Close()
		if _, err := store.FindRecord[fixture.Album](ctx, s, "1", store.BackgroundReload(false)); err != nil {
			return err
		}
		stores, nodes = append(stores, s), append(nodes, node)
	}
	a, b := stores[0], stores[1]
	fmt.Fprintf(w, "  both instances hold album 1: %q\n", peekTitle(b, "1"))

	// When A's save commits, and when B sees it.
	commits := store.SubscribeType[fixture.Album](ctx, a)
	defer commits.Close()
	arrivals := store.SubscribeType[fixture.Album](ctx, b)
	defer arrivals.Close()
	committed := make(chan time.Time, 1)
	go func() {
		for cs := range commits.All(ctx) {
			if c, ok := cs.Find("album", "1"); ok && c.Kind == store.ChangeSaved {
				committed <- time.Now()
				return
			}
		}
	}()

	ref := store.GetReference[fixture.Album](a, "1")
	old := peekTitle(a, "1")
	if err := ref.Update(func(x *fixture.Album) { x.Title = old + " (saved on A)" }); err != nil {
		return err
	}
	if err := ref.Save(ctx); err != nil {
		return err
	}
	wait, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for {
		cs, err := arrivals.Next(wait)
		if err != nil {
			return fmt.Errorf("instance B never heard of the save: %w", err)
		}
		if cs.Origin != store.OriginPeer {
			continue
		}
		arrived := time.Now()
		c, _ := cs.Find("album", "1")
		var at time.Time
		select {
		case at = <-committed:
		case <-wait.Done():
			return wait.Err()
		}
		fmt.Fprintf(w, "  A saved album 1; B received the change of %s from a peer %v after A's commit: %q\n",
			c.Fields, arrived.Sub(at).Round(time.Microsecond), peekTitle(b, "1"))
		break
	}
	st := b.Stats()
	fmt.Fprintf(w, "  B made %d requests: none for the change\n", st.Requests.Total())

	// Put the title back, which travels too.
	if err := ref.Update(func(x *fixture.Album) { x.Title = old }); err != nil {
		return err
	}
	if err := ref.Save(ctx); err != nil {
		return err
	}
	for peekTitle(b, "1") != old {
		select {
		case <-wait.Done():
			return fmt.Errorf("the restore never reached B: %w", wait.Err())
		case <-time.After(time.Millisecond):
		}
	}
	for i, n := range nodes {
		_ = n.Flush(ctx)
		s := n.Stats()
		fmt.Fprintf(w, "  node %c: published %d, applied %d, echoes ignored %d, gaps %d\n", 'A'+i, s.Published-s.Heartbeats, s.Applied, s.Echoes, s.Gaps)
	}
	return nil
}

func peekTitle(s *store.Cache, id string) string {
	a, _ := store.PeekRecord[fixture.Album](s, id)
	return a.Title
}
