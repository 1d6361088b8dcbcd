package adapters_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

func TestDotSegmentIDsAreRefused(t *testing.T) {
	rc := &recorder{body: `{"data":null}`}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	s := newStore(t, srv.URL, nil)
	for _, id := range []string{".", ".."} {
		_, err := store.FindRecord[fixture.Album](context.Background(), s, id)
		assert.ErrorIs(t, err, adapters.ErrUnroutableID, "id %q", id)
		assert.ErrorIs(t, err, store.ErrAdapter)
	}
	assert.Empty(t, rc.reqs, "nothing was sent")
	assert.False(t, s.HasRecordForID("album", ".."))
	// Dots inside an id are ordinary characters.
	_, err := (&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL}}).Do(context.Background(), &store.Request{Op: store.OpFindRecord, Type: "album", ID: "..."})
	require.NoError(t, err)
	assert.Equal(t, "/albums/...", rc.last().URL.Path)
}

func TestQuerySpacesAreEncodedAsPercent20(t *testing.T) {
	rc := &recorder{body: `{"data":[]}`}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	s := newStore(t, srv.URL, nil)
	_, err := store.Query[fixture.Album](context.Background(), s, url.Values{"filter[artistName]": {"Miles Davis"}, "q": {"a+b"}})
	require.NoError(t, err)
	raw := rc.last().URL.RawQuery
	assert.Contains(t, raw, "Miles%20Davis")
	assert.Contains(t, raw, "q=a%2Bb", "a literal plus stays a plus")
	assert.NotContains(t, raw, "Miles+Davis")
	assert.Equal(t, "Miles Davis", rc.last().URL.Query().Get("filter[artistName]"))
}

// Coalesced finds of many long ids split into findMany requests whose URLs stay
// within the limit, and an id holding a comma is fetched alone.
func TestFindManySplitsByURLLength(t *testing.T) {
	for _, limit := range []int{0, 300} {
		t.Run(fmt.Sprint("limit ", limit), func(t *testing.T) {
			var mu sync.Mutex
			var urls []string
			seen := map[string]int{}
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				urls = append(urls, srv.URL+r.RequestURI)
				var ids []string
				if f := r.URL.Query().Get("filter[id]"); f != "" {
					ids = strings.Split(f, ",")
				} else {
					ids = []string{strings.TrimPrefix(r.URL.Path, "/albums/")}
				}
				var data []string
				for _, id := range ids {
					seen[id]++
					data = append(data, fmt.Sprintf(`{"type":"albums","id":%q,"attributes":{"title":"t"}}`, id))
				}
				if r.URL.Query().Get("filter[id]") == "" {
					fmt.Fprintf(w, `{"data":%s}`, data[0])
					return
				}
				fmt.Fprintf(w, `{"data":[%s]}`, strings.Join(data, ","))
			}))
			defer srv.Close()
			s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL, Coalesce: true, MaxURLLength: limit}},
				&serializers.JSONAPI{}, store.WithModels(fixture.Models()...), store.WithCoalesceWindow(50*1e6))
			require.NoError(t, err)
			defer s.Close()
			ids := []string{"a,b"}
			for i := range 120 {
				ids = append(ids, fmt.Sprintf("%040d", i))
			}
			var wg sync.WaitGroup
			for _, id := range ids {
				wg.Go(func() {
					a, err := store.FindRecord[fixture.Album](context.Background(), s, id)
					if assert.NoError(t, err, id) {
						assert.Equal(t, id, a.ID)
					}
				})
			}
			wg.Wait()
			max := limit
			if max == 0 {
				max = 2048
			}
			assert.Greater(t, len(urls), 2, "split into several requests")
			for _, u := range urls {
				assert.LessOrEqual(t, len(u), max, u)
			}
			for _, id := range ids {
				assert.Equal(t, 1, seen[id], "id %q fetched once", id)
			}
			assert.Contains(t, urls, srv.URL+"/albums/a%2Cb", "the comma id alone, by findRecord")
		})
	}
}

// Related links resolve as Ember Data's urlPrefix: "/" on the host without
// the namespace, relative under the parent record's URL (or what the
// FindBelongsTo and FindHasMany hooks say it is), absolute as they are.
func TestRelatedLinks(t *testing.T) {
	rc := &recorder{body: `{"data":[]}`}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	plain := &adapters.JSONAPI{Config: adapters.Config{Host: srv.URL, Namespace: "api/v1"}}
	hooked := &adapters.JSONAPI{Config: adapters.Config{Host: srv.URL, Namespace: "api/v1", URLs: adapters.URLHooks{
		FindBelongsTo: func(typ, id string) string { return "/base/" + typ + "/" + id },
		FindHasMany:   func(typ, id string) string { return "/base/" + typ + "s/" + id + "/" },
	}}}
	tests := []struct {
		name string
		a    *adapters.JSONAPI
		op   store.Op
		link string
		uri  string
	}{
		{"host-relative", plain, store.OpFindHasMany, "/artists/1/albums", "/artists/1/albums"},
		{"relative", plain, store.OpFindHasMany, "albums", "/api/v1/artists/1/albums"},
		{"absolute", plain, store.OpFindBelongsTo, srv.URL + "/x/y?z=1", "/x/y?z=1"},
		{"hooked belongsTo", hooked, store.OpFindBelongsTo, "owner", "/base/artist/1/owner"},
		{"hooked hasMany", hooked, store.OpFindHasMany, "albums", "/base/artists/1/albums"},
		{"hooked, host-relative wins", hooked, store.OpFindHasMany, "/top", "/top"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.a.Do(context.Background(), &store.Request{Op: tt.op, Type: "artist", ID: "1", Relationship: "albums", URL: tt.link})
			require.NoError(t, err)
			assert.Equal(t, "GET", rc.last().Method)
			assert.Equal(t, tt.uri, rc.last().RequestURI)
		})
	}
}

func TestURLHooks(t *testing.T) {
	rc := &recorder{body: `{"data":[]}`}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	a := &adapters.JSONAPI{Config: adapters.Config{Host: srv.URL, URLs: adapters.URLHooks{
		FindMany:     func(typ string, ids []string) string { return "/" + typ + "s/" + strings.Join(ids, ",") },
		FindRecord:   func(typ, id string) string { return "/v2/" + typ + "/" + id },
		FindAll:      func(typ string) string { return "/all/" + typ },
		Query:        func(typ string, q url.Values) string { return "/search/" + typ },
		QueryRecord:  func(typ string, q url.Values) string { return "/one/" + typ },
		CreateRecord: func(typ string) string { return "/new/" + typ },
		UpdateRecord: func(typ, id string) string { return "/edit/" + typ + "/" + id },
		DeleteRecord: func(typ, id string) string { return "/gone/" + typ + "/" + id },
	}}}
	tests := []struct {
		req    store.Request
		method string
		uri    string
	}{
		{store.Request{Op: store.OpFindMany, Type: "album", IDs: []string{"1", "3"}}, "GET", "/albums/1,3"},
		{store.Request{Op: store.OpFindRecord, Type: "album", ID: "1", Include: []string{"artist"}}, "GET", "/v2/album/1?include=artist"},
		{store.Request{Op: store.OpFindAll, Type: "album"}, "GET", "/all/album"},
		{store.Request{Op: store.OpQuery, Type: "album", Query: url.Values{"q": {"x y"}}}, "GET", "/search/album?q=x%20y"},
		{store.Request{Op: store.OpQueryRecord, Type: "album"}, "GET", "/one/album"},
		{store.Request{Op: store.OpCreateRecord, Type: "album", Body: []byte(`{}`)}, "POST", "/new/album"},
		{store.Request{Op: store.OpUpdateRecord, Type: "album", ID: "1", Body: []byte(`{}`)}, "PATCH", "/edit/album/1"},
		{store.Request{Op: store.OpDeleteRecord, Type: "album", ID: "1"}, "DELETE", "/gone/album/1"},
	}
	for _, tt := range tests {
		t.Run(tt.req.Op.String(), func(t *testing.T) {
			_, err := a.Do(context.Background(), &tt.req)
			require.NoError(t, err)
			assert.Equal(t, tt.method, rc.last().Method)
			assert.Equal(t, tt.uri, rc.last().RequestURI)
		})
	}
}

// Links a server returns are followed only on the configured origin, unless the
// program allows the host; the adapter's headers never go to another origin, by
// link or by redirect.
func TestLinksStayOnTheirOrigin(t *testing.T) {
	other := &recorder{body: `{"data":null}`}
	otherSrv := httptest.NewServer(other)
	defer otherSrv.Close()
	home := &recorder{body: `{"data":null}`}
	homeSrv := httptest.NewServer(home)
	defer homeSrv.Close()
	otherHost := strings.TrimPrefix(otherSrv.URL, "http://")
	hdr := http.Header{"Authorization": {"Bearer secret"}, "X-Api-Key": {"k"}}

	t.Run("refused", func(t *testing.T) {
		a := &adapters.JSONAPI{Config: adapters.Config{Host: homeSrv.URL, Header: hdr}}
		for _, op := range []store.Op{store.OpFindBelongsTo, store.OpFindHasMany, store.OpQuery} {
			_, err := a.Do(context.Background(), &store.Request{Op: op, Type: "album", ID: "1", URL: otherSrv.URL + "/artists/1"})
			assert.ErrorIs(t, err, adapters.ErrOtherOrigin, op.String())
		}
		for _, link := range []string{"//" + otherHost + "/x", "https://" + strings.TrimPrefix(homeSrv.URL, "http://") + "/x", "file:///etc/passwd"} {
			_, err := a.Do(context.Background(), &store.Request{Op: store.OpFindHasMany, Type: "album", ID: "1", URL: link})
			assert.ErrorIs(t, err, adapters.ErrOtherOrigin, link)
		}
		assert.Empty(t, other.reqs)
	})
	t.Run("allowed host gets no headers", func(t *testing.T) {
		a := &adapters.JSONAPI{Config: adapters.Config{Host: homeSrv.URL, Header: hdr, AllowHosts: []string{otherHost}}}
		_, err := a.Do(context.Background(), &store.Request{Op: store.OpFindBelongsTo, Type: "album", ID: "1", URL: otherSrv.URL + "/artists/1"})
		require.NoError(t, err)
		assert.Empty(t, other.last().Header.Get("Authorization"))
		assert.Empty(t, other.last().Header.Get("X-Api-Key"))
	})
	t.Run("same origin gets headers", func(t *testing.T) {
		a := &adapters.JSONAPI{Config: adapters.Config{Host: homeSrv.URL, Header: hdr}}
		_, err := a.Do(context.Background(), &store.Request{Op: store.OpFindBelongsTo, Type: "album", ID: "1", URL: "/artists/1"})
		require.NoError(t, err)
		assert.Equal(t, "Bearer secret", home.last().Header.Get("Authorization"))
		assert.Equal(t, "/artists/1", home.last().URL.Path)
	})
	t.Run("redirects", func(t *testing.T) {
		redir := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/albums/1" {
				http.Redirect(w, r, otherSrv.URL+"/stolen", http.StatusFound)
				return
			}
			http.Redirect(w, r, "/albums/1", http.StatusFound)
		}))
		defer redir.Close()
		a := &adapters.JSONAPI{Config: adapters.Config{Host: redir.URL, Header: hdr}}
		n := len(other.reqs)
		_, err := a.Do(context.Background(), &store.Request{Op: store.OpFindRecord, Type: "album", ID: "1"})
		assert.ErrorIs(t, err, adapters.ErrOtherOrigin)
		assert.Len(t, other.reqs, n, "the redirect to another origin was not followed")

		a.AllowHosts = []string{otherHost}
		_, err = a.Do(context.Background(), &store.Request{Op: store.OpFindRecord, Type: "album", ID: "1"})
		require.NoError(t, err)
		assert.Empty(t, other.last().Header.Get("X-Api-Key"), "custom headers are stripped on leaving the origin")
		assert.Empty(t, other.last().Header.Get("Authorization"))
	})
}

// FuzzAdapterRoute sends requests with hostile ids, query values and links:
// the adapter never panics, and a request either fails or reaches the
// configured origin, never the other server.
func FuzzAdapterRoute(f *testing.F) {
	home := &recorder{body: `{"data":null}`}
	homeSrv := httptest.NewServer(home)
	defer homeSrv.Close()
	other := &recorder{body: `{"data":null}`}
	otherSrv := httptest.NewServer(other)
	defer otherSrv.Close()
	f.Add("..", "a b", "/albums?page[n]=2")
	f.Add("a/b", "x+y", otherSrv.URL+"/steal")
	f.Add("%2e%2e", "q", "//"+strings.TrimPrefix(otherSrv.URL, "http://")+"/x")
	f.Add("1", "", "http://[::1]:1/x")
	a := &adapters.JSONAPI{Config: adapters.Config{Host: homeSrv.URL, Header: http.Header{"X-Api-Key": {"k"}}}}
	f.Fuzz(func(t *testing.T, id, q, link string) {
		for _, req := range []*store.Request{
			{Op: store.OpFindRecord, Type: "album", ID: id, Query: url.Values{"filter[x]": {q}}},
			{Op: store.OpFindHasMany, Type: "album", ID: "1", URL: link},
			{Op: store.OpQuery, Type: "album", URL: link},
		} {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_, _ = a.Do(ctx, req)
			cancel()
		}
		other.mu.Lock()
		defer other.mu.Unlock()
		if len(other.reqs) > 0 {
			t.Fatalf("a request reached another origin: %s", other.reqs[0].URL)
		}
	})
}
