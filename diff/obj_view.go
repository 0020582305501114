package diff

import (
	"strings"

	"github.com/schemactl/schemactl/internal/pgquote"
	"github.com/schemactl/schemactl/schema"
)

// viewGen plans views and materialized views.
type viewGen struct{}

func viewWord(v *schema.PgView) string {
	if v.Materialized {
		return "MATERIALIZED VIEW"
	}
	return "VIEW"
}

// viewCreate returns CREATE [OR REPLACE] [MATERIALIZED] VIEW.
func viewCreate(v *schema.PgView, replace bool) string {
	var b strings.Builder
	b.WriteString("CREATE ")
	if replace {
		b.WriteString("OR REPLACE ")
	}
	b.WriteString(viewWord(v) + " " + v.SQLName)
	if v.AccessMethod != "" {
		b.WriteString(" USING " + pgquote.Ident(v.AccessMethod))
	}
	opts := append([]string(nil), v.Options...)
	if v.CheckOption != "" {
		opts = append(opts, "check_option="+strings.ToLower(v.CheckOption))
	}
	if len(opts) > 0 {
		b.WriteString(" WITH (" + strings.Join(opts, ", ") + ")")
	}
	b.WriteString(" AS\n")
	b.WriteString(stableArrayCasts(strings.TrimRight(strings.TrimSpace(v.Def), ";")))
	if v.Materialized && !v.WithData {
		b.WriteString("\nWITH NO DATA")
	}
	return b.String()
}

func (viewGen) create(o schema.PgObject) []string {
	v := o.(*schema.PgView)
	stmts := []string{viewCreate(v, false)}
	if v.SelfReference {
		// The view must exist, with its columns, before a query can
		// read it: first a stand-in with the same columns.
		stmts = []string{viewStandIn(v), viewCreate(v, true)}
	}
	stmts = append(stmts, commentIf(viewWord(v), v.SQLName, v.Comment)...)
	for _, c := range v.Columns {
		stmts = append(stmts, commentIf("COLUMN", v.SQLName+"."+pgquote.Ident(c.Name), c.Comment)...)
		if c.Default != "" {
			stmts = append(stmts, viewDefault(v, c.Name, c.Default))
		}
	}
	for _, ix := range v.Indexes {
		stmts = append(stmts, ix.Def)
		stmts = append(stmts, commentIf("INDEX", indexName(v, ix), ix.Comment)...)
	}
	return stmts
}

// viewDefault sets (or, for "", drops) the default of a view's column,
// which an INSERT through the view uses.
func viewDefault(v *schema.PgView, col, def string) string {
	head := "ALTER " + viewWord(v) + " " + v.SQLName + " ALTER COLUMN " + pgquote.Ident(col)
	if def == "" {
		return head + " DROP DEFAULT"
	}
	return head + " SET DEFAULT " + def
}

// viewStandIn creates a view with v's columns and no rows, for a view
// whose own query reads it.
func viewStandIn(v *schema.PgView) string {
	cols := make([]string, len(v.Columns))
	for i, c := range v.Columns {
		cols[i] = "NULL::" + c.Type + " AS " + pgquote.Ident(c.Name)
	}
	return "CREATE VIEW " + v.SQLName + " AS\nSELECT " + strings.Join(cols, ", ") + "\nWHERE false"
}

// indexName qualifies a materialized view's index name with its schema.
func indexName(v *schema.PgView, ix schema.PgIndexDef) string {
	return schemaOf(v.SQLName) + "." + pgquote.Ident(ix.Name)
}

// schemaOf returns the schema part of a qualified SQL name.
func schemaOf(qualified string) string {
	in := false
	for i := 0; i < len(qualified); i++ {
		switch qualified[i] {
		case '"':
			in = !in
		case '.':
			if !in {
				return qualified[:i]
			}
		}
	}
	return qualified
}

func (viewGen) drop(o schema.PgObject) []string {
	v := o.(*schema.PgView)
	return []string{"DROP " + viewWord(v) + " " + v.SQLName}
}

func (viewGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, v := fo.(*schema.PgView), to.(*schema.PgView)
	var stmts []string
	body := from.Def != v.Def || !equalStrings(from.Options, v.Options) || from.CheckOption != v.CheckOption ||
		from.AccessMethod != v.AccessMethod || from.WithData != v.WithData || !sameColumns(from.Columns, v.Columns)
	if body {
		if from.Materialized || !columnsAppended(from.Columns, v.Columns) {
			return nil, true
		}
		stmts = append(stmts, viewCreate(v, true))
	}
	stmts = append(stmts, commentChange(viewWord(v), v.SQLName, from.Comment, v.Comment)...)
	old := map[string]schema.PgViewColumn{}
	for _, c := range from.Columns {
		old[c.Name] = c
	}
	for _, c := range v.Columns {
		stmts = append(stmts, commentChange("COLUMN", v.SQLName+"."+pgquote.Ident(c.Name), old[c.Name].Comment, c.Comment)...)
		if d := old[c.Name].Default; d != c.Default {
			stmts = append(stmts, viewDefault(v, c.Name, c.Default))
		}
	}
	// Indexes of a materialized view.
	oldIx := map[string]schema.PgIndexDef{}
	for _, ix := range from.Indexes {
		oldIx[ix.Name] = ix
	}
	newIx := map[string]bool{}
	for _, ix := range v.Indexes {
		newIx[ix.Name] = true
	}
	for _, ix := range from.Indexes {
		if n, ok := findIndex(v.Indexes, ix.Name); !ok || n.Def != ix.Def {
			stmts = append(stmts, "DROP INDEX "+indexName(from, ix))
		}
	}
	for _, ix := range v.Indexes {
		o, ok := oldIx[ix.Name]
		if !ok || o.Def != ix.Def {
			stmts = append(stmts, ix.Def)
			stmts = append(stmts, commentIf("INDEX", indexName(v, ix), ix.Comment)...)
			continue
		}
		stmts = append(stmts, commentChange("INDEX", indexName(v, ix), o.Comment, ix.Comment)...)
	}
	return stmts, false
}

func findIndex(ixs []schema.PgIndexDef, name string) (schema.PgIndexDef, bool) {
	for _, ix := range ixs {
		if ix.Name == name {
			return ix, true
		}
	}
	return schema.PgIndexDef{}, false
}

func sameColumns(a, b []schema.PgViewColumn) bool {
	return len(a) == len(b) && columnsAppended(a, b)
}

// columnsAppended tells whether b keeps the columns of a (same names and
// types, same order) and only adds columns at the end: the one change
// CREATE OR REPLACE VIEW allows.
func columnsAppended(a, b []schema.PgViewColumn) bool {
	if len(b) < len(a) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].Type != b[i].Type {
			return false
		}
	}
	return true
}
