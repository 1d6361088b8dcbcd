package jsonapi_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/internal/schematest"
	"github.com/larder-go/larder/jsonapi"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestEncodeGolden(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "album-with-artist.json"))
	require.NoError(t, err)
	doc, err := jsonapi.Decode(in)
	require.NoError(t, err)
	got, err := jsonapi.Encode(doc)
	require.NoError(t, err)
	golden := filepath.Join("testdata", "album-with-artist.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, got, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
	schematest.Valid(t, got)
}

// Every document Encode emits is valid JSON:API 1.0.
func TestEncodeIsValidJSONAPI(t *testing.T) {
	docs := map[string]string{
		"fixture albums": string(fixture.AlbumsDocument(20, 3, 4)),
		"null":           `{"data":null}`,
		"empty list":     `{"data":[]}`,
		"meta only":      `{"meta":{"total":0}}`,
		"errors":         `{"errors":[{"status":"422","title":"Invalid","source":{"pointer":"/data/attributes/title"}}]}`,
		"paging links":   `{"data":[],"links":{"next":"/albums?page%5Bnumber%5D=2","self":{"href":"/albums","meta":{"n":1}}}}`,
		"relationships":  `{"data":{"type":"album","id":"1","relationships":{"artist":{"data":null,"links":{"related":"/albums/1/artist"}},"songs":{"data":[],"meta":{"n":0}}}}}`,
	}
	for name, in := range docs {
		t.Run(name, func(t *testing.T) {
			doc, err := jsonapi.Decode([]byte(in))
			require.NoError(t, err)
			out, err := jsonapi.Encode(doc)
			require.NoError(t, err)
			schematest.Valid(t, out)
		})
	}
}

func TestEncodeDeterministic(t *testing.T) {
	doc := &jsonapi.Document{Shape: jsonapi.One, Data: []jsonapi.Resource{{
		Type: "album", ID: "1",
		Attributes: map[string]json.RawMessage{"z": json.RawMessage(`1`), "a": json.RawMessage(`2`), "m": json.RawMessage(`"x"`)},
		Meta:       jsonapi.Meta{"b": json.RawMessage(`1`), "a": json.RawMessage(`2`)},
	}}}
	first, err := jsonapi.Encode(doc)
	require.NoError(t, err)
	for range 20 {
		again, err := jsonapi.Encode(doc)
		require.NoError(t, err)
		require.Equal(t, string(first), string(again))
	}
	assert.Equal(t, `{"data":{"type":"album","id":"1","attributes":{"a":2,"m":"x","z":1},"meta":{"a":2,"b":1}}}`, string(first))
}

func TestEncodeRoundTrip(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "album-with-artist.json"))
	require.NoError(t, err)
	doc, err := jsonapi.Decode(in)
	require.NoError(t, err)
	out, err := jsonapi.Encode(doc)
	require.NoError(t, err)
	again, err := jsonapi.Decode(out)
	require.NoError(t, err)
	assert.Equal(t, doc, again)
}

func TestEncodeStrings(t *testing.T) {
	doc := &jsonapi.Document{Shape: jsonapi.One, Data: []jsonapi.Resource{{Type: "a", ID: "q\"\\\n\t\x01<\u2028\xff"}}}
	out, err := jsonapi.Encode(doc)
	require.NoError(t, err)
	assert.Equal(t, `{"data":{"type":"a","id":"q\"\\\n\t\u0001<\u2028\ufffd"}}`, string(out))
	back, err := jsonapi.Decode(out)
	require.NoError(t, err)
	assert.Equal(t, "q\"\\\n\t\x01<\u2028\uFFFD", back.Data[0].ID)
}

func TestEncodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		doc     *jsonapi.Document
		pointer string
	}{
		{"data and errors", &jsonapi.Document{Shape: jsonapi.Null, Errors: []jsonapi.ErrorObject{{}}}, "/"},
		{"missing type", &jsonapi.Document{Shape: jsonapi.Many, Data: []jsonapi.Resource{{ID: "1"}}}, "/data/0/type"},
		{"invalid raw attribute", &jsonapi.Document{Shape: jsonapi.One, Data: []jsonapi.Resource{{Type: "a", Attributes: map[string]json.RawMessage{"x": json.RawMessage(`{bad`)}}}}, "/data/attributes/x"},
		{"one with two", &jsonapi.Document{Shape: jsonapi.One, Data: make([]jsonapi.Resource, 2)}, "/data"},
		{"empty relationship", &jsonapi.Document{Shape: jsonapi.One, Data: []jsonapi.Resource{{Type: "a", Relationships: map[string]*jsonapi.Relationship{"r": {}}}}}, "/data/relationships/r"},
		{"identifier without id", &jsonapi.Document{Shape: jsonapi.One, Data: []jsonapi.Resource{{Type: "a", Relationships: map[string]*jsonapi.Relationship{"r": {Shape: jsonapi.One, Data: []jsonapi.Identifier{{Type: "b"}}}}}}}, "/data/relationships/r/data/id"},
		{"empty document", &jsonapi.Document{}, "/"},
		{"links only", &jsonapi.Document{Links: jsonapi.Links{"self": {Href: "/x"}}}, "/"},
		{"nil document", nil, "/"},
		{"included without data", &jsonapi.Document{Meta: jsonapi.Meta{}, Included: []jsonapi.Resource{{Type: "a", ID: "1"}}}, "/included"},
		{"resource in data and included", &jsonapi.Document{Shape: jsonapi.One, Data: []jsonapi.Resource{{Type: "a", ID: "1"}}, Included: []jsonapi.Resource{{Type: "a", ID: "1"}}}, "/included/0"},
		{"resource twice in included", &jsonapi.Document{Shape: jsonapi.Many, Data: []jsonapi.Resource{}, Included: []jsonapi.Resource{{Type: "a", ID: "1"}, {Type: "b", ID: "1"}, {Type: "a", ID: "1"}}}, "/included/2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := jsonapi.Encode(tt.doc)
			var ee *jsonapi.EncodeError
			require.ErrorAs(t, err, &ee)
			assert.Equal(t, tt.pointer, ee.Pointer)
		})
	}
}

func TestErrorsDocument(t *testing.T) {
	in := `{"errors":[{"id":"e1","status":422,"code":"blank","title":"Invalid","detail":"title can't be blank","source":{"pointer":"/data/attributes/title","parameter":"p","header":"h"},"links":{"about":"/e"},"meta":{"k":1}}]}`
	doc, err := jsonapi.Decode([]byte(in))
	require.NoError(t, err)
	require.Len(t, doc.Errors, 1)
	e := doc.Errors[0]
	assert.Equal(t, "422", e.Status, "a numeric status is read as its text")
	assert.Equal(t, "/data/attributes/title", e.Source.Pointer)
	assert.Equal(t, "/e", e.Links.Href("about"))
	assert.Equal(t, "/data/attributes/title: title can't be blank", e.Error())
	out, err := jsonapi.Encode(doc)
	require.NoError(t, err)
	assert.Equal(t, `{"errors":[{"id":"e1","links":{"about":"/e"},"status":"422","code":"blank","title":"Invalid","detail":"title can't be blank","source":{"pointer":"/data/attributes/title","parameter":"p","header":"h"},"meta":{"k":1}}]}`, string(out))
}

func TestPointer(t *testing.T) {
	assert.Equal(t, "/data/0/attributes/a~1b~0c", jsonapi.Pointer("data", "0", "attributes", "a/b~c"))
}
