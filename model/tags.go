package model

import "strings"

// tagOptions is the comma-separated list after a tag's name, as in encoding/json.
type tagOptions []string

// parseTag splits a struct tag into its name and its options.
func parseTag(tag string) (string, tagOptions) {
	name, opts, _ := strings.Cut(tag, ",")
	if opts == "" {
		return name, nil
	}
	return name, strings.Split(opts, ",")
}

// Contains reports whether the options hold the bare word opt.
func (o tagOptions) Contains(opt string) bool {
	for _, s := range o {
		if s == opt {
			return true
		}
	}
	return false
}

// Value returns the value of a key=value option.
func (o tagOptions) Value(key string) (string, bool) {
	for _, s := range o {
		if k, v, ok := strings.Cut(s, "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}
