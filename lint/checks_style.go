package lint

import (
	"strings"

	"ariga.io/atlas/sql/schema"
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
		checkIntPK(p, r)
		var cols []*pg.ColumnDef
		if cs := r.Node.GetCreateStmt(); cs != nil {
			for _, e := range cs.TableElts {
				if c := e.GetColumnDef(); c != nil {
					cols = append(cols, c)
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
			switch {
			case array:
			case name == "timestamp":
				p.report(r, codeTimestamp, "column %q is timestamp without time zone", c.Colname)
			case name == "bpchar":
				p.report(r, codeChar, "column %q is char(n)", c.Colname)
			}
		}
	}
}

// checkIntPK reports single-column primary keys on 32- or 16-bit integer
// columns, as the dev database has them after the statement (CREATE
// TABLE, or a primary key added later as pg_dump writes it).
func checkIntPK(p *pass, r *stmtRun) {
	var pks []*schema.Index
	for _, c := range r.Changes {
		switch c := c.(type) {
		case *schema.AddTable:
			if c.T.PrimaryKey != nil {
				pks = append(pks, c.T.PrimaryKey)
			}
		case *schema.ModifyTable:
			for _, mc := range c.Changes {
				if a, ok := mc.(*schema.AddPrimaryKey); ok {
					pks = append(pks, a.P)
				}
			}
		}
	}
	for _, pk := range pks {
		if len(pk.Parts) != 1 {
			continue // a composite key is made of other tables' keys
		}
		for _, part := range pk.Parts {
			if part.C == nil || part.C.Type == nil {
				continue
			}
			raw := part.C.Type.Raw
			if raw != "integer" && raw != "smallint" {
				continue
			}
			if d, ok := part.C.Default.(*schema.RawExpr); ok && strings.HasPrefix(d.X, "nextval(") {
				raw = map[string]string{"integer": "serial", "smallint": "smallserial"}[raw]
			}
			p.report(r, codeIntPK, "primary key column %q is %s", part.C.Name, raw)
		}
	}
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
			p.report(r, codeIdempotent, "%s cannot run twice", firstWords(r.Stmt.Text, 3))
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
