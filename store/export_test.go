package store

import "runtime"

// WithoutGraph turns the relationship graph off: inverses are not kept. The
// push benchmark measures the graph's cost against it, in the same run.
func WithoutGraph() Option {
	return optionFunc(func(o *options) { o.noGraph = true })
}

// SlowCommits makes every commit yield to other goroutines after publishing
// each record, so that readers meet commits half done; with broken, each
// commit also publishes one record after its window, as a store without the
// sequence lock would.
func SlowCommits(s *Cache, broken bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.test.pause = runtime.Gosched
	s.test.late = broken
}
