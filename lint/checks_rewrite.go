package lint

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

var (
	codeTypeRewrite = register(Check{Code: "PG120", Analyzer: "table_rewrite", Severity: Error,
		Title: "column type change rewrites an existing table",
		Why:   "ALTER COLUMN ... TYPE that is not binary-coercible rewrites the table and rebuilds its indexes under ACCESS EXCLUSIVE: every read and write waits for the whole rewrite.",
		Fix:   "Add a column of the new type, backfill it in batches, switch readers and writers, then drop the old column; binary-coercible changes (varchar(n) to varchar(m>n) or text, numeric precision increase, dropping a typmod) do not rewrite."})
	codeVolatileDefault = register(Check{Code: "PG121", Analyzer: "table_rewrite", Severity: Error,
		Title: "ADD COLUMN with a volatile default rewrites an existing table",
		Why:   "A volatile DEFAULT (random(), clock_timestamp(), gen_random_uuid(), ...) is evaluated for every row, so the table is rewritten under ACCESS EXCLUSIVE: every read and write waits.",
		Fix:   "Add the column without a default (or with a constant one), set the default with ALTER COLUMN ... SET DEFAULT, and backfill existing rows in batches."})
	codeGenerated = register(Check{Code: "PG122", Analyzer: "table_rewrite", Severity: Error,
		Title: "stored generated column added to an existing table",
		Why:   "ADD COLUMN ... GENERATED ALWAYS AS (...) STORED computes the value for every row, rewriting the table under ACCESS EXCLUSIVE: every read and write waits.",
		Fix:   "Add a plain nullable column, fill it with a trigger for new rows and batched UPDATEs for old ones, or compute the value in a view or the application."})
	codeLogged = register(Check{Code: "PG123", Analyzer: "table_rewrite", Severity: Error,
		Title: "SET LOGGED / SET UNLOGGED rewrites an existing table",
		Why:   "Changing a table's persistence rewrites it (and writes it all to WAL for SET LOGGED) under ACCESS EXCLUSIVE: every read and write waits.",
		Fix:   "Create a new table with the wanted persistence, copy the data in batches, and swap names in a short transaction; or run it in a maintenance window."})
	codeVacuumFull = register(Check{Code: "PG124", Analyzer: "table_rewrite", Severity: Error,
		Title: "VACUUM FULL or CLUSTER in a migration",
		Why:   "VACUUM FULL and CLUSTER rewrite the whole table under ACCESS EXCLUSIVE: every read and write waits until they finish.",
		Fix:   "Remove it from the migration; reclaim space online with pg_repack or pg_squeeze, or run it in a maintenance window."})
	codeRewrite = register(Check{Code: "PG125", Analyzer: "table_rewrite", Severity: Error,
		Title: "statement rewrites an existing table",
		Why:   "The dev database shows the table's storage was replaced (new relfilenode): the whole table is rewritten under ACCESS EXCLUSIVE and every read and write waits.",
		Fix:   "Find an online alternative (new column plus backfill, new table plus swap) or run it in a maintenance window."})
)

func init() {
	addCheck("table_rewrite", checkRewrites)
}

func checkRewrites(p *pass) {
	for _, r := range p.file.Stmts {
		if r.Err != nil || r.After == nil {
			continue
		}
		reported := map[uint32]bool{}
		if at := r.Node.GetAlterTableStmt(); at != nil {
			t := p.target(r, rangeVarName(at.Relation))
			if p.existed(t) {
				reported[t.OID] = checkAlterRewrite(p, r, t, at)
			}
		}
		if v := r.Node.GetVacuumStmt(); v != nil && v.IsVacuumcmd && hasOption(v.Options, "full") {
			p.report(r, codeVacuumFull, "VACUUM FULL rewrites %s under ACCESS EXCLUSIVE", vacuumTargets(p, r, v))
			markRewritten(p, r, reported)
		}
		if c := r.Node.GetClusterStmt(); c != nil {
			p.report(r, codeVacuumFull, "CLUSTER rewrites %s under ACCESS EXCLUSIVE", clusterTarget(c))
			markRewritten(p, r, reported)
		}
		if r.Node.GetTruncateStmt() != nil {
			continue // TRUNCATE replaces the storage by design (PG202).
		}
		for _, w := range r.Rewritten {
			if !w.isTable() || !p.existed(w) || reported[w.OID] {
				continue
			}
			p.report(r, codeRewrite, "statement rewrote existing table %q (its relfilenode changed on the dev database)", w.qualified())
		}
	}
}

// checkAlterRewrite reports the rewrites of ALTER TABLE subcommands and
// tells whether one was reported for the table.
func checkAlterRewrite(p *pass, r *stmtRun, t *relation, at *pg.AlterTableStmt) bool {
	rewritten := r.rewritten(t)
	done := false
	for _, c := range alterCmds(at) {
		switch c.Subtype {
		case pg.AlterTableType_AT_AlterColumnType:
			// The dev database tells binary-coercible changes (no new
			// relfilenode) from rewrites exactly.
			if rewritten {
				p.report(r, codeTypeRewrite, "changing the type of column %q rewrites existing table %q", c.Name, t.qualified())
				done = true
			}
		case pg.AlterTableType_AT_AddColumn:
			col := c.Def.GetColumnDef()
			if col == nil {
				continue
			}
			if generatedStored(col) {
				p.report(r, codeGenerated, "stored generated column %q rewrites existing table %q", col.Colname, t.qualified())
				done = true
			} else if hasDefault(col) && rewritten {
				p.report(r, codeVolatileDefault, "the volatile default of new column %q rewrites existing table %q", col.Colname, t.qualified())
				done = true
			}
		case pg.AlterTableType_AT_SetLogged, pg.AlterTableType_AT_SetUnLogged:
			what := "SET LOGGED"
			if c.Subtype == pg.AlterTableType_AT_SetUnLogged {
				what = "SET UNLOGGED"
			}
			p.report(r, codeLogged, "%s rewrites existing table %q", what, t.qualified())
			done = true
		}
	}
	return done
}

func generatedStored(col *pg.ColumnDef) bool {
	for _, n := range col.Constraints {
		if c := n.GetConstraint(); c != nil && c.Contype == pg.ConstrType_CONSTR_GENERATED {
			return true
		}
	}
	return false
}

func hasDefault(col *pg.ColumnDef) bool {
	if col.RawDefault != nil {
		return true
	}
	for _, n := range col.Constraints {
		if c := n.GetConstraint(); c != nil && c.Contype == pg.ConstrType_CONSTR_DEFAULT {
			return true
		}
	}
	return false
}

func markRewritten(p *pass, r *stmtRun, reported map[uint32]bool) {
	for _, w := range r.Rewritten {
		reported[w.OID] = true
	}
}

func vacuumTargets(p *pass, r *stmtRun, v *pg.VacuumStmt) string {
	var names []string
	for _, n := range v.Rels {
		if vr := n.GetVacuumRelation(); vr != nil {
			names = append(names, `"`+rangeVarName(vr.Relation).String()+`"`)
		}
	}
	if len(names) == 0 {
		return "every table of the database"
	}
	return strings.Join(names, ", ")
}

func clusterTarget(c *pg.ClusterStmt) string {
	if c.Relation == nil {
		return "every previously clustered table"
	}
	return `"` + rangeVarName(c.Relation).String() + `"`
}
