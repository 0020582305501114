package schema

// atlasFKsMark identifies Atlas's foreign keys query.
const atlasFKsMark = `unnest(con.confkey) AS confkey`

// fksCatalogQuery gives, for $1 the schema and the table names in %s, the
// columns of Atlas's foreign keys query: one row per key column, ordered
// by table, constraint and position, the key's columns paired with the
// referenced ones by position. The constraints are looked up table by
// table (OFFSET 0 keeps the subquery apart): on a freshly loaded database
// the statistics of pg_constraint are those of an empty one, and the
// planner would otherwise compare every foreign key of the database with
// every table asked for.
const fksCatalogQuery = `
SELECT` + atlasFKsSelect + `
FROM` + atlasFKsFrom + `
WHERE
	ns1.nspname = $1
	AND t1.relname IN (%s)
ORDER BY
	con.conrelid, con.conname, k.ord
`

// atlasFKsSelect is the select list of fksCatalogQuery: the columns of
// Atlas's foreign keys query, in its order.
const atlasFKsSelect = `
	con.conname AS constraint_name,
	t1.relname AS table_name,
	a1.attname AS column_name,
	ns1.nspname AS schema_name,
	t2.relname AS referenced_table_name,
	a2.attname AS referenced_column_name,
	ns2.nspname AS referenced_schema_name,
	con.confupdtype,
	con.confdeltype`

// atlasFKsFrom is the FROM clause of fksCatalogQuery.
const atlasFKsFrom = `
	pg_catalog.pg_namespace ns1
	JOIN pg_catalog.pg_class t1 ON t1.relnamespace = ns1.oid
	CROSS JOIN LATERAL (
		SELECT * FROM pg_catalog.pg_constraint c WHERE c.conrelid = t1.oid AND c.contype = 'f' OFFSET 0
	) con
	JOIN pg_catalog.pg_class t2 ON t2.oid = con.confrelid
	JOIN pg_catalog.pg_namespace ns2 ON ns2.oid = t2.relnamespace
	CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(conkey, confkey, ord)
	JOIN pg_catalog.pg_attribute a1 ON a1.attrelid = con.conrelid AND a1.attnum = k.conkey
	JOIN pg_catalog.pg_attribute a2 ON a2.attrelid = con.confrelid AND a2.attnum = k.confkey`

// sharedFKsQuery reads, for the schemas $1, the rows of Atlas's foreign
// keys query for every table, once (catalog_shared.go): the schema, then
// Atlas's columns, in the order of its query.
const sharedFKsQuery = `
SELECT ns1.nspname,` + atlasFKsSelect + `
FROM` + atlasFKsFrom + `
WHERE ns1.nspname = ANY($1)
ORDER BY con.conrelid, con.conname, k.ord`

// atlasChecksMark identifies Atlas's check constraints query.
const atlasChecksMark = `t1.connoinherit as no_inherit`

// sharedChecksQuery reads, for the schemas $1, the rows of Atlas's check
// constraints query for every table, once (catalog_shared.go): the
// schema, then the columns of Atlas's query (the table, the constraint,
// its expression, one of its columns, its column numbers, NO INHERIT), in
// the order of its query.
const sharedChecksQuery = `
SELECT nsp.nspname, rel.relname, t1.conname, pg_catalog.pg_get_expr(t1.conbin, t1.conrelid),
	t2.attname, t1.conkey, t1.connoinherit
FROM pg_catalog.pg_constraint t1
	JOIN pg_catalog.pg_attribute t2 ON t2.attrelid = t1.conrelid AND t2.attnum = ANY (t1.conkey)
	JOIN pg_catalog.pg_class rel ON rel.oid = t1.conrelid
	JOIN pg_catalog.pg_namespace nsp ON nsp.oid = t1.connamespace
WHERE t1.contype = 'c' AND nsp.nspname = ANY($1)
ORDER BY nsp.nspname, t1.conname, pg_catalog.array_position(t1.conkey, t2.attnum)`
