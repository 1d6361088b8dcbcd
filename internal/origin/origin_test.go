package origin_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/internal/origin"
)

func TestPolicyChecks(t *testing.T) {
	p := origin.New("https://API.example.com/api/v1", []string{"cdn.example.com", "Other.example.com:8443"})
	tests := []struct {
		url        string
		same, okay bool
	}{
		{"https://api.example.com/albums", true, true},
		{"https://api.example.com:443/albums", true, true},
		{"HTTPS://api.EXAMPLE.com/albums", true, true},
		{"http://api.example.com/albums", false, false},   // another scheme
		{"https://api.example.com:8443/x", false, false},  // another port
		{"https://cdn.example.com/x", false, true},        // allowed, any port
		{"https://cdn.example.com:9000/x", false, true},   // allowed by name
		{"https://other.example.com:8443/x", false, true}, // allowed with its port
		{"https://other.example.com/x", false, false},     // not on that port
		{"ftp://cdn.example.com/x", false, false},         // allowed host, not http
		{"https://evil.example.com/x", false, false},
		{"/albums", false, false}, // relative URLs are resolved before they are checked
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			u, err := url.Parse(tt.url)
			require.NoError(t, err)
			assert.Equal(t, tt.same, p.Same(u), "Same")
			if err := p.Check(u); tt.okay {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, origin.ErrOther)
			}
		})
	}
	t.Run("no origin: relative only", func(t *testing.T) {
		var none origin.Policy
		assert.True(t, none.Same(&url.URL{Path: "/x"}))
		assert.ErrorIs(t, none.Check(&url.URL{Scheme: "https", Host: "a.example", Path: "/x"}), origin.ErrOther)
		assert.Equal(t, none, origin.New("not a url", nil), "a base without a host has no origin")
	})
}

// recorder is a server that records the header of each request it gets.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	auth []string
}

func newRecorder(t *testing.T, h func(w http.ResponseWriter, r *http.Request)) *recorder {
	rec := &recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.auth = append(rec.auth, r.Header.Get("X-Api-Key"))
		rec.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(rec.Close)
	return rec
}

func (rec *recorder) seen() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]string(nil), rec.auth...)
}

func TestPolicyClientRedirects(t *testing.T) {
	ok := func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }
	other := newRecorder(t, ok)
	var target string
	home := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/here" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		http.Redirect(w, r, target, http.StatusFound)
	})
	header := http.Header{"X-Api-Key": {"secret"}}
	otherHost := other.Listener.Addr().String()

	get := func(t *testing.T, cl *http.Client) error {
		req, err := http.NewRequest(http.MethodGet, home.URL+"/start", nil)
		require.NoError(t, err)
		req.Header = header.Clone()
		resp, err := cl.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}

	t.Run("to the origin, with the header", func(t *testing.T) {
		target = home.URL + "/here"
		require.NoError(t, get(t, origin.New(home.URL, nil).Client(nil, header)))
		assert.Equal(t, []string{"secret", "secret"}, home.seen()[len(home.seen())-2:])
	})
	t.Run("to another origin: refused, nothing sent there", func(t *testing.T) {
		target = other.URL + "/x"
		err := get(t, origin.New(home.URL, nil).Client(nil, header))
		assert.ErrorIs(t, err, origin.ErrOther)
		assert.Empty(t, other.seen())
	})
	t.Run("to an allowed host, without the header", func(t *testing.T) {
		target = other.URL + "/x"
		require.NoError(t, get(t, origin.New(home.URL, []string{otherHost}).Client(nil, header)))
		assert.Equal(t, []string{""}, other.seen(), "the program's header stays on its origin")
	})
	t.Run("the program's own policy runs after", func(t *testing.T) {
		target = home.URL + "/here"
		var asked int
		base := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			asked++
			return http.ErrUseLastResponse
		}}
		before := len(home.seen())
		require.NoError(t, get(t, origin.New(home.URL, nil).Client(base, header)))
		assert.Equal(t, 1, asked)
		assert.Len(t, home.seen(), before+1, "the program said not to follow")

		target = other.URL + "/x"
		assert.ErrorIs(t, get(t, origin.New(home.URL, nil).Client(base, header)), origin.ErrOther)
		assert.Equal(t, 1, asked, "another origin is refused before the program's policy")
	})
	t.Run("a redirect loop stops", func(t *testing.T) {
		target = home.URL + "/loop"
		err := get(t, origin.New(home.URL, nil).Client(nil, header))
		assert.ErrorContains(t, err, "stopped after 10 redirects")
	})
}
