package down

import (
	"context"
	"fmt"

	atlas "ariga.io/atlas/sql/schema"
	"github.com/jackc/pgx/v5"

	"github.com/schemactl/schemactl/diff"
	"github.com/schemactl/schemactl/internal/pgquote"
	"github.com/schemactl/schemactl/schema"
)

// drop is a table, or a column of a kept table, that the plan drops.
type drop struct {
	schema, table, column string
}

func (d drop) String() string {
	if d.column == "" {
		return fmt.Sprintf("table %s.%s", d.schema, d.table)
	}
	return fmt.Sprintf("column %s.%s.%s", d.schema, d.table, d.column)
}

// query is the statement that tells whether the dropped object holds
// data: a row of the table, a non-null value of the column.
func (d drop) query() string {
	t := pgquote.Ident(d.schema) + "." + pgquote.Ident(d.table)
	if d.column == "" {
		return "SELECT EXISTS (SELECT 1 FROM " + t + ")"
	}
	return "SELECT EXISTS (SELECT 1 FROM " + t + " WHERE " + pgquote.Ident(d.column) + " IS NOT NULL)"
}

// drops lists the tables of from missing in to, and the columns of the
// tables of both missing in to's, leaving out the old names of renames.
func drops(from, to *schema.State, renames []diff.Rename) []drop {
	renamed := func(s, t, c string) bool {
		for _, r := range renames {
			if (r.Schema == "" || r.Schema == s) && r.Table == t && (r.Kind == "table" && c == "" || r.Kind == "column" && r.From == c) {
				return true
			}
		}
		return false
	}
	var out []drop
	for _, fs := range from.Realm.Schemas {
		ts, _ := to.Realm.Schema(fs.Name)
		for _, ft := range fs.Tables {
			var tt *atlas.Table
			if ts != nil {
				tt, _ = ts.Table(ft.Name)
			}
			if tt == nil {
				if !renamed(fs.Name, ft.Name, "") {
					out = append(out, drop{schema: fs.Name, table: ft.Name})
				}
				continue
			}
			for _, c := range ft.Columns {
				if _, ok := tt.Column(c.Name); !ok && !renamed(fs.Name, ft.Name, c.Name) {
					out = append(out, drop{schema: fs.Name, table: ft.Name, column: c.Name})
				}
			}
		}
	}
	return out
}

// querier runs the data checks: the target connection or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// dataLoss returns the dropped objects that hold data.
func dataLoss(ctx context.Context, q querier, ds []drop) ([]string, error) {
	var out []string
	for _, d := range ds {
		var has bool
		if err := q.QueryRow(ctx, d.query()).Scan(&has); err != nil {
			return nil, fmt.Errorf("look for data in %s: %w", d, err)
		}
		if has {
			what := "holds rows"
			if d.column != "" {
				what = "holds non-null values"
			}
			out = append(out, d.String()+" "+what)
		}
	}
	return out, nil
}
