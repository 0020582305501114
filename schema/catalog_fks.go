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
SELECT
	con.conname AS constraint_name,
	t1.relname AS table_name,
	a1.attname AS column_name,
	ns1.nspname AS schema_name,
	t2.relname AS referenced_table_name,
	a2.attname AS referenced_column_name,
	ns2.nspname AS referenced_schema_name,
	con.confupdtype,
	con.confdeltype
FROM
	pg_catalog.pg_namespace ns1
	JOIN pg_catalog.pg_class t1 ON t1.relnamespace = ns1.oid
	CROSS JOIN LATERAL (
		SELECT * FROM pg_catalog.pg_constraint c WHERE c.conrelid = t1.oid AND c.contype = 'f' OFFSET 0
	) con
	JOIN pg_catalog.pg_class t2 ON t2.oid = con.confrelid
	JOIN pg_catalog.pg_namespace ns2 ON ns2.oid = t2.relnamespace
	CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(conkey, confkey, ord)
	JOIN pg_catalog.pg_attribute a1 ON a1.attrelid = con.conrelid AND a1.attnum = k.conkey
	JOIN pg_catalog.pg_attribute a2 ON a2.attrelid = con.confrelid AND a2.attnum = k.confkey
WHERE
	ns1.nspname = $1
	AND t1.relname IN (%s)
ORDER BY
	con.conrelid, con.conname, k.ord
`
