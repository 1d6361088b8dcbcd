package store_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/attr"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/store"
)

// A 32 MiB integer attribute is refused with a typed error and changes
// nothing, through the whole path from bytes to cache.
func TestPushHostileNumber(t *testing.T) {
	s := storeOver(t, nil)
	for _, lit := range []string{strings.Repeat("9", 32<<20), strings.Repeat("9", 32<<20) + ".5", "1." + strings.Repeat("0", 32<<20) + "1"} {
		doc, err := jsonapi.Decode([]byte(`{"data":{"type":"album","id":"1","attributes":{"songCount":` + lit + `}}}`))
		require.NoError(t, err)
		_, err = s.Push(doc)
		var de *store.DocumentError
		require.ErrorAs(t, err, &de)
		assert.Equal(t, "/data/attributes/songCount", de.Pointer)
		var ae *attr.DecodeError
		assert.ErrorAs(t, err, &ae)
		assert.False(t, s.HasRecordForID("album", "1"))
	}
	_ = fixture.Models
}
