package readmetest_test

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// prelude declares what the README's sketches take as given: the imports,
// a context, a request body and the models of the Quickstart (unless the
// sketch declares them itself).
const prelude = `package readme

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/fanout"
	"github.com/larder-go/larder/fanout/natsfanout"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/relationship"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
	"github.com/larder-go/larder/stream"
)

var (
	ctx         context.Context
	s           *store.Cache
	body        []byte
	token       string
	res         *jsonapi.Resource
	artist      Artist
	logRequests func(store.Adapter) store.Adapter
)

type (
	Song  struct {
		ID    string                        ` + "`id:\"\"`" + `
		Album relationship.BelongsTo[Album] ` + "`rel:\"album\"`" + `
	}
	Owner interface{ isOwner() }
	Label struct {
		ID string ` + "`id:\"\"`" + `
	}
)

var (
	_ = errors.Is
	_ = fmt.Println
	_ = http.Header{}
	_ = url.Values{}
	_ = time.Second
	_ = adapters.Config{}
	_ = fanout.Invalidate
	_ = natsfanout.Dial
	_ = serializers.JSONAPI{}
	_ = stream.Connect
)
`

const quickstartModels = `
type Album struct {
	ID     string                         ` + "`id:\"\"`" + `
	Title  string                         ` + "`attr:\"title\"`" + `
	Rating float64                        ` + "`attr:\"rating\"`" + `
	Artist relationship.BelongsTo[Artist] ` + "`rel:\"artist\"`" + `
}
type Artist struct {
	ID     string                      ` + "`id:\"\"`" + `
	Name   string                      ` + "`attr:\"name\"`" + `
	Albums relationship.HasMany[Album] ` + "`rel:\"albums\"`" + `
}
`

// blocks returns the README's Go code blocks.
func blocks(t *testing.T) []string {
	raw, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	var out []string
	var cur *strings.Builder
	for _, line := range strings.Split(string(raw), "\n") {
		switch {
		case cur == nil && line == "```go":
			cur = &strings.Builder{}
		case cur != nil && line == "```":
			out = append(out, cur.String())
			cur = nil
		case cur != nil:
			cur.WriteString(line + "\n")
		}
	}
	return out
}

// split separates a sketch's top-level declarations (types, and lines that
// follow them until a closing brace at the margin) from its statements.
func split(block string) (decls, stmts string) {
	var d, s strings.Builder
	inDecl := false
	for _, line := range strings.SplitAfter(block, "\n") {
		switch {
		case strings.HasPrefix(line, "type ") || strings.HasPrefix(line, "//go:"):
			inDecl = !strings.HasSuffix(strings.TrimSpace(line), "}") && strings.HasSuffix(strings.TrimSpace(line), "{")
			d.WriteString(line)
		case inDecl:
			d.WriteString(line)
			if strings.HasPrefix(line, "}") {
				inDecl = false
			}
		default:
			s.WriteString(line)
		}
	}
	return d.String(), s.String()
}

// The README's Go sketches type-check as written, each in a function of its
// own after the prelude: a variable a sketch declares and does not use is
// allowed (they show what a call returns), anything else is an error.
func TestREADMECodeTypeChecks(t *testing.T) {
	bs := blocks(t)
	require.GreaterOrEqual(t, len(bs), 8, "the README has its Go sketches")
	imp := importer.ForCompiler(token.NewFileSet(), "source", nil)
	for i, b := range bs {
		t.Run("block "+strconv.Itoa(i+1), func(t *testing.T) {
			decls, stmts := split(b)
			src := prelude
			if !strings.Contains(decls, "type Album struct") {
				src += quickstartModels
			}
			src += decls + "\nfunc _() {\n" + stmts + "\n}\n"
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, "readme.go", src, parser.ParseComments)
			require.NoError(t, err, "block %d does not parse:\n%s", i+1, b)
			var hard []string
			conf := types.Config{Importer: imp, Error: func(err error) {
				if te, ok := err.(types.Error); ok && te.Soft {
					return // declared and not used, and the like
				}
				hard = append(hard, err.Error())
			}}
			_, _ = conf.Check("readme", fset, []*ast.File{f}, nil)
			assert.Empty(t, hard, "block %d:\n%s", i+1, b)
		})
	}
}
