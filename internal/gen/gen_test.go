package gen_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/larder-go/larder/internal/gen"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestOpenAPIGolden(t *testing.T) {
	src, err := gen.Files("", "library", "testdata/library.openapi.yaml")
	require.NoError(t, err)
	golden := filepath.Join("testdata", "library.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, src, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(src))
	// What the document says, as the golden file holds it.
	for _, line := range []string{
		"type Book struct",
		"ID string `id:\"book\"`",
		"PageCount int32 `attr:\"pageCount,number\"`",
		"PublishedAt time.Time `attr:\"publishedAt,date\"`",
		"Isbn string `attr:\"isbn,string\"`",
		"Tags json.RawMessage `attr:\"tags\"`",
		"Author relationship.BelongsTo[Author] `rel:\"author\"`",
		"Books relationship.HasMany[Book] `rel:\"books\"`",
		"// The title as printed on the cover.",
	} {
		assert.Contains(t, normalize(string(src)), line)
	}
}

// normalize collapses runs of spaces, which gofmt uses to align fields.
func normalize(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' }), " ")
}

func TestBadSchemas(t *testing.T) {
	album := func(fields string) string {
		return `[{"type":"album","fields":[` + fields + `]},{"type":"artist","fields":[{"kind":"hasMany","name":"albums","type":"album","options":{"inverse":"artist"}}]}]`
	}
	for _, tc := range []struct {
		name, schema, path string
		want               error
	}{
		{"unknown kind", album(`{"kind":"computed","name":"x"}`), "/0/fields/0/kind", gen.ErrKind},
		{"undeclared type", album(`{"kind":"belongsTo","name":"label","type":"label"}`), "/0/fields/0/type", gen.ErrUndeclared},
		{"duplicate field", album(`{"kind":"field","name":"title"},{"kind":"field","name":"title"}`), "/0/fields/1/name", gen.ErrDuplicate},
		{"duplicate type", `[{"type":"album","fields":[]},{"type":"album","fields":[]}]`, "/1/type", gen.ErrDuplicate},
		{"same Go name", `[{"type":"blog-post","fields":[]},{"type":"blog_post","fields":[]}]`, "/1/type", gen.ErrDuplicate},
		{"keyword", album(`{"kind":"field","name":"func"}`), "/0/fields/0/name", gen.ErrName},
		{"invalid identifier", album(`{"kind":"field","name":"first name"}`), "/0/fields/0/name", gen.ErrName},
		{"reserved member", album(`{"kind":"field","name":"links"}`), "/0/fields/0/name", gen.ErrName},
		{"keyword type", `[{"type":"range","fields":[]}]`, "/0/type", gen.ErrName},
		{"invalid type", `[{"type":"1album","fields":[]}]`, "/0/type", gen.ErrName},
		{"inverse missing", album(`{"kind":"belongsTo","name":"artist","type":"artist","options":{"inverse":"records"}}`), "/0/fields/0/options/inverse", gen.ErrInverse},
		{"inverse points elsewhere", `[{"type":"album","fields":[{"kind":"belongsTo","name":"artist","type":"artist","options":{"inverse":"albums"}},{"kind":"belongsTo","name":"producer","type":"artist","options":{"inverse":"albums"}}]},{"type":"artist","fields":[{"kind":"hasMany","name":"albums","type":"album","options":{"inverse":"artist"}}]}]`, "/0/fields/1/options/inverse", gen.ErrInverse},
		{"inverse is an attribute", `[{"type":"album","fields":[{"kind":"belongsTo","name":"artist","type":"artist","options":{"inverse":"name"}}]},{"type":"artist","fields":[{"kind":"field","name":"name"}]}]`, "/0/fields/0/options/inverse", gen.ErrInverse},
		{"polymorphic without members", album(`{"kind":"belongsTo","name":"owner","type":"owner","options":{"polymorphic":true}}`), "/0/fields/0/type", gen.ErrPolymorphic},
		{"not JSON", `[{"type":`, "", gen.ErrSyntax},
		{"no type", `[{"fields":[]}]`, "/0/type", gen.ErrSyntax},
		{"relationship without type", album(`{"kind":"hasMany","name":"songs"}`), "/0/fields/0/type", gen.ErrSyntax},
		{"goType on a string", album(`{"kind":"field","name":"title","type":"string","options":{"goType":"int"}}`), "/0/fields/0/type", gen.ErrTransform},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "bad.json")
			require.NoError(t, os.WriteFile(file, []byte(tc.schema), 0o644))
			src, err := gen.Files("warpdrive", "music", file)
			require.Error(t, err)
			assert.Nil(t, src, "no output")
			require.ErrorIs(t, err, tc.want)
			var ge *gen.Error
			require.True(t, errors.As(err, &ge), "%T %v", err, err)
			assert.Equal(t, filepath.ToSlash(file), ge.File)
			assert.Equal(t, tc.path, ge.Path)
			assert.Contains(t, err.Error(), filepath.ToSlash(file)+": "+strings.TrimSuffix(tc.path, "")+"")
		})
	}
}

func TestEveryProblemIsReported(t *testing.T) {
	var p gen.Package
	require.NoError(t, p.ReadWarpDrive("a.json", []byte(`{"type":"album","fields":[{"kind":"field","name":"func"},{"kind":"belongsTo","name":"label","type":"label"}]}`)))
	err := p.Check()
	require.Error(t, err)
	assert.ErrorIs(t, err, gen.ErrName)
	assert.ErrorIs(t, err, gen.ErrUndeclared)
}

func TestPolymorphic(t *testing.T) {
	var p gen.Package
	require.NoError(t, p.ReadWarpDrive("c.json", []byte(`[
		{"type":"comment","fields":[{"kind":"belongsTo","name":"target","type":"commentable","options":{"polymorphic":true,"inverse":"comments"}}]},
		{"type":"post","fields":[{"kind":"hasMany","name":"comments","type":"comment","options":{"as":"commentable","inverse":"target"}}]},
		{"type":"photo","fields":[{"kind":"hasMany","name":"comments","type":"comment","options":{"as":"commentable","inverse":"target"}}]}]`)))
	require.NoError(t, p.Check())
	src, err := gen.Generate(&p, "social")
	require.NoError(t, err)
	s := normalize(string(src))
	assert.Contains(t, s, "type Commentable interface {\n\tisCommentable()\n}")
	assert.Contains(t, s, "func (Post) isCommentable() {}")
	assert.Contains(t, s, "func (Photo) isCommentable() {}")
	assert.Contains(t, s, "Target relationship.BelongsTo[Commentable] `rel:\"target,inverse=comments,polymorphic\"`")
}

func TestBadPackageName(t *testing.T) {
	_, err := gen.Generate(&gen.Package{}, "func")
	assert.Error(t, err)
}

// FuzzReaders feeds hostile bytes to both readers: they return an error or
// a package, and never panic; what Check passes, Generate writes.
func FuzzReaders(f *testing.F) {
	for _, name := range []string{"testdata/library.openapi.yaml", "../../examples/music/testdata/music.json"} {
		data, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte(`openapi: 3.0.0
components: {schemas: {a: {$ref: '#/components/schemas/a'}}}`))
	// JSON takes the JSON decoder's path.
	f.Add([]byte(`{"openapi":"3.0.0","components":{"schemas":{"a":{"$ref":"#/components/schemas/b"},"b":{"properties":{"type":{"enum":["bs"]},"attributes":{"properties":{"n":{"type":"integer"}}}}}}}}`))
	f.Add([]byte(`{"openapi":"3.0.0"} {}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range []string{"warpdrive", "openapi"} {
			var p gen.Package
			if p.Read(format, "f", data) != nil || p.Check() != nil {
				continue
			}
			if _, err := gen.Generate(&p, "fuzz"); err != nil {
				t.Fatalf("%s: checked package does not generate: %v", format, err)
			}
		}
	})
}
