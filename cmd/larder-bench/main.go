// Command larder-bench measures a store's cache hits against its misses with
// package benchkit: peeks, finds answered from the cache and finds that go
// to the server, each with its latency quantiles (p50, p90, p99) and
// allocations, and the hit ratio the store counted. It prints a table, and a
// progress line on standard error while it runs.
//
// Usage:
//
//	larder-bench [-url URL] [-type album|artist|song] [-ids 1-100] [-n 100] [-rounds 100] [-json]
//
// Without -url it starts the embedded JSON:API server (package jsonapitest)
// seeded with -n albums. With -url it runs against that server, which must
// serve the test schema's types (albums, artists and songs, as jsonapitest
// does) at their default paths, /albums/1 and so on; -ids names the records
// to load, as a list (1,2,7) or ranges (1-100).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/larder-go/larder/adapters"
	"github.com/larder-go/larder/benchkit"
	"github.com/larder-go/larder/internal/fixture"
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/jsonapitest"
	"github.com/larder-go/larder/serializers"
	"github.com/larder-go/larder/store"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "larder-bench:", err)
		os.Exit(1)
	}
}

// maxIDs bounds the ids a run loads.
const maxIDs = 1_000_000

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("larder-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "", "JSON:API server base URL (default: the embedded server)")
	typ := fs.String("type", "album", "the type to measure: album, artist or song")
	idSpec := fs.String("ids", "", "ids to load: a list (1,2,7) or ranges (1-100); default 1-n")
	n := fs.Int("n", 100, "albums to seed the embedded server with, and the default ids")
	rounds := fs.Int("rounds", 100, "passes over the ids for peeks and hits")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n <= 0 || *n > maxIDs {
		return fmt.Errorf("-n must be from 1 to %d", maxIDs)
	}
	spec := *idSpec
	if spec == "" {
		spec = "1-" + strconv.Itoa(*n)
	}
	ids, err := parseIDs(spec)
	if err != nil {
		return err
	}
	host := *url
	if host == "" {
		srv := jsonapitest.NewServer(jsonapitest.Empty())
		defer srv.Close()
		if err := seed(srv, *n); err != nil {
			return err
		}
		host = srv.URL
	}
	s, err := store.New(&adapters.JSONAPI{Config: adapters.Config{Host: host}}, &serializers.JSONAPI{},
		store.WithModels(fixture.Models()...))
	if err != nil {
		return err
	}
	defer s.Close()
	opts := benchkit.Options{Rounds: *rounds, Progress: progressLine(stderr)}
	var r *benchkit.Report
	switch *typ {
	case "album":
		r, err = benchkit.Run[fixture.Album](ctx, s, ids, opts)
	case "artist":
		r, err = benchkit.Run[fixture.Artist](ctx, s, ids, opts)
	case "song":
		r, err = benchkit.Run[fixture.Song](ctx, s, ids, opts)
	default:
		return fmt.Errorf("-type %q: want album, artist or song", *typ)
	}
	fmt.Fprint(stderr, "\r\033[K") // clear the progress line
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return r.WriteTable(stdout)
}

// progressLine rewrites one line of w as the run goes, at most every 1% of
// an operation.
func progressLine(w io.Writer) func(benchkit.Progress) {
	last := -1
	return func(p benchkit.Progress) {
		pct := 100 * p.Done / p.Total
		if pct == last && p.Done != p.Total {
			return
		}
		last = pct
		fmt.Fprintf(w, "\r\033[K%-10s %3d%% (%d/%d)", p.Op, pct, p.Done, p.Total)
	}
}

// seed puts n albums, their artists and song identifiers on the server.
func seed(srv *jsonapitest.Server, n int) error {
	doc, err := jsonapi.Decode(fixture.AlbumsDocument(n, 10, max(1, n/10)))
	if err != nil {
		return err
	}
	for _, r := range append(doc.Data, doc.Included...) {
		srv.Put(r)
	}
	return nil
}

// parseIDs reads "1,2,7" and "1-100" (and mixes of them).
func parseIDs(spec string) ([]string, error) {
	var ids []string
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		if !isRange {
			if part == "" {
				return nil, errors.New("-ids: an empty id")
			}
			ids = append(ids, part)
			continue
		}
		a, err1 := strconv.Atoi(lo)
		b, err2 := strconv.Atoi(hi)
		if err1 != nil || err2 != nil || a > b || a < 0 {
			return nil, fmt.Errorf("-ids: %q is not a range of integers such as 1-100", part)
		}
		if b-a+1 > maxIDs-len(ids) {
			return nil, fmt.Errorf("-ids: more than %d ids", maxIDs)
		}
		for i := a; i <= b; i++ {
			ids = append(ids, strconv.Itoa(i))
		}
	}
	return ids, nil
}
