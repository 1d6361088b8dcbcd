package inspect_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/inspect"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/store"
)

func newStore(t testing.TB) *store.Cache {
	s, err := store.New(nil, nil, store.WithModels(fixture.Models()...))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	require.NoError(t, s.PushDocument([]byte(`{"data":[{"type":"album","id":"1","attributes":{"title":"One"}},{"type":"album","id":"2","attributes":{"title":"Two"}}]}`)))
	store.PeekRecord[fixture.Album](s, "1")
	return s
}

func get(t *testing.T, h http.Handler, method, target, accept string) (int, string, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, err := io.ReadAll(rec.Result().Body)
	require.NoError(t, err)
	return rec.Code, rec.Header().Get("Content-Type"), string(body)
}

func TestHandlerServesTheDump(t *testing.T) {
	s := newStore(t)
	h := inspect.Handler(s)

	want, err := s.Dump(store.DumpOptions{Types: []string{"album"}, Records: 1})
	require.NoError(t, err)
	var text bytes.Buffer
	require.NoError(t, want.WriteText(&text))

	code, ctype, body := get(t, h, "GET", "/?type=album&records=1", "")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "text/plain; charset=utf-8", ctype)
	assert.Equal(t, text.String(), body)
	assert.Contains(t, body, "album 1 root.loaded.saved")
	assert.NotContains(t, body, "album 2 ", "records=1 shows one record")

	for _, how := range []struct{ target, accept string }{{"/?type=album&records=1&format=json", ""}, {"/?type=album&records=1", "application/json"}} {
		code, ctype, body = get(t, h, "GET", how.target, how.accept)
		assert.Equal(t, http.StatusOK, code)
		assert.Equal(t, "application/json", ctype)
		var got store.Dump
		require.NoError(t, json.Unmarshal([]byte(body), &got))
		assert.Equal(t, *want, got)
	}

	code, _, body = get(t, h, "GET", "/?type=album&id=2", "")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `title = "Two"`)
}

func TestHandlerServesStats(t *testing.T) {
	s := newStore(t)
	h := inspect.Handler(s)
	code, _, body := get(t, h, "GET", "/stats?format=json", "")
	require.Equal(t, http.StatusOK, code)
	var st store.Stats
	require.NoError(t, json.Unmarshal([]byte(body), &st))
	assert.Equal(t, s.Stats(), st)
	assert.Equal(t, uint64(1), st.Peeks.Hits)

	code, _, body = get(t, h, "GET", "/stats?type=album", "")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "peeks                           1 hits          0 misses  100.0%")
	assert.Contains(t, body, "records pushed                  2")
	assert.NotContains(t, body, "errors", "zero counters are left out")
}

func TestHandlerRefusesBadRequests(t *testing.T) {
	h := inspect.Handler(newStore(t))
	tests := []struct {
		method, target string
		status         int
	}{
		{"GET", "/?type=nope", http.StatusNotFound},
		{"GET", "/stats?type=nope", http.StatusNotFound},
		{"GET", "/?id=1", http.StatusBadRequest},
		{"GET", "/?records=-1", http.StatusBadRequest},
		{"GET", "/?records=lots", http.StatusBadRequest},
		{"POST", "/", http.StatusMethodNotAllowed},
		{"DELETE", "/stats", http.StatusMethodNotAllowed},
		{"GET", "/other", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			code, _, _ := get(t, h, tt.method, tt.target, "")
			assert.Equal(t, tt.status, code)
		})
	}
}

// A request for more records than the bound gets the bound.
func TestHandlerBoundsRecords(t *testing.T) {
	s, err := store.New(nil, nil, store.WithModels(fixture.Models()...))
	require.NoError(t, err)
	defer s.Close()
	var b strings.Builder
	b.WriteString(`{"data":[`)
	for i := range 1100 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"type":"album","id":"` + strconv.Itoa(i) + `"}`)
	}
	b.WriteString(`]}`)
	require.NoError(t, s.PushDocument([]byte(b.String())))
	code, _, body := get(t, inspect.Handler(s), "GET", "/?type=album&records=1000000&format=json", "")
	require.Equal(t, http.StatusOK, code)
	var d store.Dump
	require.NoError(t, json.Unmarshal([]byte(body), &d))
	assert.Equal(t, 1100, d.Types[0].Records)
	assert.Len(t, d.Types[0].Shown, 1000)
}
