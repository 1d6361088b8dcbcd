// Package gen is the code generator behind cmd/larder-gen: it reads resource
// schemas (WarpDrive's JSON resource schemas, or an OpenAPI 3 document whose
// schemas describe JSON:API resources), checks them, and writes a Go package
// of larder models with generated attribute codecs.
//
// Reading gives a [Package], the schemas in one neutral form; [Package.Check]
// finds every problem it can, each an *[Error] naming the schema file and the
// JSON pointer inside it; [Generate] writes the Go source, formatted.
package gen
