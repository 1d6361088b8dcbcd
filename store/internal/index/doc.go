// Package index is the store's id index: a hash table from string keys to
// entries that readers search without locking while one writer at a time
// changes it.
//
// The table is open-addressed with linear probing. Each slot is an atomic
// pointer, so a reader sees every slot either before or after a write, never
// half of one. Entries are never moved within a table: a removal leaves a
// tombstone, so no probe sequence is ever broken under a reader. When live
// entries and tombstones fill three quarters of the slots, the writer builds a
// new table (twice the size, or the same size when tombstones were most of the
// load) and publishes it atomically; readers still on the old table read a
// consistent, older version of it. Insertion and removal are amortized O(1) at
// any size, and a lookup is one hash and, on average, one or two slot loads.
//
// Keys are hashed with hash/maphash under a random seed per table, so hostile
// keys cannot force collisions.
package index
