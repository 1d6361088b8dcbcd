// Command demo runs larder's seed stories end to end.
package main

import (
	"fmt"
	"os"

	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/store"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run() error {
	s, err := store.New(nil, nil, store.WithModels(fixture.Models()...))
	if err != nil {
		return err
	}
	defer s.Close()
	return preload(os.Stdout, s)
}
