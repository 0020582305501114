package schema

// atlasColumnsMark identifies Atlas's columns query.
const atlasColumnsMark = `"information_schema"."columns" AS t1`

// columnsCatalogQuery gives, for $1 the schema and the table names in
// %s, the columns of Atlas's columns query: information_schema.columns's
// data type, nullability, default, lengths, precisions, interval type,
// collation, identity and generation expressions computed the way that
// view computes them (with its own information_schema._pg_* functions),
// from the catalog rows of those tables only. The last value of an
// identity's sequence is read directly, not by matching every sequence's
// name (pg_sequences). Columns the user may not read are listed too, as
// pg_dump lists them.
const columnsCatalogQuery = `
SELECT
	c.relname::text AS table_name,
	a.attname::text AS column_name,
	CASE WHEN t.typtype = 'd' THEN
		CASE
			WHEN bt.typelem <> 0 AND bt.typlen = -1 THEN 'ARRAY'
			WHEN nbt.nspname = 'pg_catalog' THEN pg_catalog.format_type(t.typbasetype, NULL)
			ELSE 'USER-DEFINED'
		END
	ELSE
		CASE
			WHEN t.typelem <> 0 AND t.typlen = -1 THEN 'ARRAY'
			WHEN nt.nspname = 'pg_catalog' THEN pg_catalog.format_type(a.atttypid, NULL)
			ELSE 'USER-DEFINED'
		END
	END AS data_type,
	pg_catalog.format_type(a.atttypid, a.atttypmod) AS format_type,
	CASE WHEN a.attnotnull OR (t.typtype = 'd' AND t.typnotnull) THEN 'NO' ELSE 'YES' END AS is_nullable,
	CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END AS column_default,
	information_schema._pg_char_max_length(tt.id, tt.mod) AS character_maximum_length,
	information_schema._pg_numeric_precision(tt.id, tt.mod) AS numeric_precision,
	information_schema._pg_datetime_precision(tt.id, tt.mod) AS datetime_precision,
	information_schema._pg_numeric_scale(tt.id, tt.mod) AS numeric_scale,
	information_schema._pg_interval_type(tt.id, tt.mod) AS interval_type,
	NULL::text AS character_set_name,
	co.collname::text AS collation_name,
	CASE WHEN a.attidentity IN ('a', 'd') THEN 'YES' ELSE 'NO' END AS is_identity,
	seq.seqstart AS identity_start,
	seq.seqincrement AS identity_increment,
	CASE WHEN a.attidentity IN ('a', 'd') AND pg_catalog.has_sequence_privilege(seq.seqrelid, 'SELECT,USAGE')
		THEN pg_catalog.pg_sequence_last_value(seq.seqrelid) END AS identity_last,
	CASE a.attidentity WHEN 'a' THEN 'ALWAYS' WHEN 'd' THEN 'BY DEFAULT' END AS identity_generation,
	CASE WHEN a.attgenerated <> '' THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END AS generation_expression,
	pg_catalog.col_description(c.oid, a.attnum) AS comment,
	t.typtype,
	t.typelem,
	t.oid,
	a.attnum
FROM
	pg_catalog.pg_namespace n
	JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid
	JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
	JOIN pg_catalog.pg_namespace nt ON nt.oid = t.typnamespace
	LEFT JOIN (pg_catalog.pg_type bt JOIN pg_catalog.pg_namespace nbt ON nbt.oid = bt.typnamespace)
		ON t.typtype = 'd' AND bt.oid = t.typbasetype
	LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
	LEFT JOIN (pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace nco ON nco.oid = co.collnamespace)
		ON co.oid = a.attcollation AND (nco.nspname <> 'pg_catalog' OR co.collname <> 'default')
	LEFT JOIN (pg_catalog.pg_depend dep JOIN pg_catalog.pg_sequence seq
			ON dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.objid = seq.seqrelid AND dep.deptype = 'i')
		ON dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.refobjid = c.oid AND dep.refobjsubid = a.attnum
	CROSS JOIN LATERAL (SELECT information_schema._pg_truetypid(a.*, t.*) AS id, information_schema._pg_truetypmod(a.*, t.*) AS mod) tt
WHERE
	n.nspname = $1
	AND c.relname IN (%s)
	AND c.relkind IN ('r', 'v', 'f', 'p')
ORDER BY
	c.relname, a.attnum
`
