package lint

import (
	"sort"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

var (
	codeDropNotNull = register(Check{Code: "PG201", Analyzer: "breaking", Severity: Warning,
		Title: "DROP NOT NULL on an existing column",
		Why:   "Readers that assume the column always has a value (generated models, NOT NULL-based query plans, downstream consumers) break once NULLs are written.",
		Fix:   "Make every reader handle NULL before the release that drops the constraint; mark with -- atlas:nolint PG201 once reviewed."})
	codeTruncate = register(Check{Code: "PG202", Analyzer: "breaking", Severity: Error,
		Title: "TRUNCATE of an existing table",
		Why:   "TRUNCATE deletes every row for good and takes ACCESS EXCLUSIVE on the table (and on tables it cascades to).",
		Fix:   "Delete the rows you mean to delete with a DELETE ... WHERE in batches, or mark with -- atlas:nolint PG202 once the data loss is intended."})
	codeEnumRemoved = register(Check{Code: "PG203", Analyzer: "breaking", Severity: Error,
		Title: "enum value removed",
		Why:   "Rows and clients that still use the removed value fail: the type change fails on existing data or breaks the application writing it.",
		Fix:   "Stop writing the value in a release first, update the rows that hold it, then recreate the type; mark with -- atlas:nolint PG203 once reviewed."})
	codeRename = register(Check{Code: "PG204", Analyzer: "breaking", Severity: Warning,
		Title: "schema, type, view, sequence, function or enum value renamed",
		Why:   "Running clients that use the old name fail until they are redeployed.",
		Fix:   "Create the new object alongside the old one (or a view/alias under the old name) and move clients in separate releases."})
)

func init() {
	addCheck("breaking", checkBreaking)
}

func checkBreaking(p *pass) {
	removed := map[string]bool{}
	for _, r := range p.file.Stmts {
		if r.Err != nil {
			continue
		}
		if at := r.Node.GetAlterTableStmt(); at != nil {
			t := p.target(r, rangeVarName(at.Relation))
			for _, c := range alterCmds(at) {
				if c.Subtype == pg.AlterTableType_AT_DropNotNull && p.existed(t) {
					p.report(r, codeDropNotNull, "column %q of existing table %q may now hold NULL", c.Name, t.qualified())
				}
			}
		}
		if tr := r.Node.GetTruncateStmt(); tr != nil {
			var names []string
			for _, n := range tr.Relations {
				if t := p.target(r, rangeVarName(n.GetRangeVar())); p.existed(t) {
					names = append(names, `"`+t.qualified()+`"`)
				}
			}
			if len(names) > 0 {
				p.report(r, codeTruncate, "TRUNCATE deletes every row of %s", strings.Join(names, ", "))
			}
		}
		if rn := r.Node.GetRenameStmt(); rn != nil {
			if what := renamedKind(rn.RenameType); what != "" {
				p.report(r, codeRename, "%s %q renamed to %q", what, renamedObject(rn), rn.Newname)
			}
		}
		if ae := r.Node.GetAlterEnumStmt(); ae != nil && ae.OldVal != "" {
			p.report(r, codeRename, "value %q of enum %q renamed to %q", ae.OldVal, listName(ae.TypeName).String(), ae.NewVal)
		}
		if r.After == nil {
			continue
		}
		// Compare each enum that existed before the file with its state now.
		for name, before := range p.file.Start.enums {
			now := r.After.enums[name]
			if now == nil || removed[name] {
				continue
			}
			var gone []string
			for _, l := range before.Labels {
				if !contains(now.Labels, l) {
					gone = append(gone, `"`+l+`"`)
				}
			}
			if len(gone) > 0 {
				removed[name] = true
				sort.Strings(gone)
				p.report(r, codeEnumRemoved, "enum %q no longer has value %s", name, strings.Join(gone, ", "))
			}
		}
	}
}

func renamedKind(t pg.ObjectType) string {
	switch t {
	case pg.ObjectType_OBJECT_SCHEMA:
		return "schema"
	case pg.ObjectType_OBJECT_TYPE, pg.ObjectType_OBJECT_DOMAIN:
		return "type"
	case pg.ObjectType_OBJECT_VIEW, pg.ObjectType_OBJECT_MATVIEW:
		return "view"
	case pg.ObjectType_OBJECT_SEQUENCE:
		return "sequence"
	case pg.ObjectType_OBJECT_FUNCTION, pg.ObjectType_OBJECT_PROCEDURE:
		return "function"
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// renamedObject returns the old name in a RENAME statement.
func renamedObject(rn *pg.RenameStmt) string {
	switch {
	case rn.Relation != nil:
		return rangeVarName(rn.Relation).String()
	case rn.Subname != "":
		return rn.Subname
	case rn.Object != nil:
		if l := rn.Object.GetList(); l != nil {
			return listName(l.Items).String()
		}
		if s := rn.Object.GetString_(); s != nil {
			return s.Sval
		}
		if o := rn.Object.GetObjectWithArgs(); o != nil {
			return listName(o.Objname).String()
		}
		if tn := rn.Object.GetTypeName(); tn != nil {
			return listName(tn.Names).String()
		}
	}
	return "?"
}
