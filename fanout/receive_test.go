package fanout_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/fanout"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/store"
)

// captured is a transport whose deliveries the test makes itself.
type captured struct {
	mu      sync.Mutex
	deliver func([]byte)
	lost    func(error)
	sent    [][]byte
}

func (c *captured) Publish(_ context.Context, msg []byte) error {
	c.mu.Lock()
	c.sent = append(c.sent, append([]byte(nil), msg...))
	c.mu.Unlock()
	return nil
}
func (c *captured) Subscribe(d func([]byte), l func(error)) error {
	c.deliver, c.lost = d, l
	return nil
}
func (c *captured) Close() error { return nil }

// receiver is a store holding album 1, joined over a captured transport.
func receiver(t testing.TB, opts ...fanout.Option) (*store.Cache, *fanout.Node, *captured) {
	s, err := store.New(nil, nil, store.WithModels(fixture.Models()...), store.WithErrorHandler(func(error) {}))
	require.NoError(t, err)
	d, err := jsonapi.Decode([]byte(`{"data":{"type":"album","id":"1","attributes":{"title":"One","songCount":3}}}`))
	require.NoError(t, err)
	_, err = s.Push(d)
	require.NoError(t, err)
	c := &captured{}
	node, err := fanout.Join(context.Background(), s, c, append([]fanout.Option{fanout.WithHeartbeat(0)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { node.Close(); s.Close() })
	return s, node, c
}

func TestHostileMessagesAreSkippedAndChangeNoValue(t *testing.T) {
	tests := []struct {
		name string
		msg  string
	}{
		{"not JSON", `{"larder":1,`},
		{"another format", `{"hello":"world"}`},
		{"another version", `{"larder":2,"from":"x","seq":1,"counts":{}}`},
		{"no sender", `{"larder":1,"seq":1,"counts":{}}`},
		{"no sequence", `{"larder":1,"from":"x","counts":{}}`},
		{"a type touched but not counted", `{"larder":1,"from":"x","seq":1,"counts":{},"types":["album"]}`},
		{"operations that are not operations", `{"larder":1,"from":"x","seq":1,"counts":{"album":1},"types":["album"],"atomic:operations":{"op":"add"}}`},
		{"an operation on a relationship the model lacks", `{"larder":1,"from":"x","seq":1,"counts":{"album":1},"types":["album"],"atomic:operations":[{"op":"update","ref":{"type":"album","id":"1","relationship":"nope"},"data":[]},{"op":"update","data":{"type":"album","id":"1","attributes":{"title":"half applied?"}}}]}`},
		{"an attribute of the wrong type", `{"larder":1,"from":"x","seq":1,"counts":{"album":1},"types":["album"],"atomic:operations":[{"op":"update","data":{"type":"album","id":"1","attributes":{"songCount":"many"}}}]}`},
		{"too many types", `{"larder":1,"from":"x","seq":1,"counts":{` + manyTypes(2000) + `}}`},
		{"larger than the bound", `{"larder":1,"from":"x","seq":1,"counts":{},"pad":"` + strings.Repeat("x", fanout.DefaultMaxMessageSize) + `"}`},
		{"deeply nested", `{"larder":1,"from":"x","seq":1,"counts":{},"x":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, node, c := receiver(t)
			c.deliver([]byte(tt.msg))
			a, _ := store.PeekRecord[fixture.Album](s, "1")
			assert.Equal(t, "One", a.Title)
			assert.Equal(t, 3, a.SongCount)
			st := node.Stats()
			assert.Equal(t, uint64(1), st.Malformed)
			assert.Zero(t, st.Applied)
			assert.True(t, s.StateOf("album", "1").IsStale, "what the message may have carried is stale")
		})
	}
}

func manyTypes(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = `"t` + strconv.Itoa(i) + `":1`
	}
	return strings.Join(parts, ",")
}

func TestMessagesOfOtherModelsAreSkippedNotFatal(t *testing.T) {
	s, node, c := receiver(t)
	c.deliver([]byte(`{"larder":1,"from":"x","seq":1,"counts":{"album":1,"podcast":1},"types":["album","podcast"],"atomic:operations":[
		{"op":"update","data":{"type":"podcast","id":"1","attributes":{"title":"a type this version lacks"}}},
		{"op":"update","data":{"type":"album","id":"1","attributes":{"title":"Uno"}}}]}`))
	a, _ := store.PeekRecord[fixture.Album](s, "1")
	assert.Equal(t, "Uno", a.Title)
	assert.Equal(t, uint64(1), node.Stats().Applied)
}

func TestEchoesAndRepeatsAreIgnored(t *testing.T) {
	s, node, c := receiver(t, fanout.WithInstanceID("me"))
	update := func(from string, seq int, title string) []byte {
		return []byte(`{"larder":1,"from":"` + from + `","seq":` + string(rune('0'+seq)) + `,"counts":{"album":` + string(rune('0'+seq)) + `},"types":["album"],"atomic:operations":[{"op":"update","data":{"type":"album","id":"1","attributes":{"title":"` + title + `"}}}]}`)
	}
	c.deliver(update("me", 1, "my own echo"))
	c.deliver(update("x", 1, "first"))
	c.deliver(update("x", 1, "the same message again"))
	a, _ := store.PeekRecord[fixture.Album](s, "1")
	assert.Equal(t, "first", a.Title)
	st := node.Stats()
	assert.Equal(t, uint64(1), st.Echoes)
	assert.Equal(t, uint64(1), st.Duplicates)
	assert.Equal(t, 1, st.Peers)
}

func TestAnInterruptionInvalidatesEveryTypeThatTravels(t *testing.T) {
	s, node, c := receiver(t, fanout.WithMode("artist", fanout.Off))
	c.lost(assert.AnError)
	assert.True(t, s.StateOf("album", "1").IsStale)
	st := node.Stats()
	assert.Equal(t, uint64(1), st.Interruptions)
	assert.Equal(t, uint64(3), st.TypesInvalidated, "album, song and payment; artist is off")
}

func FuzzReceive(f *testing.F) {
	f.Add([]byte(`{"larder":1,"from":"x","seq":1,"counts":{"album":1},"types":["album"],"atomic:operations":[{"op":"update","data":{"type":"album","id":"1","attributes":{"title":"Uno"}}}]}`))
	f.Add([]byte(`{"larder":1,"from":"x","seq":2,"counts":{"album":3},"types":["album"],"invalidate":{"records":[{"type":"album","id":"1"}],"types":["song"]}}`))
	f.Add([]byte(`{"larder":1,"from":"x","seq":0,"beat":true,"hello":true,"counts":{}}`))
	f.Add([]byte(`{"larder":1,"from":"x","seq":1,"counts":{"artist":1},"types":["artist"],"atomic:operations":[{"op":"add","ref":{"type":"artist","id":"1","relationship":"albums"},"data":[{"type":"album","id":"1"}],"meta":{"index":0}}]}`))
	f.Fuzz(func(t *testing.T, msg []byte) {
		s, node, c := receiver(t)
		c.deliver(msg)
		c.deliver(msg) // a repeat is a duplicate or skipped again
		st := node.Stats()
		require.Equal(t, uint64(2), st.Received)
		require.LessOrEqual(t, st.Applied+st.Malformed+st.Duplicates+st.Echoes, uint64(2))
		_, ok := store.PeekRecord[fixture.Album](s, "1")
		require.True(t, ok, "no message unloads what it does not name")
	})
}
