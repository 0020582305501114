package schema

import "fmt"

// atlasColumnsMark identifies Atlas's columns query.
const atlasColumnsMark = `"information_schema"."columns" AS t1`

// columnsCatalogQuery gives, for $1 the schema and the table names in
// %s, the columns of Atlas's columns query: information_schema.columns's
// data type, nullability, default, lengths, precisions, interval type,
// collation, identity and generation expressions computed the way that
// view computes them, from the catalog rows of those tables only. The
// lengths and precisions are the view's (its information_schema._pg_*
// functions, by type OID and modifier of the column's type or of its
// domain's base type) written inline: called as functions, they cost
// more than the rest of the query. The last value of an
// identity's sequence is read directly, not by matching every sequence's
// name (pg_sequences). Columns the user may not read are listed too, as
// pg_dump lists them.
const columnsCatalogQuery = `
SELECT` + atlasColumnsSelect + `
FROM` + atlasColumnsFrom + `
WHERE
	n.nspname = $1
	AND c.relname IN (%s)
	AND c.relkind IN ('r', 'v', 'f', 'p')
ORDER BY
	c.relname, a.attnum
`

// atlasColumnsSelect is the select list of columnsCatalogQuery: the
// columns of Atlas's columns query, in its order.
const atlasColumnsSelect = `
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
	CASE
		WHEN tt.mod = -1 THEN NULL
		WHEN tt.id IN (1042, 1043) THEN tt.mod - 4 -- bpchar, varchar
		WHEN tt.id IN (1560, 1562) THEN tt.mod -- bit, varbit
	END AS character_maximum_length,
	CASE tt.id
		WHEN 21 THEN 16 WHEN 23 THEN 32 WHEN 20 THEN 64 -- int2, int4, int8
		WHEN 1700 THEN CASE WHEN tt.mod <> -1 THEN ((tt.mod - 4) >> 16) & 65535 END -- numeric
		WHEN 700 THEN 24 WHEN 701 THEN 53 -- float4, float8
	END AS numeric_precision,
	CASE
		WHEN tt.id = 1082 THEN 0 -- date
		WHEN tt.id IN (1083, 1114, 1184, 1266) THEN CASE WHEN tt.mod < 0 THEN 6 ELSE tt.mod END -- time, timestamp, timestamptz, timetz
		WHEN tt.id = 1186 THEN CASE WHEN tt.mod < 0 OR tt.mod & 65535 = 65535 THEN 6 ELSE tt.mod & 65535 END -- interval
	END AS datetime_precision,
	CASE
		WHEN tt.id IN (21, 23, 20) THEN 0
		WHEN tt.id = 1700 THEN CASE WHEN tt.mod <> -1 THEN (tt.mod - 4) & 65535 END
	END AS numeric_scale,
	CASE WHEN tt.id = 1186 THEN
		pg_catalog.upper(substring(pg_catalog.format_type(tt.id, tt.mod) similar 'interval[()0-9]* #"%%#"' escape '#'))
	END AS interval_type,
	NULL::text AS character_set_name,
	co.collname::text AS collation_name,
	CASE WHEN a.attidentity IN ('a', 'd') THEN 'YES' ELSE 'NO' END AS is_identity,
	seq.seqstart AS identity_start,
	seq.seqincrement AS identity_increment,
	CASE WHEN a.attidentity IN ('a', 'd') AND pg_catalog.has_sequence_privilege(seq.seqrelid, 'SELECT,USAGE')
		THEN pg_catalog.pg_sequence_last_value(seq.seqrelid) END AS identity_last,
	CASE a.attidentity WHEN 'a' THEN 'ALWAYS' WHEN 'd' THEN 'BY DEFAULT' END AS identity_generation,
	CASE WHEN a.attgenerated <> '' THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END AS generation_expression,
	d.description AS comment,
	t.typtype,
	t.typelem,
	t.oid,
	a.attnum`

// atlasColumnsFrom is the FROM clause of columnsCatalogQuery.
const atlasColumnsFrom = `
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
	LEFT JOIN pg_catalog.pg_description d
		ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid = a.attnum
	CROSS JOIN LATERAL (
		SELECT CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END AS id,
			CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS mod
	) tt`

// numAtlasColumns is the number of columns of Atlas's columns query.
const numAtlasColumns = 24

// catColumnsQuery reads, for the schemas $1, every column of their
// relations once, for the catalog and for Atlas's driver
// (catalog_shared.go): the schema, the columns of Atlas's query
// (atlasColumnsSelect), then the catalog's own. %s is the relation kinds
// Atlas's query reads; the catalog keeps the tables it read
// (readColumns).
var catColumnsQuery = fmt.Sprintf(`
SELECT n.nspname,`+atlasColumnsSelect+`,
	a.attnotnull, nt.nspname, t.typname, a.attidentity::text,
	CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN (
		SELECT pg_catalog.quote_ident(ccn.nspname) || '.' || pg_catalog.quote_ident(cc.collname)
		FROM pg_catalog.pg_collation cc JOIN pg_catalog.pg_namespace ccn ON ccn.oid = cc.collnamespace
		WHERE cc.oid = a.attcollation) ELSE '' END,
	a.attislocal,
	COALESCE(sn.nspname, ''), COALESCE(sc.relname, ''), COALESCE(pg_catalog.format_type(seq.seqtypid, NULL), ''),
	COALESCE(seq.seqstart, 0), COALESCE(seq.seqincrement, 0), COALESCE(seq.seqmin, 0), COALESCE(seq.seqmax, 0),
	COALESCE(seq.seqcache, 0), COALESCE(seq.seqcycle, false),
	a.attacl IS NOT NULL, COALESCE(a.attstattarget, -1), a.attcompression::text, a.attstorage::text, t.typstorage::text,
	COALESCE((SELECT pg_catalog.string_agg(o, ', ' ORDER BY o) FROM pg_catalog.unnest(a.attoptions) o), '')
FROM`+atlasColumnsFrom+`
	LEFT JOIN pg_catalog.pg_class sc ON sc.oid = seq.seqrelid
	LEFT JOIN pg_catalog.pg_namespace sn ON sn.oid = sc.relnamespace
WHERE n.nspname = ANY($1) AND c.relkind IN (%s)
ORDER BY n.nspname, c.relname, a.attnum`, "'r', 'v', 'f', 'p'")
