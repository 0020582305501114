package schema

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
)

// unmodelledQuery lists the objects of one kind that schemactl detects but
// does not model yet. Each query returns (schema, table, name, detail) and
// takes the schemas in scope as $1; objects that belong to an extension are
// left out (they come with the extension, which is reported itself).
// Turning a kind into a modelled one means giving it a definition column
// here and a planner in package diff.
type unmodelledQuery struct {
	kind  Kind
	query string
}

var unmodelledQueries = []unmodelledQuery{
	{KindBaseType, typeQuery(`t.typtype = 'p'`)},
}

// typeQuery lists types matching cond.
func typeQuery(cond string) string {
	return `
SELECT n.nspname, '', t.typname, ''
FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE ` + cond + ` AND n.nspname = ANY($1) AND ` + extFree("pg_type", "t.oid")
}

// unionQuery runs the queries of a list as one statement: one round trip
// and one plan instead of one per kind.
func unionQuery(qs []unmodelledQuery) string {
	parts := make([]string, len(qs))
	for i, q := range qs {
		parts[i] = fmt.Sprintf("SELECT %d AS k, * FROM (%s) q%d", i, q.query, i)
	}
	return strings.Join(parts, "\nUNION ALL\n")
}

func (c *Catalog) readUnmodelled(ctx context.Context, q Querier, schemas []string) error {
	return c.readObjects(ctx, q, unmodelledQueries, []any{schemas})
}

func (c *Catalog) readObjects(ctx context.Context, q Querier, qs []unmodelledQuery, args []any) error {
	return each(ctx, q, unionQuery(qs), args, func(r *sql.Rows) error {
		var (
			k int
			o Object
		)
		if err := r.Scan(&k, &o.Schema, &o.Table, &o.Name, &o.Detail); err != nil {
			return err
		}
		o.Kind = qs[k].kind
		c.Unmodelled = append(c.Unmodelled, o)
		return nil
	})
}

func sortObjects(objs []Object) {
	sort.SliceStable(objs, func(i, j int) bool {
		if objs[i].Kind != objs[j].Kind {
			return objs[i].Kind < objs[j].Kind
		}
		return objs[i].QualifiedName() < objs[j].QualifiedName()
	})
}
