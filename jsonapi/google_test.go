package jsonapi_test

import (
	"bytes"
	"encoding/json"
	"testing"

	gj "github.com/google/jsonapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/jsonapi"
)

func TestGoogleManyPayloadRoundTrip(t *testing.T) {
	in := `{"data":[{"type":"album","id":"1","lid":"l1","attributes":{"big":9007199254740993,"notes":null},
	  "relationships":{"artist":{"data":{"type":"artist","id":"7"},"links":{"related":"/a/7"}},"songs":{"data":[{"type":"song","id":"1"}],"meta":{"n":1}},"label":{"data":null}},
	  "links":{"self":{"href":"/albums/1","meta":{"v":1}}}}],
	  "included":[{"type":"artist","id":"7","attributes":{"name":"x"}}],"links":{"next":"/p2"},"meta":{"total":1}}`
	doc, err := jsonapi.Decode([]byte(in))
	require.NoError(t, err)
	p, err := jsonapi.ToManyPayload(doc)
	require.NoError(t, err)
	assert.Equal(t, "l1", p.Data[0].ClientID)
	assert.Equal(t, json.Number("9007199254740993"), p.Data[0].Attributes["big"], "no float64 detour")
	assert.Nil(t, p.Data[0].Attributes["notes"])
	one, ok := p.Data[0].Relationships["artist"].(*gj.RelationshipOneNode)
	require.True(t, ok)
	assert.Equal(t, "7", one.Data.ID)

	// Through google's own JSON and back.
	var buf bytes.Buffer
	require.NoError(t, json.NewEncoder(&buf).Encode(p))
	var p2 gj.ManyPayload
	d := json.NewDecoder(&buf)
	d.UseNumber()
	require.NoError(t, d.Decode(&p2))
	back, err := jsonapi.FromManyPayload(&p2)
	require.NoError(t, err)
	assert.Equal(t, doc.Data[0].Attributes["big"], back.Data[0].Attributes["big"])
	assert.Equal(t, doc.Data[0].Relationships["songs"], back.Data[0].Relationships["songs"])
	assert.Equal(t, jsonapi.Null, back.Data[0].Relationships["label"].Shape)
	assert.Equal(t, "/a/7", back.Data[0].Relationships["artist"].Links.Href("related"))
	assert.Equal(t, "/albums/1", back.Data[0].Links.Href("self"))
	assert.Equal(t, "/p2", back.Links.Href("next"))
	assert.Equal(t, `1`, string(back.Meta["total"]))
	assert.Equal(t, "l1", back.Data[0].LID)
	require.Len(t, back.Included, 1)
}

func TestGoogleOnePayload(t *testing.T) {
	p := &gj.OnePayload{Data: &gj.Node{Type: "album", ID: "1", Attributes: map[string]any{"title": "x"},
		Relationships: map[string]any{"songs": &gj.RelationshipManyNode{Data: []*gj.Node{{Type: "song", ID: "2"}}}}}}
	doc, err := jsonapi.FromOnePayload(p)
	require.NoError(t, err)
	assert.Equal(t, jsonapi.One, doc.Shape)
	assert.Equal(t, `"x"`, string(doc.Data[0].Attributes["title"]))
	assert.Equal(t, "2", doc.Data[0].Relationships["songs"].Data[0].ID)
	back, err := jsonapi.ToOnePayload(doc)
	require.NoError(t, err)
	assert.Equal(t, "album", back.Data.Type)

	null, err := jsonapi.FromOnePayload(&gj.OnePayload{})
	require.NoError(t, err)
	assert.Equal(t, jsonapi.Null, null.Shape)
	_, err = jsonapi.ToManyPayload(null)
	assert.Error(t, err)
	_, err = jsonapi.ToOnePayload(&jsonapi.Document{Shape: jsonapi.Many})
	assert.Error(t, err)
}

func TestGoogleManyPayloadNeverNullData(t *testing.T) {
	p, err := jsonapi.ToManyPayload(&jsonapi.Document{Shape: jsonapi.Many})
	require.NoError(t, err)
	out, err := json.Marshal(p)
	require.NoError(t, err)
	assert.JSONEq(t, `{"data":[]}`, string(out))
}

func TestGoogleErrorObject(t *testing.T) {
	m := map[string]any{"k": 1}
	e, err := jsonapi.FromErrorObject(&gj.ErrorObject{ID: "1", Title: "t", Detail: "d", Status: "404", Code: "c", Meta: &m})
	require.NoError(t, err)
	assert.Equal(t, jsonapi.ErrorObject{ID: "1", Title: "t", Detail: "d", Status: "404", Code: "c", Meta: jsonapi.Meta{"k": json.RawMessage(`1`)}}, e)
	g, err := jsonapi.ToErrorObject(&e)
	require.NoError(t, err)
	assert.Equal(t, "404", g.Status)
	assert.Equal(t, json.Number("1"), (*g.Meta)["k"])
}

func TestGoogleRejectsBadRelationship(t *testing.T) {
	_, err := jsonapi.FromNode(&gj.Node{Type: "a", ID: "1", Relationships: map[string]any{"r": map[string]any{"data": 5}}})
	assert.Error(t, err)
	_, err = jsonapi.FromNode(nil)
	assert.Error(t, err)
}
