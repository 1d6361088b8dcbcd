package store

import "golang.org/x/sync/singleflight"

// flights coalesces concurrent loads: one request per key, shared by every
// caller that overlaps it.
type flights struct {
	group singleflight.Group
}
