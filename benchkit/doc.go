// Package benchkit measures a store's cache hits against its misses, for a
// program's own benchmark suites: given a store, a model type and ids the
// store's adapter can load, it runs peeks, finds answered from the cache and
// finds that must go to the adapter, and reports each operation's latency
// quantiles (p50, p90, p99, computed with golang.org/x/exp/stats), its
// allocations and the hit ratio the store's own Stats saw.
//
// [Run] measures once and returns a [Report]; [Peek], [FindHit] and
// [FindMiss] do the same inside a testing.B, for `go test -bench`. The
// command cmd/larder-bench runs it against a JSON:API server's URL or an
// embedded one.
//
// Latencies of peeks and hits are timed in batches of [Batch] calls and
// divided, because one call (tens of nanoseconds) is shorter than the
// clock's resolution on some systems; misses are timed one by one. A miss
// first unloads its record, which is not timed, but its allocations count.
package benchkit
