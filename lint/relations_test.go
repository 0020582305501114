package lint

import (
	"fmt"
	"strings"
	"testing"
)

// TestRelationsCopyOnWrite changes a clone and the set it was cloned
// from in turn and checks that each keeps its own relations, by OID and
// by name, across renames that hand a name to another relation.
func TestRelationsCopyOnWrite(t *testing.T) {
	a := &relations{}
	for i := uint32(1); i <= 1000; i++ {
		a.set(&relation{OID: i, Schema: "public", Name: fmt.Sprintf("t%d", i), Kind: "r"})
	}
	b := a.clone()
	// In b: t1 is renamed to x, t2 takes the name t1, t3 is dropped, 2000
	// is added.
	b.set(&relation{OID: 1, Schema: "public", Name: "x", Kind: "r"})
	b.set(&relation{OID: 2, Schema: "public", Name: "t1", Kind: "r"})
	b.delete(3)
	b.set(&relation{OID: 2000, Schema: "s", Name: "n", Kind: "i", Table: 2})
	// In a, changed after the clone: t4 is dropped.
	a.delete(4)

	check := func(set string, rs *relations, n int, byOID map[uint32]string, byName map[string]uint32) {
		t.Helper()
		if rs.len() != n {
			t.Errorf("%s: %d relations, want %d", set, rs.len(), n)
		}
		for oid, name := range byOID {
			r := rs.get(oid)
			switch {
			case name == "" && r != nil:
				t.Errorf("%s: relation %d is %+v, want none", set, oid, *r)
			case name != "" && (r == nil || r.Schema+"."+r.Name != name):
				t.Errorf("%s: relation %d is %+v, want %s", set, oid, r, name)
			}
		}
		for name, oid := range byName {
			var got uint32
			schema, rel, _ := strings.Cut(name, ".")
			if r := rs.named(schema, rel); r != nil {
				got = r.OID
			}
			if got != oid {
				t.Errorf("%s: %s is %d, want %d", set, name, got, oid)
			}
		}
		count := 0
		rs.each(func(*relation) { count++ })
		if count != n {
			t.Errorf("%s: each visits %d relations, want %d", set, count, n)
		}
	}
	check("clone", b, 1000, map[uint32]string{1: "public.x", 2: "public.t1", 3: "", 4: "public.t4", 2000: "s.n"},
		map[string]uint32{"public.x": 1, "public.t1": 2, "public.t2": 0, "public.t3": 0, "public.t4": 4, "s.n": 2000})
	check("original", a, 999, map[uint32]string{1: "public.t1", 2: "public.t2", 3: "public.t3", 4: "", 2000: ""},
		map[string]uint32{"public.x": 0, "public.t1": 1, "public.t2": 2, "public.t3": 3, "public.t4": 0, "s.n": 0})
}
