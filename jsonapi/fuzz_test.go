package jsonapi_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/jsonapi"
)

// FuzzDecode checks that Decode never panics, accepts only valid JSON, and that
// whatever it accepts encodes and decodes again to an equal document.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(b)
	}
	for _, s := range []string{`{"data":null}`, `{"data":[]}`, `{"errors":[{"status":"500"}]}`, `{"meta":{"a":[1,{"b":null}]}}`,
		`{"data":{"type":"a","id":1,"relationships":{"r":{"data":[{"type":"b","lid":"x"}]}}}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		doc, err := jsonapi.Decode(in)
		if err != nil {
			return
		}
		if !json.Valid(in) {
			t.Fatalf("Decode accepted invalid JSON %q", in)
		}
		out, err := jsonapi.Encode(doc)
		require.NoError(t, err)
		require.True(t, json.Valid(out), "Encode produced invalid JSON %q", out)
		again, err := jsonapi.Decode(out)
		require.NoError(t, err, "re-decoding %q", out)
		out2, err := jsonapi.Encode(again)
		require.NoError(t, err)
		require.Equal(t, string(out), string(out2))
	})
}
