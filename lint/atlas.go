package lint

import (
	"context"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	_ "ariga.io/atlas/sql/postgres/postgrescheck" // registers Atlas's Postgres analyzers
	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlcheck"
	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/schemactl/schemactl/migrations"
)

// atlasFile adapts a File to Atlas's migrate.File.
type atlasFile struct{ f *migrations.File }

func (a atlasFile) Name() string { return a.f.Name }

func (a atlasFile) Desc() string { return a.f.Desc }

func (a atlasFile) Version() string { return a.f.Version }

func (a atlasFile) Bytes() []byte { return a.f.Bytes }

func (a atlasFile) Stmts() ([]string, error) {
	out := make([]string, len(a.f.Stmts))
	for i, s := range a.f.Stmts {
		out[i] = s.Text
	}
	return out, nil
}

func (a atlasFile) StmtDecls() ([]*migrate.Stmt, error) {
	out := make([]*migrate.Stmt, len(a.f.Stmts))
	for i, s := range a.f.Stmts {
		out[i] = &migrate.Stmt{Pos: s.Start, Text: s.Text}
	}
	return out, nil
}

// atlasCodes maps Atlas's diagnostic code prefixes to analyzer names.
var atlasCodes = map[string]string{
	"DS": "destructive",
	"MF": "data_depend",
	"BC": "incompatible",
	"CD": "condrop",
}

// atlasDefaults are Atlas's default severities.
var atlasDefaults = map[string]Severity{
	"destructive":  Error,
	"data_depend":  Warning,
	"incompatible": Warning,
	"condrop":      Warning,
}

// atlasFindings runs Atlas's open-source Postgres analyzers on the
// changes the engine observed in one file.
func atlasFindings(ctx context.Context, drv migrate.Driver, fr *fileRun) []Finding {
	file := &sqlcheck.File{File: atlasFile{fr.File}, From: fr.From, To: fr.To}
	byOffset := map[int]*stmtRun{}
	for _, r := range fr.Stmts {
		byOffset[r.Stmt.Start] = r
		if len(r.Changes) > 0 {
			file.Changes = append(file.Changes, &sqlcheck.Change{
				Stmt:    &migrate.Stmt{Pos: r.Stmt.Start, Text: r.Stmt.Text},
				Changes: r.Changes,
			})
		}
	}
	if len(file.Changes) == 0 {
		return nil
	}
	// With no configuration resource the constructors cannot fail.
	azs, _ := sqlcheck.AnalyzerFor(postgres.DriverName, nil)
	var out []Finding
	pass := &sqlcheck.Pass{
		File: file,
		Reporter: sqlcheck.ReportWriterFunc(func(rep sqlcheck.Report) {
			for _, d := range rep.Diagnostics {
				name := atlasCodes[codePrefix(d.Code)]
				f := Finding{
					Code:     d.Code,
					Analyzer: name,
					Severity: atlasDefaults[name],
					Message:  d.Text,
				}
				if info, ok := atlasInfo[d.Code]; ok {
					f.Why, f.Fix = info.why, info.fix
				}
				if f.Fix == "" {
					for _, s := range d.SuggestedFixes {
						f.Fix = s.Message
					}
				}
				if r := byOffset[d.Pos]; r != nil {
					f.Pos, f.Stmt = r.Stmt.Pos, firstLine(r.Stmt.Text)
				} else {
					f.Pos = migrationsPos(fr.File, d.Pos)
				}
				out = append(out, f)
			}
		}),
	}
	for _, az := range azs {
		// An analyzer returns an error when it reported an error-severity
		// diagnostic; severities are applied later from the configuration.
		_ = az.Analyze(ctx, pass)
	}
	return out
}

func codePrefix(code string) string {
	if len(code) >= 2 {
		return code[:2]
	}
	return code
}

// atlasInfo adds a why and a fix to Atlas's codes.
var atlasInfo = map[string]struct{ why, fix string }{
	"DS101": {"DROP SCHEMA removes every object in it with its data, under ACCESS EXCLUSIVE locks on each table.",
		"Drop the schema only after a release that stops using it has been deployed and its data is backed up; mark the statement with -- atlas:nolint DS101 once reviewed."},
	"DS102": {"DROP TABLE deletes the table's data for good; it takes ACCESS EXCLUSIVE and fails running code that still reads the table.",
		"Deploy code that no longer uses the table first, keep a backup or rename it away for a release, then drop it; mark with -- atlas:nolint DS102 once reviewed."},
	"DS103": {"DROP COLUMN loses the column's data and breaks code that still selects it; it takes ACCESS EXCLUSIVE (no rewrite).",
		"Stop reading and writing the column in a release before dropping it; mark with -- atlas:nolint DS103 once reviewed."},
	"MF101": {"A unique index over existing rows fails the migration when duplicates exist; CREATE INDEX without CONCURRENTLY also blocks writes while it builds.",
		"Check for duplicates first (SELECT cols, count(*) ... GROUP BY cols HAVING count(*) > 1) and build the index with CREATE UNIQUE INDEX CONCURRENTLY."},
	"MF102": {"Making an index unique fails when the existing rows have duplicates.",
		"Check for duplicates first, then build a new unique index CONCURRENTLY and swap it in."},
	"MF103": {"ADD COLUMN ... NOT NULL without a default fails on a table that has rows.",
		"Give the column a DEFAULT, or add it nullable, backfill it, and set NOT NULL afterwards (see PG112)."},
	"MF104": {"SET NOT NULL fails when a row holds NULL, after scanning the whole table under ACCESS EXCLUSIVE.",
		"Backfill the NULLs first, add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL."},
	"BC101": {"Renaming a table breaks every running query and client that still uses the old name.",
		"Create the new table (or a view with the old name) and move clients over in separate releases."},
	"BC102": {"Renaming a column breaks every running query and client that still uses the old name.",
		"Add the new column, write both, backfill, move readers, and drop the old column in a later release."},
	"CD101": {"Dropping a foreign key removes a guarantee other code may rely on.",
		"Make sure nothing depends on the constraint; mark with -- atlas:nolint CD101 once reviewed."},
}

// migrationsPos returns the position of byte offset off in a file.
func migrationsPos(f *migrations.File, off int) (p migrations.Pos) {
	p.File, p.Line, p.Col = f.Path, 1, 1
	for i := 0; i < off && i < len(f.Bytes); i++ {
		if f.Bytes[i] == '\n' {
			p.Line++
			p.Col = 1
		} else {
			p.Col++
		}
	}
	return p
}

// fixRenames turns the drop-and-add pairs that a realm diff shows for a
// RENAME statement into Atlas's rename changes, as Atlas's own statement
// parser does, so that the incompatible analyzer sees them.
func fixRenames(n *pg.Node, changes schema.Changes) schema.Changes {
	rn := n.GetRenameStmt()
	if rn == nil {
		return changes
	}
	switch rn.RenameType {
	case pg.ObjectType_OBJECT_TABLE:
		var from, to *schema.Table
		var rest schema.Changes
		for _, c := range changes {
			switch c := c.(type) {
			case *schema.DropTable:
				if c.T.Name == rn.Relation.GetRelname() {
					from = c.T
					continue
				}
			case *schema.AddTable:
				if c.T.Name == rn.Newname {
					to = c.T
					continue
				}
			}
			rest = append(rest, c)
		}
		if from == nil || to == nil {
			return changes
		}
		return append(schema.Changes{&schema.RenameTable{From: from, To: to}}, rest...)
	case pg.ObjectType_OBJECT_COLUMN, pg.ObjectType_OBJECT_INDEX:
		for _, c := range changes {
			m, ok := c.(*schema.ModifyTable)
			if !ok {
				continue
			}
			m.Changes = fixModifyRename(rn, m.Changes)
		}
	}
	return changes
}

func fixModifyRename(rn *pg.RenameStmt, changes []schema.Change) []schema.Change {
	var out []schema.Change
	switch rn.RenameType {
	case pg.ObjectType_OBJECT_COLUMN:
		var from, to *schema.Column
		for _, c := range changes {
			switch c := c.(type) {
			case *schema.DropColumn:
				if c.C.Name == rn.Subname {
					from = c.C
					continue
				}
			case *schema.AddColumn:
				if c.C.Name == rn.Newname {
					to = c.C
					continue
				}
			}
			out = append(out, c)
		}
		if from == nil || to == nil {
			return changes
		}
		return append([]schema.Change{&schema.RenameColumn{From: from, To: to}}, out...)
	case pg.ObjectType_OBJECT_INDEX:
		var from, to *schema.Index
		old := rn.Relation.GetRelname()
		for _, c := range changes {
			switch c := c.(type) {
			case *schema.DropIndex:
				if c.I.Name == old {
					from = c.I
					continue
				}
			case *schema.AddIndex:
				if c.I.Name == rn.Newname {
					to = c.I
					continue
				}
			}
			out = append(out, c)
		}
		if from == nil || to == nil {
			return changes
		}
		return append([]schema.Change{&schema.RenameIndex{From: from, To: to}}, out...)
	}
	return changes
}
