// Command larder-gen writes a Go package of larder models from resource
// schemas: WarpDrive's JSON resource schemas (the Ember ecosystem's own
// format, so a Go service and an Ember front end share one schema) or an
// OpenAPI 3 document whose schemas describe JSON:API resources (as
// JsonApiDotNetCore and other JSON:API servers publish).
//
// Usage:
//
//	larder-gen [-format warpdrive|openapi] -pkg NAME -out FILE SCHEMA...
//
// From a go:generate line, as examples/music does with its schema in
// examples/music/testdata/music.json:
//
//	//go:generate go run github.com/larder-go/larder/cmd/larder-gen -pkg music -out models_gen.go testdata/music.json
//
// Each resource becomes a struct with id, attr and rel tags and a generated
// attribute codec (model.Generated) that the store uses instead of
// reflection; Models lists them for store.WithModels. The format is taken
// from the file's contents when -format is not given: a document with an
// "openapi" member is OpenAPI, anything else WarpDrive. A bad schema (an
// unknown field kind, a relationship to an undeclared type, a duplicate or
// invalid name, an inverse that does not point back) is reported with its
// file and JSON pointer, every problem found at once, and no file is written.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/larder-go/larder/internal/gen"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "larder-gen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("larder-gen", flag.ContinueOnError)
	format := fs.String("format", "", "the schemas' format: warpdrive or openapi (default: from each file's contents)")
	pkg := fs.String("pkg", "", "the Go package name to write")
	out := fs.String("out", "", "the file to write (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *pkg == "" || fs.NArg() == 0 {
		return errors.New("usage: larder-gen [-format warpdrive|openapi] -pkg NAME [-out FILE] SCHEMA (one or more)")
	}
	src, err := gen.Files(*format, *pkg, fs.Args()...)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = os.Stdout.Write(src)
		return err
	}
	return os.WriteFile(*out, src, 0o644)
}
