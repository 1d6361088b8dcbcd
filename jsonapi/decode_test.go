package jsonapi_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/jsonapi"
)

func TestDecodeShapes(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		shape jsonapi.Shape
		n     int
	}{
		{"null data", `{"data":null}`, jsonapi.Null, 0},
		{"one", `{"data":{"type":"album","id":"1"}}`, jsonapi.One, 1},
		{"many", `{"data":[{"type":"album","id":"1"},{"type":"album","id":"2"}]}`, jsonapi.Many, 2},
		{"empty many", `{"data":[]}`, jsonapi.Many, 0},
		{"meta only", `{"meta":{"total":3}}`, jsonapi.Absent, 0},
		{"errors only", `{"errors":[{"status":"404","title":"Not Found"}]}`, jsonapi.Absent, 0},
		{"white space", " \n\t{ \"data\" : null } \r\n", jsonapi.Null, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := jsonapi.Decode([]byte(tt.in))
			require.NoError(t, err)
			assert.Equal(t, tt.shape, doc.Shape)
			assert.Len(t, doc.Data, tt.n)
		})
	}
}

func TestDecodeMembers(t *testing.T) {
	in := `{
	  "jsonapi": {"version": "1.1", "ext": ["atomic"], "profile": ["p"], "meta": {"a": 1}},
	  "data": {
	    "type": "album", "id": "1", "lid": "l-1",
	    "attributes": {"title": "Fewer Moving Parts", "songCount": 9007199254740993, "notes": null, "tags": ["a","b"]},
	    "relationships": {
	      "artist": {"data": {"type": "artist", "id": "7", "meta": {"role": "lead"}}, "links": {"related": "/albums/1/artist"}},
	      "songs": {"data": [{"type": "song", "id": "10"}, {"type": "song", "lid": "tmp"}], "meta": {"count": 2}},
	      "label": {"data": null},
	      "reviews": {"links": {"related": {"href": "/albums/1/reviews", "title": "Reviews", "meta": {"n": 3}}}}
	    },
	    "links": {"self": "/albums/1", "gone": null},
	    "meta": {"rank": 1.50}
	  },
	  "included": [{"type": "artist", "id": "7", "attributes": {"name": "David Bazan"}}],
	  "links": {"next": "/albums?page=2"},
	  "meta": {"total": 12}
	}`
	doc, err := jsonapi.Decode([]byte(in))
	require.NoError(t, err)
	r := doc.One()
	require.NotNil(t, r)
	assert.Equal(t, "album", r.Type)
	assert.Equal(t, "1", r.ID)
	assert.Equal(t, "l-1", r.LID)
	assert.Equal(t, `"Fewer Moving Parts"`, string(r.Attributes["title"]))
	assert.Equal(t, `9007199254740993`, string(r.Attributes["songCount"]), "numbers keep their exact text")
	assert.Equal(t, `null`, string(r.Attributes["notes"]), "null stays distinct from absent")
	_, absent := r.Attributes["missing"]
	assert.False(t, absent)

	artist := r.Relationships["artist"]
	assert.Equal(t, jsonapi.One, artist.Shape)
	assert.Equal(t, []jsonapi.Identifier{{Type: "artist", ID: "7", Meta: jsonapi.Meta{"role": json.RawMessage(`"lead"`)}}}, artist.Data)
	assert.Equal(t, "/albums/1/artist", artist.Links.Href("related"))

	songs := r.Relationships["songs"]
	assert.Equal(t, jsonapi.Many, songs.Shape)
	assert.Equal(t, []jsonapi.Identifier{{Type: "song", ID: "10"}, {Type: "song", LID: "tmp"}}, songs.Data)
	assert.Equal(t, `2`, string(songs.Meta["count"]))

	assert.Equal(t, jsonapi.Null, r.Relationships["label"].Shape)
	reviews := r.Relationships["reviews"]
	assert.Equal(t, jsonapi.Absent, reviews.Shape, "links-only relationship has no linkage")
	assert.Equal(t, "Reviews", reviews.Links["related"].Title)
	assert.True(t, reviews.Links["related"].IsObject())

	assert.Contains(t, r.Links, "gone")
	assert.Nil(t, r.Links["gone"])
	assert.Equal(t, `1.50`, string(r.Meta["rank"]))
	require.Len(t, doc.Included, 1)
	assert.Equal(t, "David Bazan", strings.Trim(string(doc.Included[0].Attributes["name"]), `"`))
	assert.Equal(t, "/albums?page=2", doc.Links.Href("next"))
	assert.Equal(t, "1.1", doc.JSONAPI.Version)
	assert.Equal(t, []string{"atomic"}, doc.JSONAPI.Ext)
}

func TestDecodeCoercesIntegerIDs(t *testing.T) {
	doc, err := jsonapi.Decode([]byte(`{"data":{"type":"album","id":42,"relationships":{"artist":{"data":{"type":"artist","id":7}}}}}`))
	require.NoError(t, err)
	assert.Equal(t, "42", doc.Data[0].ID)
	assert.Equal(t, "7", doc.Data[0].Relationships["artist"].Data[0].ID)
}

func TestDecodeEscapes(t *testing.T) {
	doc, err := jsonapi.Decode([]byte(`{"data":{"type":"al\u0062um","id":"a\"b\\c\/d\u00e9\ud83d\ude00","attributes":{"t\u0069tle":"x"}}}`))
	require.NoError(t, err)
	r := doc.Data[0]
	assert.Equal(t, "album", r.Type)
	assert.Equal(t, "a\"b\\c/dé😀", r.ID)
	assert.Contains(t, r.Attributes, "title")
}

func TestDecodeInvalidUTF8BecomesReplacement(t *testing.T) {
	doc, err := jsonapi.Decode([]byte("{\"data\":{\"type\":\"album\",\"id\":\"a\xffb\"}}"))
	require.NoError(t, err)
	assert.Equal(t, "a\uFFFDb", doc.Data[0].ID)
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		pointer string
		cond    error
	}{
		{"empty input", ``, "", jsonapi.ErrType},
		{"not an object", `[1]`, "", jsonapi.ErrType},
		{"truncated", `{"data":{"type":"album"`, "/data", jsonapi.ErrSyntax},
		{"trailing garbage", `{"data":null} x`, "", jsonapi.ErrSyntax},
		{"no top-level member", `{"links":{}}`, "", jsonapi.ErrMissing},
		{"data and errors", `{"data":null,"errors":[]}`, "/errors", jsonapi.ErrInvalid},
		{"included without data", `{"meta":{},"included":[]}`, "/included", jsonapi.ErrInvalid},
		{"data is a string", `{"data":"x"}`, "/data", jsonapi.ErrType},
		{"resource without type", `{"data":[{"id":"1"}]}`, "/data/0/type", jsonapi.ErrMissing},
		{"empty type", `{"data":{"type":"","id":"1"}}`, "/data/type", jsonapi.ErrInvalid},
		{"type is a number", `{"data":{"type":5,"id":"1"}}`, "/data/type", jsonapi.ErrType},
		{"fractional id", `{"data":{"type":"album","id":1.5}}`, "/data/id", jsonapi.ErrType},
		{"id is an object", `{"data":{"type":"album","id":{}}}`, "/data/id", jsonapi.ErrType},
		{"attributes not an object", `{"data":{"type":"album","id":"1","attributes":[]}}`, "/data/attributes", jsonapi.ErrType},
		{"reserved attribute", `{"data":{"type":"album","id":"1","attributes":{"id":"2"}}}`, "/data/attributes/id", jsonapi.ErrInvalid},
		{"linkage without type", `{"data":[{"type":"album","id":"1","relationships":{"artist":{"data":{"id":"2"}}}}]}`, "/data/0/relationships/artist/data/type", jsonapi.ErrMissing},
		{"linkage without id", `{"data":{"type":"album","id":"1","relationships":{"songs":{"data":[{"type":"song","id":"1"},{"type":"song"}]}}}}`, "/data/relationships/songs/data/1/id", jsonapi.ErrMissing},
		{"empty relationship", `{"data":{"type":"album","id":"1","relationships":{"artist":{}}}}`, "/data/relationships/artist", jsonapi.ErrMissing},
		{"linkage a number", `{"data":{"type":"album","id":"1","relationships":{"artist":{"data":3}}}}`, "/data/relationships/artist/data", jsonapi.ErrType},
		{"link object without href", `{"data":null,"links":{"self":{"title":"x"}}}`, "/links/self/href", jsonapi.ErrMissing},
		{"link a number", `{"data":null,"links":{"self":1}}`, "/links/self", jsonapi.ErrType},
		{"meta not an object", `{"meta":[]}`, "/meta", jsonapi.ErrType},
		{"errors not an array", `{"errors":{}}`, "/errors", jsonapi.ErrType},
		{"error title a number", `{"errors":[{"title":1}]}`, "/errors/0/title", jsonapi.ErrType},
		{"bad escape", `{"data":{"type":"a\q"}}`, "/data/type", jsonapi.ErrSyntax},
		{"control character", "{\"data\":{\"type\":\"a\x01\"}}", "/data/type", jsonapi.ErrSyntax},
		{"leading zero", `{"meta":{"n":01}}`, "/meta", jsonapi.ErrSyntax},
		{"bad number", `{"meta":{"n":-}}`, "/meta/n", jsonapi.ErrSyntax},
		{"bad literal", `{"meta":{"n":tru}}`, "/meta/n", jsonapi.ErrSyntax},
		{"trailing comma", `{"meta":{"n":[1,]}}`, "/meta/n", jsonapi.ErrSyntax},
		{"missing colon", `{"meta" {}}`, "", jsonapi.ErrSyntax},
		{"pointer escaping", `{"meta":{"a/b~c":[}}`, "/meta/a~1b~0c/0", jsonapi.ErrSyntax},
		{"too deep", `{"meta":{"a":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}}`, "", jsonapi.ErrTooDeep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := jsonapi.Decode([]byte(tt.in))
			require.Error(t, err)
			assert.Nil(t, doc)
			var de *jsonapi.DecodeError
			require.True(t, errors.As(err, &de), "error %T is not a *DecodeError", err)
			assert.ErrorIs(t, err, tt.cond)
			if tt.cond != jsonapi.ErrTooDeep {
				assert.Equal(t, tt.pointer, de.Pointer, "error: %v", err)
			} else {
				assert.True(t, strings.HasPrefix(de.Pointer, "/meta/a"), de.Pointer)
			}
			assert.Contains(t, err.Error(), "jsonapi: ")
		})
	}
}

func TestDecodeErrorMessageNamesPointer(t *testing.T) {
	_, err := jsonapi.Decode([]byte(`{"data":[{"type":"album","id":"1","relationships":{"artist":{"data":{"id":"2"}}}}]}`))
	require.Error(t, err)
	assert.Equal(t, "jsonapi: /data/0/relationships/artist/data/type: missing", err.Error())
}

func TestDecodeDoesNotAliasInput(t *testing.T) {
	in := []byte(`{"data":{"type":"album","id":"1","attributes":{"title":"abc"}}}`)
	doc, err := jsonapi.Decode(in)
	require.NoError(t, err)
	for i := range in {
		in[i] = 'x'
	}
	assert.Equal(t, `"abc"`, string(doc.Data[0].Attributes["title"]))
	assert.Equal(t, "album", doc.Data[0].Type)
}

func TestUnmarshalJSON(t *testing.T) {
	var wrapper struct {
		Doc jsonapi.Document `json:"doc"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"doc":{"data":{"type":"album","id":"1"}}}`), &wrapper))
	assert.Equal(t, "1", wrapper.Doc.Data[0].ID)
	assert.Error(t, json.Unmarshal([]byte(`{"doc":{"data":5}}`), &wrapper))
}
