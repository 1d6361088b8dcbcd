package schematest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/larder-go/larder/internal/schematest"
)

func TestCheck(t *testing.T) {
	for _, ok := range []string{`{"data":null}`, `{"meta":{}}`, `{"errors":[]}`, `{"data":[{"type":"a","id":"1"}],"links":{"next":"/a?page%5Bn%5D=2"}}`} {
		assert.NoError(t, schematest.Check([]byte(ok)), ok)
	}
	for _, bad := range []string{`{}`, `{"links":{}}`, `{"data":null,"errors":[]}`, `{"data":{"type":"a"}}`,
		`{"data":[],"links":{"next":"/a?page[n]=2"}}`, `{"data":[],"included":[{"type":"a","id":"1"},{"type":"a","id":"1"}]}`} {
		assert.Error(t, schematest.Check([]byte(bad)), bad)
	}
}

func TestMemberNamePatterns(t *testing.T) {
	assert.Error(t, schematest.Check([]byte(`{"data":{"type":"a","id":"1","attributes":{"links":1}}}`)), "links is not an attribute name")
	assert.Error(t, schematest.Check([]byte(`{"data":{"type":"a","id":"1","relationships":{"type":{}}}}`)))
	assert.NoError(t, schematest.Check([]byte(`{"data":{"type":"a","id":"1","attributes":{"song-count":1,"linksy":2}}}`)))
}

func TestJSONAPI11Members(t *testing.T) {
	assert.NoError(t, schematest.Check([]byte(`{"data":{"type":"a","id":"1","lid":"l1","relationships":{"b":{"data":{"type":"b","lid":"l2","id":"2"}}}}}`)))
	assert.NoError(t, schematest.Check([]byte(`{"meta":{},"links":{"self":{"href":"/x","rel":"self","title":"t","describedby":"/schema"}}}`)))
	assert.Error(t, schematest.Check([]byte(`{"data":{"type":"a","id":"1","lid":7}}`)))
}
