package schema

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// unsupportedQuery lists the objects in the inspected schemas (and the
// database-level ones) that schemactl does not model. Each would be lost
// silently by a plan, so inspection stops on them instead.
func unsupportedQuery() string {
	// The schema-qualified kinds listed the same way: kind, catalog, name
	// column, namespace column.
	kinds := [...][4]string{}
	var b strings.Builder
	for _, k := range kinds {
		fmt.Fprintf(&b, "SELECT '%s', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(x.%s)\n"+
			"FROM pg_catalog.%s x JOIN pg_catalog.pg_namespace n ON n.oid = x.%s\n"+
			"WHERE n.nspname = ANY($1) AND %s\nUNION ALL\n", k[0], k[2], k[1], k[3], notExtMember(k[1], "x.oid"))
	}
	return b.String() + unsupportedOthers()
}

// unsupportedOthers lists the unsupported objects whose names are built
// each its own way.
func unsupportedOthers() string {
	return `SELECT 'foreign table partition or child', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'f' AND (c.relispartition OR EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid)) AND n.nspname = ANY($1) AND ` + notExtMember("pg_class", "c.oid") + `


ORDER BY 1, 2`
}

func (in *objInspector) readUnsupported(ctx context.Context) error {
	return in.query(ctx, unsupportedQuery(), func(rows *sql.Rows) error {
		e := &UnsupportedError{}
		if err := rows.Scan(&e.Kind, &e.Name); err != nil {
			return err
		}
		in.unsupported = append(in.unsupported, e)
		return nil
	})
}
