package index

import (
	"hash/maphash"
	"sync/atomic"
	"unsafe"
)

// A Table maps string keys to *V. Get is safe to call from any goroutine at
// any time; Put, Delete and Reset must be serialized by the caller (one writer
// at a time), as the store's writer lock does.
type Table[V any] struct {
	cur  atomic.Pointer[table[V]]
	off  uintptr // the offset in V of the string an entry is stored under, which must not change while stored
	tomb *V      // the tombstone: a removed slot

	// Writer-only state, guarded by the caller's lock.
	live int // entries stored
	dead int // tombstones in cur
}

type table[V any] struct {
	seed  maphash.Seed
	mask  uint64
	slots []atomic.Pointer[V]
}

const minSize = 16

// New returns an empty table whose entries are stored under the string field
// that field returns: field(v) must return the address of a field of *v,
// such as func(r *record) *string { return &r.id }. It panics otherwise.
//
// The table reads the field through its offset, found once here: a lookup
// then makes no indirect call per slot it probes.
func New[V any](field func(*V) *string) *Table[V] {
	probe := new(V)
	base, f := uintptr(unsafe.Pointer(probe)), uintptr(unsafe.Pointer(field(probe)))
	if f < base || f+unsafe.Sizeof("") > base+unsafe.Sizeof(*probe) {
		panic("index: New's field function must return the address of a string field of its argument")
	}
	t := &Table[V]{off: f - base, tomb: new(V)}
	t.cur.Store(newTable[V](minSize))
	return t
}

// key returns the string v is stored under.
func (t *Table[V]) key(v *V) string { return *(*string)(unsafe.Add(unsafe.Pointer(v), t.off)) }

func newTable[V any](size int) *table[V] {
	return &table[V]{seed: maphash.MakeSeed(), mask: uint64(size - 1), slots: make([]atomic.Pointer[V], size)}
}

// Get returns the entry stored under k, or nil. It never locks.
func (t *Table[V]) Get(k string) *V {
	v, _, _ := t.find(k)
	return v
}

// find returns the entry stored under k with its table and slot, or nil.
func (t *Table[V]) find(k string) (*V, *table[V], uint64) {
	tb := t.cur.Load()
	i := maphash.String(tb.seed, k) & tb.mask
	for {
		v := tb.slots[i].Load()
		if v == nil {
			return nil, tb, i
		}
		if v != t.tomb && t.key(v) == k {
			return v, tb, i
		}
		i = (i + 1) & tb.mask
	}
}

// Len returns the number of entries. Only the writer may call it.
func (t *Table[V]) Len() int { return t.live }

// Put stores v under its key, replacing the entry stored under that key, if
// any.
func (t *Table[V]) Put(v *V) {
	k := t.key(v)
	tb := t.cur.Load()
	i := maphash.String(tb.seed, k) & tb.mask
	free := -1
	for {
		cur := tb.slots[i].Load()
		if cur == nil {
			break
		}
		if cur == t.tomb {
			if free < 0 {
				free = int(i)
			}
		} else if t.key(cur) == k {
			tb.slots[i].Store(v)
			return
		}
		i = (i + 1) & tb.mask
	}
	if free >= 0 {
		tb.slots[free].Store(v)
		t.dead--
		t.live++
		return
	}
	if (t.live+t.dead+1)*4 > len(tb.slots)*3 {
		t.rebuild(t.live + 1)
		t.Put(v)
		return
	}
	tb.slots[i].Store(v)
	t.live++
}

// Delete removes the entry stored under k and returns it, or nil.
func (t *Table[V]) Delete(k string) *V {
	v, tb, i := t.find(k)
	if v == nil {
		return nil
	}
	tb.slots[i].Store(t.tomb)
	t.live--
	t.dead++
	if t.dead > t.live && t.dead > minSize {
		t.rebuild(t.live)
	}
	return v
}

// Reset removes every entry.
func (t *Table[V]) Reset() {
	t.cur.Store(newTable[V](minSize))
	t.live, t.dead = 0, 0
}

// All calls f for each entry until f returns false. Like Get it is safe to
// call from any goroutine: it walks the table current when it starts, so an
// entry a writer puts or deletes meanwhile may or may not be seen.
func (t *Table[V]) All(f func(*V) bool) {
	tb := t.cur.Load()
	for i := range tb.slots {
		v := tb.slots[i].Load()
		if v != nil && v != t.tomb && !f(v) {
			return
		}
	}
}

// rebuild publishes a new table sized for n entries at most half full, holding
// the live entries of the current one and no tombstones.
func (t *Table[V]) rebuild(n int) {
	size := minSize
	for size < 2*n {
		size *= 2
	}
	old := t.cur.Load()
	next := newTable[V](size)
	for i := range old.slots {
		v := old.slots[i].Load()
		if v == nil || v == t.tomb {
			continue
		}
		j := maphash.String(next.seed, t.key(v)) & next.mask
		for next.slots[j].Load() != nil {
			j = (j + 1) & next.mask
		}
		next.slots[j].Store(v)
	}
	t.dead = 0
	t.cur.Store(next)
}
