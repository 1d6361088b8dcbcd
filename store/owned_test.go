package store_test

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/relationship"
	"github.com/larder-go/larder/store"
)

// ownedModel has every kind of attribute that holds a reference, and
// relationships with links and meta.
type ownedModel struct {
	ID     string                                 `id:""`
	Tags   []string                               `attr:"tags"`
	Props  map[string]int                         `attr:"props"`
	Note   *string                                `attr:"note"`
	Artist relationship.BelongsTo[fixture.Artist] `rel:"artist,inverse=-"`
	Songs  relationship.HasMany[fixture.Song]     `rel:"songs,inverse=-"`
}

const ownedDoc = `{"data":[{"type":"owned-model","id":"1",
 "attributes":{"tags":["a","b"],"props":{"x":1},"note":"n"},
 "relationships":{
  "artist":{"data":{"type":"artist","id":"9","meta":{"m":[1]}},
   "links":{"related":{"href":"/artists/9","meta":{"k":[1,2]},"hreflang":["en"],"describedby":"/schema"}},
   "meta":{"count":{"n":1}}},
  "songs":{"data":[{"type":"song","id":"1","meta":{"i":[0]}},{"type":"song","id":"2"}],
   "links":{"related":"/songs"},"meta":{"total":[2]}}}}],
 "meta":{"page":{"n":[1]}},"links":{"next":{"href":"/next","meta":{"q":[1]}}}}`

// render writes down everything a reader can see of a record, deeply.
func render(v ownedModel) string {
	artist, _ := v.Artist.Identifier()
	return fmt.Sprintf("%q %v %v %v|%s %s|%v %s %s %v", v.Tags, v.Props, *v.Note,
		artist, renderLinks(v.Artist.Links()), v.Artist.Meta(),
		v.Songs.Identifiers(), renderLinks(v.Songs.Links()), v.Songs.Meta(), v.Songs.IDs())
}

func renderLinks(ls jsonapi.Links) string {
	out := ""
	for name, l := range ls {
		if l == nil {
			continue
		}
		out += fmt.Sprintf("%s=%s %s %q %s;", name, l.Href, l.Meta, l.HrefLang, renderLinks(jsonapi.Links{"describedby": l.DescribedBy}))
	}
	return out
}

// mutate changes every part of a result it can reach.
func mutate(v *ownedModel) {
	v.Tags[0] = "X"
	v.Props["x"] = 99
	*v.Note = "X"
	for _, rel := range []interface {
		Links() jsonapi.Links
		Meta() jsonapi.Meta
	}{v.Artist, v.Songs} {
		for _, l := range rel.Links() {
			l.Href = "X"
			if l.Meta != nil {
				l.Meta["k"][0] = 'X'
			}
			if len(l.HrefLang) > 0 {
				l.HrefLang[0] = "X"
			}
			if l.DescribedBy != nil {
				l.DescribedBy.Href = "X"
			}
		}
		for _, raw := range rel.Meta() {
			raw[0] = 'X'
		}
	}
	if id, ok := v.Artist.Identifier(); ok {
		id.Meta["m"][0] = 'X'
	}
	for _, id := range v.Songs.Identifiers() {
		if id.Meta != nil {
			id.Meta["i"][0] = 'X'
		}
	}
	if ids := v.Songs.IDs(); len(ids) > 0 {
		ids[0] = "X"
	}
}

func TestEveryAccessorReturnsCallerOwnedData(t *testing.T) {
	f := newFake()
	s := storeOver(t, store.AdapterFunc(func(ctx context.Context, req *store.Request) (*store.Response, error) {
		return &store.Response{Status: 200, Body: []byte(ownedDoc)}, nil
	}), store.WithModels(ownedModel{}))
	_ = f
	pushed, err := store.Push[ownedModel](s, mustDecode(t, ownedDoc))
	require.NoError(t, err)
	base, ok := store.PeekRecord[ownedModel](s, "1")
	require.True(t, ok)
	want := render(base)

	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 { // readers, so the race detector sees any sharing
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if v, ok := store.PeekRecord[ownedModel](s, "1"); ok {
					_ = render(v)
				}
			}
		})
	}
	results := map[string]func() []ownedModel{
		"Push": func() []ownedModel { return pushed },
		"Cache.Push": func() []ownedModel {
			out, err := s.Push(mustDecode(t, ownedDoc))
			require.NoError(t, err)
			return []ownedModel{out[0].(ownedModel)}
		},
		"PeekRecord":      func() []ownedModel { v, _ := store.PeekRecord[ownedModel](s, "1"); return []ownedModel{v} },
		"Store.Peek":      func() []ownedModel { v, _ := store.For[ownedModel](s).Peek("1"); return []ownedModel{v} },
		"PeekAll.Records": func() []ownedModel { return store.PeekAll[ownedModel](s).Records() },
		"PeekAll.All": func() []ownedModel {
			var out []ownedModel
			for _, v := range store.PeekAll[ownedModel](s).All() {
				out = append(out, v)
			}
			return out
		},
		"FindRecord": func() []ownedModel {
			v, err := store.FindRecord[ownedModel](context.Background(), s, "1", store.BackgroundReload(false))
			require.NoError(t, err)
			return []ownedModel{v}
		},
		"Query.Records": func() []ownedModel {
			c, err := store.Query[ownedModel](context.Background(), s, url.Values{"q": {"1"}})
			require.NoError(t, err)
			c.Meta()["page"][0] = 'X'
			c.Links()["next"].Meta["q"][0] = 'X'
			c.Links()["next"].Href = "X"
			c.Query()["q"][0] = "X"
			assert.Equal(t, `{"n":[1]}`, string(c.Meta()["page"]))
			assert.Equal(t, "/next", c.Links()["next"].Href)
			assert.Equal(t, `[1]`, string(c.Links()["next"].Meta["q"]))
			assert.Equal(t, "1", c.Query().Get("q"))
			return c.Records()
		},
	}
	for name, get := range results {
		t.Run(name, func(t *testing.T) {
			got := get()
			require.NotEmpty(t, got)
			for i := range got {
				mutate(&got[i])
			}
			v, ok := store.PeekRecord[ownedModel](s, "1")
			require.True(t, ok)
			assert.Equal(t, want, render(v), "the cache changed through a result of %s", name)
		})
	}
	close(stop)
	wg.Wait()
}

func mustDecode(t *testing.T, s string) *jsonapi.Document {
	t.Helper()
	doc, err := jsonapi.Decode([]byte(s))
	require.NoError(t, err)
	return doc
}

func TestRelationshipFieldsPrint(t *testing.T) {
	s := storeOver(t, nil, store.WithModels(ownedModel{}))
	_, err := store.Push[ownedModel](s, mustDecode(t, ownedDoc))
	require.NoError(t, err)
	v, _ := store.PeekRecord[ownedModel](s, "1")
	assert.Equal(t, "artist:9", fmt.Sprint(v.Artist))
	assert.Equal(t, "[song:1 song:2]", fmt.Sprint(v.Songs))
	assert.Contains(t, fmt.Sprintf("%v", v), "artist:9 [song:1 song:2]")
	var empty ownedModel
	assert.Equal(t, "<unknown> <unknown>", fmt.Sprint(empty.Artist, " ", empty.Songs))
}
