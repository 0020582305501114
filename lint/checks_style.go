package lint

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/schemactl/schemactl/migrations"
)

var (
	codeIntPK = register(Check{Code: "PG301", Analyzer: "style", Severity: Warning,
		Title: "integer or serial primary key",
		Why:   "A 32-bit key runs out at 2.1 billion rows; widening it later rewrites the table and every referencing table under ACCESS EXCLUSIVE.",
		Fix:   "Use bigint GENERATED ALWAYS AS IDENTITY (or bigint with a sequence) for new keys."})
	codeTimestamp = register(Check{Code: "PG302", Analyzer: "style", Severity: Warning,
		Title: "timestamp without time zone",
		Why:   "timestamp stores wall-clock time without an offset: values written from sessions in different time zones (or across DST changes) cannot be compared.",
		Fix:   "Use timestamptz (timestamp with time zone)."})
	codeChar = register(Check{Code: "PG303", Analyzer: "style", Severity: Warning,
		Title: "char(n) column",
		Why:   "char(n) pads values with spaces, compares surprisingly and is not faster than text or varchar.",
		Fix:   "Use text (with a CHECK on length if needed) or varchar(n)."})
	codeIdempotent = register(Check{Code: "PG304", Analyzer: "nontx_file", Severity: Warning,
		Title: "statement in a non-transactional file is not idempotent",
		Why:   "Without a transaction, a file that fails half-way keeps its first statements; running it again fails on them unless each statement can run twice.",
		Fix:   "Guard the statement: CREATE ... IF NOT EXISTS, DROP ... IF EXISTS, ADD COLUMN IF NOT EXISTS, CREATE OR REPLACE."})
	codeHalfApplied = register(Check{Code: "PG305", Analyzer: "nontx_file", Severity: Warning,
		Title: "non-transactional file with several statements",
		Why:   "Each statement commits on its own: a failure part-way leaves the schema half-migrated and the revision marked failed.",
		Fix:   "Keep one statement per `-- atlas:txmode none` file (typically one CREATE INDEX CONCURRENTLY), and make every statement idempotent."})
)

func init() {
	addCheck("style", checkStyle)
	addCheck("nontx_file", checkNonTxFile)
}

func checkStyle(p *pass) {
	for _, r := range p.file.Stmts {
		if r.Err != nil {
			continue
		}
		var cols []*pg.ColumnDef
		var pk []string
		if cs := r.Node.GetCreateStmt(); cs != nil {
			for _, e := range cs.TableElts {
				if c := e.GetColumnDef(); c != nil {
					cols = append(cols, c)
				}
				if c := e.GetConstraint(); c != nil && c.Contype == pg.ConstrType_CONSTR_PRIMARY {
					pk = append(pk, stringList(c.Keys)...)
				}
			}
		}
		if at := r.Node.GetAlterTableStmt(); at != nil {
			for _, c := range alterCmds(at) {
				switch c.Subtype {
				case pg.AlterTableType_AT_AddColumn:
					if col := c.Def.GetColumnDef(); col != nil {
						cols = append(cols, col)
					}
				case pg.AlterTableType_AT_AlterColumnType:
					if col := c.Def.GetColumnDef(); col != nil {
						cols = append(cols, &pg.ColumnDef{Colname: c.Name, TypeName: col.TypeName})
					}
				}
			}
		}
		for _, c := range cols {
			name, _, array := typeName(c.TypeName)
			isPK := contains(pk, c.Colname)
			for _, n := range c.Constraints {
				if k := n.GetConstraint(); k != nil && k.Contype == pg.ConstrType_CONSTR_PRIMARY {
					isPK = true
				}
			}
			switch {
			case array:
			case isPK && (name == "int4" || name == "int2" || name == "serial" || name == "smallserial" || name == "integer" || name == "int" || name == "smallint" || name == "serial4" || name == "serial2"):
				p.report(r, codeIntPK, "primary key column %q is %s", c.Colname, sqlTypeName(name))
			case name == "timestamp":
				p.report(r, codeTimestamp, "column %q is timestamp without time zone", c.Colname)
			case name == "bpchar":
				p.report(r, codeChar, "column %q is char(n)", c.Colname)
			}
		}
	}
}

func sqlTypeName(n string) string {
	switch n {
	case "int4", "int":
		return "integer"
	case "int2":
		return "smallint"
	}
	return n
}

func stringList(nodes []*pg.Node) []string {
	var out []string
	for _, n := range nodes {
		if s := n.GetString_(); s != nil {
			out = append(out, s.Sval)
		}
	}
	return out
}

func checkNonTxFile(p *pass) {
	if p.file.File.TxMode != migrations.TxModeNone {
		return
	}
	changing := 0
	for _, r := range p.file.Stmts {
		if r.Node != nil && r.Node.GetVariableSetStmt() != nil {
			continue
		}
		changing++
		if r.Err == nil && !isIdempotent(r.Node) {
			p.report(r, codeIdempotent, "%s cannot run twice", strings.ToUpper(firstWords(r.Stmt.Text, 3)))
		}
	}
	if changing > 1 && len(p.file.Stmts) > 0 {
		p.report(p.file.Stmts[0], codeHalfApplied, "file runs %d statements without a transaction; a failure part-way leaves it half-applied", changing)
	}
}

// firstWords returns up to n words of a statement.
func firstWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		f = f[:n]
	}
	return strings.Join(f, " ")
}
