package schema

import (
	"context"
	"database/sql"
	"strings"

	"ariga.io/atlas/sql/migrate"
	atlas "ariga.io/atlas/sql/schema"
)

// Atlas's inspection reads the partition key of a partitioned table as
// pg_partitioned_table.partattrs, attribute numbers, and takes the
// column at position attnum among the table's columns: once a column of
// the table has been dropped the numbers have gaps, and the inspection
// fails ("unexpected column index") or picks the wrong column. The
// driver opened by openAtlas reads, in that query, each key column's
// position among the columns that are not dropped instead.

// atlasPartAttrs is the expression of Atlas's tables query this package
// replaces.
const atlasPartAttrs = "t4.partattrs AS partition_attrs"

// partAttrsByPosition gives the positions Atlas expects, space-separated
// like an int2vector, 0 standing for an expression as in partattrs.
const partAttrsByPosition = `(SELECT pg_catalog.string_agg(CASE WHEN k.attnum = 0 THEN '0' ELSE (
		SELECT pg_catalog.count(*) FROM pg_catalog.pg_attribute a
		WHERE a.attrelid = t4.partrelid AND a.attnum > 0 AND a.attnum <= k.attnum AND NOT a.attisdropped)::text END, ' ' ORDER BY k.ord)
	FROM pg_catalog.unnest(t4.partattrs::int2[]) WITH ORDINALITY AS k(attnum, ord)) AS partition_attrs`

// partKeyQuerier rewrites Atlas's tables query (see above).
type partKeyQuerier struct{ atlas.ExecQuerier }

func (q partKeyQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return q.ExecQuerier.QueryContext(ctx, strings.Replace(query, atlasPartAttrs, partAttrsByPosition, 1), args...)
}

// openAtlas opens Atlas's PostgreSQL driver on conn, with the partition
// key read by column position and columns, indexes and foreign keys read
// from pg_catalog (catalog_atlas.go).
func openAtlas(conn atlas.ExecQuerier) (migrate.Driver, error) {
	return inspectConfig{}.openAtlas(conn, nil)
}
