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
	return `SELECT 'rule', pg_catalog.quote_ident(r.rulename) || ' on ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE r.rulename <> '_RETURN' AND n.nspname = ANY($1) AND ` + notExtMember("pg_rewrite", "r.oid") + `
UNION ALL
SELECT 'base type', pg_catalog.format_type(t.oid, NULL)
FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype IN ('b', 'p') AND t.typelem = 0 AND n.nspname = ANY($1) AND ` + notExtMember("pg_type", "t.oid") + `
UNION ALL
SELECT 'foreign table', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'f' AND n.nspname = ANY($1) AND ` + notExtMember("pg_class", "c.oid") + `
UNION ALL
SELECT 'cast', '(' || pg_catalog.format_type(c.castsource, NULL) || ' AS ' || pg_catalog.format_type(c.casttarget, NULL) || ')'
FROM pg_catalog.pg_cast c WHERE c.oid >= 16384 AND ` + notExtMember("pg_cast", "c.oid") + `
	AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend i WHERE i.classid = 'pg_catalog.pg_cast'::regclass AND i.objid = c.oid AND i.deptype = 'i')
UNION ALL
SELECT 'foreign server', pg_catalog.quote_ident(s.srvname) FROM pg_catalog.pg_foreign_server s WHERE ` + notExtMember("pg_foreign_server", "s.oid") + `
UNION ALL
SELECT 'foreign-data wrapper', pg_catalog.quote_ident(w.fdwname) FROM pg_catalog.pg_foreign_data_wrapper w WHERE ` + notExtMember("pg_foreign_data_wrapper", "w.oid") + `
UNION ALL
SELECT 'publication', pg_catalog.quote_ident(p.pubname) FROM pg_catalog.pg_publication p
UNION ALL
SELECT 'language', pg_catalog.quote_ident(l.lanname) FROM pg_catalog.pg_language l WHERE l.oid >= 16384 AND ` + notExtMember("pg_language", "l.oid") + `
UNION ALL
SELECT 'access method', pg_catalog.quote_ident(a.amname) FROM pg_catalog.pg_am a WHERE a.oid >= 16384 AND ` + notExtMember("pg_am", "a.oid") + `
UNION ALL
SELECT 'transform', pg_catalog.format_type(t.trftype, NULL) || ' language ' || l.lanname
FROM pg_catalog.pg_transform t JOIN pg_catalog.pg_language l ON l.oid = t.trflang WHERE ` + notExtMember("pg_transform", "t.oid") + `

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
