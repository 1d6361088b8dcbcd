package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/relationship"
)

// The cache operations API: what WarpDrive declares as cache.patch. A batch
// of operations is applied as one commit with one change set, or, if any
// operation is invalid, not at all. Push is the put operation for each
// resource of a document; the stream source and fan-out apply operations.
//
// Operations are remote updates, with the rules of Push: local edits stay on
// top of them, and each relationship change reaches its inverses.

// OpKind names a cache operation.
type OpKind uint8

const (
	// OpPut adds Resource, or updates the record it names with the members it
	// has, as a push of it.
	OpPut OpKind = iota + 1
	// OpUpdate updates the record Resource names with the members it has, if
	// the cache holds it loaded; otherwise it does nothing, so that a partial
	// resource never becomes a record.
	OpUpdate
	// OpRemove removes the record Ref names, as the server deleted it: it
	// leaves every relationship and is unloaded.
	OpRemove
	// OpAddMembers adds Members to relationship Relationship of Ref, at Index
	// (-1: at the end). Members it holds already stay where they are.
	OpAddMembers
	// OpRemoveMembers removes Members from the relationship; members it does
	// not hold are ignored.
	OpRemoveMembers
	// OpReplaceRelationship makes Members the relationship's members: at most
	// one for a belongsTo, none to empty it.
	OpReplaceRelationship
)

var operationNames = [...]string{OpPut: "put", OpUpdate: "update", OpRemove: "remove", OpAddMembers: "add members", OpRemoveMembers: "remove members", OpReplaceRelationship: "replace relationship"}

// String returns the operation's name, such as "put" or "add members".
func (k OpKind) String() string {
	if int(k) < len(operationNames) && operationNames[k] != "" {
		return operationNames[k]
	}
	return fmt.Sprintf("OpKind(%d)", k)
}

// An Operation is one change to the cache; see OpKind for the fields each
// kind reads. The relationship operations (OpAddMembers, OpRemoveMembers,
// OpReplaceRelationship) change records the cache holds loaded and do nothing
// to others.
type Operation struct {
	Op           OpKind
	Resource     *jsonapi.Resource
	Ref          Identifier
	Relationship string
	Members      []Identifier
	Index        int
}

// ErrInvalidOperation is the cause of an operation that cannot apply: an
// unknown kind, a missing field, an index out of range.
var ErrInvalidOperation = errors.New("invalid operation")

// An OperationError says which operation of a batch was at fault. The batch
// changed nothing.
type OperationError struct {
	Index int    // the operation's position in the batch
	Op    OpKind // its kind
	Err   error  // what was wrong: a *DocumentError, ErrUnknownType, ErrNoRelationship, ...
}

func (e *OperationError) Error() string {
	return fmt.Sprintf("store: operation %d (%s): %v", e.Index, e.Op, e.Err)
}

func (e *OperationError) Unwrap() error { return e.Err }

// Apply applies operations in order as one commit. Every resource is decoded
// and every operation checked before anything changes; an operation that
// turns out invalid while applying (an index past the end of a relationship
// that earlier operations changed) undoes the ones before it. On error, an
// *OperationError, the cache is unchanged and nothing is announced.
func (s *Cache) Apply(ops ...Operation) error { return s.apply(OriginProgram, ops) }

// apply is Apply with an origin.
func (s *Cache) apply(o Origin, ops []Operation) error {
	s.mustBeNew()
	if s.closed.Load() {
		return ErrClosed
	}
	items := make([]prepared, len(ops))
	for i := range ops {
		if err := s.check(&ops[i], &items[i]); err != nil {
			return &OperationError{Index: i, Op: ops[i].Op, Err: err}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tx := s.begin(o)
	tx.journal = true
	for i := range ops {
		if err := tx.operate(&ops[i], &items[i]); err != nil {
			tx.abort()
			return &OperationError{Index: i, Op: ops[i].Op, Err: err}
		}
	}
	tx.commit()
	return nil
}

// check decodes an operation's resource into p and checks what can be
// checked without the cache.
func (s *Cache) check(op *Operation, p *prepared) error {
	switch op.Op {
	case OpPut, OpUpdate:
		if op.Resource == nil {
			return fmt.Errorf("%w: no resource", ErrInvalidOperation)
		}
		return s.prepare(op.Resource, p, nil)
	case OpRemove:
		_, err := s.refOf(op)
		return err
	case OpAddMembers, OpRemoveMembers, OpReplaceRelationship:
		tc, err := s.refOf(op)
		if err != nil {
			return err
		}
		i := tc.model.RelationshipIndex(op.Relationship)
		if i < 0 {
			return fmt.Errorf("%w: %s has no %q", ErrNoRelationship, tc.model.Name, op.Relationship)
		}
		info := &tc.model.Rels[i]
		if info.Kind == relationship.KindBelongsTo && len(op.Members) > 1 && op.Op != OpRemoveMembers {
			return fmt.Errorf("%w: belongsTo %q takes one member, not %d", ErrShape, info.Name, len(op.Members))
		}
		for _, y := range op.Members {
			if _, ok := info.Accept(y.Type); !ok {
				return fmt.Errorf("%w: %q cannot hold %q", ErrTypeMismatch, info.Name, y.Type)
			}
			if y.ID == "" && y.LID == "" {
				return fmt.Errorf("%w: member of %q", ErrMissingID, info.Name)
			}
		}
		if op.Op == OpAddMembers && op.Index < -1 {
			return fmt.Errorf("%w: index %d", ErrInvalidOperation, op.Index)
		}
		return nil
	}
	return fmt.Errorf("%w: kind %d", ErrInvalidOperation, op.Op)
}

// refOf checks an operation's Ref.
func (s *Cache) refOf(op *Operation) (*typeCache, error) {
	m, ok := s.reg.ByName(op.Ref.Type)
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownType, op.Ref.Type)
	}
	tc := s.types[m.Index]
	if op.Ref.ID == "" && op.Ref.LID == "" {
		return nil, ErrMissingID
	}
	return tc, nil
}

// operate applies one checked operation.
func (tx *txn) operate(op *Operation, p *prepared) error {
	switch op.Op {
	case OpPut:
		tx.apply(p) // what Push runs for each resource
		return nil
	case OpUpdate:
		if r := tx.lookup(p.tc, p.id, p.lid); r != nil && tx.cur(r).loaded() {
			tx.apply(p)
		}
		return nil
	}
	tc, _ := tx.s.typeCacheFor(op.Ref.Type)
	r := tx.lookup(tc, op.Ref.ID, lidIfNoID(op.Ref.ID, op.Ref.LID))
	if r == nil || !tx.cur(r).loaded() {
		return nil
	}
	if op.Op == OpRemove {
		tx.release(r)
		tx.unload(r)
		return nil
	}
	i := tc.model.RelationshipIndex(op.Relationship)
	info := &tc.model.Rels[i]
	cur := relAt(&tc.fields.rels[i], sideValue(tx.cur(r), remoteSide))
	members := cur.Identifiers()
	switch op.Op {
	case OpAddMembers:
		var add []jsonapi.Identifier
		for _, y := range op.Members {
			if y := wire(y); !contains(cur, y) && !containsID(add, y) {
				add = append(add, y)
			}
		}
		at := op.Index
		if info.Kind == relationship.KindBelongsTo {
			members, at = nil, 0
			if len(add) == 0 {
				return nil // holds it already
			}
		}
		if at == -1 {
			at = len(members)
		}
		if at > len(members) {
			return fmt.Errorf("%w: index %d past the %d members of %q", ErrInvalidOperation, at, len(members), info.Name)
		}
		members = append(members[:at:at], append(add, members[at:]...)...)
	case OpRemoveMembers:
		gone := wires(op.Members)
		kept := members[:0]
		for _, m := range members {
			if !containsID(gone, m) {
				kept = append(kept, m)
			}
		}
		members = kept
	case OpReplaceRelationship:
		members = unique(wires(op.Members))
	}
	next := relationship.NewState(info.Kind, true, members, nil, nil)
	if cur.HasLinkage() && next.SameLinkage(cur) {
		return nil
	}
	q := prepared{tc: tc, id: tx.cur(r).id, lid: r.lid, attrs: newBitset(len(tc.model.Attributes))}
	q.state, q.value = tc.newCell()
	q.rels = []relPatch{{index: i, state: next, hasData: true}}
	tx.apply(&q)
	return nil
}

// wire returns an identifier as relationships hold it.
func wire(y Identifier) jsonapi.Identifier {
	return jsonapi.Identifier{Type: y.Type, ID: y.ID, LID: y.LID}
}

func wires(ys []Identifier) []jsonapi.Identifier {
	out := make([]jsonapi.Identifier, len(ys))
	for i, y := range ys {
		out[i] = wire(y)
	}
	return out
}

func containsID(ids []jsonapi.Identifier, y jsonapi.Identifier) bool {
	for _, x := range ids {
		if same(x, y) {
			return true
		}
	}
	return false
}

// Undo. A txn publishes nothing until commit, but a few structures change as
// it goes: the id index (records created or dropped), the pending and
// implicit inverse maps and the member indexes. A journaled txn notes how to
// put each back, so that abort leaves the cache as it found it.

// note records an undo step when the txn is journaled.
func (tx *txn) note(undo func()) {
	if tx.journal {
		tx.undo = append(tx.undo, undo)
	}
}

// abort undoes what the txn changed and forgets its drafts. Nothing was
// published or announced.
func (tx *txn) abort() {
	for i := len(tx.undo) - 1; i >= 0; i-- {
		tx.undo[i]()
	}
	for _, r := range tx.dropped {
		r.dropped = false // still in the indexes: nothing was published
	}
	for _, d := range tx.drafts {
		d.r.d = nil
		for k := range 2 * len(d.r.model.Rels) {
			delete(tx.s.indexes, indexKey{holder: d.r, slot: k})
		}
	}
	tx.drafts = nil
}

// Operations converts the operations of an operations document (see
// jsonapi.DecodeOperations) into cache operations: "add" and "update" of a
// resource are OpPut and OpUpdate, "remove" of a resource is OpRemove, and on
// a relationship "add", "remove" and "update" are OpAddMembers (at meta
// "index" when given), OpRemoveMembers and OpReplaceRelationship. The
// resources stay the document's.
func Operations(wire []jsonapi.Operation) ([]Operation, error) {
	out := make([]Operation, len(wire))
	for i := range wire {
		w := &wire[i]
		op := &out[i]
		if w.Ref == nil || w.Ref.Relationship == "" {
			switch w.Op {
			case "add":
				op.Op, op.Resource = OpPut, &w.Data[0]
			case "update":
				op.Op, op.Resource = OpUpdate, &w.Data[0]
			case "remove":
				op.Op, op.Ref = OpRemove, Identifier{Type: w.Ref.Type, ID: w.Ref.ID, LID: w.Ref.LID}
			}
			if op.Resource != nil && w.Ref != nil && (w.Ref.Type != op.Resource.Type || w.Ref.ID != op.Resource.ID) {
				return nil, &OperationError{Index: i, Op: op.Op, Err: fmt.Errorf("%w: ref %s:%s names another resource than data", ErrInvalidOperation, w.Ref.Type, w.Ref.ID)}
			}
			continue
		}
		op.Ref = Identifier{Type: w.Ref.Type, ID: w.Ref.ID, LID: w.Ref.LID}
		op.Relationship = w.Ref.Relationship
		for _, res := range w.Data {
			op.Members = append(op.Members, Identifier{Type: res.Type, ID: res.ID, LID: res.LID})
		}
		switch w.Op {
		case "add":
			op.Op, op.Index = OpAddMembers, -1
			if raw, ok := w.Meta["index"]; ok {
				n, err := strconv.Atoi(string(raw))
				if err != nil || n < 0 {
					return nil, &OperationError{Index: i, Op: op.Op, Err: fmt.Errorf("%w: meta index %s", ErrInvalidOperation, raw)}
				}
				op.Index = n
			}
		case "remove":
			op.Op = OpRemoveMembers
		case "update":
			op.Op = OpReplaceRelationship
		}
	}
	return out, nil
}

// ApplyDocument decodes an operations document and applies it with Apply.
// A document that does not decode is a *jsonapi.DecodeError and changes
// nothing.
func (s *Cache) ApplyDocument(data []byte) error { return s.applyDocument(OriginProgram, data) }

// applyDocument is ApplyDocument with an origin.
func (s *Cache) applyDocument(o Origin, data []byte) error {
	wire, err := jsonapi.DecodeOperations(data)
	if err != nil {
		return err
	}
	ops, err := Operations(wire)
	if err != nil {
		return err
	}
	return s.apply(o, ops)
}

// ApplyPayload is ApplyDocument for an operations document as the server
// spells it: each operation's resource, and its ref's type, relationship
// name and members, go through the store's serializer (its
// NormalizePayload) first, as a payload given to PushPayload does. Without a
// serializer it is ApplyDocument; a serializer that cannot normalize whole
// payloads gives ErrNotSupported.
func (s *Cache) ApplyPayload(raw []byte) error { return s.applyPayload(OriginProgram, raw) }

// applyPayload is ApplyPayload with an origin.
func (s *Cache) applyPayload(o Origin, raw []byte) error {
	s.mustBeNew()
	wire, err := jsonapi.DecodeOperations(raw)
	if err != nil {
		return err
	}
	if s.serializer != nil {
		p, ok := s.serializer.(PayloadNormalizer)
		if !ok {
			return fmt.Errorf("store: apply payload: %T: %w", s.serializer, ErrNotSupported)
		}
		for i := range wire {
			if err := s.normalizeOp(p, &wire[i]); err != nil {
				return &OperationError{Index: i, Err: err}
			}
		}
	}
	ops, err := Operations(wire)
	if err != nil {
		return err
	}
	return s.apply(o, ops)
}

// normalizeOp normalizes one operation through the serializer, by way of a
// one-resource document holding what it names.
func (s *Cache) normalizeOp(p PayloadNormalizer, op *jsonapi.Operation) error {
	relOp := op.Ref != nil && op.Ref.Relationship != ""
	var res jsonapi.Resource
	switch {
	case !relOp && op.Shape == jsonapi.One:
		res = op.Data[0]
	default:
		res = jsonapi.Resource{Type: op.Ref.Type, ID: op.Ref.ID, LID: op.Ref.LID}
		if relOp {
			rel := &jsonapi.Relationship{Shape: op.Shape}
			for _, m := range op.Data {
				rel.Data = append(rel.Data, jsonapi.Identifier{Type: m.Type, ID: m.ID, LID: m.LID})
			}
			res.Relationships = map[string]*jsonapi.Relationship{op.Ref.Relationship: rel}
		}
	}
	raw, err := jsonapi.Encode(&jsonapi.Document{Shape: jsonapi.One, Data: []jsonapi.Resource{res}})
	if err != nil {
		return &DocumentError{Err: err}
	}
	doc, err := normalizePayload(s, p, "", raw)
	if err != nil {
		return err
	}
	n := doc.One()
	if n == nil {
		return fmt.Errorf("%w: the serializer made no resource of an operation", ErrPlugin)
	}
	switch {
	case !relOp && op.Shape == jsonapi.One:
		if op.Ref != nil && (op.Ref.Type != res.Type || op.Ref.ID != res.ID) {
			// The ref may spell the type otherwise: it must name the same
			// resource once normalized, as ApplyDocument requires.
			if err := s.sameResource(p, op.Ref, n); err != nil {
				return err
			}
		}
		op.Data[0] = *n
		if op.Ref != nil {
			op.Ref.Type, op.Ref.ID = n.Type, n.ID
		}
	case relOp:
		if len(n.Relationships) != 1 {
			return fmt.Errorf("%w: the serializer kept %d relationships of one", ErrPlugin, len(n.Relationships))
		}
		for name, rel := range n.Relationships {
			op.Ref.Relationship, op.Shape = name, rel.Shape
			op.Data = op.Data[:0]
			for _, m := range rel.Data {
				op.Data = append(op.Data, jsonapi.Resource{Type: m.Type, ID: m.ID, LID: m.LID})
			}
		}
		fallthrough
	default:
		op.Ref.Type, op.Ref.ID, op.Ref.LID = n.Type, n.ID, n.LID
	}
	return nil
}

// sameResource reports, as an error, a ref that names another resource than
// the operation's data n once the serializer normalized it.
func (s *Cache) sameResource(p PayloadNormalizer, ref *jsonapi.OperationRef, n *jsonapi.Resource) error {
	raw, err := jsonapi.Encode(&jsonapi.Document{Shape: jsonapi.One, Data: []jsonapi.Resource{{Type: ref.Type, ID: ref.ID, LID: ref.LID}}})
	if err != nil {
		return &DocumentError{Err: err}
	}
	doc, err := normalizePayload(s, p, "", raw)
	if err != nil {
		return err
	}
	if r := doc.One(); r == nil || r.Type != n.Type || r.ID != n.ID {
		return fmt.Errorf("%w: ref %s:%s names another resource than data", ErrInvalidOperation, ref.Type, ref.ID)
	}
	return nil
}

// WireOperations converts cache operations into the operations of an
// operations document, the inverse of [Operations]: what it returns,
// encoded with jsonapi.EncodeOperations and read back with Operations, is
// ops again. Members of relationship operations are written as an array.
// The resources are shared with ops.
func WireOperations(ops []Operation) []jsonapi.Operation {
	out := make([]jsonapi.Operation, len(ops))
	for i := range ops {
		op, w := &ops[i], &out[i]
		switch op.Op {
		case OpPut, OpUpdate:
			w.Op = "add"
			if op.Op == OpUpdate {
				w.Op = "update"
			}
			if op.Resource != nil {
				w.Shape, w.Data = jsonapi.One, []jsonapi.Resource{*op.Resource}
			}
			continue
		case OpRemove:
			w.Op = "remove"
			w.Ref = &jsonapi.OperationRef{Type: op.Ref.Type, ID: op.Ref.ID, LID: op.Ref.LID}
			continue
		case OpAddMembers:
			w.Op = "add"
			if op.Index >= 0 {
				w.Meta = jsonapi.Meta{"index": json.RawMessage(strconv.Itoa(op.Index))}
			}
		case OpRemoveMembers:
			w.Op = "remove"
		default:
			w.Op = "update"
		}
		w.Ref = &jsonapi.OperationRef{Type: op.Ref.Type, ID: op.Ref.ID, LID: op.Ref.LID, Relationship: op.Relationship}
		w.Shape, w.Data = jsonapi.Many, make([]jsonapi.Resource, len(op.Members))
		for j, y := range op.Members {
			w.Data[j] = jsonapi.Resource{Type: y.Type, ID: y.ID, LID: y.LID}
		}
	}
	return out
}
