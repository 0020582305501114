package diff

import (
	"fmt"
	"slices"
	"strings"

	atlas "ariga.io/atlas/sql/schema"

	"github.com/schemactl/schemactl/schema"
)

// ColumnOrderError is returned when the desired column order of an
// existing table cannot be reached by ALTER TABLE: PostgreSQL adds
// columns last and cannot move one. The plan would otherwise give the
// table its columns in another order than the desired state's.
type ColumnOrderError struct {
	Tables []ColumnOrder
}

// ColumnOrder is the desired and the reachable column order of a table.
type ColumnOrder struct {
	Table     schema.QName
	Want, Got []string
	// Moved are the columns of Want that are not where the plan puts them.
	Moved []string
}

func (e *ColumnOrderError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the column order of %d table(s) cannot be reached without recreating them (PostgreSQL adds columns last and cannot move them):", len(e.Tables))
	for _, t := range e.Tables {
		fmt.Fprintf(&b, "\n  table %s: column(s) %s out of place: the desired state has (%s), the plan can give (%s)",
			t.Table, strings.Join(t.Moved, ", "), strings.Join(t.Want, ", "), strings.Join(t.Got, ", "))
	}
	b.WriteString("\nwrite the new columns last in the desired state, or recreate the table in a migration of your own (with its data)")
	return b.String()
}

// columnOrder checks that every table kept by the plan ends with its
// columns in the desired order: the columns it keeps, in their order,
// then the columns added, in the desired state's order. It runs after
// columnsBefore, which takes out of the starting state the columns that
// are dropped and added again. Partitions and inheritance children are
// left out: their order is their parents' (PARTITION OF, INHERITS and
// ADD COLUMN on the parent decide it, and pg_dump does not keep it).
func (p *planner) columnOrder() error {
	var bad []ColumnOrder
	err := p.matchedTables(func(t1, t2 *atlas.Table, ti1, ti2 *schema.TableInfo) error {
		if ti2.IsPartition() || len(ti2.Inherits) > 0 || p.recreated(ti2.QName) {
			return nil
		}
		want := make([]string, len(ti2.Columns))
		for i, c := range ti2.Columns {
			want[i] = c.Name
		}
		var got []string
		for _, c := range t1.Columns {
			if slices.Contains(want, c.Name) {
				got = append(got, c.Name)
			}
		}
		for _, n := range want {
			if !slices.Contains(got, n) {
				got = append(got, n)
			}
		}
		if slices.Equal(got, want) {
			return nil
		}
		o := ColumnOrder{Table: ti2.QName, Want: want, Got: got}
		for i, n := range want {
			if got[i] != n {
				o.Moved = append(o.Moved, n)
			}
		}
		bad = append(bad, o)
		return nil
	})
	if err != nil {
		return err
	}
	if len(bad) > 0 {
		return &ColumnOrderError{Tables: bad}
	}
	return nil
}
