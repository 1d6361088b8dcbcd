package serializers_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

// A REST (or plain JSON) server's 422 with an ActiveModel-style hash puts
// its messages on the record per member, keys read in the server's
// spelling; a JSON:API error array still works, and a body of neither shape
// stays one error on the record.
func TestActiveModelErrorHash(t *testing.T) {
	for _, tc := range []struct {
		name string
		sz   store.Serializer
		body string
		want map[string][]string
	}{
		{"REST, ActiveModel hash", &serializers.REST{}, `{"errors":{"title":["is too short","is reserved"],"song_count":"must be positive","base":["cannot be saved now"]}}`,
			map[string][]string{"title": {"is too short", "is reserved"}, "songCount": {"must be positive"}, "base": {"cannot be saved now"}}},
		{"JSON, ActiveModel hash", &serializers.JSON{}, `{"errors":{"artist":["must exist"]}}`,
			map[string][]string{"artist": {"must exist"}}},
		{"REST, JSON:API error objects", &serializers.REST{}, `{"errors":[{"detail":"is blank","source":{"pointer":"/data/attributes/title"}}]}`,
			map[string][]string{"title": {"is blank"}}},
		{"REST, neither", &serializers.REST{}, `{"errors":5}`,
			map[string][]string{"base": {`{"errors":5}`}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnprocessableEntity)
				_, _ = io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			s, err := store.New(&adapters.REST{Config: adapters.Config{Host: srv.URL}}, tc.sz, store.WithModels(fixture.Models()...))
			require.NoError(t, err)
			defer s.Close()
			ref := invalidSave(t, s)
			assert.Equal(t, tc.want, ref.Errors())
			assert.Equal(t, "T", store.PeekAll[fixture.Album](s).Records()[0].Title, "the edit is kept")
		})
	}
}

// invalidSave pushes album 1, edits its title and saves it against a server
// that answers 422.
func invalidSave(t *testing.T, s *store.Cache) store.Ref[fixture.Album] {
	t.Helper()
	doc, err := jsonapi.Decode([]byte(`{"data":{"type":"album","id":"1","attributes":{"title":"Old"}}}`))
	require.NoError(t, err)
	_, err = s.Push(doc)
	require.NoError(t, err)
	ref := store.GetReference[fixture.Album](s, "1")
	require.NoError(t, ref.Update(func(a *fixture.Album) { a.Title = "T" }))
	require.ErrorIs(t, ref.Save(context.Background()), store.ErrInvalid)
	return ref
}

// An ErrorNormalizer's panic is a reported plugin error, never a crash: the
// body is read as JSON:API errors instead.
func TestErrorNormalizerPanic(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnprocessableEntity)
		_, _ = io.WriteString(w, `{"errors":[{"detail":"bad","source":{"pointer":"/data/attributes/title"}}]}`)
	}))
	defer srv.Close()
	var reported []error
	s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL}}, panickyErrors{&serializers.JSONAPI{}},
		store.WithModels(fixture.Models()...), store.WithErrorHandler(func(err error) { reported = append(reported, err) }))
	require.NoError(t, err)
	defer s.Close()
	ref := invalidSave(t, s)
	assert.Equal(t, map[string][]string{"title": {"bad"}}, ref.Errors())
	require.Len(t, reported, 1)
	assert.ErrorIs(t, reported[0], store.ErrPlugin)
}

type panickyErrors struct{ *serializers.JSONAPI }

func (panickyErrors) NormalizeErrors(*store.Cache, *store.Request, int, []byte) []jsonapi.ErrorObject {
	panic("boom")
}

// Any failure body: NormalizeErrors never panics, and every error object it
// gives points into the record.
func FuzzErrorHash(f *testing.F) {
	f.Add([]byte(`{"errors":{"title":["is too short"],"base":"no"}}`))
	f.Add([]byte(`{"errors":[{"detail":"x"}]}`))
	f.Add([]byte(`{"errors":{"a/b~c":[1,2]}}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, e := range (&serializers.REST{}).NormalizeErrors(nil, nil, 422, body) {
			require.NotNil(t, e.Source)
			assert.Regexp(t, `^/data(/attributes/.+)?$`, e.Source.Pointer)
		}
	})
}
