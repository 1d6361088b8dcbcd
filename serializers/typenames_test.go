package serializers_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/model"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

// Models whose names the inflector would change.
type (
	Media struct {
		ID   string `id:""`
		Name string `attr:"name"`
	}
	Criteria struct {
		ID   string `id:""`
		Name string `attr:"name"`
	}
	ActivityData struct {
		ID   string `id:""`
		Name string `attr:"name"`
	}
	News struct {
		ID   string `id:""`
		Name string `attr:"name"`
	}
)

// The registry, the serializers and a save read type names one way:
// media, criteria, activity-data and news round-trip in every spelling.
func TestTypeNamesRoundTrip(t *testing.T) {
	sz := &serializers.JSONAPI{}
	s, err := store.New(nil, sz, store.WithModels(Media{}, Criteria{}, ActivityData{}, News{}))
	require.NoError(t, err)
	defer s.Close()
	for want, spellings := range map[string][]string{
		"media":         {"media", "Media", "medias"},
		"criteria":      {"criteria", "Criteria"},
		"activity-data": {"activity-data", "activity_data", "ActivityData", "activityData"},
		"news":          {"news", "News"},
	} {
		for _, typ := range spellings {
			doc, err := sz.NormalizeResponse(s, &store.Request{Op: store.OpFindRecord}, []byte(`{"data":{"type":"`+typ+`","id":"1","attributes":{"name":"n"}}}`))
			require.NoError(t, err, typ)
			assert.Equal(t, want, doc.Data[0].Type, typ)
		}
		// Written, and read back, as the same type.
		body, err := sz.SerializeRecord(s, &store.Request{Op: store.OpCreateRecord}, &jsonapi.Resource{Type: want, LID: "x"})
		require.NoError(t, err)
		doc, err := sz.NormalizeResponse(s, &store.Request{Op: store.OpFindRecord}, []byte(`{"data":{"type":`+string(typeOf(t, body))+`,"id":"1"}}`))
		require.NoError(t, err, string(body))
		assert.Equal(t, want, doc.Data[0].Type, string(body))
	}
}

func typeOf(t *testing.T, body []byte) []byte {
	doc, err := jsonapi.Decode(body)
	require.NoError(t, err)
	return []byte(`"` + doc.Data[0].Type + `"`)
}

// Uncountable keeps a word as it is in both directions.
func TestUncountable(t *testing.T) {
	assert.Equal(t, "sheepdogs", model.Pluralize("sheepdog"))
	model.Uncountable("sheepdog")
	assert.Equal(t, "sheepdog", model.Pluralize("sheepdog"))
	assert.Equal(t, "sheepdog", model.Singularize("sheepdog"))
	assert.Equal(t, "big-sheepdog", model.Pluralize("big-sheepdog"))
	assert.Equal(t, "big-sheepdog", model.TypeName("BigSheepdog"))
}
