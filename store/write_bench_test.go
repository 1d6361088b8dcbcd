package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

// BenchmarkEdit measures a local edit of one attribute plus ChangedAttributes
// on the 5-attribute album, in stores of 1k, 100k and 1M albums (the cost
// must not grow with the store; -short skips 1M). Target: under 1µs.
func BenchmarkEdit(b *testing.B) {
	for _, n := range scaleSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			s := scaleStore(b, n)
			ref := store.GetReference[fixture.Album](s, strconv.Itoa(n/2))
			titles := [2]string{"edited", "edited again"}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				t := titles[i&1]
				if err := ref.Update(func(a *fixture.Album) { a.Title = t }); err != nil {
					b.Fatal(err)
				}
				if len(ref.ChangedAttributes()) != 1 {
					b.Fatal("not dirty")
				}
				i++
			}
		})
	}
}

// patchMirror is the body of a one-attribute PATCH as plain structs, for the
// baseline of BenchmarkSave.
type patchMirror struct {
	Data struct {
		Type       string `json:"type"`
		ID         string `json:"id"`
		Attributes struct {
			Title string `json:"title"`
		} `json:"attributes"`
	} `json:"data"`
}

// BenchmarkSave compares saving a changed record over loopback (the edit, the
// PATCH of the changed field, the commit) with a bare net/http PATCH of the
// same body encoded by encoding/json and its response decoded, against the
// same server. Target: within 1.3x.
func BenchmarkSave(b *testing.B) {
	const answer = `{"data":{"type":"albums","id":"1","attributes":{"title":"t"}}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/vnd.api+json")
		io.WriteString(w, answer)
	}))
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	titles := [2]string{"a title", "another title"}

	b.Run("larder", func(b *testing.B) {
		s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: srv.URL, Client: client}}, &serializers.JSONAPI{},
			store.WithModels(fixture.Models()...))
		require.NoError(b, err)
		defer s.Close()
		pushAlbum(b, s)
		ref := store.GetReference[fixture.Album](s, "1")
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			t := titles[i&1]
			if err := ref.Update(func(a *fixture.Album) { a.Title = t }); err != nil {
				b.Fatal(err)
			}
			if err := ref.Save(ctx); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("net-http+encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			var m patchMirror
			m.Data.Type, m.Data.ID, m.Data.Attributes.Title = "albums", "1", titles[i&1]
			body, err := json.Marshal(&m)
			if err != nil {
				b.Fatal(err)
			}
			req, _ := http.NewRequestWithContext(ctx, http.MethodPatch, srv.URL+"/albums/1", bytes.NewReader(body))
			req.Header.Set("Accept", "application/vnd.api+json")
			req.Header.Set("Content-Type", "application/vnd.api+json")
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			out, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				b.Fatal(err)
			}
			var got patchMirror
			if err := json.Unmarshal(out, &got); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}
