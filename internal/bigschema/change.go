package bigschema

import (
	"fmt"
	"strings"
)

// change alters the model the way a busy release would: about 2% of the
// objects are added, altered or dropped. The counts scale like the schema.
func (m *model) change(scale float64) {
	n := func(x int) int { return scaled(x, scale) }
	ns := len(m.schemas)
	// New tables first: they reference tables that are kept.
	for i := 0; i < n(10); i++ {
		m.seq++
		t := m.newTable(m.schemas[i%ns].name, fmt.Sprintf("added%04d", m.seq))
		m.tables = append(m.tables, t)
	}
	// Dropped tables: nothing refers to them.
	for i, tries := 0, 0; i < n(10) && tries < 10*len(m.tables); tries++ {
		t := m.tables[m.pick(len(m.tables))]
		if t.referenced || t.dropped || t.partBy != "" || strings.HasPrefix(t.name, "added") {
			continue
		}
		t.dropped = true
		i++
	}
	m.each(n(20), func(t *table) bool {
		t.cols = append(t.cols, column{name: "added_flag", typ: "integer", notNull: true, def: "DEFAULT 7"})
		return true
	})
	m.each(n(20), func(t *table) bool {
		c := t.col("note")
		if t.triggered || c == nil || c.dropped {
			return false
		}
		c.dropped = true
		return true
	})
	m.each(n(10), func(t *table) bool {
		c := t.col("code")
		if c.typ == "varchar(250)" {
			return false
		}
		c.typ = "varchar(250)"
		return true
	})
	m.each(n(10), func(t *table) bool {
		c := t.col("updated_at")
		if c.notNull {
			return false
		}
		c.notNull, c.def = true, "DEFAULT now()"
		return true
	})
	m.each(n(10), func(t *table) bool {
		t.col("amount").def = "DEFAULT 1"
		return true
	})
	m.each(n(30), func(t *table) bool {
		if t.hasIndex(t.name + "_code_created_idx") {
			return false
		}
		t.idx = append(t.idx, index{name: t.name + "_code_created_idx", def: "USING btree (code, created_at)"})
		return true
	})
	m.each(n(30), func(t *table) bool {
		for k := range t.idx {
			if t.idx[k].name == t.name+"_lower_name_idx" && !t.idx[k].dropped {
				t.idx[k].dropped = true
				return true
			}
		}
		return false
	})
	m.each(n(10), func(t *table) bool {
		if len(t.fks) == 0 || t.fks[0].dropped {
			return false
		}
		t.fks[0].dropped = true
		return true
	})
	m.each(n(5), func(t *table) bool {
		if len(t.checks) > 1 {
			return false
		}
		t.checks = append(t.checks, t.name+"_amount_check CHECK (amount::numeric < 1000000::numeric)")
		return true
	})
	m.each(n(10), func(t *table) bool {
		t.comment = "Changed comment of " + t.name + "."
		return true
	})
	m.changeObjects(n)
}

// changeObjects alters views, functions, enums, triggers and partitions.
func (m *model) changeObjects(n func(int) int) {
	changed := map[*view]bool{}
	for i, tries := 0, 0; i < n(6) && tries < 100; tries++ {
		v := m.views[m.pick(len(m.views))]
		if v.mat || changed[v] {
			continue
		}
		// A column added at the end: CREATE OR REPLACE VIEW can do it and
		// the views built on this one keep working.
		v.body = strings.Replace(v.body, " FROM ", ", 1 AS version FROM ", 1)
		changed[v] = true
		i++
	}
	for i, tries := 0, 0; i < n(2) && tries < 100; tries++ {
		v := m.views[m.pick(len(m.views))]
		if !v.mat || changed[v] {
			continue
		}
		v.body = strings.Replace(v.body, " AS total FROM ", " AS total, max(t.created_at) AS latest FROM ", 1)
		changed[v] = true
		i++
	}
	for i, k := 0, 0; i < n(8) && k < len(m.funcs); k++ {
		if f := m.funcs[k*7%len(m.funcs)]; !f.trigger && f.kind == 0 && !strings.HasSuffix(f.body, " + 1000") {
			f.body = strings.SplitN(f.body, " + ", 2)[0] + " + 1000"
			i++
		}
	}
	for i := 0; i < n(2) && i < len(m.schemas); i++ {
		e := m.schemas[i].enums[0]
		m.schemas[i].enums[0] = append(e, "suspended")
	}
	var fns []*function
	for _, f := range m.funcs {
		if f.trigger {
			fns = append(fns, f)
		}
	}
	for i := 0; i < n(4); i++ {
		m.triggers[(i*13)%len(m.triggers)].dropped = true
	}
	for i := 0; i < n(4); i++ {
		m.seq++
		m.triggers = append(m.triggers, m.newTrigger(fmt.Sprintf("added_trg%03d", m.seq), fns[m.pick(len(fns))], i))
	}
	for i, k := 0, 0; i < n(4) && k < len(m.tables); k++ {
		if t := m.tables[k]; strings.HasPrefix(t.partBy, "RANGE") {
			t.parts = append(t.parts, partition{name: t.name + "_m10",
				bound: "FOR VALUES FROM ('2025-10-01 00:00:00+00') TO ('2025-11-01 00:00:00+00')"})
			i++
		}
	}
}

// each calls f on random kept regular tables until it has returned true
// count times (or too many tables were refused).
func (m *model) each(count int, f func(*table) bool) {
	for done, tries := 0, 0; done < count && tries < 20*count+100; tries++ {
		t := m.tables[m.pick(len(m.tables))]
		if t.dropped || t.partBy != "" {
			continue
		}
		if f(t) {
			done++
		}
	}
}

func (t *table) col(name string) *column {
	for k := range t.cols {
		if t.cols[k].name == name {
			return &t.cols[k]
		}
	}
	return nil
}

func (t *table) hasIndex(name string) bool {
	for _, ix := range t.idx {
		if ix.name == name {
			return true
		}
	}
	return false
}
