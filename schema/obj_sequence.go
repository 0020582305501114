package schema

import (
	"context"
	"database/sql"
	"fmt"

	"ariga.io/atlas/sql/postgres"
	atlas "ariga.io/atlas/sql/schema"
)

// PgSequence is a standalone sequence: one that is not behind an identity
// column and not a plain serial column's (those stay as Atlas models them).
type PgSequence struct {
	PgHeader
	// Type is smallint, integer or bigint.
	Type string
	// Start, Increment, Min, Max and Cache are the sequence's options.
	Start, Increment, Min, Max, Cache int64
	// Cycle is set for CYCLE sequences.
	Cycle bool
	// OwnedBy is the column of ALTER SEQUENCE ... OWNED BY, if any.
	OwnedBy *PgRef
	// OwnedBySQL is OwnedBy as SQL (quoted table.column).
	OwnedBySQL string
}

const seqQuery = `
SELECT c.oid::int8, n.nspname, c.relname,
	pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname),
	pg_catalog.format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = c.oid AND dsc.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dsc.objsubid = 0), ''),
	COALESCE(tn.nspname, ''), COALESCE(tc.relname, ''), COALESCE(a.attname, ''),
	COALESCE(pg_catalog.quote_ident(tn.nspname) || '.' || pg_catalog.quote_ident(tc.relname) || '.' || pg_catalog.quote_ident(a.attname), ''),
	COALESCE(pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), '')
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
	AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
LEFT JOIN pg_catalog.pg_class tc ON tc.oid = d.refobjid
LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = d.refobjid AND ad.adnum = d.refobjsubid
WHERE c.relkind = 'S' AND n.nspname = ANY($1) AND %s AND COALESCE(d.deptype, 'a') <> 'i'
ORDER BY 2, 3`

// nextvalQuery lists the column defaults that call nextval, as PostgreSQL
// prints them with an empty search_path.
const nextvalQuery = `
SELECT n.nspname, c.relname, a.attname, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid)
FROM pg_catalog.pg_attrdef ad
JOIN pg_catalog.pg_class c ON c.oid = ad.adrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
WHERE n.nspname = ANY($1) AND pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) LIKE 'nextval(%%'`

func (in *objInspector) readSequences(ctx context.Context) error {
	var seqs []*PgSequence
	serial := map[PgRef]bool{} // sequences left to Atlas's serial columns
	err := in.query(ctx, fmt.Sprintf(seqQuery, notExtMember("pg_class", "c.oid")), func(rows *sql.Rows) error {
		var (
			oid                                    int64
			s                                      = &PgSequence{}
			schemaName, name, tns, tname, col, def string
		)
		if err := rows.Scan(&oid, &schemaName, &name, &s.SQLName, &s.Type, &s.Start, &s.Increment, &s.Min, &s.Max,
			&s.Cache, &s.Cycle, &s.Comment, &tns, &tname, &col, &s.OwnedBySQL, &def); err != nil {
			return err
		}
		s.ID = PgRef{Kind: PgKindSequence, Schema: schemaName, Name: name}
		if col != "" {
			s.OwnedBy = &PgRef{Kind: PgKindColumn, Schema: tns, Name: tname, Sub: col}
			if in.isSerial(s, def) {
				serial[s.ID] = true
				return nil
			}
		}
		seqs = append(seqs, s)
		in.add("pg_class", oid, s)
		return nil
	})
	if err != nil {
		return err
	}
	// Atlas reads every integer column whose default calls nextval as a
	// serial column. Put back the plain type and default for columns that
	// use a standalone sequence, so the sequence keeps its own options.
	return in.query(ctx, nextvalQuery, func(rows *sql.Rows) error {
		var schemaName, table, col, def string
		if err := rows.Scan(&schemaName, &table, &col, &def); err != nil {
			return err
		}
		s, ok := in.r.Schema(schemaName)
		if !ok {
			return nil
		}
		t, ok := s.Table(table)
		if !ok {
			return nil
		}
		c, ok := t.Column(col)
		if !ok {
			return nil
		}
		st, ok := c.Type.Type.(*postgres.SerialType)
		if !ok {
			return nil
		}
		for _, q := range seqs {
			if q.OwnedBy != nil && *q.OwnedBy == (PgRef{Kind: PgKindColumn, Schema: schemaName, Name: table, Sub: col}) && serialSeq(q, st) {
				return nil
			}
		}
		if serial[PgRef{Kind: PgKindSequence, Schema: schemaName, Name: st.SequenceName}] {
			return nil
		}
		it := &atlas.IntegerType{T: map[string]string{"smallserial": "smallint", "serial": "integer", "bigserial": "bigint"}[st.T]}
		if it.T == "" {
			it.T = "integer"
		}
		c.Type.Type, c.Type.Raw = it, it.T
		c.Default = &atlas.RawExpr{X: def}
		return nil
	})
}

// isSerial tells whether s is the sequence of a serial column: owned by the
// column, named <table>_<column>_seq, used by its default and with the
// options that serial gives.
func (in *objInspector) isSerial(s *PgSequence, def string) bool {
	if s.OwnedBy == nil || def != fmt.Sprintf("nextval('%s'::regclass)", s.SQLName) {
		return false
	}
	ts, ok := in.r.Schema(s.OwnedBy.Schema)
	if !ok {
		return false
	}
	t, ok := ts.Table(s.OwnedBy.Name)
	if !ok {
		return false
	}
	c, ok := t.Column(s.OwnedBy.Sub)
	if !ok {
		return false
	}
	st, ok := c.Type.Type.(*postgres.SerialType)
	return ok && serialSeq(s, st) && s.ID.Schema == s.OwnedBy.Schema
}

// serialSeq tells whether the options of s are those a serial column of
// type st creates.
func serialSeq(s *PgSequence, st *postgres.SerialType) bool {
	typ, max := "integer", int64(1<<31-1)
	switch st.T {
	case "smallserial":
		typ, max = "smallint", 1<<15-1
	case "bigserial":
		typ, max = "bigint", 1<<63-1
	}
	return s.ID.Name == st.SequenceName && s.Type == typ && s.Start == 1 && s.Increment == 1 &&
		s.Min == 1 && s.Max == max && s.Cache == 1 && !s.Cycle
}
