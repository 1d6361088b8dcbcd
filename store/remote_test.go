package store_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/store"
)

// replicate applies the remote operations of cs to peer as a peer's change,
// by way of their wire form, as fan-out sends them.
func replicate(t *testing.T, cs store.ChangeSet, peer *store.Cache) []store.Operation {
	t.Helper()
	ops, _, err := cs.RemoteOperations()
	require.NoError(t, err)
	raw, err := jsonapi.EncodeOperations(store.WireOperations(ops))
	require.NoError(t, err)
	wire, err := jsonapi.DecodeOperations(raw)
	require.NoError(t, err)
	back, err := store.Operations(wire)
	require.NoError(t, err)
	require.NoError(t, peer.From(store.OriginPeer).Apply(back...))
	return ops
}

func TestRemoteOperationsBringAPeerInLine(t *testing.T) {
	res := func(doc string) *jsonapi.Resource {
		d, err := jsonapi.Decode([]byte(doc))
		require.NoError(t, err)
		return d.One()
	}
	album := func(id string) store.Identifier { return store.Identifier{Type: "album", ID: id} }
	tests := []struct {
		name  string
		ops   []store.Operation
		kinds []store.OpKind // the remote operations, in order
		check func(t *testing.T, peer *store.Cache)
	}{
		{
			name:  "changed attributes only",
			ops:   []store.Operation{{Op: store.OpUpdate, Resource: res(`{"data":{"type":"album","id":"2","attributes":{"title":"Deux","songCount":0}}}`)}},
			kinds: []store.OpKind{store.OpUpdate},
			check: func(t *testing.T, peer *store.Cache) {
				assert.Equal(t, "Deux", peek[fixture.Album](t, peer, "2").Title)
			},
		},
		{
			name: "a to-one moved: the update carries it, both inverses follow on the peer",
			ops: []store.Operation{{Op: store.OpReplaceRelationship, Ref: album("1"), Relationship: "artist",
				Members: []store.Identifier{{Type: "artist", ID: "2"}}}},
			// album 1's update; artist 1 lost a member; artist 2, whose albums
			// were unknown, has a list now: a replacement
			kinds: []store.OpKind{store.OpUpdate, store.OpRemoveMembers, store.OpReplaceRelationship},
			check: func(t *testing.T, peer *store.Cache) {
				assert.Equal(t, "2", peek[fixture.Album](t, peer, "1").Artist.ID())
				assert.Equal(t, []string{"2", "3"}, albumIDs(t, peer, "1"))
				assert.Equal(t, []string{"1"}, albumIDs(t, peer, "2"))
			},
		},
		{
			name: "a member appended: an addition, which keeps what others added meanwhile",
			ops: []store.Operation{{Op: store.OpPut, Resource: res(`{"data":{"type":"album","id":"4","attributes":{"title":"Four"},
				"relationships":{"artist":{"data":{"type":"artist","id":"1"}}}}}`)}},
			kinds: []store.OpKind{store.OpUpdate, store.OpAddMembers},
			check: func(t *testing.T, peer *store.Cache) {
				assert.Equal(t, []string{"1", "2", "3", "4"}, albumIDs(t, peer, "1"))
			},
		},
		{
			name: "members reordered: a replacement",
			ops: []store.Operation{{Op: store.OpReplaceRelationship, Ref: store.Identifier{Type: "artist", ID: "1"}, Relationship: "albums",
				Members: []store.Identifier{album("3"), album("2"), album("1")}}},
			kinds: []store.OpKind{store.OpReplaceRelationship},
			check: func(t *testing.T, peer *store.Cache) {
				assert.Equal(t, []string{"3", "2", "1"}, albumIDs(t, peer, "1"))
			},
		},
		{
			name:  "a removal",
			ops:   []store.Operation{{Op: store.OpRemove, Ref: album("3")}},
			kinds: []store.OpKind{store.OpRemove, store.OpRemoveMembers},
			check: func(t *testing.T, peer *store.Cache) {
				_, ok := store.PeekRecord[fixture.Album](peer, "3")
				assert.False(t, ok)
				assert.Equal(t, []string{"1", "2"}, albumIDs(t, peer, "1"))
			},
		},
		{
			name:  "a record new to the sender: every attribute, and nothing made on a peer without it",
			ops:   []store.Operation{{Op: store.OpPut, Resource: res(`{"data":{"type":"album","id":"4","attributes":{"title":"Four"}}}`)}},
			kinds: []store.OpKind{store.OpUpdate},
			check: func(t *testing.T, peer *store.Cache) {
				_, ok := store.PeekRecord[fixture.Album](peer, "4")
				assert.False(t, ok, "a peer's update never makes a partial record")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, peer := opsStore(t), opsStore(t)
			sub := s.Subscribe(context.Background())
			defer sub.Close()
			require.NoError(t, s.Apply(tt.ops...))
			cs := next(t, sub)
			assert.Equal(t, store.OriginProgram, cs.Origin)
			ops := replicate(t, cs, peer)
			var kinds []store.OpKind
			for _, op := range ops {
				kinds = append(kinds, op.Op)
			}
			assert.Equal(t, tt.kinds, kinds)
			tt.check(t, peer)
		})
	}
}

func TestRemoteOperationsSendOnlyWhatChanged(t *testing.T) {
	s := opsStore(t)
	sub := s.Subscribe(context.Background())
	defer sub.Close()
	pushT(t, s, `{"data":{"type":"album","id":"2","attributes":{"title":"Deux","rating":4.5}}}`)
	ops, _, err := next(t, sub).RemoteOperations()
	require.NoError(t, err)
	require.Len(t, ops, 1)
	got, err := json.Marshal(ops[0].Resource.Attributes)
	require.NoError(t, err)
	assert.JSONEq(t, `{"title":"Deux","rating":4.5}`, string(got))
	assert.Nil(t, ops[0].Resource.Relationships, "no relationship changed")
}

func TestRemoteOperationsLeaveLocalStateOut(t *testing.T) {
	s := opsStore(t)
	sub := s.Subscribe(context.Background())
	defer sub.Close()
	ref := store.GetReference[fixture.Album](s, "1")
	require.NoError(t, ref.Update(func(a *fixture.Album) { a.Title = "edited" }))
	cs := next(t, sub)
	assert.Equal(t, store.OriginLocal, cs.Origin)
	ops, _, err := cs.RemoteOperations()
	require.NoError(t, err)
	assert.Empty(t, ops, "an edit changes no remote state")

	// A push over the edit sends the remote change, never the edit.
	pushT(t, s, `{"data":{"type":"album","id":"1","attributes":{"songCount":12}}}`)
	ops, _, err = next(t, sub).RemoteOperations()
	require.NoError(t, err)
	require.Len(t, ops, 1)
	assert.Equal(t, map[string]json.RawMessage{"songCount": json.RawMessage(`12`)}, ops[0].Resource.Attributes)
}

func TestPeerChangesKeepLocalEdits(t *testing.T) {
	s, peer := opsStore(t), opsStore(t)
	require.NoError(t, store.GetReference[fixture.Album](peer, "1").Update(func(a *fixture.Album) { a.Title = "mine" }))
	sub := s.Subscribe(context.Background())
	defer sub.Close()
	pushT(t, s, `{"data":{"type":"album","id":"1","attributes":{"title":"theirs","songCount":3}}}`)
	replicate(t, next(t, sub), peer)
	got := peek[fixture.Album](t, peer, "1")
	assert.Equal(t, "mine", got.Title, "the local edit stays on top")
	assert.Equal(t, 3, got.SongCount)
	assert.True(t, peer.StateOf("album", "1").HasDirtyAttributes)
}

func TestWireOperationsRoundTrip(t *testing.T) {
	ops := []store.Operation{
		{Op: store.OpRemove, Ref: store.Identifier{Type: "album", ID: "1"}},
		{Op: store.OpAddMembers, Ref: store.Identifier{Type: "artist", ID: "1"}, Relationship: "albums", Members: []store.Identifier{{Type: "album", ID: "2"}}, Index: 0},
		{Op: store.OpAddMembers, Ref: store.Identifier{Type: "artist", ID: "1"}, Relationship: "albums", Members: []store.Identifier{{Type: "album", ID: "3"}}, Index: -1},
		{Op: store.OpRemoveMembers, Ref: store.Identifier{Type: "artist", ID: "1"}, Relationship: "albums", Members: []store.Identifier{{Type: "album", ID: "2"}}},
		{Op: store.OpReplaceRelationship, Ref: store.Identifier{Type: "artist", ID: "1"}, Relationship: "albums", Members: []store.Identifier{}},
	}
	raw, err := jsonapi.EncodeOperations(store.WireOperations(ops))
	require.NoError(t, err)
	wire, err := jsonapi.DecodeOperations(raw)
	require.NoError(t, err)
	back, err := store.Operations(wire)
	require.NoError(t, err)
	for i := range back {
		if back[i].Members == nil && ops[i].Members != nil {
			back[i].Members = []store.Identifier{}
		}
	}
	assert.Equal(t, ops, back)
}

func TestEncodeOperationsRefusesBadOperations(t *testing.T) {
	tests := []struct {
		name string
		op   jsonapi.Operation
	}{
		{"unknown op", jsonapi.Operation{Op: "patch", Ref: &jsonapi.OperationRef{Type: "album", ID: "1"}}},
		{"no ref, no resource", jsonapi.Operation{Op: "remove"}},
		{"ref without id", jsonapi.Operation{Op: "remove", Ref: &jsonapi.OperationRef{Type: "album"}}},
		{"resource without type", jsonapi.Operation{Op: "add", Shape: jsonapi.One, Data: []jsonapi.Resource{{ID: "1"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := jsonapi.EncodeOperations([]jsonapi.Operation{tt.op})
			var ee *jsonapi.EncodeError
			require.ErrorAs(t, err, &ee)
		})
	}
}
