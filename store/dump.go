package store

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/larder-go/larder/relationship"
)

// DumpOptions chooses what [Cache.Dump] shows.
type DumpOptions struct {
	// Types lists the types to show; every type when empty.
	Types []string
	// ID, with one type in Types, shows that record only.
	ID string
	// Records is how many records to show per type, in id order: 0 shows
	// counts only. ID shows its record whatever Records says.
	Records int
}

// A Dump is a debug view of what a store holds: per type, how many records
// are in each state, and the records asked for with their remote and local
// attributes and their relationships. It marshals to JSON as it is, and
// WriteText writes it for a terminal.
//
// A Dump is read without stopping writers: each record is read at one
// moment, but the records of a Dump may be read at different ones.
type Dump struct {
	Types []TypeDump `json:"types"`
}

// TypeDump is one type of a Dump.
type TypeDump struct {
	Type        string `json:"type"`
	Records     int    `json:"records"`     // loaded records, new ones included
	Identifiers int    `json:"identifiers"` // ids held, loaded or not
	// States counts the records held by Ember Data's state name
	// ("root.loaded.saved", "root.empty", ...).
	States map[string]int `json:"states"`
	// Shown lists the records asked for.
	Shown []RecordDump `json:"shown,omitempty"`
}

// RecordDump is one record of a Dump.
type RecordDump struct {
	ID    string `json:"id,omitempty"`
	LID   string `json:"lid,omitempty"`
	State string `json:"state"`
	// Remote holds the attributes as the server last sent them, encoded as
	// a save would send them; Local the attributes changed locally since.
	Remote map[string]json.RawMessage `json:"remote,omitempty"`
	Local  map[string]json.RawMessage `json:"local,omitempty"`
	// Relationships holds each relationship with known linkage.
	Relationships map[string]RelationshipDump `json:"relationships,omitempty"`
	Errors        map[string][]string         `json:"errors,omitempty"` // validation errors
	Err           string                      `json:"error,omitempty"`  // the last failed reload or save
}

// RelationshipDump is one relationship of a RecordDump.
type RelationshipDump struct {
	Kind string `json:"kind"` // "belongsTo" or "hasMany"
	// Data is the linkage reads see; Remote is the server's, when local
	// changes made it differ.
	Data    []Identifier `json:"data"`
	Remote  []Identifier `json:"remote,omitempty"`
	Stale   bool         `json:"stale,omitempty"`
	Partial bool         `json:"partial,omitempty"`
}

// Dump returns a debug view of the store. It fails only for a type name no
// model has, or an ID without exactly one type. Its cost grows with the
// records of the types shown (each one's state is read), and it holds the
// writer lock while it reads, so that it shows one moment of the cache:
// writers wait for it, and an operator's view of a large store should name
// its types.
func (s *Cache) Dump(opts DumpOptions) (*Dump, error) {
	s.mustBeNew()
	tcs := s.types
	if len(opts.Types) > 0 {
		tcs = nil
		for _, typ := range opts.Types {
			tc, err := s.typeCacheFor(typ)
			if err != nil {
				return nil, err
			}
			tcs = append(tcs, tc)
		}
	}
	if opts.ID != "" && len(tcs) != 1 {
		return nil, fmt.Errorf("store: a dump of id %q needs exactly one type", opts.ID)
	}
	// The writer lock: a dump shows one moment of the cache, all of each
	// commit or none of it, however long it reads; writers wait for it.
	s.mu.Lock()
	defer s.mu.Unlock()
	d := &Dump{Types: make([]TypeDump, 0, len(tcs))}
	for _, tc := range tcs {
		d.Types = append(d.Types, s.dumpType(tc, opts))
	}
	return d, nil
}

// dumpType reads one type's records; the caller holds the writer lock.
func (s *Cache) dumpType(tc *typeCache, opts DumpOptions) TypeDump {
	td := TypeDump{Type: tc.model.Name, States: map[string]int{}}
	var shown []*record
	count := func(r *record) bool {
		st := r.state.Load()
		if st.loaded() {
			td.Records++
		}
		td.States[s.stateOf(tc, r, r.id).Name()]++
		if opts.ID == "" && opts.Records > 0 {
			shown = append(shown, r)
		}
		return true
	}
	tc.index.All(func(r *record) bool {
		td.Identifiers++
		return count(r)
	})
	tc.lids.All(func(r *record) bool {
		if r.id != "" && tc.get(r.id) == r {
			return true // counted by id
		}
		return count(r)
	})
	if opts.ID != "" {
		if r := tc.get(opts.ID); r != nil {
			shown = []*record{r}
		}
	}
	slices.SortFunc(shown, func(a, b *record) int {
		return cmp.Or(cmp.Compare(a.id, b.id), cmp.Compare(a.lid, b.lid))
	})
	if opts.ID == "" && len(shown) > opts.Records {
		shown = shown[:opts.Records]
	}
	for _, r := range shown {
		td.Shown = append(td.Shown, s.dumpRecord(tc, r))
	}
	return td
}

// dumpRecord reads one record.
func (s *Cache) dumpRecord(tc *typeCache, r *record) RecordDump {
	st := r.state.Load()
	state := s.stateOf(tc, r, r.id)
	rd := RecordDump{ID: r.id, LID: r.lid, State: state.Name(), Errors: state.Errors}
	if st != nil && st.id != "" {
		rd.ID = st.id
	}
	if state.Err != nil {
		rd.Err = state.Err.Error()
	}
	if st == nil || st.value == nil {
		return rd
	}
	m := tc.model
	remote := tc.remoteOf(st)
	rv, lv := reflectAt(tc, remote), reflectAt(tc, st.value)
	for i := range tc.fields.attrs {
		if raw, err := tc.encodeAttr(rv, i); err == nil {
			if rd.Remote == nil {
				rd.Remote = map[string]json.RawMessage{}
			}
			rd.Remote[m.Attributes[i].Name] = raw
		}
		if remote != st.value && !tc.fields.attrs[i].eq(st.value, remote) {
			if raw, err := tc.encodeAttr(lv, i); err == nil {
				if rd.Local == nil {
					rd.Local = map[string]json.RawMessage{}
				}
				rd.Local[m.Attributes[i].Name] = raw
			}
		}
	}
	for i := range tc.fields.rels {
		f := &tc.fields.rels[i]
		cur := relAt(f, st.value)
		if !cur.HasLinkage() && !cur.IsStale() {
			continue
		}
		kind := "belongsTo"
		if cur.Kind() == relationship.KindHasMany {
			kind = "hasMany"
		}
		rel := RelationshipDump{Kind: kind, Data: identifiersOf(cur), Stale: cur.IsStale(), Partial: cur.IsPartial()}
		if remote != st.value && !f.eq(st.value, remote) {
			rel.Remote = identifiersOf(relAt(f, remote))
		}
		if rd.Relationships == nil {
			rd.Relationships = map[string]RelationshipDump{}
		}
		rd.Relationships[m.Rels[i].Name] = rel
	}
	return rd
}

// WriteText writes the dump for a terminal: per type a line of counts, its
// states, then each record shown with its attributes and relationships.
func (d *Dump) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, td := range d.Types {
		fmt.Fprintf(&b, "%s: %d records, %d identifiers\n", td.Type, td.Records, td.Identifiers)
		for _, name := range slices.Sorted(maps.Keys(td.States)) {
			fmt.Fprintf(&b, "  %-36s %d\n", name, td.States[name])
		}
		for _, rd := range td.Shown {
			b.WriteString("  ")
			b.WriteString(td.Type)
			if rd.ID != "" {
				b.WriteString(" " + rd.ID)
			}
			if rd.LID != "" {
				b.WriteString(" (lid " + rd.LID + ")")
			}
			b.WriteString(" " + rd.State + "\n")
			for _, name := range slices.Sorted(maps.Keys(rd.Remote)) {
				fmt.Fprintf(&b, "    %s = %s", name, rd.Remote[name])
				if local, ok := rd.Local[name]; ok {
					fmt.Fprintf(&b, " (local %s)", local)
				}
				b.WriteString("\n")
			}
			for _, name := range slices.Sorted(maps.Keys(rd.Relationships)) {
				rel := rd.Relationships[name]
				fmt.Fprintf(&b, "    %s -> %s", name, identifiers(rel.Data))
				if rel.Remote != nil {
					fmt.Fprintf(&b, " (remote %s)", identifiers(rel.Remote))
				}
				if rel.Stale {
					b.WriteString(" stale")
				}
				if rel.Partial {
					b.WriteString(" partial")
				}
				b.WriteString("\n")
			}
			for _, name := range slices.Sorted(maps.Keys(rd.Errors)) {
				fmt.Fprintf(&b, "    invalid %s: %s\n", name, strings.Join(rd.Errors[name], "; "))
			}
			if rd.Err != "" {
				fmt.Fprintf(&b, "    error: %s\n", rd.Err)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// identifiersOf returns a relationship's members, never nil.
func identifiersOf(st *relationship.State) []Identifier {
	out := make([]Identifier, st.Len())
	for i := range out {
		id := st.At(i)
		out[i] = Identifier{Type: id.Type, ID: id.ID, LID: id.LID}
	}
	return out
}

// identifiers formats linkage as [type:id ...].
func identifiers(ids []Identifier) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = id.String()
	}
	return "[" + strings.Join(parts, " ") + "]"
}
