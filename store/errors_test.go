package store_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/store"
)

// AttributeErrors follows Ember's errorsArrayToHash: its two regular
// expressions, /^\/?data\/(attributes|relationships)\/(.*)/ then /^\/?data/.
func TestAttributeErrorsAsEmber(t *testing.T) {
	tests := []struct {
		pointer string
		key     string // "" means left out
	}{
		{"/data/attributes/title", "title"},
		{"data/attributes/title", "title"},
		{"/data/relationships/artist", "artist"},
		{"/data/relationships/artist/data", "artist/data"},
		{"/data/attributes/tags/0", "tags/0"},
		{"/data", "base"},
		{"data", "base"},
		{"/data/id", "base"},
		{"/data/type", "base"},
		{"/data/attributes", "base"},
		{"/included/0", ""},
		{"/meta", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.pointer, func(t *testing.T) {
			e := &store.AdapterError{Errors: []jsonapi.ErrorObject{{Title: "t", Detail: "d", Source: &jsonapi.ErrorSource{Pointer: tt.pointer}}}}
			got := e.AttributeErrors()
			if tt.key == "" {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, map[string][]string{tt.key: {"d"}}, got)
		})
	}
	e := &store.AdapterError{Errors: []jsonapi.ErrorObject{{Title: "only a title", Source: &jsonapi.ErrorSource{Pointer: "/data"}}}}
	assert.Equal(t, map[string][]string{"base": {"only a title"}}, e.AttributeErrors(), "the title when there is no detail")
}

// A body that is not JSON:API is kept as one error object, cut on a rune
// boundary.
func TestNonJSONErrorBodyIsCutOnARuneBoundary(t *testing.T) {
	body := strings.Repeat("a", 511) + strings.Repeat("é", 100) // 'é' is two bytes: byte 512 is mid-rune
	s := storeOver(t, store.AdapterFunc(func(context.Context, *store.Request) (*store.Response, error) {
		return &store.Response{Status: 500, Body: []byte(body)}, nil
	}))
	_, err := store.FindRecord[fixture.Album](context.Background(), s, "1")
	var ae *store.AdapterError
	require.ErrorAs(t, err, &ae)
	require.Len(t, ae.Errors, 1)
	d := ae.Errors[0].Detail
	assert.True(t, utf8.ValidString(d), "%q", d[len(d)-8:])
	assert.Equal(t, strings.Repeat("a", 511)+"...", d)
	assert.Equal(t, "500", ae.Errors[0].Status)
}

// A 204 through Execute is a nil document, not an empty one that would encode
// to the invalid "{}".
func TestExecuteNoContent(t *testing.T) {
	s := storeOver(t, store.AdapterFunc(func(context.Context, *store.Request) (*store.Response, error) {
		return &store.Response{Status: 204}, nil
	}))
	doc, err := s.Execute(context.Background(), &store.Request{Type: "payment", URL: "/payments/1/process", Method: "POST"})
	require.NoError(t, err)
	assert.Nil(t, doc)
	_, err = jsonapi.Encode(&jsonapi.Document{})
	assert.ErrorIs(t, err, jsonapi.ErrMissing, "an empty document is not a JSON:API document")
}

func TestZeroValuesPanicNamingTheConstructor(t *testing.T) {
	var c store.Cache
	var nilCache *store.Cache
	var typed store.Store[fixture.Album]
	tests := map[string]func(){
		"zero Cache PeekRecord": func() { store.PeekRecord[fixture.Album](&c, "1") },
		"zero Cache Push":       func() { _, _ = c.Push(&jsonapi.Document{}) },
		"zero Cache Close":      func() { _ = c.Close() },
		"nil Cache FindRecord": func() {
			_, _ = store.FindRecord[fixture.Album](context.Background(), nilCache, "1")
		},
		"nil Cache HasRecordForID": func() { nilCache.HasRecordForID("album", "1") },
	}
	for name, f := range tests {
		t.Run(name, func(t *testing.T) {
			assert.PanicsWithValue(t, "store: use of a Cache not made by store.New (a zero or nil *store.Cache)", f)
		})
	}
	for name, f := range map[string]func(){
		"Peek":  func() { typed.Peek("1") },
		"Find":  func() { _, _ = typed.Find(context.Background(), "1") },
		"Type":  func() { typed.Type() },
		"Cache": func() { typed.Cache() },
	} {
		t.Run("zero Store "+name, func(t *testing.T) {
			assert.PanicsWithValue(t, "store: use of a zero store.Store[T]: make one with store.For[T](cache)", f)
		})
	}
}
