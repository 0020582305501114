package schema

import (
	"context"
	"database/sql"
)

// unsupportedQuery lists the objects in the inspected schemas (and the
// database-level ones) that schemactl does not model. Each would be lost
// silently by a plan, so inspection stops on them instead.
var unsupportedQuery = `
SELECT 'rule', pg_catalog.quote_ident(r.rulename) || ' on ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE r.rulename <> '_RETURN' AND n.nspname = ANY($1) AND ` + notExtMember("pg_rewrite", "r.oid") + `
UNION ALL
SELECT 'statistics object', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(s.stxname)
FROM pg_catalog.pg_statistic_ext s JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace
WHERE n.nspname = ANY($1) AND ` + notExtMember("pg_statistic_ext", "s.oid") + `
UNION ALL
SELECT 'text search configuration', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(t.cfgname)
FROM pg_catalog.pg_ts_config t JOIN pg_catalog.pg_namespace n ON n.oid = t.cfgnamespace
WHERE n.nspname = ANY($1) AND ` + notExtMember("pg_ts_config", "t.oid") + `
UNION ALL
SELECT 'text search dictionary', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(t.dictname)
FROM pg_catalog.pg_ts_dict t JOIN pg_catalog.pg_namespace n ON n.oid = t.dictnamespace
WHERE n.nspname = ANY($1) AND ` + notExtMember("pg_ts_dict", "t.oid") + `
UNION ALL
SELECT 'text search parser', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(t.prsname)
FROM pg_catalog.pg_ts_parser t JOIN pg_catalog.pg_namespace n ON n.oid = t.prsnamespace
WHERE n.nspname = ANY($1) AND ` + notExtMember("pg_ts_parser", "t.oid") + `
UNION ALL
SELECT 'text search template', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(t.tmplname)
FROM pg_catalog.pg_ts_template t JOIN pg_catalog.pg_namespace n ON n.oid = t.tmplnamespace
WHERE n.nspname = ANY($1) AND ` + notExtMember("pg_ts_template", "t.oid") + `
UNION ALL
SELECT 'collation', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.collname)
FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace
WHERE n.nspname = ANY($1) AND ` + notExtMember("pg_collation", "c.oid") + `
UNION ALL
SELECT 'conversion', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.conname)
FROM pg_catalog.pg_conversion c JOIN pg_catalog.pg_namespace n ON n.oid = c.connamespace
WHERE n.nspname = ANY($1) AND ` + notExtMember("pg_conversion", "c.oid") + `
UNION ALL
SELECT 'operator', o.oid::regoperator::text
FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
WHERE n.nspname = ANY($1) AND ` + notExtMember("pg_operator", "o.oid") + `
UNION ALL
SELECT 'operator class', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(o.opcname)
FROM pg_catalog.pg_opclass o JOIN pg_catalog.pg_namespace n ON n.oid = o.opcnamespace
WHERE n.nspname = ANY($1) AND ` + notExtMember("pg_opclass", "o.oid") + `
UNION ALL
SELECT 'operator family', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(o.opfname)
FROM pg_catalog.pg_opfamily o JOIN pg_catalog.pg_namespace n ON n.oid = o.opfnamespace
WHERE n.nspname = ANY($1) AND ` + notExtMember("pg_opfamily", "o.oid") + `
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
UNION ALL
SELECT 'table inheritance', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE NOT c.relispartition AND c.relkind IN ('r', 'p', 'f') AND n.nspname = ANY($1)
ORDER BY 1, 2`

func (in *objInspector) readUnsupported(ctx context.Context) error {
	return in.query(ctx, unsupportedQuery, func(rows *sql.Rows) error {
		e := &UnsupportedError{}
		if err := rows.Scan(&e.Kind, &e.Name); err != nil {
			return err
		}
		in.unsupported = append(in.unsupported, e)
		return nil
	})
}
