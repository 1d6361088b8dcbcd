// Package stream keeps a store live from a server-sent events endpoint: the
// primary use Ember Data names for push, "changes that happen outside the
// adapter".
//
// A [Source] connects to a URL and applies each event it reads to a
// store.Cache: an event of type "operations" is a JSON:API Atomic Operations
// document, applied with Cache.ApplyPayload; an unnamed event (or one of
// type "message" or "document") is a JSON:API document, pushed with
// Cache.PushPayload. Both go through the store's serializer, so events may
// spell types and members as the server's responses do. Either is applied
// whole or, if it does not decode or apply, reported and skipped: never
// applied in part. Events of other types are logged and skipped.
//
// The stream is read as the WHATWG HTML standard interprets text/event-stream,
// to the letter (parse.go): a block with no data (id: 7, retry: 5000) is not
// an event but moves the last event id or the reconnection time; an event
// cut off by the end of the stream is discarded, and the last id stays that
// of the last whole block; an event larger than [WithMaxEventSize] is
// skipped and reported, and the stream goes on after it.
//
// The source reconnects when the connection drops, with backoff (a server's
// retry kept within [WithBackoff]'s bounds), sending the Last-Event-ID of the
// last block it read so that the server replays what came after.
// An event of type "reset" says the server could not replay what the source
// missed: the source marks every type of the store stale (the next find of a
// record reloads it; peeks still read it) and reports [ErrGap]. With
// [WithoutReplay], for servers that ignore Last-Event-ID, every reconnection
// is such a gap. Events written before the source first connects are not
// seen: connect before loading what it should keep live.
//
// A backend that accepts a connection and never answers is given up after
// 30 seconds ([WithConnectTimeout]), and, with [WithIdleTimeout], a
// connection that reads nothing for that long is dropped and resumed: a
// connection that died without a word would otherwise look live forever.
// Both are reported as [ErrTimeout].
//
// The server's answers are untrusted input: a redirect to another origin than
// the stream URL's is refused unless [WithAllowHosts] allows its host, and
// the headers of [WithHeader] are sent to the stream's origin only.
//
// The source reports its state (connecting, live, retrying, closed) and every
// error through the store's logger and error handler. It runs in a goroutine
// the store owns and stops at Close, when its context is done, or when the
// store closes.
package stream
