package inspect_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/larder-go/larder/inspect"
)

// FuzzHandler sends any query to the handler: it answers 200, 400 or 404,
// never panics, and a 200 has a body.
func FuzzHandler(f *testing.F) {
	for _, q := range []string{"", "type=album&records=2", "type=album&id=1", "format=json&type=nope", "records=-1", "id=1", "type=album&type=artist&records=99999999999999999999"} {
		f.Add("/", q)
		f.Add("/stats", q)
	}
	s := newStore(f)
	h := inspect.Handler(s)
	f.Fuzz(func(t *testing.T, path, query string) {
		if path != "/stats" {
			path = "/"
		}
		req := httptest.NewRequest("GET", "/", nil)
		req.URL = &url.URL{Path: path, RawQuery: query}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			if rec.Body.Len() == 0 {
				t.Fatalf("%s?%s: 200 with no body", path, query)
			}
		case http.StatusBadRequest, http.StatusNotFound:
		default:
			t.Fatalf("%s?%s: status %d", path, query, rec.Code)
		}
	})
}
