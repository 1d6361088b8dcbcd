package store

// A recordSet holds the records a txn puts in an index at commit (the id
// index or the lid index), by type and key, so that the txn's own look-ups
// find them before readers can. Most txns add a few records, or one (an
// unload's stub, a saved record's id, a created record's lid): the first
// few are kept in place, without allocating; past them, a map.
type recordSet struct {
	few  [2]setEntry
	n    int
	many map[setKey]*record
}

type setKey struct {
	tc  *typeCache
	key string
}

type setEntry struct {
	setKey
	r *record
}

// get returns the record under key in tc, or nil.
func (rs *recordSet) get(tc *typeCache, key string) *record {
	if rs.many != nil {
		return rs.many[setKey{tc, key}]
	}
	for i := range rs.n {
		if e := &rs.few[i]; e.tc == tc && e.key == key {
			return e.r
		}
	}
	return nil
}

// put sets the record under key in tc.
func (rs *recordSet) put(tc *typeCache, key string, r *record) {
	k := setKey{tc, key}
	if rs.many == nil {
		for i := range rs.n {
			if rs.few[i].setKey == k {
				rs.few[i].r = r
				return
			}
		}
		if rs.n < len(rs.few) {
			rs.few[rs.n] = setEntry{k, r}
			rs.n++
			return
		}
		rs.many = make(map[setKey]*record, 2*len(rs.few))
		for _, e := range rs.few[:rs.n] {
			rs.many[e.setKey] = e.r
		}
	}
	rs.many[k] = r
}

// remove takes r out from under key in tc, if it is there.
func (rs *recordSet) remove(tc *typeCache, key string, r *record) {
	k := setKey{tc, key}
	if rs.many != nil {
		if rs.many[k] == r {
			delete(rs.many, k)
		}
		return
	}
	for i := range rs.n {
		if rs.few[i].setKey == k && rs.few[i].r == r {
			rs.n--
			rs.few[i] = rs.few[rs.n]
			rs.few[rs.n] = setEntry{}
			return
		}
	}
}

// empty reports whether the set holds no record.
func (rs *recordSet) empty() bool { return rs.n == 0 && len(rs.many) == 0 }

// each calls f with every record and its type.
func (rs *recordSet) each(f func(tc *typeCache, r *record)) {
	if rs.many != nil {
		for k, r := range rs.many {
			f(k.tc, r)
		}
		return
	}
	for _, e := range rs.few[:rs.n] {
		f(e.tc, e.r)
	}
}
