// Package relationship provides the typed relationship fields of larder models:
// [BelongsTo] (to-one) and [HasMany] (to-many).
//
// A relationship field holds identifiers, never Go pointers to other records, so
// a cycle such as album -> artist -> albums -> album costs nothing and cannot
// overflow a stack. Each field also carries the relationship's links and meta,
// and tells "linkage unknown" (a links-only relationship, or one never pushed)
// from "known to be empty" ("data": null or []).
//
// The store fills these fields when it copies a record out of its cache. Their
// state is immutable and shared between copies; every accessor that returns a
// slice or map returns a copy, so a caller cannot change the cache through them.
package relationship
