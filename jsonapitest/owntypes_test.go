package jsonapitest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/jsonapitest"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

type BlogPost struct {
	ID        string `id:""`
	Title     string `attr:"title"`
	WordCount int    `attr:"wordCount"`
}

func TestOwnTypesOnAnEmptyServer(t *testing.T) {
	srv := jsonapitest.NewServer(jsonapitest.Empty())
	defer srv.Close()
	_, doc := do(t, srv, "GET", "/albums", "")
	assert.Empty(t, doc.Data, "an empty server holds no seed")

	for i, typ := range []string{"blog-posts", "BlogPost", "blogPost"} {
		srv.Put(jsonapi.Resource{Type: typ, ID: fmt.Sprint(i + 1), Attributes: map[string]json.RawMessage{"title": json.RawMessage(`"t"`), "word-count": json.RawMessage(fmt.Sprint(100 * (i + 1)))}})
	}
	_, ok := srv.Get("blog-post", "2")
	assert.True(t, ok, "filed under one name whatever the spelling")

	s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL}}, &serializers.JSONAPI{}, store.WithModels(BlogPost{}))
	require.NoError(t, err)
	defer s.Close()
	posts, err := store.Query[BlogPost](context.Background(), s, url.Values{"page[size]": {"2"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"1", "2"}, posts.IDs())
	next, err := posts.Next(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"3"}, next.IDs())
	p, err := store.FindRecord[BlogPost](context.Background(), s, "3")
	require.NoError(t, err)
	assert.Equal(t, 300, p.WordCount)
}

func TestSettableValidator(t *testing.T) {
	srv := jsonapitest.NewServer(jsonapitest.Empty())
	defer srv.Close()
	status, _ := do(t, srv, "POST", "/widgets", `{"data":{"type":"widgets","attributes":{}}}`)
	assert.Equal(t, 201, status, "an empty server accepts everything")
	srv.SetValidator(func(r *jsonapi.Resource) []jsonapi.ErrorObject {
		if _, ok := r.Attributes["name"]; !ok {
			return []jsonapi.ErrorObject{{Status: "422", Title: "name is required", Source: &jsonapi.ErrorSource{Pointer: "/data/attributes/name"}}}
		}
		return nil
	})
	status, doc := do(t, srv, "POST", "/widgets", `{"data":{"type":"widgets","attributes":{}}}`)
	assert.Equal(t, 422, status)
	require.Len(t, doc.Errors, 1)
	assert.Equal(t, "/data/attributes/name", doc.Errors[0].Source.Pointer)
	status, _ = do(t, srv, "POST", "/widgets", `{"data":{"type":"widgets","attributes":{"name":"w"}}}`)
	assert.Equal(t, 201, status)
}

// A program's own type on an empty server, loaded through the store.
func ExampleNewServer_ownTypes() {
	srv := jsonapitest.NewServer(jsonapitest.Empty())
	defer srv.Close()
	srv.Put(jsonapi.Resource{Type: "blog-posts", ID: "1", Attributes: map[string]json.RawMessage{"title": []byte(`"Hello"`), "word-count": []byte(`42`)}})

	s, _ := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL}}, &serializers.JSONAPI{}, store.WithModels(BlogPost{}))
	defer s.Close()
	p, err := store.FindRecord[BlogPost](context.Background(), s, "1")
	fmt.Println(p.Title, p.WordCount, err)
	// Output: Hello 42 <nil>
}
