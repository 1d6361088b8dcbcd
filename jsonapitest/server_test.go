package jsonapitest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/larder-go/larder/internal/schematest"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/jsonapitest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func do(t *testing.T, srv *jsonapitest.Server, method, path, body string) (int, *jsonapi.Document) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if len(b) == 0 {
		return resp.StatusCode, nil
	}
	assert.Equal(t, jsonapi.MediaType, resp.Header.Get("Content-Type"))
	schematest.Valid(t, b) // every response shape the server sends is valid JSON:API 1.0
	doc, err := jsonapi.Decode(b)
	require.NoError(t, err, "%s", b)
	return resp.StatusCode, doc
}

func TestServerReads(t *testing.T) {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	status, doc := do(t, srv, "GET", "/albums/1?include=artist,songs", "")
	assert.Equal(t, 200, status)
	assert.Equal(t, `"Fewer Moving Parts"`, string(doc.Data[0].Attributes["title"]))
	assert.Len(t, doc.Included, 11, "the artist and ten songs")

	_, doc = do(t, srv, "GET", "/albums?filter[artist]=1", "")
	assert.Len(t, doc.Data, 2)
	_, doc = do(t, srv, "GET", "/albums?filter[id]=1,3", "")
	assert.Len(t, doc.Data, 2)
	_, doc = do(t, srv, "GET", "/songs?page[number]=2&page[size]=5", "")
	assert.Len(t, doc.Data, 5)
	assert.Equal(t, "6", doc.Data[0].ID)
	assert.Equal(t, `13`, string(doc.Meta["total"]))
	assert.Equal(t, "/songs?page%5Bnumber%5D=3&page%5Bsize%5D=5", doc.Links.Href("next"), "brackets escaped: a valid uri-reference")
	assert.Equal(t, "/songs?page%5Bnumber%5D=1&page%5Bsize%5D=5", doc.Links.Href("prev"))
	_, doc = do(t, srv, "GET", "/songs?include=album.artist&filter[id]=11", "")
	assert.Len(t, doc.Included, 2, "nested include")

	status, doc = do(t, srv, "GET", "/albums/404", "")
	assert.Equal(t, 404, status)
	assert.Equal(t, "404", doc.Errors[0].Status)
	assert.Equal(t, 1, srv.Count("GET", "/albums/404"))
	assert.Equal(t, 6, srv.Requests())
}

func TestServerWrites(t *testing.T) {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	status, doc := do(t, srv, "POST", "/albums", `{"data":{"type":"album","lid":"l1","attributes":{"title":"New"}}}`)
	require.Equal(t, 201, status)
	id := doc.Data[0].ID
	assert.NotEmpty(t, id)
	assert.Equal(t, "l1", doc.Data[0].LID, "lid echoed")
	_, ok := srv.Get("album", id)
	assert.True(t, ok)

	status, doc = do(t, srv, "POST", "/albums", `{"data":{"type":"album","attributes":{"title":""}}}`)
	assert.Equal(t, 422, status)
	assert.Equal(t, "/data/attributes/title", doc.Errors[0].Source.Pointer)
	status, _ = do(t, srv, "POST", "/albums", `{"data":{"type":"album","id":"1","attributes":{"title":"dup"}}}`)
	assert.Equal(t, 409, status)
	status, _ = do(t, srv, "POST", "/albums", `{"data":{"type":"artist","attributes":{}}}`)
	assert.Equal(t, 409, status)
	status, _ = do(t, srv, "POST", "/albums", `{bad`)
	assert.Equal(t, 400, status)

	status, doc = do(t, srv, "PATCH", "/albums/1", `{"data":{"type":"album","id":"1","attributes":{"rating":5}}}`)
	assert.Equal(t, 200, status)
	assert.Equal(t, `5`, string(doc.Data[0].Attributes["rating"]))
	assert.Equal(t, `"Fewer Moving Parts"`, string(doc.Data[0].Attributes["title"]), "PATCH merges")
	status, _ = do(t, srv, "PATCH", "/albums/404", `{"data":{"type":"album","id":"404"}}`)
	assert.Equal(t, 404, status)
	status, _ = do(t, srv, "PATCH", "/albums/1", `{"data":{"type":"album","id":"2"}}`)
	assert.Equal(t, 409, status)

	status, _ = do(t, srv, "DELETE", "/albums/3", "")
	assert.Equal(t, 204, status)
	status, _ = do(t, srv, "DELETE", "/albums/3", "")
	assert.Equal(t, 404, status)

	status, doc = do(t, srv, "POST", "/payments/1/process-payment", "")
	assert.Equal(t, 200, status)
	assert.Equal(t, `"processed"`, string(doc.Data[0].Attributes["status"]))
	status, _ = do(t, srv, "POST", "/payments/1/process-payment", "")
	assert.Equal(t, 422, status, "twice is invalid")
	status, _ = do(t, srv, "PUT", "/albums/1", "")
	assert.Equal(t, 405, status)
}

func TestServerInjectedFailure(t *testing.T) {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	srv.FailNext(503, "maintenance")
	resp, err := srv.Client().Get(srv.URL + "/albums/1")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 503, resp.StatusCode)
	assert.Equal(t, "maintenance", string(b))
	status, _ := do(t, srv, "GET", "/albums/1", "")
	assert.Equal(t, 200, status)
}

func TestServerWriteResponses(t *testing.T) {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	resp, err := srv.Client().Post(srv.URL+"/albums", jsonapi.MediaType, strings.NewReader(`{"data":{"type":"albums","attributes":{"title":"New"}}}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 201, resp.StatusCode)
	assert.Regexp(t, `^/albums/new-\d+$`, resp.Header.Get("Location"))

	srv.SetUpdateNoContent(true)
	status, doc := do(t, srv, "PATCH", "/albums/1", `{"data":{"type":"albums","id":"1","attributes":{"rating":1}}}`)
	assert.Equal(t, 204, status)
	assert.Nil(t, doc)
	stored, _ := srv.Get("album", "1")
	assert.Equal(t, `1`, string(stored.Attributes["rating"]), "the update is applied")
	srv.SetUpdateNoContent(false)
	status, _ = do(t, srv, "PATCH", "/albums/1", `{"data":{"type":"albums","id":"1","attributes":{"rating":2}}}`)
	assert.Equal(t, 200, status)
}

// A deleted record leaves every relationship that held it: its album's
// songs lose it, and a deleted album leaves its songs' to-one null.
func TestDeleteLeavesRelationships(t *testing.T) {
	srv := jsonapitest.NewServer()
	defer srv.Close()
	status, doc := do(t, srv, "GET", "/albums/1", "")
	require.Equal(t, 200, status)
	before := doc.Data[0].Relationships["songs"].Data
	require.NotEmpty(t, before)
	gone := before[0].ID

	status, _ = do(t, srv, "DELETE", "/songs/"+gone, "")
	require.Equal(t, 204, status)
	_, doc = do(t, srv, "GET", "/albums/1", "")
	after := doc.Data[0].Relationships["songs"].Data
	assert.Len(t, after, len(before)-1)
	for _, y := range after {
		assert.NotEqual(t, gone, y.ID, "the deleted song left its album")
	}

	other := after[0].ID
	status, _ = do(t, srv, "DELETE", "/albums/1", "")
	require.Equal(t, 204, status)
	status, doc = do(t, srv, "GET", "/songs/"+other, "")
	require.Equal(t, 200, status)
	rel := doc.Data[0].Relationships["album"]
	assert.Equal(t, jsonapi.Null, rel.Shape, "the song's album is null")
	assert.Empty(t, rel.Data)
}
