// Package flight shares one call among the callers that ask for the same key
// while it runs, as golang.org/x/sync/singleflight does, with two differences
// the store needs:
//
//   - keys are any comparable value (a struct of operation, type, id and
//     include set), so two different calls can never collide the way joined
//     strings can;
//   - the call runs under a context of its own that is cancelled when the last
//     caller waiting for it leaves, so a request nobody waits for any more does
//     not stay open.
//
// A panic in the call is recovered and returned to every waiter as a
// *PanicError, never re-raised in another goroutine, so a misbehaving plugin
// cannot take the process down.
package flight
