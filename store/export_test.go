package store

// WithoutGraph turns the relationship graph off: inverses are not kept. The
// push benchmark measures the graph's cost against it, in the same run.
func WithoutGraph() Option {
	return optionFunc(func(o *options) { o.noGraph = true })
}
