package store

import (
	"encoding/json"
	"unsafe"

	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/relationship"
)

// RemoteOperations returns the cache operations that bring another cache's
// remote state of the records this commit changed in line with this one's,
// for the fields that changed. It reads remote state only, what the server
// said: local edits, records not yet saved and members known only by lid
// are never in it. For each record whose remote state changed, in the
// change set's order:
//
//   - its deletion was saved, or a commit not of OriginLocal unloaded it (the
//     server, a push or a peer said it is gone): OpRemove;
//   - otherwise an OpUpdate whose resource holds the attributes and to-one
//     relationships that changed (every one, for a record loaded by this
//     commit), and the changed links of any relationship;
//   - and for each to-many whose members changed: OpRemoveMembers and
//     OpAddMembers when members were only removed or added at the end, so
//     that concurrent additions from elsewhere survive; otherwise
//     OpReplaceRelationship.
//
// OpUpdate and the relationship operations change only records a cache holds
// loaded, so applying them never makes a partial record. A commit of
// OriginLocal changes no remote state and gives none.
//
// A record the commit left stale is in stale instead, with no operations:
// an answer of the adapter that crossed a peer's change (see
// Cache.Invalidate), whose values may be older than what others hold; others
// should mark it stale too.
//
// The change set keeps the states it needs, so RemoteOperations may be
// called long after the commit, from any goroutine. It fails only when an
// attribute's transform cannot encode the value; a change set of a
// subscription's Missed notice has none.
func (cs ChangeSet) RemoteOperations() (ops []Operation, stale []Identifier, err error) {
	if cs.s == nil || cs.Origin == OriginLocal {
		return nil, nil, nil
	}
	for i := range cs.changes {
		p := cs.changes[i].st
		if p.new.remoteLoaded() && p.new.status&stStale != 0 && p.old.status&stStale == 0 && p.new.id != "" {
			stale = append(stale, Identifier{Type: p.r.model.Name, ID: p.new.id})
			continue
		}
		if ops, err = cs.s.remoteOps(ops, p); err != nil {
			return nil, nil, err
		}
	}
	return ops, stale, nil
}

// remoteOps appends the operations of one record's change.
func (s *Cache) remoteOps(out []Operation, p pendingChange) ([]Operation, error) {
	tc := s.types[p.r.model.Index]
	m := tc.model
	id := ""
	switch {
	case p.new != nil && p.new.id != "":
		id = p.new.id
	case p.old != nil:
		id = p.old.id
	}
	if id == "" {
		return out, nil // never saved: no remote state
	}
	ref := Identifier{Type: m.Name, ID: id}
	wasDeleted := p.old != nil && p.old.status&stDeletionCommitted != 0
	if p.kind == ChangeUnloaded && !wasDeleted && p.old.remoteLoaded() ||
		p.new != nil && p.new.status&stDeletionCommitted != 0 && !wasDeleted {
		return append(out, Operation{Op: OpRemove, Ref: ref}), nil
	}
	if !p.new.remoteLoaded() {
		return out, nil
	}
	b := tc.remoteOf(p.new)
	var a unsafe.Pointer // nil: the record had no remote state before
	if p.old.remoteLoaded() {
		a = tc.remoteOf(p.old)
		if a == b {
			return out, nil
		}
	}
	res := jsonapi.Resource{Type: m.Name, ID: id}
	bv := reflectAt(tc, b)
	for i := range tc.fields.attrs {
		if a != nil && tc.fields.attrs[i].eq(a, b) {
			continue
		}
		raw, err := tc.encodeAttr(bv, i)
		if err != nil {
			return nil, &DocumentError{Pointer: "/data/attributes/" + escape(m.Attributes[i].Name), Err: err}
		}
		if res.Attributes == nil {
			res.Attributes = map[string]json.RawMessage{}
		}
		res.Attributes[m.Attributes[i].Name] = raw
	}
	var relOps []Operation
	for i := range tc.fields.rels {
		f := &tc.fields.rels[i]
		info := &m.Rels[i]
		var was *relationship.State
		if a != nil {
			was = relAt(f, a)
		}
		is := relAt(f, b)
		if a != nil && !relChanged(was, is) {
			continue
		}
		rel := &jsonapi.Relationship{}
		if was.Link("related") != is.Link("related") || was.Link("self") != is.Link("self") {
			rel.Links = is.Links()
		}
		if is.HasLinkage() && (a == nil || !was.SameLinkage(is)) {
			members := s.savedMembers(is)
			if info.Kind == relationship.KindHasMany {
				relOps = s.appendMemberOps(relOps, ref, info.Name, was, members)
			} else if len(members) == 0 {
				rel.Shape = jsonapi.Null
			} else {
				rel.Shape, rel.Data = jsonapi.One, []jsonapi.Identifier{wire(members[0])}
			}
		}
		if rel.Shape == jsonapi.Absent && rel.Links == nil {
			continue
		}
		if res.Relationships == nil {
			res.Relationships = map[string]*jsonapi.Relationship{}
		}
		res.Relationships[info.Name] = rel
	}
	if res.Attributes != nil || res.Relationships != nil {
		out = append(out, Operation{Op: OpUpdate, Resource: &res})
	}
	return append(out, relOps...), nil
}

// remoteLoaded reports whether the state holds data from the server: loaded,
// and not a new record the server has not confirmed.
func (st *recordState) remoteLoaded() bool {
	return st != nil && st.status&stLoaded != 0
}

// savedMembers returns a relationship's members by type and id, leaving out
// those not saved yet.
func (s *Cache) savedMembers(st *relationship.State) []Identifier {
	out := make([]Identifier, 0, st.Len())
	for i := range st.Len() {
		if id := s.savedID(st.At(i)); id != "" {
			out = append(out, Identifier{Type: st.TypeAt(i), ID: id})
		}
	}
	return out
}

// appendMemberOps appends the operations that turn a to-many's members was
// into members: removals and additions at the end when that is all that
// changed, a replacement otherwise (or when was had no linkage).
func (s *Cache) appendMemberOps(out []Operation, ref Identifier, name string, was *relationship.State, members []Identifier) []Operation {
	replace := Operation{Op: OpReplaceRelationship, Ref: ref, Relationship: name, Members: members}
	if !was.HasLinkage() {
		return append(out, replace)
	}
	old := s.savedMembers(was)
	in := make(map[Identifier]bool, len(members))
	for _, y := range members {
		in[y] = true
	}
	had := make(map[Identifier]bool, len(old))
	var removed, kept []Identifier
	for _, y := range old {
		had[y] = true
		if in[y] {
			kept = append(kept, y)
		} else {
			removed = append(removed, y)
		}
	}
	if len(kept) > len(members) {
		return append(out, replace) // duplicates: no diff describes it
	}
	for i, y := range kept {
		if members[i] != y {
			return append(out, replace) // reordered
		}
	}
	added := members[len(kept):]
	for _, y := range added {
		if had[y] {
			return append(out, replace)
		}
	}
	if len(removed) > 0 {
		out = append(out, Operation{Op: OpRemoveMembers, Ref: ref, Relationship: name, Members: removed})
	}
	if len(added) > 0 {
		out = append(out, Operation{Op: OpAddMembers, Ref: ref, Relationship: name, Members: added, Index: -1})
	}
	return out
}
