// Package readmetest holds a test that type-checks the Go sketches of the
// project's README against the packages they use, so that the README shows
// code that compiles as written. It has no API.
package readmetest
