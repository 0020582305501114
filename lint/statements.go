package lint

import (
	"sort"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/schemactl/schemactl/migrations"
)

// Statement is one statement of a linted file as the dev database ran it:
// the locks it took and the tables it rewrote. Reports that show a
// statement beside its findings (markdown) read it here.
type Statement struct {
	// Pos is where the statement starts.
	Pos migrations.Pos
	// Text is the statement as written.
	Text string
	// Locks are the locks of SHARE UPDATE EXCLUSIVE or stronger that the
	// statement took on tables that existed before its file, and that
	// its transaction did not hold yet, sorted by table.
	Locks []TableLock
	// Held are the strong locks on the tables the statement names that
	// an earlier statement of its transaction took (Since is its line).
	Held []HeldLock
	// Rewritten are the existing tables whose storage it rewrote, sorted.
	Rewritten []string
	// OutsideTx is set when the statement ran outside a transaction
	// block (a file with txmode none, or CONCURRENTLY): its locks last
	// only as long as the statement.
	OutsideTx bool
	// Failed is set when the statement failed on the dev database.
	Failed bool
}

// TableLock is a lock on a table.
type TableLock struct {
	// Table is schema.name.
	Table string
	// Mode is the SQL lock mode, e.g. ACCESS EXCLUSIVE.
	Mode string
}

// HeldLock is a table lock taken by an earlier statement of the same
// transaction.
type HeldLock struct {
	TableLock
	// Since is the line of the statement that took it.
	Since int
}

// statements describes the statements of a file the engine ran.
func statements(fr *fileRun) []Statement {
	out := make([]Statement, 0, len(fr.Stmts))
	held := map[string]HeldLock{}
	for _, r := range fr.Stmts {
		if !r.InTx {
			held = map[string]HeldLock{}
		}
		s := Statement{Pos: r.Stmt.Pos, Text: r.Stmt.Text, OutsideTx: !r.InTx, Failed: r.Err != nil}
		existed := func(rel *relation) bool {
			return rel != nil && rel.isTable() && fr.Start.rel(rel.OID) != nil
		}
		best := map[string]string{}
		add := func(rel *relation, mode string) {
			if !existed(rel) {
				return
			}
			if cur, ok := best[rel.qualified()]; !ok || lockRank[mode] > lockRank[cur] {
				best[rel.qualified()] = mode
			}
		}
		if r.Before != nil {
			for _, l := range r.NewLocks {
				add(r.Before.rel(l.OID), l.Mode)
			}
			if !r.InTx && r.Err == nil {
				for _, l := range concurrentLocks(r.Node, r.Before) {
					add(r.Before.rel(l.OID), l.Mode)
				}
			}
		}
		for t, m := range best {
			s.Locks = append(s.Locks, TableLock{Table: t, Mode: lockName(m)})
		}
		sort.Slice(s.Locks, func(i, j int) bool { return s.Locks[i].Table < s.Locks[j].Table })
		if r.InTx && r.Before != nil {
			named := map[string]bool{}
			walkRangeVars(r.Node, func(rv *pg.RangeVar) {
				if rel := r.Before.lookup(qname{Schema: rv.Schemaname, Name: rv.Relname}, "rpm"); rel != nil {
					named[rel.qualified()] = true
				}
			})
			for t := range named {
				if h, ok := held[t]; ok && best[t] == "" {
					s.Held = append(s.Held, h)
				}
			}
			sort.Slice(s.Held, func(i, j int) bool { return s.Held[i].Table < s.Held[j].Table })
			for _, l := range s.Locks {
				if h, ok := held[l.Table]; !ok || lockRank[modeOf(l.Mode)] > lockRank[modeOf(h.Mode)] {
					held[l.Table] = HeldLock{TableLock: l, Since: s.Pos.Line}
				}
			}
		}
		for _, rel := range r.Rewritten {
			if existed(rel) {
				s.Rewritten = append(s.Rewritten, rel.qualified())
			}
		}
		sort.Strings(s.Rewritten)
		out = append(out, s)
	}
	return out
}

// concurrentLocks returns the table lock of the CONCURRENTLY forms of
// CREATE INDEX and DROP INDEX, which run outside a transaction block, so
// that the engine does not see their locks in pg_locks: PostgreSQL takes
// SHARE UPDATE EXCLUSIVE on the table for both.
func concurrentLocks(n *pg.Node, before *snapshot) []heldLock {
	if n == nil || before == nil {
		return nil
	}
	var out []heldLock
	if st := n.GetIndexStmt(); st != nil && st.Concurrent && st.Relation != nil {
		if rel := before.lookup(qname{Schema: st.Relation.Schemaname, Name: st.Relation.Relname}, "rpm"); rel != nil {
			out = append(out, heldLock{OID: rel.OID, Mode: lockShareUpdateExc})
		}
	}
	if st := n.GetDropStmt(); st != nil && st.Concurrent && st.RemoveType == pg.ObjectType_OBJECT_INDEX {
		for _, o := range st.Objects {
			if idx := before.lookup(listName(o.GetList().GetItems()), "iI"); idx != nil {
				if t := before.tableOf(idx.OID); t != nil {
					out = append(out, heldLock{OID: t.OID, Mode: lockShareUpdateExc})
				}
			}
		}
	}
	return out
}

// modeOf is the pg_locks spelling of a SQL lock mode (lockName's inverse).
func modeOf(name string) string {
	for m := range lockRank {
		if lockName(m) == name {
			return m
		}
	}
	return name
}
