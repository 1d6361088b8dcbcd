package benchkit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strings"
	"time"

	"golang.org/x/exp/stats"

	"github.com/larder-go/larder/store"
)

// Batch is the number of peeks or hits timed together.
const Batch = 64

// Operations, in the order Run measures them.
const (
	OpPeek     = "peek"
	OpFindHit  = "find hit"
	OpFindMiss = "find miss"
)

// Options tune Run.
type Options struct {
	// Rounds is the number of passes over the ids for peeks and hits
	// (default 100); misses make one pass, as each costs a request.
	Rounds int
	// Progress, when set, is called after each batch with what is done so
	// far, from the goroutine that called Run.
	Progress func(Progress)
}

// Progress is how far Run has come.
type Progress struct {
	Op          string // the operation under way
	Done, Total int    // calls of it done and to do
}

// A Result is one operation's measurements.
type Result struct {
	Op    string        `json:"op"`
	Calls int           `json:"calls"`
	P50   time.Duration `json:"p50"` // in nanoseconds in JSON
	P90   time.Duration `json:"p90"`
	P99   time.Duration `json:"p99"`
	// AllocsPerOp and BytesPerOp are the heap allocations per call, read
	// from runtime.MemStats around the operation (so they include any
	// background work of the store meanwhile).
	AllocsPerOp float64 `json:"allocsPerOp"`
	BytesPerOp  float64 `json:"bytesPerOp"`
}

// A Report is what Run measured.
type Report struct {
	Type    string   `json:"type"`
	IDs     int      `json:"ids"`
	Results []Result `json:"results"`
	// Finds is the store's count of finds over the run, by Stats: its
	// Ratio is the run's hit ratio.
	Finds store.Counts `json:"finds"`
	// Requests is the number of requests the store sent during the run.
	Requests uint64 `json:"requests"`
}

// ErrNoIDs reports a Run with no ids.
var ErrNoIDs = errors.New("benchkit: no ids")

// Run loads each id through the store (finds that may miss), then measures
// peeks, hits and misses of model T over them. Every id must be loadable:
// a find that fails stops the run with its error. Run unloads and reloads
// the records, so run it on a store no one else is using.
func Run[T any](ctx context.Context, s *store.Cache, ids []string, opts Options) (*Report, error) {
	if len(ids) == 0 {
		return nil, ErrNoIDs
	}
	if opts.Rounds <= 0 {
		opts.Rounds = 100
	}
	m, ok := s.Registry().ByType(reflect.TypeFor[T]())
	if !ok {
		return nil, fmt.Errorf("benchkit: %w: model %s is not registered", store.ErrUnknownType, reflect.TypeFor[T]())
	}
	typ := m.Name
	before := s.Stats()
	for _, id := range ids {
		if _, err := store.FindRecord[T](ctx, s, id, store.BackgroundReload(false)); err != nil {
			return nil, fmt.Errorf("benchkit: loading %s %s: %w", typ, id, err)
		}
	}
	r := &Report{Type: typ, IDs: len(ids)}
	peek := func(id string) error {
		if _, ok := store.PeekRecord[T](s, id); !ok {
			return fmt.Errorf("benchkit: %s %s is not loaded", typ, id)
		}
		return nil
	}
	hit := func(id string) error {
		_, err := store.FindRecord[T](ctx, s, id, store.BackgroundReload(false))
		return err
	}
	for _, op := range []struct {
		name string
		f    func(string) error
	}{{OpPeek, peek}, {OpFindHit, hit}} {
		res, err := batched(op.name, ids, opts, op.f)
		if err != nil {
			return nil, err
		}
		r.Results = append(r.Results, res)
	}
	res, err := misses[T](ctx, s, typ, ids, opts)
	if err != nil {
		return nil, err
	}
	r.Results = append(r.Results, res)
	after := s.Stats()
	r.Finds = store.Counts{Hits: after.Finds.Hits - before.Finds.Hits, Misses: after.Finds.Misses - before.Finds.Misses}
	r.Requests = after.Requests.Total() - before.Requests.Total()
	return r, nil
}

// batched times f over ids, Rounds times, in batches of Batch calls.
func batched(name string, ids []string, opts Options, f func(string) error) (Result, error) {
	total := len(ids) * opts.Rounds
	samples := make([]float64, 0, total/Batch+1)
	m := startMem()
	done := 0
	for done < total {
		n := min(Batch, total-done)
		start := time.Now()
		for i := range n {
			if err := f(ids[(done+i)%len(ids)]); err != nil {
				return Result{}, err
			}
		}
		samples = append(samples, float64(time.Since(start))/float64(n))
		done += n
		if opts.Progress != nil {
			opts.Progress(Progress{Op: name, Done: done, Total: total})
		}
	}
	return m.result(name, total, samples), nil
}

// misses unloads each record and finds it again, timing the find.
func misses[T any](ctx context.Context, s *store.Cache, typ string, ids []string, opts Options) (Result, error) {
	samples := make([]float64, 0, len(ids))
	m := startMem()
	for i, id := range ids {
		if err := s.UnloadRecord(typ, id); err != nil {
			return Result{}, err
		}
		start := time.Now()
		if _, err := store.FindRecord[T](ctx, s, id, store.BackgroundReload(false)); err != nil {
			return Result{}, fmt.Errorf("benchkit: finding %s %s: %w", typ, id, err)
		}
		samples = append(samples, float64(time.Since(start)))
		if opts.Progress != nil {
			opts.Progress(Progress{Op: OpFindMiss, Done: i + 1, Total: len(ids)})
		}
	}
	return m.result(OpFindMiss, len(ids), samples), nil
}

// mem is the allocation count at the start of an operation.
type mem struct{ mallocs, bytes uint64 }

func startMem() mem {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return mem{ms.Mallocs, ms.TotalAlloc}
}

// result builds an operation's Result from its samples (nanoseconds per
// call) and the allocations since m.
func (m mem) result(name string, calls int, samples []float64) Result {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	q := stats.Quantiles(samples, 0.5, 0.9, 0.99)
	return Result{
		Op: name, Calls: calls,
		P50: time.Duration(q[0]), P90: time.Duration(q[1]), P99: time.Duration(q[2]),
		AllocsPerOp: float64(ms.Mallocs-m.mallocs) / float64(calls),
		BytesPerOp:  float64(ms.TotalAlloc-m.bytes) / float64(calls),
	}
}

// WriteTable writes the report as a table for a terminal.
func (r *Report) WriteTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d ids\n", r.Type, r.IDs)
	fmt.Fprintf(&b, "%-10s %10s %12s %12s %12s %10s %10s\n", "op", "calls", "p50", "p90", "p99", "allocs/op", "B/op")
	for _, res := range r.Results {
		fmt.Fprintf(&b, "%-10s %10d %12s %12s %12s %10.1f %10.0f\n", res.Op, res.Calls, res.P50, res.P90, res.P99, res.AllocsPerOp, res.BytesPerOp)
	}
	fmt.Fprintf(&b, "hit ratio %.2f%% (%d hits, %d misses), %d requests\n", 100*r.Finds.Ratio(), r.Finds.Hits, r.Finds.Misses, r.Requests)
	_, err := io.WriteString(w, b.String())
	return err
}
