package fanout

import "sync/atomic"

// Stats counts what a node did since Join. Counters only grow.
type Stats struct {
	Published     uint64 `json:"published"`     // messages published, heartbeats included (not the first, which says hello)
	PublishErrors uint64 `json:"publishErrors"` // publishes that failed (each a gap for peers)
	Heartbeats    uint64 `json:"heartbeats"`    // heartbeats published
	Bytes         uint64 `json:"bytes"`         // bytes published
	Oversize      uint64 `json:"oversize"`      // commits sent as invalidation for their size
	Overflows     uint64 `json:"overflows"`     // times commits waiting to be published were dropped

	Received   uint64 `json:"received"`   // messages received, echoes included
	Applied    uint64 `json:"applied"`    // messages applied
	Echoes     uint64 `json:"echoes"`     // the node's own messages, ignored
	Duplicates uint64 `json:"duplicates"` // messages seen already, ignored
	Malformed  uint64 `json:"malformed"`  // messages that did not decode or apply, skipped

	Gaps               uint64 `json:"gaps"`               // messages whose sequence showed others were missed
	Interruptions      uint64 `json:"interruptions"`      // transport reports of possible loss
	TypesInvalidated   uint64 `json:"typesInvalidated"`   // type invalidations (gaps, interruptions, malformed, overflow)
	RecordsInvalidated uint64 `json:"recordsInvalidated"` // records marked stale by peers' messages
	Peers              int    `json:"peers"`              // instances heard from and not forgotten
}

type counters struct {
	published, publishErrors, heartbeats, bytes, oversize, overflows atomic.Uint64
	received, applied, echoes, duplicates, malformed                 atomic.Uint64
	gaps, interruptions, typesInvalidated, recordsInvalidated        atomic.Uint64
}

// Stats returns the node's counters.
func (n *Node) Stats() Stats {
	c := &n.stats
	n.recvMu.Lock()
	peers := len(n.peers)
	n.recvMu.Unlock()
	return Stats{
		Published: c.published.Load(), PublishErrors: c.publishErrors.Load(), Heartbeats: c.heartbeats.Load(),
		Bytes: c.bytes.Load(), Oversize: c.oversize.Load(), Overflows: c.overflows.Load(),
		Received: c.received.Load(), Applied: c.applied.Load(), Echoes: c.echoes.Load(),
		Duplicates: c.duplicates.Load(), Malformed: c.malformed.Load(),
		Gaps: c.gaps.Load(), Interruptions: c.interruptions.Load(),
		TypesInvalidated: c.typesInvalidated.Load(), RecordsInvalidated: c.recordsInvalidated.Load(),
		Peers: peers,
	}
}
