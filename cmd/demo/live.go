package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapitest"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
	"github.com/larder-go/larder/stream"
)

// live is a live view: the demo's store follows the embedded server's event
// stream and prints each change to albums as it arrives, while another
// client edits album 1; the server drops the stream, the source reconnects
// with Last-Event-ID and catches up with the edit made meanwhile.
func live(ctx context.Context, w io.Writer, srv *jsonapitest.Server) error {
	fmt.Fprintln(w, "== live: a server-sent events stream keeps the store current")
	newStore := func() (*store.Cache, error) {
		return store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL}}, &serializers.JSONAPI{},
			store.WithModels(fixture.Models()...))
	}
	s, err := newStore()
	if err != nil {
		return err
	}
	defer s.Close()
	other, err := newStore()
	if err != nil {
		return err
	}
	defer other.Close()
	if _, err := store.FindRecord[fixture.Album](ctx, s, "1"); err != nil {
		return err
	}
	sub := store.SubscribeType[fixture.Album](ctx, s)
	defer sub.Close()
	src, err := stream.Connect(ctx, s, srv.URL+jsonapitest.EventsPath, stream.WithBackoff(20*time.Millisecond, 200*time.Millisecond))
	if err != nil {
		return err
	}
	defer src.Close()
	for deadline := time.Now().Add(5 * time.Second); src.State() != stream.Live; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			return fmt.Errorf("live: the stream did not connect")
		}
	}
	fmt.Fprintf(w, "  subscribed to albums; stream %s\n", src.State())

	edit := func(title string) error {
		ref := store.GetReference[fixture.Album](other, "1")
		if _, err := ref.Reload(ctx); err != nil {
			return err
		}
		if err := ref.Update(func(a *fixture.Album) { a.Title = title }); err != nil {
			return err
		}
		return ref.Save(ctx)
	}
	show := func() error {
		wait, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		for {
			cs, err := sub.Next(wait)
			if err != nil {
				return fmt.Errorf("live: no change arrived: %w", err)
			}
			if c, ok := cs.Find("album", "1"); ok && c.Fields.Has("title") {
				a, _ := store.PeekRecord[fixture.Album](s, "1")
				fmt.Fprintf(w, "  change %d: album 1 %s, title %q (event %s)\n", cs.Seq, c.Fields, a.Title, src.LastEventID())
				return nil
			}
		}
	}
	if err := edit("Live at the Apollo"); err != nil {
		return err
	}
	if err := show(); err != nil {
		return err
	}
	fmt.Fprintf(w, "  the server drops %d stream\n", srv.DropStreams())
	if err := edit("Live at Leeds"); err != nil { // made while the source is away
		return err
	}
	if err := show(); err != nil {
		return err
	}
	fmt.Fprintf(w, "  reconnected with Last-Event-ID, caught up; stream %s\n", src.State())
	return nil
}
