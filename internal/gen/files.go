package gen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Files reads the schema files named, in the format given ("warpdrive",
// "openapi", or "" to tell each file's format from its contents), checks
// them together, and returns the Go source of package pkg. Files are named
// in the output's header and in errors as given, with forward slashes.
func Files(format, pkg string, names ...string) ([]byte, error) {
	var p Package
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		if err := p.Read(format, filepath.ToSlash(name), data); err != nil {
			return nil, err
		}
	}
	if err := p.Check(); err != nil {
		return nil, err
	}
	return Generate(&p, pkg)
}

// Read adds one schema file to p.
func (p *Package) Read(format, file string, data []byte) error {
	if format == "" {
		format = "warpdrive"
		if isOpenAPI(data) {
			format = "openapi"
		}
	}
	switch format {
	case "warpdrive":
		return p.ReadWarpDrive(file, data)
	case "openapi":
		return p.ReadOpenAPI(file, data)
	}
	return fmt.Errorf("gen: unknown format %q (want warpdrive or openapi)", format)
}

// isOpenAPI reports whether data is an OpenAPI document: JSON with an
// "openapi" member, or YAML with an openapi key.
func isOpenAPI(data []byte) bool {
	var probe struct {
		OpenAPI string `json:"openapi"`
	}
	if json.Unmarshal(data, &probe) == nil {
		return probe.OpenAPI != ""
	}
	return bytes.HasPrefix(bytes.TrimSpace(data), []byte("openapi:")) || bytes.Contains(data, []byte("\nopenapi:"))
}
