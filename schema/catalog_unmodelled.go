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
	{KindView, relQuery("v")},
	{KindMatView, relQuery("m")},
	{KindForeignTable, relQuery("f")},
	{KindFunction, procQuery("f")},
	{KindFunction, procQuery("w")},
	{KindProcedure, procQuery("p")},
	{KindAggregate, procQuery("a")},
	{KindTrigger, `
SELECT n.nspname, c.relname, g.tgname, CASE WHEN g.tgconstraint <> 0 THEN 'constraint trigger' ELSE '' END
FROM pg_catalog.pg_trigger g
	JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid
	JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE NOT g.tgisinternal AND g.tgparentid = 0 AND n.nspname = ANY($1) AND ` + extFree("pg_trigger", "g.oid")},
	{KindCompositeType, typeQuery(`t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_catalog.pg_class r WHERE r.oid = t.typrelid AND r.relkind = 'c')`)},
	{KindRangeType, typeQuery(`t.typtype = 'r'`)},
	{KindBaseType, typeQuery(`t.typtype IN ('b', 'p') AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type el WHERE el.oid = t.typelem AND el.typarray = t.oid)`)},
	{KindExtension, `
SELECT n.nspname, '', x.extname, 'version ' || x.extversion
FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace
WHERE x.extname <> 'plpgsql' AND (n.nspname = ANY($1) OR n.nspname IN ('pg_catalog', 'information_schema'))`},
	{KindPolicy, `
SELECT n.nspname, c.relname, p.polname, ''
FROM pg_catalog.pg_policy p
	JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
	JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1) AND ` + extFree("pg_policy", "p.oid")},
	{KindRule, `
SELECT n.nspname, c.relname, w.rulename, ''
FROM pg_catalog.pg_rewrite w
	JOIN pg_catalog.pg_class c ON c.oid = w.ev_class
	JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE w.rulename <> '_RETURN' AND n.nspname = ANY($1) AND ` + extFree("pg_rewrite", "w.oid")},
	{KindCollation, nsQuery("pg_collation", "collname", "collnamespace", "")},
	{KindOperator, `
SELECT n.nspname, '', o.oprname || '(' || COALESCE(pg_catalog.format_type(o.oprleft, NULL), 'NONE') || ', ' || COALESCE(pg_catalog.format_type(o.oprright, NULL), 'NONE') || ')', ''
FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
WHERE n.nspname = ANY($1) AND ` + extFree("pg_operator", "o.oid")},
	{KindOperatorClass, nsQuery("pg_opclass", "opcname", "opcnamespace", "")},
	{KindOperatorFamily, nsQuery("pg_opfamily", "opfname", "opfnamespace", "")},
	{KindTextSearch, nsQuery("pg_ts_config", "cfgname", "cfgnamespace", "configuration")},
	{KindTextSearch, nsQuery("pg_ts_dict", "dictname", "dictnamespace", "dictionary")},
	{KindTextSearch, nsQuery("pg_ts_parser", "prsname", "prsnamespace", "parser")},
	{KindTextSearch, nsQuery("pg_ts_template", "tmplname", "tmplnamespace", "template")},
	{KindConversion, nsQuery("pg_conversion", "conname", "connamespace", "")},
	{KindStatistics, nsQuery("pg_statistic_ext", "stxname", "stxnamespace", "")},
	{KindPrivileges, `
SELECT n.nspname, '', '', 'grants on schema'
FROM pg_catalog.pg_namespace n
WHERE n.nspacl IS NOT NULL AND n.nspname = ANY($1)
	AND n.nspacl::text[] <> ARRAY[pg_catalog.pg_get_userbyid(n.nspowner) || '=UC/' || pg_catalog.pg_get_userbyid(n.nspowner), '=U/' || pg_catalog.pg_get_userbyid(n.nspowner)]`},
	{KindPrivileges, `
SELECT n.nspname, '', p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')', 'grants on routine'
FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE p.proacl IS NOT NULL AND n.nspname = ANY($1) AND ` + extFree("pg_proc", "p.oid")},
	{KindPrivileges, `
SELECT n.nspname, '', c.relname, 'grants on ' || CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' ELSE 'relation' END
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relacl IS NOT NULL AND c.relkind IN ('v', 'm', 'f') AND n.nspname = ANY($1) AND ` + extFree("pg_class", "c.oid")},
	{KindDefaultPrivileges, `
SELECT COALESCE(n.nspname, ''), '', pg_catalog.pg_get_userbyid(d.defaclrole),
	'for ' || CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'functions' WHEN 'T' THEN 'types' WHEN 'n' THEN 'schemas' ELSE d.defaclobjtype::text END
FROM pg_catalog.pg_default_acl d LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace
WHERE d.defaclnamespace = 0 OR n.nspname = ANY($1)`},
}

// databaseQueries list database-level objects; they are read only when the
// whole database is in scope. They take no arguments.
var databaseQueries = []unmodelledQuery{
	{KindEventTrigger, `SELECT '', '', e.evtname, e.evtevent FROM pg_catalog.pg_event_trigger e WHERE ` + extFree("pg_event_trigger", "e.oid")},
	{KindCast, `
SELECT '', '', pg_catalog.format_type(c.castsource, NULL) || ' AS ' || pg_catalog.format_type(c.casttarget, NULL), ''
FROM pg_catalog.pg_cast c WHERE c.oid >= 16384 AND ` + extFree("pg_cast", "c.oid")},
	{KindForeignWrapper, `SELECT '', '', w.fdwname, '' FROM pg_catalog.pg_foreign_data_wrapper w WHERE ` + extFree("pg_foreign_data_wrapper", "w.oid")},
	{KindForeignServer, `SELECT '', '', s.srvname, '' FROM pg_catalog.pg_foreign_server s WHERE ` + extFree("pg_foreign_server", "s.oid")},
	{KindPublication, `SELECT '', '', p.pubname, '' FROM pg_catalog.pg_publication p`},
}

// relQuery lists relations of one relkind.
func relQuery(relkind string) string {
	return `
SELECT n.nspname, '', c.relname, ''
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = '` + relkind + `' AND n.nspname = ANY($1) AND ` + extFree("pg_class", "c.oid")
}

// procQuery lists routines of one prokind, named with their argument types.
func procQuery(prokind string) string {
	detail := "''"
	if prokind == "w" {
		detail = "'window function'"
	}
	return `
SELECT n.nspname, '', p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')', ` + detail + `
FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE p.prokind = '` + prokind + `' AND n.nspname = ANY($1) AND ` + extFree("pg_proc", "p.oid")
}

// typeQuery lists types matching cond.
func typeQuery(cond string) string {
	return `
SELECT n.nspname, '', t.typname, ''
FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE ` + cond + ` AND n.nspname = ANY($1) AND ` + extFree("pg_type", "t.oid")
}

// nsQuery lists the objects of a catalog that have a name and a namespace.
func nsQuery(catalog, nameCol, nsCol, detail string) string {
	return fmt.Sprintf(`
SELECT n.nspname, '', o.%s, '%s'
FROM pg_catalog.%s o JOIN pg_catalog.pg_namespace n ON n.oid = o.%s
WHERE n.nspname = ANY($1) AND %s`, nameCol, detail, catalog, nsCol, extFree(catalog, "o.oid"))
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

func (c *Catalog) readDatabaseObjects(ctx context.Context, q Querier) error {
	return c.readObjects(ctx, q, databaseQueries, nil)
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
