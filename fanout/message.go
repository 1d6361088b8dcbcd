package fanout

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/store"
)

// The wire format. A message is one JSON object:
//
//	{"larder":1,"from":"9f2c…","seq":17,"counts":{"album":12,"artist":3},
//	 "types":["album","artist"],
//	 "invalidate":{"types":["song"],"records":[{"type":"album","id":"2"}]},
//	 "atomic:operations":[…]}
//
//   - from is the sending node's instance id, seq its message number (1, 2,
//     …; a heartbeat repeats the last one and has "beat":true; a node's
//     first heartbeat, at seq 0, also has "hello":true, which every peer
//     answers with a heartbeat, so that each knows where the others stand);
//   - counts holds, for every type the node ever sent, how many of its
//     messages touched that type, this one included: a receiver that saw
//     fewer knows which types it missed messages of, whatever type the next
//     message is about;
//   - types lists the types this message touches;
//   - invalidate names records, or whole types, to mark stale;
//   - atomic:operations holds the replicated changes, as a JSON:API Atomic
//     Operations document's member (see jsonapi.DecodeOperations).
//
// Everything but the header may be absent.

// wireVersion is the format's version; a message of another is refused.
const wireVersion = 1

// A message is a decoded message.
type message struct {
	From   string            `json:"from"`
	Seq    uint64            `json:"seq"`
	Beat   bool              `json:"beat,omitempty"`
	Hello  bool              `json:"hello,omitempty"` // a node that just joined: peers answer with a beat
	Counts map[string]uint64 `json:"counts"`
	Types  []string          `json:"types,omitempty"`
	// Invalidate names what to mark stale.
	Invalidate *invalidation `json:"invalidate,omitempty"`
	// ops is the raw atomic:operations member, decoded on demand.
	ops json.RawMessage
}

type invalidation struct {
	Types   []string           `json:"types,omitempty"`
	Records []store.Identifier `json:"records,omitempty"`
}

// body is what a message says, apart from its header: built before the
// header, which needs the node's sequence lock.
type body struct {
	types      []string // sorted, unique
	invalidate invalidation
	ops        []byte             // the atomic:operations array, or nil
	recs       []store.Identifier // the records ops change
}

// encode returns the body's members as JSON, each with a leading comma.
func (b *body) encode() ([]byte, error) {
	var buf bytes.Buffer
	if len(b.types) > 0 {
		raw, err := json.Marshal(b.types)
		if err != nil {
			return nil, err
		}
		buf.WriteString(`,"types":`)
		buf.Write(raw)
	}
	if len(b.invalidate.Types) > 0 || len(b.invalidate.Records) > 0 {
		raw, err := json.Marshal(&b.invalidate)
		if err != nil {
			return nil, err
		}
		buf.WriteString(`,"invalidate":`)
		buf.Write(raw)
	}
	if b.ops != nil {
		buf.WriteString(`,"atomic:operations":`)
		buf.Write(b.ops)
	}
	return buf.Bytes(), nil
}

// appendHeader appends a message's header to dst, without the closing brace.
func appendHeader(dst []byte, from string, seq uint64, beat bool, counts map[string]uint64) []byte {
	dst = append(dst, `{"larder":`...)
	dst = strconv.AppendInt(dst, wireVersion, 10)
	dst = append(dst, `,"from":`...)
	dst = jsonapi.AppendString(dst, from)
	dst = append(dst, `,"seq":`...)
	dst = strconv.AppendUint(dst, seq, 10)
	if beat {
		dst = append(dst, `,"beat":true`...)
	}
	dst = append(dst, `,"counts":{`...)
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonapi.AppendString(dst, k)
		dst = append(dst, ':')
		dst = strconv.AppendUint(dst, counts[k], 10)
	}
	return append(dst, '}')
}

// ErrMalformed is the cause of a message that could not be read: not JSON,
// not this format, or operations that do not decode.
var ErrMalformed = errors.New("fanout: malformed message")

// maxTypes bounds the types a message may name, so that a hostile message
// cannot make a receiver keep a large map per sender.
const maxTypes = 1024

// decodeHeader reads a message's header and keeps its operations raw.
func decodeHeader(raw []byte) (*message, error) {
	var m struct {
		Larder *int `json:"larder"`
		message
		Ops json.RawMessage `json:"atomic:operations"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	switch {
	case m.Larder == nil || *m.Larder != wireVersion:
		return nil, fmt.Errorf("%w: not a larder message of version %d", ErrMalformed, wireVersion)
	case m.From == "":
		return nil, fmt.Errorf("%w: no sender", ErrMalformed)
	case m.Seq == 0 && !m.Beat:
		return nil, fmt.Errorf("%w: no sequence number", ErrMalformed)
	case len(m.Counts) > maxTypes || len(m.Types) > maxTypes:
		return nil, fmt.Errorf("%w: more than %d types", ErrMalformed, maxTypes)
	}
	for _, t := range m.Types {
		if m.Counts[t] == 0 {
			return nil, fmt.Errorf("%w: type %q touched but not counted", ErrMalformed, t)
		}
	}
	out := m.message
	if len(m.Ops) > 0 && !bytes.Equal(m.Ops, []byte("null")) {
		out.ops = m.Ops
	}
	return &out, nil
}

// operations decodes the message's operations.
func (m *message) operations() ([]store.Operation, error) {
	if m.ops == nil {
		return nil, nil
	}
	doc := make([]byte, 0, len(m.ops)+24)
	doc = append(doc, `{"atomic:operations":`...)
	doc = append(doc, m.ops...)
	doc = append(doc, '}')
	wire, err := jsonapi.DecodeOperations(doc)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	ops, err := store.Operations(wire)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return ops, nil
}

// opType returns the type an operation changes.
func opType(op *store.Operation) string {
	if op.Resource != nil {
		return op.Resource.Type
	}
	return op.Ref.Type
}

// opRecord returns the record an operation changes.
func opRecord(op *store.Operation) store.Identifier {
	if op.Resource != nil {
		return store.Identifier{Type: op.Resource.Type, ID: op.Resource.ID, LID: op.Resource.LID}
	}
	return op.Ref
}
