package gen_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/larder-go/larder/internal/gen"
)

// The same OpenAPI document as JSON (read with a JSON decoder) and as YAML
// makes the same package.
func TestOpenAPIJSONAndYAMLAgree(t *testing.T) {
	raw, err := os.ReadFile("testdata/library.openapi.yaml")
	require.NoError(t, err)
	var doc any
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	js, err := json.Marshal(doc)
	require.NoError(t, err)
	dir := t.TempDir()
	file := filepath.Join(dir, "library.openapi.json")
	require.NoError(t, os.WriteFile(file, js, 0o644))
	fromJSON, err := gen.Files("", "library", file)
	require.NoError(t, err)
	fromYAML, err := gen.Files("", "library", "testdata/library.openapi.yaml")
	require.NoError(t, err)
	// The files differ only in the source they name.
	assert.Equal(t, strings.ReplaceAll(string(fromYAML), "testdata/library.openapi.yaml", "SOURCE"),
		strings.ReplaceAll(string(fromJSON), filepath.ToSlash(file), "SOURCE"))
}

// A $ref that resolves to nothing, or to another document, is an error that
// points at it; it was read as a schema with no attributes.
func TestOpenAPIUnresolvedRefs(t *testing.T) {
	doc := func(ref string) string {
		return `{"openapi":"3.0.0","components":{"schemas":{"album":{"type":"object","properties":{
			"type":{"type":"string","enum":["albums"]},
			"attributes":{"$ref":"` + ref + `"}}}}}}`
	}
	for name, tc := range map[string]struct{ ref, why string }{
		"missing":       {"#/components/schemas/nothing", "resolves to nothing"},
		"another file":  {"common.yaml#/components/schemas/attrs", "names another document"},
		"missing, deep": {"#/components/schemas/album/nothing/there", "resolves to nothing"},
	} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "api.json")
			require.NoError(t, os.WriteFile(file, []byte(doc(tc.ref)), 0o644))
			_, err := gen.Files("openapi", "music", file)
			require.ErrorIs(t, err, gen.ErrSyntax)
			var ge *gen.Error
			require.True(t, errors.As(err, &ge), "%v", err)
			assert.Equal(t, "/components/schemas/album/properties/attributes/$ref", ge.Path)
			assert.Contains(t, err.Error(), tc.why)
		})
	}
}

// Reading a large JSON document costs a bounded amount per schema (make
// bench): most of it is inflecting each type name, which is memoized for
// the first 4,096 names, so the smaller document reads faster per schema.
func BenchmarkReadOpenAPIJSON(b *testing.B) {
	for _, n := range []int{2000, 20000} {
		var sb strings.Builder
		sb.WriteString(`{"openapi":"3.0.0","components":{"schemas":{`)
		for i := range n {
			if i > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, `"t%d":{"type":"object","properties":{"type":{"type":"string","enum":["t%ds"]},"attributes":{"type":"object","properties":{"name":{"type":"string"}}}}}`, i, i)
		}
		sb.WriteString(`}}}`)
		data := []byte(sb.String())
		b.Run(fmt.Sprint("schemas=", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var p gen.Package
				if err := p.ReadOpenAPI("big.json", data); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/schema")
		})
	}
}
