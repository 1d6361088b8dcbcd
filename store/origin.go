package store

import (
	"fmt"

	"github.com/larder-go/larder/jsonapi"
)

// An Origin says where the changes of a commit came from. Every ChangeSet
// carries its commit's origin, so that a subscriber can tell what its own
// program did from what the server said, and what arrived from elsewhere
// (a stream, another instance) from what this store learned itself. Fan-out
// across instances (package fanout) publishes the commits of OriginAdapter and
// OriginProgram and never those of OriginPeer, so that nothing loops.
type Origin uint8

const (
	// OriginLocal: the program changed local state only (a create, an edit,
	// a deletion not yet saved, a rollback, an unload, a preload), or a save
	// started or failed. Nothing the server said changed.
	OriginLocal Origin = iota + 1
	// OriginAdapter: the store's adapter answered (a load, a query, a save,
	// a custom request's response).
	OriginAdapter
	// OriginProgram: the program pushed data or applied operations (Push,
	// PushDocument, PushPayload, Apply and the like on the Cache).
	OriginProgram
	// OriginStream: a stream the store listens to (package stream) pushed
	// data or applied operations.
	OriginStream
	// OriginPeer: another instance of the service sent the change (package
	// fanout). A peer's change updates values but never makes a stale record
	// fresh: only the server's own answers do (see Cache.Invalidate).
	OriginPeer
)

var originNames = [...]string{OriginLocal: "local", OriginAdapter: "adapter", OriginProgram: "program", OriginStream: "stream", OriginPeer: "peer"}

// String returns the origin's name: "local", "adapter", "program",
// "stream" or "peer".
func (o Origin) String() string {
	if int(o) < len(originNames) && originNames[o] != "" {
		return originNames[o]
	}
	return fmt.Sprintf("Origin(%d)", o)
}

// From returns the pushing calls of the Cache with their commits marked as
// coming from o instead of OriginProgram. It is for code that feeds the cache
// on the program's behalf: a stream source (OriginStream), fan-out from other
// instances (OriginPeer). o must be OriginProgram, OriginStream or
// OriginPeer; From panics otherwise, as the other origins are the store's own
// to give.
func (s *Cache) From(o Origin) Pusher {
	s.mustBeNew()
	switch o {
	case OriginProgram, OriginStream, OriginPeer:
	default:
		panic("store: From(" + o.String() + "): only the program, a stream or a peer push")
	}
	return Pusher{s: s, origin: o}
}

// A Pusher is a Cache's pushing calls with an origin other than the program
// (see Cache.From). Its methods behave exactly as the Cache's methods of the
// same names. A Pusher is a small value, safe for concurrent use.
type Pusher struct {
	s      *Cache
	origin Origin
}

// Push is Cache.Push with the Pusher's origin.
func (p Pusher) Push(doc *jsonapi.Document) ([]any, error) {
	return p.s.pushAny(p.origin, doc)
}

// PushDocument is Cache.PushDocument with the Pusher's origin.
func (p Pusher) PushDocument(raw []byte) error {
	_, err := p.s.pushDocument(p.origin, raw, nil, nil)
	return err
}

// PushPayload is Cache.PushPayload with the Pusher's origin.
func (p Pusher) PushPayload(typ string, raw []byte) error {
	return p.s.pushPayload(p.origin, typ, raw)
}

// Apply is Cache.Apply with the Pusher's origin.
func (p Pusher) Apply(ops ...Operation) error { return p.s.apply(p.origin, ops) }

// ApplyDocument is Cache.ApplyDocument with the Pusher's origin.
func (p Pusher) ApplyDocument(data []byte) error { return p.s.applyDocument(p.origin, data) }

// ApplyPayload is Cache.ApplyPayload with the Pusher's origin.
func (p Pusher) ApplyPayload(raw []byte) error { return p.s.applyPayload(p.origin, raw) }
