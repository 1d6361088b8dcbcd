package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unsafe"

	"github.com/larder-go/larder/jsonapi"
	"github.com/larder-go/larder/relationship"
)

// save sends a record's pending change: create if new, delete if deleted,
// update otherwise. It runs in the caller's goroutine under ctx.
//
// One save per record is in flight at a time: a save that finds one under way
// waits for it (or for ctx) and then sends what is still pending, so a second
// Save never sends a change twice and never loses one. A record with nothing
// to send (clean, a deleted new record, a deletion already saved) sends
// nothing.
func (s *Cache) save(ctx context.Context, tc *typeCache, r *record, id string, o findOptions) error {
	if r == nil {
		return &AdapterError{Op: OpUpdateRecord, Type: tc.model.Name, ID: id, Err: ErrNotLoaded}
	}
	s.mu.Lock()
	for {
		ch := s.saving[r]
		if ch == nil {
			break
		}
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return transportError(ctx, &Request{Op: OpUpdateRecord, Type: tc.model.Name, ID: id}, ctx.Err())
		}
		s.mu.Lock()
	}
	cur := r.state.Load()
	op, err := saveOp(tc, cur)
	if op == 0 || err != nil {
		s.mu.Unlock()
		if err != nil {
			return &AdapterError{Op: OpUpdateRecord, Type: tc.model.Name, ID: id, Err: err}
		}
		return nil
	}
	sent := withLocal(cur)
	sent.status |= stSaving
	sent.local.inflight = cur.value
	done := make(chan struct{})
	s.saving[r] = done
	tx := s.begin(OriginLocal)
	tx.store(r, sent, ChangeState)
	tx.commit()
	s.mu.Unlock()

	req := &Request{Op: op, Type: tc.model.Name, Model: tc.model, ID: sent.id, Include: o.include, AdapterOptions: o.adapterOptions}
	var res *jsonapi.Resource // what the save sends, by member name
	if op != OpDeleteRecord {
		var err error
		res, err = s.snapshot(tc, r, op, sent)
		if err == nil {
			req.Body, err = s.serializeRecord(tc, req, res)
		}
		if err != nil {
			s.saveFailed(tc, r, done, err)
			return err
		}
	}
	since := s.requestStarted() // see answers.go
	defer s.requestDone()
	doc, err := s.fetch(ctx, req)
	if err == nil {
		s.unechoed(tc.model, res, doc)
		var settled bool
		settled, err = s.saveDone(since, tc, r, done, op, sent, doc)
		if settled {
			return err
		}
	}
	// Before saveFailed takes the lock: the serializer's resolver may panic,
	// and the report of it runs the program's error handler.
	if ae := (*AdapterError)(nil); errors.As(err, &ae) && ae.Err == ErrInvalid {
		s.normalizeErrors(tc, ae)
	}
	s.saveFailed(tc, r, done, err)
	return err
}

// saveOp says what a save of a record in state st sends: 0 for nothing.
func saveOp(tc *typeCache, st *recordState) (Op, error) {
	switch {
	case !st.loaded():
		if st != nil && st.status&stDeleted != 0 {
			return 0, nil // a new record, deleted: unloaded already
		}
		return 0, ErrNotLoaded
	case st.status&stDeletionCommitted != 0:
		return 0, nil
	case st.status&stDeleted != 0:
		return OpDeleteRecord, nil
	case st.status&stNew != 0:
		return OpCreateRecord, nil
	case st.local == nil || !tc.differs(st.value, tc.remoteOf(st)):
		return 0, nil
	}
	return OpUpdateRecord, nil
}

// release ends a save: the next save of the record may start. Called with
// s.mu held.
func (s *Cache) release(r *record, done chan struct{}) {
	if s.saving[r] == done {
		delete(s.saving, r)
	}
	close(done)
}

// saveFailed ends a failed save. The record keeps every local value: what
// the save sent is still its current value, with any edit made since on top.
// A validation error (ErrInvalid) puts its errors on the record by member;
// any other error sets the error state.
func (s *Cache) saveFailed(tc *typeCache, r *record, done chan struct{}, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.release(r, done)
	cur := r.state.Load()
	if !cur.loaded() {
		return
	}
	next := withLocal(cur)
	next.status &^= stSaving
	next.local.inflight = nil
	var ae *AdapterError
	if errors.As(err, &ae) && ae.Err == ErrInvalid {
		next.local.errors = recordErrors(ae)
		next.err = nil
	} else {
		next.err = err
	}
	tx := s.begin(OriginLocal)
	tx.store(r, next, ChangeState)
	tx.commit()
}

// recordErrors is Ember Data's errorsArrayToHash over an invalid save's error
// objects (whose pointers normalizeErrors mapped to member names). An invalid
// response without any pointer is one error on "base", as Ember's
// InvalidError with no errors.
func recordErrors(ae *AdapterError) map[string][]string {
	out := ae.AttributeErrors()
	if len(out) == 0 {
		msg := "The adapter rejected the commit because it was invalid"
		if len(ae.Errors) > 0 {
			if m := ae.Errors[0].Detail; m != "" {
				msg = m
			} else if m := ae.Errors[0].Title; m != "" {
				msg = m
			}
		}
		out = map[string][]string{"base": {msg}}
	}
	return out
}

// normalizeErrors rewrites the source pointers of a failed save's error
// objects to the model's member names ("/data/attributes/song_count" ->
// "/data/attributes/songCount"), through the serializer's key mapping, as
// Ember Data's extractErrors.
func (s *Cache) normalizeErrors(tc *typeCache, ae *AdapterError) {
	m := tc.model
	for i := range ae.Errors {
		src := ae.Errors[i].Source
		if src == nil || src.Pointer == "" {
			continue
		}
		key, ok := pointerKey(src.Pointer)
		if !ok || key == "base" {
			continue
		}
		head, rest, nested := strings.Cut(key, "/") // "tags/0": a member's element
		if nested {
			rest = "/" + rest
		}
		name := head
		if m.AttributeIndex(head) < 0 && m.RelationshipIndex(head) < 0 {
			if tc.names == nil {
				continue
			}
			if name, ok = s.memberName(tc, head); !ok {
				continue
			}
		}
		section := "attributes"
		if m.RelationshipIndex(name) >= 0 {
			section = "relationships"
		}
		c := *src
		c.Pointer = "/data/" + section + "/" + escape(name) + rest
		ae.Errors[i].Source = &c
	}
}

// memberName asks the serializer's MemberResolver, treating a panic as no
// answer and reporting it.
func (s *Cache) memberName(tc *typeCache, key string) (name string, ok bool) {
	defer func() {
		if v := recover(); v != nil {
			name, ok = "", false
			s.reportBackground(pluginError(&Request{Op: OpUpdateRecord, Type: tc.model.Name}, tc.names, "serializer", recovered(v)))
		}
	}()
	return tc.names.MemberName(tc.model, key)
}

// saveDone commits a successful save. What was sent becomes the remote value,
// with the response's attributes and relationships (if it has a primary
// resource) merged over it and the server's id assigned; edits made while the
// save was in flight stay on top as local edits. A deletion becomes
// committed: the record leaves live arrays but stays readable until unloaded.
//
// settled reports that the save is over, with err or not; otherwise err is
// why the response could not be used, and the save failed.
func (s *Cache) saveDone(since uint64, tc *typeCache, r *record, done chan struct{}, op Op, sent *recordState, doc *jsonapi.Document) (settled bool, err error) {
	items, primary, err := s.prepareSaved(tc, r, op, sent, doc)
	if err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.release(r, done)
	tx := s.beginFrom(answerTo(since))
	for i := range items {
		if &items[i] != primary {
			tx.apply(&items[i])
		}
	}
	cur := tx.cur(r)
	if !cur.loaded() {
		// Something unloaded the record while its save was in flight (a
		// remove operation of a stream): the server has the change, the
		// store no longer has the record.
		tx.commit()
		return true, &AdapterError{Op: op, Type: tc.model.Name, ID: sent.id, Err: ErrNotLoaded,
			Cause: errors.New("the record was unloaded while its save was in flight")}
	}
	if op == OpDeleteRecord {
		next := *cur
		next.status = (cur.status | stDeletionCommitted) &^ stSaving
		next.err, next.local = nil, nil
		tx.store(r, &next, ChangeSaved)
		tx.release(r) // a committed delete leaves every relationship
		tx.commit()
		return true, nil
	}
	inflight := sent.local.inflight
	id := sent.id
	if primary != nil && primary.id != "" {
		id = primary.id
	}
	// The new remote state is the latest one (a push or a reload that landed
	// while the save was in flight stays remote), with the fields the save
	// sent laid over it, then the response's own values.
	remote := tc.newValue(tc.remoteOf(cur))
	sentRemote := tc.remoteOf(sent)
	all := op == OpCreateRecord || s.opts.fullUpdates
	for i := range tc.fields.attrs {
		if f := &tc.fields.attrs[i]; all || !f.eq(inflight, sentRemote) {
			f.copy(remote, inflight)
		}
	}
	unsent := s.unsentRels(tc, inflight, primary)
	for i := range tc.fields.rels {
		// A relationship the server did not get keeps its remote state.
		if f := &tc.fields.rels[i]; !slices.Contains(unsent, i) && (all || !f.eq(inflight, sentRemote)) {
			f.copy(remote, inflight)
		}
	}
	if primary != nil {
		tc.copyAttrs(remote, primary)
		tc.mergeRels(remote, inflight, primary)
	}
	if id != "" {
		_ = setID(reflectAt(tc, remote).FieldByIndex(tc.model.ID.Index), id)
	}
	next := &recordState{id: id, status: (cur.status | stLoaded) &^ (stNew | stSaving), rev: tx.rev()}
	s.freshen(tc, next, cur, OriginAdapter, false)
	next.value = tc.rebase(cur.value, inflight, remote, nil) // a copy of remote, id included
	for _, i := range unsent {
		// The local linkage stays; links and meta the response carried are
		// the server's (a create answered with a related link keeps it).
		f := &tc.fields.rels[i]
		local := relAt(f, cur.value)
		if rp := primary.relPatch(i); rp != nil && (rp.hasLinks || rp.hasMeta) {
			local = local.Merge(relAt(f, remote), false, rp.hasLinks, rp.hasMeta)
		}
		setRelAt(f, next.value, local)
	}
	next.local = &edits{remote: remote}
	if r.id == "" && id != "" {
		if other := tx.lookup(tc, id, ""); other != nil && other != r {
			// The server gave the new record the id of a record the store
			// holds: they are one resource, and the saved record wins.
			s.opts.logger.Warn("store: saved record took the id of a cached record; unloading the cached one",
				"type", tc.model.Name, "id", id, "lid", r.lid)
			tx.unload(other)
		}
		r.id = id // in no id index yet: no reader reads r.id until commit
		tx.addID(tc, id, r)
	}
	tx.put(r, next, ChangeSaved, ownValue|ownEdits|ownRemote)
	if cur.id == "" && id != "" {
		tx.renamed(r, r.lid, id) // inverses named the record by lid
	}
	for i := range tc.fields.rels {
		// What was sent is the remote state now, and the inverses follow.
		f := &tc.fields.rels[i]
		var was *relationship.State
		if v := sideValue(cur, remoteSide); v != nil {
			was = relAt(f, v)
		}
		tx.mirror(bothSides, r, i, was, relAt(f, remote))
	}
	tx.commit()
	return true, nil
}

// unsentRels lists the relationships a save of the value sent did not send,
// whose remote state the save leaves as it was: a one-to-many's hasMany
// (saved from its belongsTo side), and linkage naming a record not saved yet.
// A relationship the response carries counts as sent.
func (s *Cache) unsentRels(tc *typeCache, sent unsafe.Pointer, primary *prepared) []int {
	var out []int
	for i := range tc.fields.rels {
		if primary != nil && primary.hasRelData(i) {
			continue
		}
		st := relAt(&tc.fields.rels[i], sent)
		if !sendsRel(tc, i) || !st.HasLinkage() {
			out = append(out, i)
			continue
		}
		for k := range st.Len() {
			if s.savedID(memberAt(st, k)) == "" {
				out = append(out, i)
				break
			}
		}
	}
	return out
}

// prepareSaved decodes a save's response before anything is applied: its
// included resources, and its primary resource, which is put on the saved
// record whatever its id or lid says (with a warning when they disagree), as
// Ember Data puts a findRecord response on the requested record.
func (s *Cache) prepareSaved(tc *typeCache, r *record, op Op, sent *recordState, doc *jsonapi.Document) ([]prepared, *prepared, error) {
	switch {
	case doc == nil:
		doc = &jsonapi.Document{}
	case op == OpDeleteRecord:
		// The deleted record's own data is not applied; what the server
		// sideloaded is pushed, as Ember Data does.
		doc = &jsonapi.Document{Included: doc.Included}
	}
	var res *jsonapi.Resource
	switch {
	case doc.Shape == jsonapi.One && len(doc.Data) == 1, doc.Shape == jsonapi.Many && len(doc.Data) == 1:
		c := doc.Data[0]
		res = &c
	case doc.Shape == jsonapi.Many && len(doc.Data) > 1:
		return nil, nil, &DocumentError{Pointer: "/data", Err: fmt.Errorf("%w: a save's response has %d primary resources", ErrShape, len(doc.Data))}
	}
	items := make([]prepared, len(doc.Included), len(doc.Included)+1)
	if err := s.prepareIncluded(doc, items); err != nil {
		return nil, nil, err
	}
	if res == nil {
		if op == OpCreateRecord && sent.id == "" {
			return nil, nil, &DocumentError{Pointer: "/data", Err: fmt.Errorf("%w: the server created %s without answering its id", ErrMissingID, tc.model.Name)}
		}
		return items, nil, nil
	}
	switch {
	case sent.id != "" && res.ID != "" && res.ID != sent.id:
		s.opts.logger.Warn("store: save response has another id; keeping the record's", "type", tc.model.Name, "id", sent.id, "received", res.ID)
		res.ID = sent.id
	case sent.id == "" && res.ID == "":
		return nil, nil, &DocumentError{Pointer: "/data/id", Err: fmt.Errorf("%w: the server created %s without answering its id", ErrMissingID, tc.model.Name)}
	case sent.id != "":
		res.ID = sent.id
	}
	res.LID = r.lid // the response is for this record, echoed lid or not
	items = append(items, prepared{})
	p := &items[len(items)-1]
	if res.Type == "" {
		res.Type = tc.model.Name
	}
	if err := s.prepare(res, p, tc.model); err != nil {
		return nil, nil, at(err, "/data")
	}
	return items, p, nil
}
