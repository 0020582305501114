package lint

import (
	pg "github.com/pganalyze/pg_query_go/v6"
)

var (
	codeFKValid = register(Check{Code: "PG110", Analyzer: "constraint_lock", Severity: Error,
		Title: "foreign key added to an existing table without NOT VALID",
		Why:   "ADD FOREIGN KEY takes SHARE ROW EXCLUSIVE locks on both tables and checks every existing row before it commits: writes to both tables wait for the whole scan.",
		Fix:   "Add the constraint with NOT VALID, then run ALTER TABLE ... VALIDATE CONSTRAINT in a later statement (it takes only SHARE UPDATE EXCLUSIVE, so reads and writes go on)."})
	codeCheckValid = register(Check{Code: "PG111", Analyzer: "constraint_lock", Severity: Error,
		Title: "CHECK constraint added to an existing table without NOT VALID",
		Why:   "ADD CHECK takes an ACCESS EXCLUSIVE lock and scans the whole table while holding it: every read and write waits for the scan.",
		Fix:   "Add the constraint with NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT separately (SHARE UPDATE EXCLUSIVE: reads and writes go on)."})
	codeSetNotNull = register(Check{Code: "PG112", Analyzer: "constraint_lock", Severity: Error,
		Title: "SET NOT NULL scans an existing table under ACCESS EXCLUSIVE",
		Why:   "SET NOT NULL takes ACCESS EXCLUSIVE and scans every row unless a validated CHECK (col IS NOT NULL) already proves it: all reads and writes wait for the scan.",
		Fix:   "First ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID, then VALIDATE CONSTRAINT c, then SET NOT NULL (no scan), then DROP CONSTRAINT c."})
	codeUniqueIndex = register(Check{Code: "PG113", Analyzer: "constraint_lock", Severity: Error,
		Title: "UNIQUE or PRIMARY KEY constraint added without USING INDEX",
		Why:   "ADD UNIQUE/PRIMARY KEY builds its index under an ACCESS EXCLUSIVE lock: every read and write waits for the whole build.",
		Fix:   "CREATE UNIQUE INDEX CONCURRENTLY first (in a `-- atlas:txmode none` file), then ALTER TABLE ... ADD CONSTRAINT name UNIQUE USING INDEX idx (or PRIMARY KEY USING INDEX)."})
)

func init() {
	addCheck("constraint_lock", checkConstraints)
}

func checkConstraints(p *pass) {
	for _, r := range p.file.Stmts {
		at := r.Node.GetAlterTableStmt()
		if at == nil || r.Err != nil || r.After == nil {
			continue
		}
		t := p.target(r, rangeVarName(at.Relation))
		if !p.existed(t) {
			continue
		}
		for _, c := range alterCmds(at) {
			switch c.Subtype {
			case pg.AlterTableType_AT_AddConstraint:
				con := c.Def.GetConstraint()
				if con == nil {
					continue
				}
				switch con.Contype {
				case pg.ConstrType_CONSTR_FOREIGN:
					if !con.SkipValidation {
						ref := rangeVarName(con.Pktable).String()
						if rt := p.target(r, rangeVarName(con.Pktable)); rt != nil {
							ref = rt.qualified()
						}
						p.report(r, codeFKValid, "foreign key %s on existing table %q is validated while it locks %q and %q",
							conName(con), t.qualified(), t.qualified(), ref)
					}
				case pg.ConstrType_CONSTR_CHECK:
					if !con.SkipValidation {
						p.report(r, codeCheckValid, "CHECK constraint %s on existing table %q is validated under ACCESS EXCLUSIVE", conName(con), t.qualified())
					}
				case pg.ConstrType_CONSTR_UNIQUE, pg.ConstrType_CONSTR_PRIMARY:
					if con.Indexname == "" {
						kind := "UNIQUE"
						if con.Contype == pg.ConstrType_CONSTR_PRIMARY {
							kind = "PRIMARY KEY"
						}
						p.report(r, codeUniqueIndex, "%s constraint %s on existing table %q builds its index under ACCESS EXCLUSIVE", kind, conName(con), t.qualified())
					}
				}
			case pg.AlterTableType_AT_SetNotNull:
				// PostgreSQL says "verifying table" when it scans; with a
				// validated CHECK (col IS NOT NULL) it does not.
				if r.verified(t) {
					p.report(r, codeSetNotNull, "SET NOT NULL on column %q scans existing table %q under ACCESS EXCLUSIVE (no validated CHECK (%s IS NOT NULL) proves it)", c.Name, t.qualified(), c.Name)
				}
			}
		}
	}
}

func conName(c *pg.Constraint) string {
	if c.Conname == "" {
		return "(unnamed)"
	}
	return `"` + c.Conname + `"`
}
