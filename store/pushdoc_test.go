package store_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/store"
)

// snapshot is what a store holds of the fixture's models, to compare two
// stores.
func snapshot(s *store.Cache) [4]any {
	return [4]any{
		store.PeekAll[fixture.Album](s).Records(),
		store.PeekAll[fixture.Artist](s).Records(),
		store.PeekAll[fixture.Song](s).Records(),
		store.PeekAll[Note](s).Records(),
	}
}

// samePush pushes in through Decode and Push into one store and through
// PushDocument into another, and checks that both end the same.
func samePush(t *testing.T, in []byte) error {
	t.Helper()
	a, b := newStore(t), newStore(t)
	push(t, a, bazan)
	push(t, b, bazan)
	before := snapshot(b)
	var errA error
	if doc, err := jsonapi.Decode(in); err != nil {
		errA = &store.DocumentError{Err: err}
	} else {
		_, errA = a.Push(doc)
	}
	errB := b.PushDocument(in)
	if errA != nil {
		// Both refuse it, though not always with the same error: the single
		// pass reports the first problem in document order, Push a
		// decoding problem anywhere first, then included resources first.
		require.Error(t, errB, "Push refused it: %v", errA)
		assert.Equal(t, before, snapshot(b), "a refused document changes nothing")
		return errB
	}
	require.NoError(t, errB)
	assert.Equal(t, snapshot(a), snapshot(b))
	return nil
}

func TestPushDocumentIsPush(t *testing.T) {
	for name, in := range map[string]string{
		"anchor":            string(fixture.AlbumsDocument(20, 3, 4)),
		"bazan":             bazan,
		"partial update":    `{"data":{"type":"album","id":"1","attributes":{"title":"New"}}}`,
		"type last":         `{"data":{"relationships":{"artist":{"data":{"type":"artist","id":"2"}}},"attributes":{"title":"Late"},"id":"1","type":"album"}}`,
		"null data":         `{"data":null}`,
		"meta only":         `{"meta":{"total":0}}`,
		"empty array":       `{"data":[]}`,
		"included only":     `{"data":[],"included":[{"type":"artist","id":"7","attributes":{"name":"Seven"}}]}`,
		"links and meta":    `{"data":{"type":"album","id":"1","relationships":{"songs":{"links":{"related":"/x"},"meta":{"n":1}}}}}`,
		"to-one null":       `{"data":{"type":"album","id":"1","relationships":{"artist":{"data":null}}}}`,
		"unknown member":    `{"data":{"type":"album","id":"1","attributes":{"mood":"blue"},"relationships":{"label":{"data":null}}}}`,
		"composite values":  `{"data":{"type":"note","id":"1","attributes":{"tags":["a","b"],"props":{"n":9007199254740993},"extra":null,"count":"3"}}}`,
		"numeric id":        `{"data":{"type":"album","id":12,"attributes":{"title":"Twelve"}}}`,
		"duplicate members": `{"data":{"type":"album","id":"1","attributes":{"title":"a","title":"b"},"relationships":{"artist":{"data":{"type":"artist","id":"1"}},"artist":{"data":{"type":"artist","id":"2"}}}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, samePush(t, []byte(in)))
		})
	}
}

func TestPushDocumentRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, in, pointer string
		want              error
	}{
		{"not JSON", `{"data":null,}`, "", jsonapi.ErrSyntax},
		{"trailing data", `{"data":null} x`, "", jsonapi.ErrSyntax},
		{"no type", `{"data":{"id":"1"}}`, "/data/type", jsonapi.ErrMissing},
		{"unknown type", `{"data":[{"type":"album","id":"1"},{"type":"planet","id":"1"}]}`, "/data/1/type", store.ErrUnknownType},
		{"unknown included type", `{"data":null,"included":[{"type":"planet","id":"1"}]}`, "/included/0/type", store.ErrUnknownType},
		{"missing id", `{"data":{"type":"album","attributes":{"title":"x"}}}`, "/data/id", store.ErrMissingID},
		{"fraction into int", `{"data":{"type":"album","id":"1","attributes":{"songCount":1.5}}}`, "/data/attributes/songCount", nil},
		{"overflow", `{"data":{"type":"album","id":"1","attributes":{"songCount":99999999999999999999}}}`, "/data/attributes/songCount", nil},
		{"bad date", `{"data":{"type":"album","id":"1","attributes":{"releasedAt":"soon"}}}`, "/data/attributes/releasedAt", nil},
		{"string for int", `{"data":{"type":"album","id":"1","attributes":{"songCount":"ten"}}}`, "/data/attributes/songCount", nil},
		{"to-many as object", `{"data":{"type":"album","id":"1","relationships":{"songs":{"data":{"type":"song","id":"1"}}}}}`, "/data/relationships/songs/data", store.ErrShape},
		{"wrong member type", `{"data":{"type":"album","id":"1","relationships":{"artist":{"data":{"type":"song","id":"1"}}}}}`, "/data/relationships/artist/data/type", store.ErrTypeMismatch},
		{"reserved attribute", `{"data":{"type":"album","id":"1","attributes":{"links":1}}}`, "/data/attributes/links", jsonapi.ErrInvalid},
		{"deep nesting", `{"data":{"type":"note","id":"1","attributes":{"props":` + strings.Repeat(`[`, 600) + strings.Repeat(`]`, 600) + `}}}`, "", jsonapi.ErrTooDeep},
		{"bad late attribute", `{"data":{"attributes":{"songCount":"x"},"id":"1","type":"album"}}`, "/data/attributes/songCount", nil},
		{"bad late syntax", `{"data":{"attributes":{"songCount":},"type":"album"}}`, "", jsonapi.ErrSyntax},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := samePush(t, []byte(tc.in))
			require.Error(t, err)
			var de *store.DocumentError
			require.True(t, errors.As(err, &de), "%T", err)
			if tc.pointer != "" {
				assert.Contains(t, err.Error(), tc.pointer)
			}
			if tc.want != nil {
				assert.ErrorIs(t, err, tc.want)
			}
		})
	}
}

func TestPushDocumentKeepsNoReferenceToItsInput(t *testing.T) {
	s := newStore(t)
	in := []byte(`{"data":{"type":"album","id":"1","attributes":{"title":"Kept"},"relationships":{"songs":{"data":[{"type":"song","id":"41"},{"type":"song","id":"42"}]}}}}`)
	require.NoError(t, s.PushDocument(in))
	for i := range in {
		in[i] = 'x'
	}
	a, ok := store.PeekRecord[fixture.Album](s, "1")
	require.True(t, ok)
	assert.Equal(t, "Kept", a.Title)
	assert.Equal(t, []string{"41", "42"}, a.Songs.IDs())
}

// FuzzPushDocument checks the single-pass push against Decode and Push on
// any input: both refuse it, or both leave the same cache.
func FuzzPushDocument(f *testing.F) {
	f.Add([]byte(bazan))
	f.Add(fixture.AlbumsDocument(3, 2, 2))
	f.Add([]byte(`{"data":{"attributes":{"title":"x"},"type":"album","id":"1"}}`))
	f.Add([]byte(`{"data":{"type":"note","id":"1","attributes":{"tags":["a"],"props":{"a":1},"count":"2"}}}`))
	f.Add([]byte(`{"data":{"type":"album","lid":"x","relationships":{"songs":{"data":[{"type":"song","lid":"y"}]}}}}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		_ = samePush(t, in)
	})
}
