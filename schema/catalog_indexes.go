package schema

// Marks of Atlas's indexes query and of its server-dependent parts.
const (
	atlasIndexesMark          = `jsonb_object_agg(conname, contype) AS nametypes`
	atlasIncludedMark         = `idx.ord > idx.indnkeyatts)`
	atlasNullsNotDistinctMark = `idx.indnullsnotdistinct AS indnullsnotdistinct`
)

// indexesCatalogQuery gives, for $1 the schema and the table names in
// the third %s, the columns of Atlas's indexes query: one row per index
// column, ordered by table, index and position. The indexes are those of
// the tables asked for only, and the constraints that use an index
// (its own, and the foreign keys referencing it) are aggregated once,
// not for every index column. What Atlas's driver reads of an index only
// on its first row (its predicate, its comment) is left NULL on the
// others, and a part's expression on parts that are columns, as it reads
// the expression only when there is no column: the Realm is the same,
// pg_get_indexdef and pg_get_expr run once per index. The first two %s
// are the expressions of the INCLUDE flag and of NULLS NOT DISTINCT
// (false on servers without them).
const indexesCatalogQuery = atlasIndexesWith + `
SELECT` + atlasIndexesSelect + `
FROM` + atlasIndexesFrom + `
WHERE
	n.nspname = $1
	AND t.relname IN (%s)
ORDER BY
	table_name, index_name, k.ord
`

// atlasIndexesWith aggregates, once per query, the constraints that use
// an index.
const atlasIndexesWith = `
WITH con AS (
	SELECT conindid, pg_catalog.jsonb_object_agg(conname, contype) AS nametypes
	FROM pg_catalog.pg_constraint
	WHERE conindid <> 0
	GROUP BY conindid
)`

// atlasIndexesSelect is the select list of indexesCatalogQuery: the
// columns of Atlas's indexes query, in its order.
const atlasIndexesSelect = `
	t.relname AS table_name,
	i.relname AS index_name,
	am.amname AS index_type,
	a.attname AS column_name,
	%s AS included,
	x.indisprimary AS primary,
	x.indisunique AS unique,
	(CASE WHEN x.indisexclusion THEN (
		SELECT e.conexclop[k.ord]::pg_catalog.regoper FROM pg_catalog.pg_constraint e
		WHERE e.conrelid = x.indrelid AND e.conindid = x.indexrelid AND e.contype = 'x') END) AS excoper,
	con.nametypes AS constraints,
	CASE WHEN k.ord = 1 THEN pg_catalog.pg_get_expr(x.indpred, x.indrelid) END AS predicate,
	CASE WHEN k.key = 0 THEN pg_catalog.pg_get_indexdef(x.indexrelid, k.ord::int, false) END AS expression,
	pg_catalog.pg_index_column_has_property(x.indexrelid, k.ord::int, 'desc') AS isdesc,
	pg_catalog.pg_index_column_has_property(x.indexrelid, k.ord::int, 'nulls_first') AS nulls_first,
	pg_catalog.pg_index_column_has_property(x.indexrelid, k.ord::int, 'nulls_last') AS nulls_last,
	CASE WHEN k.ord = 1 THEN (SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = i.oid AND dsc.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dsc.objsubid = 0) END AS comment,
	i.reloptions AS options,
	op.opcname AS opclass_name,
	op.opcnamespace::pg_catalog.regnamespace::text AS opclass_schema,
	op.opcdefault AS opclass_default,
	a2.attoptions AS opclass_params,
	%s AS indnullsnotdistinct`

// atlasIndexesFrom is the FROM clause of indexesCatalogQuery.
const atlasIndexesFrom = `
	pg_catalog.pg_namespace n
	JOIN pg_catalog.pg_class t ON t.relnamespace = n.oid
	JOIN pg_catalog.pg_index x ON x.indrelid = t.oid
	JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
	CROSS JOIN LATERAL pg_catalog.unnest(x.indkey::pg_catalog.int2[]) WITH ORDINALITY AS k(key, ord)
	JOIN pg_catalog.pg_am am ON am.oid = i.relam
	LEFT JOIN con ON con.conindid = x.indexrelid
	LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.key
	LEFT JOIN pg_catalog.pg_opclass op ON op.oid = x.indclass[k.ord - 1]
	LEFT JOIN pg_catalog.pg_attribute a2 ON a2.attrelid = x.indexrelid AND a2.attnum = k.ord`

// numAtlasIndexColumns is the number of columns of Atlas's indexes query;
// atlasIndexIncluded is the position of its INCLUDE flag (NULLS NOT
// DISTINCT is the last).
const (
	numAtlasIndexColumns = 21
	atlasIndexIncluded   = 4
)

// Atlas's INCLUDE flag and NULLS NOT DISTINCT, on servers that have them.
const (
	atlasIncludedExpr    = "(a.attname <> '' AND x.indnatts > x.indnkeyatts AND k.ord > x.indnkeyatts)"
	atlasNotDistinctExpr = "x.indnullsnotdistinct"
)

// catIndexesQuery reads, for the schemas $1, every index column of their
// relations once, for the catalog and for Atlas's driver
// (catalog_shared.go): the schema, the columns of Atlas's query
// (atlasIndexesSelect, whose first two %s are the INCLUDE flag and NULLS
// NOT DISTINCT), then the catalog's own values of the index, on the row
// of its first column only. The catalog keeps the indexes of the tables
// it read (readIndexes).
const catIndexesQuery = atlasIndexesWith + `
SELECT n.nspname,` + atlasIndexesSelect + `,
	k.ord = 1,
	CASE WHEN k.ord = 1 THEN pg_catalog.pg_get_indexdef(i.oid) ELSE '' END,
	CASE WHEN k.ord = 1 THEN COALESCE((SELECT kc.conname FROM pg_catalog.pg_constraint kc
		WHERE kc.conindid = i.oid AND kc.conrelid = t.oid AND kc.contype IN ('p', 'u', 'x') LIMIT 1), '') ELSE '' END,
	CASE WHEN k.ord = 1 THEN COALESCE((SELECT pi.relname FROM pg_catalog.pg_inherits ih
		JOIN pg_catalog.pg_class pi ON pi.oid = ih.inhparent WHERE ih.inhrelid = i.oid), '') ELSE '' END,
	x.indisvalid, x.indisclustered,
	CASE WHEN k.ord = 1 THEN pg_catalog.array_to_json(ARRAY(SELECT ia.attname FROM pg_catalog.pg_attribute ia
		WHERE ia.attrelid = i.oid AND ia.attnum > 0 ORDER BY ia.attnum))::text ELSE '[]' END,
	CASE WHEN k.ord = 1 THEN COALESCE((SELECT pg_catalog.string_agg(ia.attnum || '=' || ia.attstattarget, ', ' ORDER BY ia.attnum)
		FROM pg_catalog.pg_attribute ia WHERE ia.attrelid = i.oid AND ia.attnum > 0 AND ia.attstattarget >= 0), '') ELSE '' END
FROM` + atlasIndexesFrom + `
WHERE n.nspname = ANY($1)
ORDER BY n.nspname, t.relname, i.relname, k.ord`
