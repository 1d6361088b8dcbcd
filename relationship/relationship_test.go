package relationship_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/relationship"
)

type artist struct{}
type song struct{}

func TestZeroValues(t *testing.T) {
	var b relationship.BelongsTo[artist]
	assert.False(t, b.HasLinkage())
	assert.False(t, b.IsNull(), "unknown is not null")
	assert.Equal(t, "", b.ID())
	_, ok := b.Identifier()
	assert.False(t, ok)
	assert.Nil(t, b.Links())
	var h relationship.HasMany[song]
	assert.Equal(t, 0, h.Len())
	assert.Nil(t, h.IDs())
	assert.False(t, h.HasLinkage())
	assert.Equal(t, relationship.KindBelongsTo, b.Kind())
	assert.Equal(t, relationship.KindHasMany, h.Kind())
	assert.Equal(t, reflect.TypeFor[song](), h.Target())
}

func TestBindAndAccessors(t *testing.T) {
	links := jsonapi.Links{"related": {Href: "/albums/1/songs"}}
	meta := jsonapi.Meta{"count": json.RawMessage(`2`)}
	st := relationship.NewState(relationship.KindHasMany, true, []jsonapi.Identifier{
		{Type: "song", ID: "1"}, {Type: "song", ID: "2", LID: "l2"}, {Type: "track", ID: "3", Meta: jsonapi.Meta{"x": json.RawMessage(`1`)}},
	}, links, meta)
	var h relationship.HasMany[song]
	relationship.Bind(&h, st)
	assert.Same(t, st, relationship.StateOf(&h))
	assert.True(t, h.HasLinkage())
	assert.Equal(t, 3, h.Len())
	assert.Equal(t, []string{"1", "2", "3"}, h.IDs())
	assert.Equal(t, []jsonapi.Identifier{
		{Type: "song", ID: "1"}, {Type: "song", ID: "2", LID: "l2"}, {Type: "track", ID: "3", Meta: jsonapi.Meta{"x": json.RawMessage(`1`)}},
	}, h.Identifiers())
	assert.Equal(t, "/albums/1/songs", h.Link("related"))
	assert.Equal(t, `2`, string(h.Meta()["count"]))

	// Accessors return copies: changing them leaves the state alone.
	ids := h.IDs()
	ids[0] = "x"
	h.Links()["related"] = nil
	h.Meta()["count"] = nil
	h.Identifiers()[2].Meta["x"][0] = '9'
	assert.Equal(t, []string{"1", "2", "3"}, h.IDs())
	assert.Equal(t, "/albums/1/songs", h.Link("related"))
	assert.Equal(t, `2`, string(h.Meta()["count"]))
	assert.Equal(t, `1`, string(h.Identifiers()[2].Meta["x"]))

	var b relationship.BelongsTo[artist]
	relationship.Bind(&b, relationship.NewState(relationship.KindBelongsTo, true, nil, nil, nil))
	assert.True(t, b.IsNull())
	relationship.Bind(&b, relationship.NewState(relationship.KindBelongsTo, true, []jsonapi.Identifier{{Type: "artist", ID: "7"}}, nil, nil))
	assert.Equal(t, "7", b.ID())
	id, ok := b.Identifier()
	require.True(t, ok)
	assert.Equal(t, jsonapi.Identifier{Type: "artist", ID: "7"}, id)
}

func TestNewStateCopiesData(t *testing.T) {
	data := []jsonapi.Identifier{{Type: "song", ID: "1"}}
	st := relationship.NewState(relationship.KindHasMany, true, data, nil, nil)
	data[0].ID = "changed"
	assert.Equal(t, "1", st.ID(0))
	assert.False(t, relationship.NewState(relationship.KindHasMany, false, data, nil, nil).HasLinkage())
}

func TestMerge(t *testing.T) {
	old := relationship.NewState(relationship.KindHasMany, true, []jsonapi.Identifier{{Type: "song", ID: "1"}},
		jsonapi.Links{"related": {Href: "/old"}}, jsonapi.Meta{"m": json.RawMessage(`1`)})
	linksOnly := relationship.NewState(relationship.KindHasMany, false, nil, jsonapi.Links{"related": {Href: "/new"}}, nil)
	merged := old.Merge(linksOnly, false, true, false)
	assert.Equal(t, []string{"1"}, merged.IDs(), "linkage kept")
	assert.Equal(t, "/new", merged.Link("related"))
	assert.Equal(t, `1`, string(merged.Meta()["m"]))
	dataOnly := relationship.NewState(relationship.KindHasMany, true, []jsonapi.Identifier{{Type: "song", ID: "2"}}, nil, nil)
	merged = old.Merge(dataOnly, true, false, false)
	assert.Equal(t, []string{"2"}, merged.IDs())
	assert.Equal(t, "/old", merged.Link("related"))
	assert.Equal(t, "hasMany", relationship.KindHasMany.String())
	assert.Equal(t, "belongsTo", relationship.KindBelongsTo.String())
}

func TestAppendSharesStorageOnlyWithTheLongest(t *testing.T) {
	ids := func(from, n int) []jsonapi.Identifier {
		out := make([]jsonapi.Identifier, n)
		for i := range out {
			out[i] = jsonapi.Identifier{Type: "song", ID: string(rune('a' + from + i))}
		}
		return out
	}
	base := relationship.NewState(relationship.KindHasMany, true, ids(0, 3), nil, nil)
	a := base.Append(relationship.KindHasMany, ids(3, 2))
	b := a.Append(relationship.KindHasMany, ids(5, 1))
	// a is no longer the longest: appending to it again must copy, leaving b.
	c := a.Append(relationship.KindHasMany, ids(10, 1))
	// base too.
	d := base.Append(relationship.KindHasMany, ids(20, 2))

	assert.Equal(t, []string{"a", "b", "c"}, base.IDs())
	assert.Equal(t, []string{"a", "b", "c", "d", "e"}, a.IDs())
	assert.Equal(t, []string{"a", "b", "c", "d", "e", "f"}, b.IDs())
	assert.Equal(t, []string{"a", "b", "c", "d", "e", "k"}, c.IDs())
	assert.Equal(t, []string{"a", "b", "c", "u", "v"}, d.IDs())
	assert.True(t, b.HasLinkage())

	t.Run("keeps links, meta and flags", func(t *testing.T) {
		st := relationship.NewState(relationship.KindHasMany, true, ids(0, 1), jsonapi.Links{"related": {Href: "/x"}}, jsonapi.Meta{"n": json.RawMessage(`1`)}).Stale()
		n := st.Append(relationship.KindHasMany, ids(1, 1))
		assert.Equal(t, "/x", n.Link("related"))
		assert.Equal(t, json.RawMessage(`1`), n.Meta()["n"])
		assert.True(t, n.IsStale())
	})
	t.Run("unknown linkage becomes partial", func(t *testing.T) {
		n := (*relationship.State)(nil).Append(relationship.KindHasMany, ids(0, 2))
		assert.True(t, n.IsPartial())
		assert.Equal(t, []string{"a", "b"}, n.IDs())
	})
	t.Run("members of another type, lids and meta take the general path", func(t *testing.T) {
		n := base.Append(relationship.KindHasMany, []jsonapi.Identifier{{Type: "video", ID: "v"}, {Type: "song", LID: "l"}})
		require.Equal(t, 5, n.Len())
		assert.Equal(t, jsonapi.Identifier{Type: "video", ID: "v"}, n.At(3))
		assert.Equal(t, jsonapi.Identifier{Type: "song", LID: "l"}, n.At(4))
		assert.Equal(t, []string{"a", "b", "c"}, base.IDs())
	})
	t.Run("merge does not inherit the storage", func(t *testing.T) {
		other := relationship.NewState(relationship.KindHasMany, true, ids(7, 1), nil, nil)
		m := b.Merge(other, true, false, false)
		n := m.Append(relationship.KindHasMany, ids(8, 1))
		assert.Equal(t, []string{"h", "i"}, n.IDs())
		assert.Equal(t, []string{"a", "b", "c", "d", "e", "f"}, b.IDs())
	})
}
