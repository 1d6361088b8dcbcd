// Package inspect serves a debug view of a store over HTTP, as net/http/pprof
// serves profiles: what the store holds (per type, its records' states, and
// chosen records with their remote and local state and relationships) and
// its statistics.
//
// Nothing is served unless the program mounts the handler, typically on an
// operator-only listener:
//
//	mux.Handle("/debug/larder/", http.StripPrefix("/debug/larder", inspect.Handler(s)))
//
// The handler answers GET requests only. Its paths, under wherever it is
// mounted:
//
//	/        the dump: ?type=album (repeatable) limits the types, ?id=1 (with
//	         one type) shows one record, ?records=N shows N records per type
//	/stats   the store's Stats, or one type's with ?type=album
//
// Both answer text for a terminal, or JSON with ?format=json or an Accept
// header of application/json. A dump is read without stopping the store's
// writers; see store.Dump.
package inspect
