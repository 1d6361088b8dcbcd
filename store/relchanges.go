package store

import (
	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/relationship"
)

// Relationship dirty tracking, which Ember Data 3.x lacks and 5.3 added
// (cache.changedRelationships, hasChangedRelationships,
// rollbackRelationships). Like attributes, relationships are never part of
// HasDirtyAttributes.

// A RelationshipChange is how a relationship's local state differs from the
// server's, as Ember Data 5.3's RelationshipDiff.
type RelationshipChange struct {
	Kind relationship.Kind
	// Remote and Local are the members on each side, in order.
	Remote, Local []jsonapi.Identifier
	// Added and Removed are the members only Local, or only Remote, has.
	Added, Removed []jsonapi.Identifier
	// Reordered reports a to-many whose common members are in another order.
	Reordered bool
}

// ChangedRelationships returns the relationships whose local linkage differs
// from the server's, by name. A new record's remote relationships are empty.
func (ref Ref[T]) ChangedRelationships() map[string]RelationshipChange {
	out := map[string]RelationshipChange{}
	st, remote := ref.edited()
	if st == nil {
		return out
	}
	tc := ref.tc
	for i := range tc.fields.rels {
		f := &tc.fields.rels[i]
		if f.eq(st.value, remote) {
			continue
		}
		rs, ls := relAt(f, remote), relAt(f, st.value)
		c := RelationshipChange{Kind: tc.model.Rels[i].Kind, Remote: rs.Identifiers(), Local: ls.Identifiers()}
		diffMembers(rs, ls, func(y jsonapi.Identifier, added bool) {
			if added {
				c.Added = append(c.Added, y)
			} else {
				c.Removed = append(c.Removed, y)
			}
		})
		c.Reordered = reordered(c.Remote, c.Local)
		out[tc.model.Rels[i].Name] = c
	}
	return out
}

// reordered reports whether the members a and b share are in another order.
func reordered(a, b []jsonapi.Identifier) bool {
	common := func(xs, ys []jsonapi.Identifier) []jsonapi.Identifier {
		var out []jsonapi.Identifier
		for _, x := range xs {
			for _, y := range ys {
				if same(x, y) {
					out = append(out, x)
					break
				}
			}
		}
		return out
	}
	ca, cb := common(a, b), common(b, a)
	for i := range ca {
		if !same(ca[i], cb[i]) {
			return true
		}
	}
	return false
}

// HasChangedRelationships reports whether any relationship's local linkage
// differs from the server's.
func (ref Ref[T]) HasChangedRelationships() bool {
	_, st := ref.current()
	return st.loaded() && st.local != nil && ref.tc.relsDiffer(st.value, ref.tc.remoteOf(st))
}

// RollbackRelationships discards the record's local relationship edits: each
// relationship's local linkage becomes the server's again, and the inverses
// follow, in one commit. Attributes keep their local values.
func (ref Ref[T]) RollbackRelationships() error {
	r := ref.record()
	if r == nil {
		return nil
	}
	s, tc := ref.s, ref.tc
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := r.state.Load()
	if !cur.loaded() || cur.local == nil {
		return nil
	}
	tx := s.begin(OriginLocal)
	d := tx.draftOf(r)
	remote := tc.remoteOf(cur)
	for i := range tc.fields.rels {
		f := &tc.fields.rels[i]
		if f.eq(cur.value, remote) {
			continue
		}
		was := relAt(f, cur.value)
		tx.setRel(d, i, localSide, relAt(f, remote))
		tx.mirror(localSide, r, i, was, relAt(f, remote))
	}
	d.touched(ChangeEdited)
	tx.commit()
	return nil
}
