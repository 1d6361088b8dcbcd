package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/store"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestPreload(t *testing.T) {
	s, err := store.New(nil, nil, store.WithModels(fixture.Models()...))
	require.NoError(t, err)
	defer s.Close()
	var out bytes.Buffer
	require.NoError(t, preload(&out, s))
	assert.Contains(t, out.String(), `album 1: "Fewer Moving Parts" by David Bazan, 10 songs (10 linked), released 2006-09-26`)
	assert.NotContains(t, out.String(), "generated models", "preload alone")
	assert.Contains(t, out.String(), `album 2: "Calgary b/w I Can't Make You Love Me/Nick Of Time" by Bon Iver, 2 songs (2 linked)`)
	assert.Equal(t, 2, store.PeekAll[fixture.Album](s).Len())
}

func TestRunAgainstEmbeddedServer(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, "", ""))
	got := out.String()
	for _, want := range []string{
		`pushed 1000 albums and 100 artists from 534427 bytes in one pass`,
		`album 42: "Album number 42", 10 songs, rated 4.2, by Artist number 42 (who has 10 albums)`,
		`miss: "Fewer Moving Parts" rated 4.5 (10 songs)`,
		`side-loaded artist: David Bazan`,
		`FindRecord returned the cached rating 4.5 at once`,
		`after the background reload, PeekRecord sees 5.0`,
		`FindAll songs: 13 in the live array`,
		`Query albums by artist 1: [1 3] (meta total 2)`,
		`album 10: "Bon Iver, Bon Iver" by Bon Iver, songCount 10`,
		`payment 1: 1299 cents, status processed`,
		`again: 422, map[status:[payment already processed]]`,
		`album 1's artist by its link /albums/1/artist: David Bazan`,
		`David Bazan's albums, from the inverse, no request: "Fewer Moving Parts" "Curse Your Branches"`,
		`moved song 13 to album 1: album 1 has 11 songs, album 3 has [], changed true`,
		`rolled back: album 1 has 10 songs, album 3 has [13], changed false`,
		`save: the server assigned id new-1; root.loaded.saved`,
		`"relationships":{"user":{"data":{"type":"users","id":"1"}}}`,
		`a post by the peeked user "dhh": id new-2, user user:1`,
		`-> updateRecord post {"data":{"type":"posts","id":"new-1","attributes":{"title":"Rails is still omakase"}}} -> 200`,
		`422: root.loaded.updated.invalid, errors map[title:[title must not be blank]]`,
		`a new title clears its error: valid true`,
		`rollback: body "", dirty false`,
		`deleteRecord: root.deleted.uncommitted, still 2 posts in PeekAll`,
		`save: root.deleted.saved, 1 post in PeekAll`,
		`destroyRecord: loaded false, 0 posts in PeekAll`,
		`subscribed to albums; stream live`,
		`album 1 [title], title "Live at the Apollo"`,
		`the server drops 1 stream`,
		`album 1 [title], title "Live at Leeds"`,
		`reconnected with Last-Event-ID, caught up; stream live`,
		`== scale-out: two instances share their changes over a broker`,
		`broker: embedded NATS server at nats://127.0.0.1:`,
		`A saved album 1; B received the change of [title] from a peer `,
		`: "Live at Leeds (saved on A)"`,
		`B made 1 requests: none for the change`,
		`node B: published 0, applied 2,`,
		`stats: what the store of the loading stories counted (store.Stats)`,
		`peeks                           3 hits          0 misses  100.0%`,
		`requests query                  4`,
		`errors invalid                  1`,
	} {
		assert.Contains(t, got, want)
	}
}
