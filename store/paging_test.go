package store_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapitest"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

func TestCollectionPaging(t *testing.T) {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL}}, &serializers.JSONAPI{}, store.WithModels(fixture.Models()...))
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()
	all, err := store.Query[fixture.Song](ctx, s, nil)
	require.NoError(t, err)
	require.Equal(t, 13, all.Len())

	page, err := store.Query[fixture.Song](ctx, s, url.Values{"page[size]": {"5"}})
	require.NoError(t, err)
	var ids []string
	pages := 0
	for {
		pages++
		ids = append(ids, page.IDs()...)
		if !page.HasPage("next") {
			break
		}
		page, err = page.Next(ctx)
		require.NoError(t, err)
	}
	assert.Equal(t, 3, pages)
	assert.Equal(t, all.IDs(), ids, "every song once, in order")
	_, err = page.Next(ctx)
	assert.ErrorIs(t, err, store.ErrNoPage)

	prev, err := page.Prev(ctx)
	require.NoError(t, err)
	assert.Equal(t, all.IDs()[5:10], prev.IDs())
	first, err := page.First(ctx)
	require.NoError(t, err)
	assert.Equal(t, all.IDs()[:5], first.IDs())
	_, err = first.Prev(ctx)
	assert.ErrorIs(t, err, store.ErrNoPage)
	last, err := first.Last(ctx)
	require.NoError(t, err)
	assert.Equal(t, all.IDs()[10:], last.IDs())

	// The filter travels with the page links.
	albumOne, err := store.Query[fixture.Song](ctx, s, url.Values{"filter[album]": {"1"}, "page[size]": {"4"}})
	require.NoError(t, err)
	next, err := albumOne.Next(ctx)
	require.NoError(t, err)
	for _, song := range append(albumOne.Records(), next.Records()...) {
		assert.Equal(t, "1", song.Album.ID())
	}
}

// Links as servers send them: absolute (Django REST framework JSON:API),
// host-relative, relative; and one to another origin, which is refused.
func TestPagingLinkForms(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request to another origin: %s", r.URL)
	}))
	defer other.Close()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := r.URL.Query().Get("n")
		assert.Equal(t, "k", r.Header.Get("X-Api-Key"))
		links := map[string]string{
			"":  srv.URL + "/api/albums?n=1",   // absolute
			"1": "/api/albums?n=2",             // host-relative
			"2": "albums?n=3",                  // relative to /api/albums
			"3": other.URL + "/api/albums?n=4", // another origin
		}
		fmt.Fprintf(w, `{"data":[{"type":"albums","id":%q,"attributes":{"title":"t"}}],"links":{"next":%q}}`, "a"+n, links[n])
	}))
	defer srv.Close()
	s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL, Namespace: "api", Header: http.Header{"X-Api-Key": {"k"}}}},
		&serializers.JSONAPI{}, store.WithModels(fixture.Models()...))
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()
	c, err := store.Query[fixture.Album](ctx, s, nil)
	require.NoError(t, err)
	for _, want := range []string{"a1", "a2", "a3"} {
		c, err = c.Next(ctx)
		require.NoError(t, err, want)
		assert.Equal(t, []string{want}, c.IDs())
	}
	_, err = c.Next(ctx)
	assert.ErrorIs(t, err, adapters.ErrOtherOrigin)
}
