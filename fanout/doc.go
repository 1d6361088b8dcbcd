// Package fanout carries a store's changes between the instances of a
// service over an existing broker, so that N instances behind a load
// balancer converge within one broker round trip instead of serving what
// they loaded until their next reload.
//
// Each instance joins its store to a Transport (package natsfanout for NATS,
// package redisfanout for Redis pub/sub, LocalBroker in one process):
//
//	t, err := natsfanout.Dial("nats://broker:4222", "myservice.larder")
//	...
//	node, err := fanout.Join(ctx, s, t, fanout.WithMode("invoice", fanout.Invalidate))
//	defer node.Close()
//
// # What travels
//
// A node publishes the commits of its store that came from the store's own
// adapter or program (store.OriginAdapter, store.OriginProgram): never the
// program's unsaved edits, never what a stream or another node pushed, so
// nothing is published twice and nothing loops. What a commit says depends
// on the commit and on the type's Mode:
//
//   - a save, or a push by the program, in Replicate mode (the default):
//     the changed attributes, the changed to-one linkage, and the to-many
//     changes as member additions and removals (or a replacement), from
//     store.ChangeSet.RemoteOperations. Peers apply them as remote updates
//     (store.OriginPeer) to the records they hold, with the store's push
//     rules: local edits stay on top, inverses follow, and a record a peer
//     does not hold is not made;
//   - in Invalidate mode, or for a load, or when the encoded change is
//     larger than the message bound: the records' identifiers only, which
//     peers mark stale (store.Cache.Invalidate), so that their next find
//     reloads them from the server. A load is a read of the server at some
//     moment, which could reach a peer after a newer write did: sent as
//     values it could put an older value back, so it is never sent as
//     values, and a record loaded for the first time is not sent at all.
//
// # Loss, order and restarts
//
// Every message carries its sender's instance id, a sequence number and,
// for every type the sender ever published, how many of its messages touched
// that type. A receiver that sees a count grow by more than the messages it
// received knows which types it missed messages of, whatever type the next
// message is about, and invalidates those types (in O(1), see
// store.Cache.InvalidateType). Heartbeats (every 2s by default) carry the
// counts too, so a lost last message is found within a heartbeat; a node
// says hello when it joins and its peers answer, so that its first message
// is covered. A broker reconnect, a slow-consumer drop, a message that does
// not decode or apply, and a publisher that fell behind its store each
// invalidate every type that travels (or the message's types, when its
// header was read). Each is counted in Stats and reported to the store's
// logger and error handler as an *Error.
//
// # Consistency
//
// Fan-out is eventually consistent with the server as the source of truth.
// A node never serves silently what it knows it may have missed: a record is
// either updated by a peer's message, or marked stale and reloaded on its
// next find; peeks, which do no I/O, return the stale value (see
// store.RecordState.IsStale). A save on one instance is visible on the
// others once its message arrives, one broker round trip (tens to hundreds
// of microseconds on loopback). Concurrent saves of different fields of one
// record converge: each message carries only what its save changed, and an
// answer of a node's own adapter that crossed a peer's change (the server
// made it before the change, the node committed it after) leaves the record
// stale instead of putting the older value back, and travels as
// invalidation. Concurrent saves of the same field end with the value of
// the message applied last on each instance, which the next reload
// corrects to the server's; fan-out does not order writes, the server does.
// Local unsaved edits are never overwritten. A broker outage never blocks
// a read or a write: commits queue for publishing (up to WithBuffer), then
// are dropped for an invalidation sent when the broker is back. Records
// loaded before Join are not covered by messages sent before it: join first.
//
// # Wire format
//
// A message is a JSON object: the header ("larder", "from", "seq",
// "counts", "types"), an "invalidate" member, and the replicated changes as
// the member "atomic:operations" of a JSON:API Atomic Operations document
// (see jsonapi.EncodeOperations), so that other programs can read them.
package fanout
