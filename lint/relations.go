package lint

import "hash/maphash"

// relShards is the number of shards of a relations set.
const relShards = 256

// relations is the set of user relations of a snapshot, by OID and by
// schema-qualified name. It is copied on write in shards: the snapshot
// after a statement shares with the one before it every shard the
// statement did not change, so that deriving it (clone) and looking a
// relation up cost the same whatever the size of the catalog. The zero
// value is empty.
type relations struct {
	byOID  [relShards]map[uint32]*relation
	byName [relShards]map[relName]uint32
	// ownOID and ownName mark the shards this set may change in place:
	// the others are shared with the sets it was cloned from or into.
	ownOID, ownName [relShards]bool
	n               int
}

// relName is the schema-qualified name of a relation. Relations of one
// schema (tables, indexes, sequences, views) share one namespace.
type relName struct{ schema, name string }

// relNameSeed hashes relation names to shards; any seed does, as long as
// every set uses the same one.
var relNameSeed = maphash.MakeSeed()

func nameShard(k relName) int {
	return int(maphash.String(relNameSeed, k.schema+"\x00"+k.name) % relShards)
}

// clone returns a copy that may be changed without changing rs.
func (rs *relations) clone() *relations {
	c := &relations{byOID: rs.byOID, byName: rs.byName, n: rs.n}
	// Both now share every shard: neither changes one in place.
	rs.ownOID, rs.ownName = [relShards]bool{}, [relShards]bool{}
	return c
}

// get returns the relation with the OID, or nil.
func (rs *relations) get(oid uint32) *relation {
	if rs == nil {
		return nil
	}
	return rs.byOID[oid%relShards][oid]
}

// named returns the relation with the schema-qualified name, or nil.
func (rs *relations) named(schema, name string) *relation {
	if rs == nil {
		return nil
	}
	k := relName{schema, name}
	oid, ok := rs.byName[nameShard(k)][k]
	if !ok {
		return nil
	}
	return rs.get(oid)
}

// len returns the number of relations.
func (rs *relations) len() int {
	if rs == nil {
		return 0
	}
	return rs.n
}

// each calls f on every relation, in no particular order.
func (rs *relations) each(f func(*relation)) {
	if rs == nil {
		return
	}
	for _, m := range rs.byOID {
		for _, r := range m {
			f(r)
		}
	}
}

func (rs *relations) oidShard(oid uint32) map[uint32]*relation {
	i := oid % relShards
	if !rs.ownOID[i] {
		m := make(map[uint32]*relation, len(rs.byOID[i])+1)
		for k, v := range rs.byOID[i] {
			m[k] = v
		}
		rs.byOID[i], rs.ownOID[i] = m, true
	}
	return rs.byOID[i]
}

func (rs *relations) nameShardMap(k relName) map[relName]uint32 {
	i := nameShard(k)
	if !rs.ownName[i] {
		m := make(map[relName]uint32, len(rs.byName[i])+1)
		for k, v := range rs.byName[i] {
			m[k] = v
		}
		rs.byName[i], rs.ownName[i] = m, true
	}
	return rs.byName[i]
}

// set adds r, or replaces the relation with its OID.
func (rs *relations) set(r *relation) {
	if old := rs.get(r.OID); old != nil {
		rs.unname(old)
	} else {
		rs.n++
	}
	rs.oidShard(r.OID)[r.OID] = r
	k := relName{r.Schema, r.Name}
	rs.nameShardMap(k)[k] = r.OID
}

// delete removes the relation with the OID, if there is one.
func (rs *relations) delete(oid uint32) {
	old := rs.get(oid)
	if old == nil {
		return
	}
	rs.unname(old)
	delete(rs.oidShard(oid), oid)
	rs.n--
}

// unname forgets the name of r unless another relation holds it now.
func (rs *relations) unname(r *relation) {
	k := relName{r.Schema, r.Name}
	if oid, ok := rs.byName[nameShard(k)][k]; ok && oid == r.OID {
		delete(rs.nameShardMap(k), k)
	}
}
