package store

import (
	"crypto/rand"
	"fmt"
	"reflect"
	"strconv"
	"unsafe"
)

// CreateRecord adds a new record of model T holding v's attributes and
// relationships, as Ember Data's createRecord, and returns its handle. The
// record gets a fresh lid; its id is v's id field when set, else one from the
// adapter's [IDGenerator] when it has one, else none until the server assigns
// one on Save. It is new (IsNew) and in PeekAll at once.
//
// v's relationships may point at records the store holds, by id or, for a
// record not yet saved, by lid (see relationship.BelongsTo.SetIdentifier); the
// type of a relationship to one model is filled in. Creating a record with the
// id of a loaded record fails with ErrIDInUse: it is not an upsert.
func CreateRecord[T any](s *Cache, v T) (Ref[T], error) {
	tc, ok := cacheOf[T](s)
	if !ok {
		return Ref[T]{}, unknownModel[T]()
	}
	if tc.clone {
		v = cloneRefs(tc.model, v)
	}
	p := unsafe.Pointer(&v)
	idv := reflect.NewAt(tc.model.GoType, p).Elem().FieldByIndex(tc.model.ID.Index)
	id := idString(idv)
	if id == "" && tc.idgen != nil {
		gen, err := s.generateID(tc)
		if err != nil {
			return Ref[T]{}, err
		}
		if gen != "" {
			if err := setID(idv, gen); err != nil {
				return Ref[T]{}, pluginError(&Request{Op: OpCreateRecord, Type: tc.model.Name}, tc.idgen, "id generator", err)
			}
			id = gen
		}
	}
	for i := range tc.fields.rels {
		f := &tc.fields.rels[i]
		st, err := s.normalizeLinkage(tc, i, relAt(f, p))
		if err != nil {
			return Ref[T]{}, err
		}
		setRelAt(f, p, st)
	}
	lid := newLID()
	s.mu.Lock()
	defer s.mu.Unlock()
	if id != "" {
		if r := tc.get(id); r != nil && r.state.Load().loaded() {
			return Ref[T]{}, fmt.Errorf("store: create %s %q: %w", tc.model.Name, id, ErrIDInUse)
		}
	}
	tx := s.begin(OriginLocal)
	r := tx.create(tc, id, lid)
	st, cell := tc.newCell()
	cell.Elem().Set(reflect.NewAt(tc.model.GoType, p).Elem())
	*st = recordState{id: id, status: stNew, value: cell.UnsafePointer(), local: &edits{}, epoch: tc.staleness.epoch.Load()}
	tx.put(r, st, ChangeCreated, ownValue|ownEdits)
	for i := range tc.fields.rels {
		// Each member's inverse takes the new record, locally.
		tx.mirror(localSide, r, i, nil, relAt(&tc.fields.rels[i], st.value))
	}
	tx.commit()
	return Ref[T]{s: s, tc: tc, id: id, lid: lid, r: r}, nil
}

// generateID asks the adapter's IDGenerator, turning a panic into a typed error.
func (s *Cache) generateID(tc *typeCache) (id string, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = pluginError(&Request{Op: OpCreateRecord, Type: tc.model.Name}, tc.idgen, "id generator", recovered(v))
		}
	}()
	return tc.idgen.GenerateID(tc.model.Name), nil
}

// idString reads an id field: "" for the zero value.
func idString(f reflect.Value) string {
	switch f.Kind() {
	case reflect.String:
		return f.String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if f.Int() == 0 {
			return ""
		}
		return strconv.FormatInt(f.Int(), 10)
	default:
		if f.Uint() == 0 {
			return ""
		}
		return strconv.FormatUint(f.Uint(), 10)
	}
}

// newLID returns a random (version 4) UUID, the lid of a new record, as
// Ember Data's identifier cache makes one.
func newLID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hex[c>>4], hex[c&0x0f])
	}
	return string(out)
}
