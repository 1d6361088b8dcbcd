package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

// opsStore holds artists 1 and 2 and albums 1..3 of artist 1.
func opsStore(t *testing.T) *store.Cache {
	s := newStore(t)
	pushT(t, s, `{"data":[{"type":"artist","id":"1","attributes":{"name":"A"}},{"type":"artist","id":"2","attributes":{"name":"B"}}],
		"included":[
		{"type":"album","id":"1","attributes":{"title":"One"},"relationships":{"artist":{"data":{"type":"artist","id":"1"}}}},
		{"type":"album","id":"2","attributes":{"title":"Two"},"relationships":{"artist":{"data":{"type":"artist","id":"1"}}}},
		{"type":"album","id":"3","attributes":{"title":"Three"},"relationships":{"artist":{"data":{"type":"artist","id":"1"}}}}]}`)
	return s
}

func albumIDs(t *testing.T, s *store.Cache, artist string) []string {
	return peek[fixture.Artist](t, s, artist).Albums.IDs()
}

func TestApplyOperations(t *testing.T) {
	res := func(doc string) *jsonapi.Resource {
		d, err := jsonapi.Decode([]byte(doc))
		require.NoError(t, err)
		return d.One()
	}
	album := func(id string) store.Identifier { return store.Identifier{Type: "album", ID: id} }
	artist := func(id string) store.Identifier { return store.Identifier{Type: "artist", ID: id} }

	t.Run("one commit, one change set", func(t *testing.T) {
		s := opsStore(t)
		sub := s.Subscribe(context.Background())
		defer sub.Close()
		v := s.Version()
		require.NoError(t, s.Apply(
			store.Operation{Op: store.OpPut, Resource: res(`{"data":{"type":"album","id":"4","attributes":{"title":"Four"}}}`)},
			store.Operation{Op: store.OpAddMembers, Ref: artist("2"), Relationship: "albums", Members: []store.Identifier{album("4"), album("1")}, Index: -1},
			store.Operation{Op: store.OpUpdate, Resource: res(`{"data":{"type":"album","id":"2","attributes":{"title":"Deux"}}}`)},
			store.Operation{Op: store.OpUpdate, Resource: res(`{"data":{"type":"album","id":"99","attributes":{"title":"never loaded"}}}`)},
		))
		assert.Equal(t, v+1, s.Version())
		assert.Equal(t, []string{"4", "1"}, albumIDs(t, s, "2"))
		assert.Equal(t, []string{"2", "3"}, albumIDs(t, s, "1"), "album 1 left artist 1: the inverse follows")
		assert.Equal(t, "2", peek[fixture.Album](t, s, "1").Artist.ID())
		assert.Equal(t, "Deux", peek[fixture.Album](t, s, "2").Title)
		_, ok := store.PeekRecord[fixture.Album](s, "99")
		assert.False(t, ok, "an update of a record not loaded makes none")
		cs := next(t, sub)
		assert.Equal(t, []string{
			"album:4 loaded [title artist]", "album:1 updated [artist]", "album:2 updated [title]",
			"artist:2 updated [albums]", "artist:1 updated [albums]",
		}, summary(cs))
		none(t, sub)
	})
	t.Run("members at an index, removed, replaced", func(t *testing.T) {
		s := opsStore(t)
		require.NoError(t, s.Apply(store.Operation{Op: store.OpAddMembers, Ref: artist("1"), Relationship: "albums", Members: []store.Identifier{album("9")}, Index: 1}))
		assert.Equal(t, []string{"1", "9", "2", "3"}, albumIDs(t, s, "1"))
		require.NoError(t, s.Apply(store.Operation{Op: store.OpRemoveMembers, Ref: artist("1"), Relationship: "albums", Members: []store.Identifier{album("2"), album("77")}}))
		assert.Equal(t, []string{"1", "9", "3"}, albumIDs(t, s, "1"))
		assert.Empty(t, peek[fixture.Album](t, s, "2").Artist.ID())
		require.NoError(t, s.Apply(store.Operation{Op: store.OpReplaceRelationship, Ref: album("3"), Relationship: "artist", Members: []store.Identifier{artist("2")}}))
		assert.Equal(t, []string{"1", "9"}, albumIDs(t, s, "1"))
		assert.Equal(t, []string{"3"}, albumIDs(t, s, "2"))
		require.NoError(t, s.Apply(store.Operation{Op: store.OpReplaceRelationship, Ref: album("3"), Relationship: "artist"}))
		assert.Empty(t, albumIDs(t, s, "2"))
	})
	t.Run("remove", func(t *testing.T) {
		s := opsStore(t)
		require.NoError(t, s.Apply(store.Operation{Op: store.OpRemove, Ref: album("2")}))
		_, ok := store.PeekRecord[fixture.Album](s, "2")
		assert.False(t, ok)
		assert.Equal(t, []string{"1", "3"}, albumIDs(t, s, "1"), "removed as deleted on the server: no stale id left")
		assert.Equal(t, 2, store.PeekAll[fixture.Album](s).Len())
	})
	t.Run("local edits stay on top", func(t *testing.T) {
		s := opsStore(t)
		ref := store.GetReference[fixture.Album](s, "1")
		require.NoError(t, ref.Update(func(a *fixture.Album) { a.Title = "Mine" }))
		require.NoError(t, s.Apply(store.Operation{Op: store.OpUpdate, Resource: res(`{"data":{"type":"album","id":"1","attributes":{"title":"Theirs","rating":3}}}`)}))
		got := peek[fixture.Album](t, s, "1")
		assert.Equal(t, "Mine", got.Title)
		assert.Equal(t, 3.0, got.Rating)
		assert.Equal(t, [2]any{"Theirs", "Mine"}, ref.ChangedAttributes()["title"])
	})

	bad := []struct {
		name string
		ops  []store.Operation
		want error
	}{
		{"unknown kind", []store.Operation{{Op: 99}}, store.ErrInvalidOperation},
		{"put without resource", []store.Operation{{Op: store.OpPut}}, store.ErrInvalidOperation},
		{"bad attribute", []store.Operation{{Op: store.OpPut, Resource: res(`{"data":{"type":"album","id":"5","attributes":{"songCount":"x"}}}`)}}, nil},
		{"unknown type", []store.Operation{{Op: store.OpRemove, Ref: store.Identifier{Type: "planet", ID: "1"}}}, store.ErrUnknownType},
		{"no id", []store.Operation{{Op: store.OpRemove, Ref: store.Identifier{Type: "album"}}}, store.ErrMissingID},
		{"no relationship", []store.Operation{{Op: store.OpAddMembers, Ref: artist("1"), Relationship: "songs", Index: -1}}, store.ErrNoRelationship},
		{"wrong member type", []store.Operation{{Op: store.OpAddMembers, Ref: artist("1"), Relationship: "albums", Members: []store.Identifier{artist("2")}, Index: -1}}, store.ErrTypeMismatch},
		{"two for a belongsTo", []store.Operation{{Op: store.OpReplaceRelationship, Ref: album("1"), Relationship: "artist", Members: []store.Identifier{artist("1"), artist("2")}}}, store.ErrShape},
		{"index past the end, after other operations", []store.Operation{
			{Op: store.OpPut, Resource: res(`{"data":{"type":"album","id":"6","attributes":{"title":"Six"},"relationships":{"artist":{"data":{"type":"artist","id":"2"}}}}}`)},
			{Op: store.OpRemove, Ref: album("1")},
			{Op: store.OpAddMembers, Ref: artist("1"), Relationship: "albums", Members: []store.Identifier{album("7")}, Index: 3},
		}, store.ErrInvalidOperation},
	}
	for _, tc := range bad {
		t.Run("invalid/"+tc.name, func(t *testing.T) {
			s := opsStore(t)
			sub := s.Subscribe(context.Background())
			defer sub.Close()
			v := s.Version()
			before := peek[fixture.Artist](t, s, "1")
			err := s.Apply(tc.ops...)
			var oe *store.OperationError
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, len(tc.ops)-1, oe.Index)
			if tc.want != nil {
				assert.ErrorIs(t, err, tc.want)
			}
			assert.Equal(t, v, s.Version(), "nothing announced")
			none(t, sub)
			assert.Equal(t, before, peek[fixture.Artist](t, s, "1"))
			assert.Equal(t, "1", peek[fixture.Album](t, s, "1").Artist.ID())
			_, ok := store.PeekRecord[fixture.Album](s, "6")
			assert.False(t, ok, "undone")
			assert.True(t, store.GetReference[fixture.Album](s, "1").IsLoaded())
			// The store works on after an undo.
			require.NoError(t, s.Apply(store.Operation{Op: store.OpAddMembers, Ref: artist("1"), Relationship: "albums", Members: []store.Identifier{album("8")}, Index: -1}))
			assert.Equal(t, []string{"1", "2", "3", "8"}, albumIDs(t, s, "1"))
		})
	}
}

func TestApplyDocument(t *testing.T) {
	s := opsStore(t)
	require.NoError(t, s.ApplyDocument([]byte(`{"atomic:operations":[
		{"op":"add","data":{"type":"album","id":"4","attributes":{"title":"Four"}}},
		{"op":"update","data":{"type":"album","id":"1","attributes":{"title":"Uno"}}},
		{"op":"add","ref":{"type":"artist","id":"2","relationship":"albums"},"data":[{"type":"album","id":"4"}]},
		{"op":"add","ref":{"type":"artist","id":"1","relationship":"albums"},"data":[{"type":"album","id":"5"}],"meta":{"index":0}},
		{"op":"remove","ref":{"type":"artist","id":"1","relationship":"albums"},"data":[{"type":"album","id":"3"}]},
		{"op":"update","ref":{"type":"album","id":"2","relationship":"artist"},"data":{"type":"artist","id":"2"}},
		{"op":"remove","ref":{"type":"album","id":"1"}}
	]}`)))
	assert.Equal(t, []string{"5"}, albumIDs(t, s, "1"))
	assert.Equal(t, []string{"4", "2"}, albumIDs(t, s, "2"))
	_, ok := store.PeekRecord[fixture.Album](s, "1")
	assert.False(t, ok)

	for name, doc := range map[string]string{
		"not JSON":              `{"atomic:operations":[`,
		"no operations":         `{"data":null}`,
		"unknown op":            `{"atomic:operations":[{"op":"patch","data":{"type":"album","id":"1"}}]}`,
		"href":                  `{"atomic:operations":[{"op":"remove","href":"/albums/1"}]}`,
		"remove without ref":    `{"atomic:operations":[{"op":"remove","data":{"type":"album","id":"1"}}]}`,
		"ref without id":        `{"atomic:operations":[{"op":"remove","ref":{"type":"album"}}]}`,
		"members not an array":  `{"atomic:operations":[{"op":"add","ref":{"type":"artist","id":"1","relationship":"albums"},"data":{"type":"album","id":"1"}}]}`,
		"bad index":             `{"atomic:operations":[{"op":"add","ref":{"type":"artist","id":"1","relationship":"albums"},"data":[],"meta":{"index":-2}}]}`,
		"bad resource":          `{"atomic:operations":[{"op":"add","data":{"type":"","id":"1"}}]}`,
		"ref and data disagree": `{"atomic:operations":[{"op":"update","ref":{"type":"album","id":"2"},"data":{"type":"album","id":"3"}}]}`,
		"second of two bad":     `{"atomic:operations":[{"op":"remove","ref":{"type":"album","id":"2"}},{"op":"remove","ref":{"type":"planet","id":"1"}}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			v := s.Version()
			assert.Error(t, s.ApplyDocument([]byte(doc)))
			assert.Equal(t, v, s.Version(), "nothing changed")
			assert.True(t, store.GetReference[fixture.Album](s, "2").IsLoaded())
		})
	}
}

func FuzzApplyDocument(f *testing.F) {
	f.Add([]byte(`{"atomic:operations":[{"op":"add","data":{"type":"album","id":"4","attributes":{"title":"Four"}}}]}`))
	f.Add([]byte(`{"atomic:operations":[{"op":"add","ref":{"type":"artist","id":"1","relationship":"albums"},"data":[{"type":"album","id":"5"}],"meta":{"index":1}}]}`))
	f.Add([]byte(`{"atomic:operations":[{"op":"remove","ref":{"type":"album","id":"1"}},{"op":"update","ref":{"type":"album","id":"2","relationship":"artist"},"data":null}]}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		s := opsStore(t)
		v := s.Version()
		before := store.PeekAll[fixture.Album](s).IDs()
		if err := s.ApplyDocument(doc); err != nil {
			if s.Version() != v {
				t.Fatalf("error %v, yet the version moved", err)
			}
			if got := store.PeekAll[fixture.Album](s).IDs(); len(got) != len(before) {
				t.Fatalf("error %v, yet albums changed: %v -> %v", err, before, got)
			}
		}
	})
}

// ApplyPayload refuses an operation whose ref names another resource than
// its data, as ApplyDocument does, and changes nothing; a ref that spells
// the same resource otherwise (a plural type) is the same resource.
func TestApplyPayloadRefMustNameTheData(t *testing.T) {
	s, err := store.New(nil, &serializers.JSONAPI{}, store.WithModels(fixture.Models()...))
	require.NoError(t, err)
	defer s.Close()
	pushT(t, s, `{"data":[{"type":"album","id":"1","attributes":{"title":"A"}},{"type":"song","id":"1","attributes":{"title":"S"}}]}`)
	mismatch := []byte(`{"atomic:operations":[{"op":"update","ref":{"type":"albums","id":"1"},"data":{"type":"songs","id":"1","attributes":{"title":"changed"}}}]}`)
	for name, apply := range map[string]func([]byte) error{"ApplyPayload": s.ApplyPayload, "ApplyDocument": s.ApplyDocument} {
		err := apply(mismatch)
		assert.ErrorIs(t, err, store.ErrInvalidOperation, name)
		assert.Equal(t, "S", peek[fixture.Song](t, s, "1").Title, name+": nothing changed")
		assert.Equal(t, "A", peek[fixture.Album](t, s, "1").Title, name+": nothing changed")
	}
	require.NoError(t, s.ApplyPayload([]byte(`{"atomic:operations":[{"op":"update","ref":{"type":"albums","id":"1"},"data":{"type":"album","id":"1","attributes":{"title":"B"}}}]}`)))
	assert.Equal(t, "B", peek[fixture.Album](t, s, "1").Title, "albums and album are one type")
}
