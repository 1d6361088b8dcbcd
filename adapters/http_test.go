package adapters_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// recorder is a backend that records each request and answers with a fixed
// status and body.
type recorder struct {
	mu     sync.Mutex
	reqs   []*http.Request
	bodies []string
	status int
	body   string
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.reqs = append(rc.reqs, r)
	rc.bodies = append(rc.bodies, string(b))
	status, body := rc.status, rc.body
	rc.mu.Unlock()
	if status == 0 {
		status = 200
	}
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func (rc *recorder) last() *http.Request {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.reqs[len(rc.reqs)-1]
}

func TestRoutes(t *testing.T) {
	rc := &recorder{body: `{"data":null}`}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	cfg := adapters.Config{Host: srv.URL, Namespace: "/api/v1/", Header: http.Header{"Authorization": {"Bearer x"}}}
	jsonAPI := &adapters.JSONAPI{Config: cfg}
	rest := &adapters.REST{Config: cfg}
	tests := []struct {
		name    string
		a       store.Adapter
		req     store.Request
		method  string
		path    string
		query   url.Values
		accept  string
		hasBody bool
	}{
		{"find", jsonAPI, store.Request{Op: store.OpFindRecord, Type: "album", ID: "1", Include: []string{"artist", "songs"}},
			"GET", "/api/v1/albums/1", url.Values{"include": {"artist,songs"}}, jsonapi.MediaType, false},
		{"dashed plural", jsonAPI, store.Request{Op: store.OpFindAll, Type: "blog-post"}, "GET", "/api/v1/blog-posts", url.Values{}, jsonapi.MediaType, false},
		{"id escaped in its segment", jsonAPI, store.Request{Op: store.OpFindRecord, Type: "album", ID: "a/b?c#d"}, "GET", "/api/v1/albums/a%2Fb%3Fc%23d", url.Values{}, jsonapi.MediaType, false},
		{"query", jsonAPI, store.Request{Op: store.OpQuery, Type: "album", Query: url.Values{"filter[artist]": {"1"}, "page[size]": {"2"}}},
			"GET", "/api/v1/albums", url.Values{"filter[artist]": {"1"}, "page[size]": {"2"}}, jsonapi.MediaType, false},
		{"find many", jsonAPI, store.Request{Op: store.OpFindMany, Type: "album", IDs: []string{"1", "2"}}, "GET", "/api/v1/albums", url.Values{"filter[id]": {"1,2"}}, jsonapi.MediaType, false},
		{"create", jsonAPI, store.Request{Op: store.OpCreateRecord, Type: "album", Body: []byte(`{}`)}, "POST", "/api/v1/albums", url.Values{}, jsonapi.MediaType, true},
		{"update is PATCH", jsonAPI, store.Request{Op: store.OpUpdateRecord, Type: "album", ID: "1", Body: []byte(`{}`)}, "PATCH", "/api/v1/albums/1", url.Values{}, jsonapi.MediaType, true},
		{"delete", jsonAPI, store.Request{Op: store.OpDeleteRecord, Type: "album", ID: "1"}, "DELETE", "/api/v1/albums/1", url.Values{}, jsonapi.MediaType, false},
		{"link from root ignores namespace", jsonAPI, store.Request{Op: store.OpFindHasMany, Type: "album", ID: "1", URL: "/albums/1/songs"}, "GET", "/albums/1/songs", url.Values{}, jsonapi.MediaType, false},
		{"relative link under the record", jsonAPI, store.Request{Op: store.OpFindHasMany, Type: "album", ID: "1", URL: "songs?x=1"}, "GET", "/api/v1/albums/1/songs", url.Values{"x": {"1"}}, jsonapi.MediaType, false},
		{"custom action", jsonAPI, store.Request{Op: store.OpCustom, Type: "payment", ID: "1", Method: "POST", URL: "process-payment", Body: []byte(`{}`)}, "POST", "/api/v1/payments/1/process-payment", url.Values{}, jsonapi.MediaType, true},
		{"rest camelized plural", rest, store.Request{Op: store.OpFindAll, Type: "blog-post"}, "GET", "/api/v1/blogPosts", url.Values{}, "application/json", false},
		{"rest update is PUT", rest, store.Request{Op: store.OpUpdateRecord, Type: "album", ID: "1", Body: []byte(`{}`)}, "PUT", "/api/v1/albums/1", url.Values{}, "application/json", true},
		{"rest find many", rest, store.Request{Op: store.OpFindMany, Type: "album", IDs: []string{"1", "2"}}, "GET", "/api/v1/albums", url.Values{"ids[]": {"1", "2"}}, "application/json", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := tt.a.Do(context.Background(), &tt.req)
			require.NoError(t, err)
			assert.Equal(t, 200, resp.Status)
			assert.Equal(t, `{"data":null}`, string(resp.Body))
			r := rc.last()
			assert.Equal(t, tt.method, r.Method)
			assert.Equal(t, tt.path, r.URL.EscapedPath())
			assert.Equal(t, tt.query, r.URL.Query())
			assert.Equal(t, tt.accept, r.Header.Get("Accept"))
			assert.Equal(t, "Bearer x", r.Header.Get("Authorization"))
			if tt.hasBody {
				assert.Equal(t, tt.accept, r.Header.Get("Content-Type"))
			} else {
				assert.Empty(t, r.Header.Get("Content-Type"))
			}
		})
	}
}

func TestRouteErrors(t *testing.T) {
	a := &adapters.JSONAPI{Config: adapters.Config{Host: "http://127.0.0.1:1"}}
	for _, req := range []store.Request{
		{Op: store.OpFindRecord, Type: "album"},
		{Op: store.OpCustom, Type: "album", ID: "1"},
		{Op: store.Op(200), Type: "album"},
	} {
		_, err := a.Do(context.Background(), &req)
		assert.Error(t, err, "%v", req.Op)
	}
}

func TestPathForTypeHook(t *testing.T) {
	rc := &recorder{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	a := &adapters.JSONAPI{Config: adapters.Config{Host: srv.URL, PathForType: func(t string) string { return "v2/" + t }}}
	_, err := a.Do(context.Background(), &store.Request{Op: store.OpFindRecord, Type: "album", ID: "1"})
	require.NoError(t, err)
	assert.Equal(t, "/v2/album/1", rc.last().URL.Path)
}

func TestResponseLimit(t *testing.T) {
	srv := httptest.NewServer(&recorder{body: strings.Repeat("x", 2048)})
	defer srv.Close()
	a := &adapters.JSONAPI{Config: adapters.Config{Host: srv.URL, MaxResponseBytes: 1024}}
	_, err := a.Do(context.Background(), &store.Request{Op: store.OpFindAll, Type: "album"})
	assert.ErrorIs(t, err, adapters.ErrResponseTooLarge)
	a.MaxResponseBytes = 4096
	resp, err := a.Do(context.Background(), &store.Request{Op: store.OpFindAll, Type: "album"})
	require.NoError(t, err)
	assert.Len(t, resp.Body, 2048)
}

// newStore builds a store over the JSON:API adapter and serializer.
func newStore(t *testing.T, host string, client *http.Client) *store.Cache {
	t.Helper()
	s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: host, Client: client}}, &serializers.JSONAPI{},
		store.WithModels(fixture.Models()...))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStatusMapping(t *testing.T) {
	tests := []struct {
		status int
		body   string
		cond   error
		title  string
	}{
		{401, `{"errors":[{"status":"401","title":"Unauthorized"}]}`, store.ErrUnauthorized, "Unauthorized"},
		{403, `{"errors":[{"status":"403","title":"Forbidden"}]}`, store.ErrForbidden, "Forbidden"},
		{404, `{"errors":[{"status":"404","title":"Not Found"}]}`, store.ErrNotFound, "Not Found"},
		{409, `{"errors":[{"status":"409","title":"Conflict"}]}`, store.ErrConflict, "Conflict"},
		{422, `{"errors":[{"status":"422","title":"Invalid","detail":"is blank","source":{"pointer":"/data/attributes/title"}}]}`, store.ErrInvalid, "Invalid"},
		{500, `{"errors":[{"status":"500","title":"Boom"}]}`, store.ErrServer, "Boom"},
		{503, `<html>down for maintenance</html>`, store.ErrServer, "The backend responded with an error"},
		{418, `I'm a teapot`, store.ErrAdapter, "The backend responded with an error"},
		{400, ``, store.ErrAdapter, "The backend responded with an error"},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			srv := httptest.NewServer(&recorder{status: tt.status, body: tt.body})
			defer srv.Close()
			s := newStore(t, srv.URL, nil)
			_, err := store.FindRecord[fixture.Album](context.Background(), s, "1")
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.cond)
			var ae *store.AdapterError
			require.True(t, errors.As(err, &ae))
			assert.Equal(t, tt.status, ae.Status)
			require.NotEmpty(t, ae.Errors, "the body is never lost")
			assert.Equal(t, tt.title, ae.Errors[0].Title)
			if tt.body != "" && !strings.HasPrefix(tt.body, "{") {
				assert.Equal(t, tt.body, ae.Errors[0].Detail, "a non-JSON body is wrapped")
			}
			assert.False(t, s.HasRecordForID("album", "1"), "a failed first load leaves no record")
		})
	}
}

func TestInvalidErrorsByAttribute(t *testing.T) {
	srv := httptest.NewServer(&recorder{status: 422, body: `{"errors":[
	  {"detail":"is blank","source":{"pointer":"/data/attributes/title"}},
	  {"title":"too short","source":{"pointer":"/data/attributes/title"}},
	  {"detail":"must exist","source":{"pointer":"/data/relationships/artist/data"}},
	  {"detail":"record is locked","source":{"pointer":"/data"}},
	  {"detail":"no pointer"}]}`})
	defer srv.Close()
	s := newStore(t, srv.URL, nil)
	_, err := store.FindRecord[fixture.Album](context.Background(), s, "1")
	var ae *store.AdapterError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, map[string][]string{
		"title":       {"is blank", "too short"},
		"artist/data": {"must exist"}, // Ember keeps the whole rest of the pointer
		"base":        {"record is locked"},
	}, ae.AttributeErrors())
}

func TestMalformedResponses(t *testing.T) {
	tests := []struct {
		name string
		body string
		cond error
	}{
		{"truncated", `{"data":{"type":"albums","id":"1","attributes":{"title":"x"`, jsonapi.ErrSyntax},
		{"not json", `<html>ok</html>`, jsonapi.ErrSyntax},
		{"wrong shape", `{"data":"x"}`, jsonapi.ErrType},
		{"bad attribute type", `{"data":{"type":"albums","id":"1","attributes":{"song-count":"ten"}}}`, nil},
		{"no primary data", `{"data":null}`, store.ErrNotFound},
		{"unknown type", `{"data":{"type":"labels","id":"1"}}`, store.ErrUnknownType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(&recorder{body: tt.body})
			defer srv.Close()
			s := newStore(t, srv.URL, nil)
			_, err := store.FindRecord[fixture.Album](context.Background(), s, "1")
			require.Error(t, err)
			if tt.cond != nil {
				assert.ErrorIs(t, err, tt.cond)
			}
			assert.False(t, s.HasRecordForID("album", "1"))
		})
	}
}

func TestTimeoutsAndAborts(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)

	t.Run("client timeout", func(t *testing.T) {
		s := newStore(t, srv.URL, &http.Client{Timeout: 20 * time.Millisecond})
		_, err := store.FindRecord[fixture.Album](context.Background(), s, "1")
		assert.ErrorIs(t, err, store.ErrTimeout)
	})
	t.Run("context deadline", func(t *testing.T) {
		s := newStore(t, srv.URL, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		_, err := store.FindRecord[fixture.Album](ctx, s, "1")
		assert.ErrorIs(t, err, store.ErrTimeout)
	})
	t.Run("cancel", func(t *testing.T) {
		s := newStore(t, srv.URL, nil)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(20*time.Millisecond, cancel)
		_, err := store.FindRecord[fixture.Album](ctx, s, "1")
		assert.ErrorIs(t, err, store.ErrAborted)
	})
	t.Run("connection refused", func(t *testing.T) {
		dead := httptest.NewServer(http.NotFoundHandler())
		dead.Close()
		s := newStore(t, dead.URL, nil)
		_, err := store.FindRecord[fixture.Album](context.Background(), s, "1")
		assert.ErrorIs(t, err, store.ErrAdapter)
	})
}

func TestRESTEndToEnd(t *testing.T) {
	rc := &recorder{body: `{"album":{"id":1,"title":"Calgary","song_count":2,"artist":2},"artists":[{"id":"2","name":"Bon Iver"}]}`}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	s, err := store.New(&adapters.REST{Config: adapters.Config{Host: srv.URL}},
		&serializers.REST{Keys: serializers.Keys{Attrs: map[string]string{"songCount": "song_count"}}},
		store.WithModels(fixture.Models()...))
	require.NoError(t, err)
	defer s.Close()
	a, err := store.FindRecord[fixture.Album](context.Background(), s, "1")
	require.NoError(t, err)
	assert.Equal(t, "Calgary", a.Title)
	assert.Equal(t, 2, a.SongCount)
	assert.Equal(t, "2", a.Artist.ID())
	artist, ok := store.PeekRecord[fixture.Artist](s, "2")
	require.True(t, ok, "side-loaded")
	assert.Equal(t, "Bon Iver", artist.Name)
	assert.Equal(t, "/albums/1", rc.last().URL.Path)
}

func TestInvalidIfPointed(t *testing.T) {
	pointer := func(p string) []jsonapi.ErrorObject {
		return []jsonapi.ErrorObject{{Detail: "x", Source: &jsonapi.ErrorSource{Pointer: p}}}
	}
	for _, tc := range []struct {
		name   string
		status int
		errs   []jsonapi.ErrorObject
		want   bool
	}{
		{"422 whatever it says", 422, nil, true},
		{"400 at an attribute", 400, pointer("/data/attributes/title"), true},
		{"400 at a relationship", 400, pointer("/data/relationships/artist"), true},
		{"400 at an attribute, no leading slash (DRF)", 400, pointer("data/attributes/song_count"), true},
		{"400 at the document", 400, pointer("/data"), false},
		{"400 at the attributes object", 400, pointer("/data/attributes"), false},
		{"400 at the type", 400, pointer("/data/type"), false},
		{"400 at the id", 400, pointer("/data/id"), false},
		{"400 at a query parameter", 400, []jsonapi.ErrorObject{{Source: &jsonapi.ErrorSource{Parameter: "filter[x]"}}}, false},
		{"400 without a source", 400, []jsonapi.ErrorObject{{Detail: "bad"}}, false},
		{"500 at an attribute", 500, pointer("/data/attributes/title"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, adapters.InvalidIfPointed(tc.status, tc.errs))
		})
	}
}
