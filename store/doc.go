// Package store is a typed, identity-mapped client-side cache of JSON:API
// resources, after Ember Data's Store.
//
// # Models
//
// Models are Go structs tagged as package model describes. A [Cache] is built
// with [New] and [WithModels]; New validates every model up front. Typed access
// goes through package-level generic functions, since Go methods cannot have
// type parameters:
//
//	s, err := store.New(adapter, serializer, store.WithModels(Album{}, Artist{}, Song{}))
//	a, ok := store.PeekRecord[Album](s, "1")       // cache only, never I/O
//	albums := store.For[Album](s)                   // the typed store of Album
//	a, ok = albums.Peek("1")
//
// # Identity
//
// The cache holds one entry per identifier {type, id, lid}. Relationships are
// stored as identifiers, never as Go pointers between records, so cycles cost
// nothing. A pushed resource that carries a known lid updates that record; one
// without a lid gets Ember's derived "@lid:<type>-<id>".
//
// # The relationship graph
//
// Inverses are resolved once, at [New], by Ember Data 3.x's rules (an explicit
// inverse=name must point back, inverse=- means none, otherwise the single
// candidate), and both sides of every relationship with an inverse change in
// the same commit, on a remote side (what the server said) and a local side
// (with unsaved edits), as Ember Data's graph keeps them. A push of a
// relationship's data replaces its remote members and its local ones too
// (Ember Data 3.x), except unsaved new records, which survive; links and meta
// are kept, and a changed related link without data marks it stale. A
// relationship without an inverse keeps an implicit one, so a record unloaded
// or deleted leaves every relationship naming it. Unloading a record takes it
// out of inverses that are sync; an async inverse (the default) keeps its
// identifier, marked stale, so the next load refetches it. A record named but
// never loaded costs a small note per member (its to-one inverse), not a
// cache entry.
//
// [BelongsTo] and [HasMany] return typed references to a record's
// relationship: Peek reads the loaded members (within one generation of the
// cache: never one side of a change without the other), Load follows Ember
// Data's decision between the related link and finds by id, and Add, Remove,
// Replace, Set and Create edit it locally. [Ref.ChangedRelationships] and
// [Ref.RollbackRelationships] are Ember Data 5.3's relationship dirty
// tracking.
//
// # Push and peek
//
// [Cache.Push] and [Push] put a normalized JSON:API document into the cache.
// They follow Ember Data: included resources first, then data; partial updates
// (omitted attributes and relationships keep their values); undeclared members
// ignored; a relationship's data, links and meta each replaced only when present.
// A whole document is checked and decoded before any of it is applied, so a
// push that fails changes nothing. [Cache.PushDocument] is the same push from
// the document's bytes in one pass (jsonapi.Walk): each attribute is decoded
// once, straight into the new record value, by its codec or by the codec a
// generated model carries (model.Generated), and nothing is returned. Where
// two problems are in one document it may report a different one first than
// Decode and Push would: the first in document order.
//
// [PeekRecord] returns loaded records only (Ember's hasRecordForId rules);
// [PeekAll] returns the live [RecordArray] of a type, the same one each time,
// which follows later pushes and unloads. [Cache.UnloadRecord] and
// [Cache.UnloadAll] drop cached data.
//
// # Loading
//
// [FindRecord], [FindAll], [Query] and [QueryRecord] load through the type's
// [Adapter] (the type's own from [WithAdapterFor], else the store's) and
// [Serializer] (likewise; nil reads bodies as normalized JSON:API). They follow
// Ember Data's decision tables: FindRecord fetches a record that is not loaded
// and waits; a loaded record is returned at once and, by default, refreshed in
// the background ([Reload], [BackgroundReload] and an adapter's [ReloadPolicy]
// change that). FindAll merges into the live array and never replaces it. Query
// and QueryRecord always send a request. [Cache.PushPayload] and
// [Cache.Normalize] run a serializer's key mapping; [Cache.Execute] sends a
// request of the program's own and pushes the answer.
//
// Concurrent finds of one record share one request (singleflight); a caller
// whose context ends fails alone. With a [BatchAdapter] that coalesces, finds of
// one type within [WithCoalesceWindow] (1ms by default: Go has no run loop) become
// one findMany request, and ids missing from its response fail alone. A failed
// first load leaves no record; a failed reload keeps it and records the error
// ([Cache.StateOf]).
//
// A shared request runs under a context of its own: when the last caller
// waiting for it gives up, it is cancelled, so a hung backend holds no request
// open that nobody waits for. Work no caller waits for (background reloads)
// runs under [WithRequestTimeout]. [Collection.Next], [Collection.Prev],
// [Collection.First] and [Collection.Last] follow a query's paging links.
// [WithMiddleware] wraps every request (to log, count or authenticate) and keeps
// the adapter's optional interfaces; [WithReloadPolicy] and
// [WithReloadPolicyFor] set reload rules without an adapter of one's own.
//
// Background reloads run in goroutines the store owns, at most
// [WithMaxBackground] at once, one per record at a time; their errors go to the
// logger ([WithLogger]) and to [WithErrorHandler]. [Cache.Close] cancels them and
// waits, so no goroutine outlives the store; it may be called any number of
// times, from any goroutine, including the store's own callbacks.
//
// # Writing
//
// A [Ref] is the handle of one record, Ember Data's RecordReference with the
// write calls on it. [CreateRecord] adds a new record (state new, in PeekAll at
// once, with a lid and, from an [IDGenerator], perhaps an id) and returns its
// Ref; [GetReference] returns the Ref of any id. [Ref.Update] and [SetRecord]
// make local edits: reads return the local state, [Ref.ChangedAttributes]
// gives {name: [remote, local]}, and a value set back to its remote value is
// clean again. [Ref.Save] creates (POST), updates (PATCH of the changed fields;
// PUT for REST) or deletes (DELETE), through the type's adapter and the
// serializer's [RecordSerializer]; [Cache.DeleteRecord] and [Ref.Delete] mark a
// record deleted, [Ref.Destroy] deletes, saves and unloads, and [Ref.Rollback]
// discards local attribute values, errors and a delete. [Cache.StateOf] and
// [Ref.State] report Ember's flags and state names.
//
// The remote and local states are kept apart, so nothing local is lost: a push
// (a reload, a query, a stream) changes the remote state and keeps local edits
// on top, dropping those it now equals; a relationship whose linkage the push
// carries takes the pushed linkage (Ember Data 3.x); a push for a new record's
// identifier makes it no longer new. A failed save keeps every local value: a
// validation error (422, or what the adapter's [InvalidChecker] says) puts
// errors by member name on the record, and setting the attribute again clears
// its error; any other error sets the error state. Edits made while a save is
// in flight stay local edits after it answers (Ember Data loses them); a
// second Save waits for the first, then sends what is still pending; a clean
// record's Save sends nothing. A record whose save is in flight cannot be
// unloaded (ErrSaving). Choices where Ember Data is silent or differs:
// hasDirtyAttributes follows 5.x (a deleted record is dirty); rolling back a
// new record unloads it (5.x); a record whose deletion is saved stays readable
// but leaves live arrays until unloaded; edits through two Refs of a record
// serialize, each changing only the fields it set.
//
// # Results belong to the caller
//
// Every read returns copies: a T value, with attributes that hold references
// (slices, maps, pointers) deep-copied and relationship fields sharing immutable
// state. Changing a result never changes the cache and never races with it.
// This is the Go deviation from Ember's one-instance-per-record: records are
// values here, and identity lives in the cache.
//
// # Concurrency
//
// A Cache is safe for concurrent use by multiple goroutines. Readers never lock:
// each record's state is an immutable value behind an atomic pointer, and the id
// index is a lock-free hash table that readers search while the one writer
// changes it. Writers (pushes, edits, saves' answers, unloads) are serialized by
// one mutex and build each commit out of readers' sight; the commit then
// publishes every record and index change inside one odd generation of a
// sequence lock. Every read (a peek, a find's hit, a reference, a live array,
// a query result) reads between two commits, retrying if one published
// meanwhile: it sees all of a commit or none of it, and no read sees an older
// cache than a read before it (the reads are linearizable with the commits).
// A sequence of calls may see one commit per call; [Cache.Read] gives a
// [View] of one moment for reads that must agree. Inserting and unloading a
// record cost the same at a thousand records as at a million.
// [Cache.Changed] returns a channel closed at the next commit.
//
// [Ref.Update] is an atomic read-modify-write (it runs its function again
// when the record changed meanwhile). An adapter's answer to a request sent
// before a newer remote change of a record leaves that record as it is,
// marked stale (see answers.go); a save's answer lays what it sent over the
// latest remote state. A record whose save is in flight cannot be deleted,
// rolled back or unloaded (ErrSaving), and UnloadAll leaves it.
//
// # Changes
//
// Every commit (a push, an unload, an edit, a save, a delete, a relationship
// change, a batch of operations) makes one [ChangeSet]: per record, its
// identifier, the [ChangeKind] and the fields whose value changed. A commit
// that repeats what the cache holds announces nothing. [Cache.Subscribe],
// [SubscribeType], [RecordArray.Subscribe] and [Ref.Subscribe] deliver them
// to a bounded buffer that writers never wait on; a reader that falls behind
// gets one ChangeSet with Missed set in place of what was dropped. [Cache.Apply]
// runs typed operations ([Operation]) as one commit, or none.
//
// # Errors
//
// A document the store cannot apply gives a *[DocumentError] with the JSON
// pointer at fault, wrapping [ErrUnknownType], [ErrTypeMismatch],
// [ErrMissingID], [ErrShape], an *attr.DecodeError (type mismatch, overflow,
// fraction into an integer, bad date) or a *jsonapi.DecodeError. A plugin (an
// adapter, a serializer, a hook) that answers wrongly (a nil response with a
// nil error, a nil document, a document whose data disagrees with its shape) or
// panics gives an *[AdapterError] wrapping [ErrPlugin] and a *[PluginError]
// that names it: a plugin can never end the process. Calls that take
// a model type parameter and return no error (PeekRecord, PeekAll, For) panic
// when the model is not registered: that is a programming error, like a nil map
// write.
package store
