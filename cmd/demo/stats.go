package main

import (
	"fmt"
	"io"

	"github.com/larder-go/larder/inspect"
	"github.com/larder-go/larder/store"
)

// stats is the last story: what the loading stories' store counted (hits
// and misses, requests, shared and coalesced finds, errors, pushes) and what
// it holds, as the inspect handler would serve it.
func stats(w io.Writer, s *store.Cache) error {
	fmt.Fprintln(w, "\nstats: what the store of the loading stories counted (store.Stats)")
	return inspect.WriteStats(w, s.Stats())
}
