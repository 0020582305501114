package schema

import (
	"context"
	"database/sql"
	"fmt"
)

// PgDomain is a domain type.
type PgDomain struct {
	PgHeader
	// BaseType is the underlying type (format_type).
	BaseType string
	// Collation is the qualified collation when not the base type's.
	Collation string
	// NotNull is set for NOT NULL domains.
	NotNull bool
	// Default is the default expression, "" when none.
	Default string
	// Checks are the CHECK constraints, sorted by name.
	Checks []PgDomainCheck
}

// PgDomainCheck is a CHECK constraint of a domain.
type PgDomainCheck struct {
	Name      string `json:"name"`      // quoted
	Def       string `json:"def"`       // pg_get_constraintdef
	Validated bool   `json:"validated"` // false for NOT VALID
}

const domainsQuery = `
SELECT t.oid::int8, n.nspname, t.typname, pg_catalog.format_type(t.oid, NULL),
	pg_catalog.format_type(t.typbasetype, t.typtypmod), t.typnotnull,
	COALESCE(pg_catalog.pg_get_expr(t.typdefaultbin, 0), ''),
	COALESCE((SELECT pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname)
		FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
		JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
		WHERE co.oid = t.typcollation AND t.typcollation <> bt.typcollation), ''),
	(SELECT json_agg(json_build_object('name', pg_catalog.quote_ident(c.conname), 'def', pg_catalog.pg_get_constraintdef(c.oid),
		'validated', c.convalidated) ORDER BY c.conname)
	 FROM pg_catalog.pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c'),
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = t.oid AND dsc.classoid = 'pg_catalog.pg_type'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'd' AND n.nspname = ANY($1) AND %s
ORDER BY 2, 3`

func (in *objInspector) readDomains(ctx context.Context) error {
	return in.query(ctx, fmt.Sprintf(domainsQuery, notExtMember("pg_type", "t.oid")), func(rows *sql.Rows) error {
		var (
			oid              int64
			d                = &PgDomain{}
			schemaName, name string
			checks           []byte
		)
		if err := rows.Scan(&oid, &schemaName, &name, &d.SQLName, &d.BaseType, &d.NotNull, &d.Default,
			&d.Collation, &checks, &d.Comment); err != nil {
			return err
		}
		if err := jsonInto(checks, &d.Checks); err != nil {
			return err
		}
		d.ID = PgRef{Kind: PgKindDomain, Schema: schemaName, Name: name}
		in.add("pg_type", oid, d)
		return nil
	})
}

// PgComposite is a composite type (CREATE TYPE ... AS (...)).
type PgComposite struct {
	PgHeader
	// Attributes are the fields, in order.
	Attributes []PgAttribute
}

// PgAttribute is a field of a composite type.
type PgAttribute struct {
	Name      string `json:"name"` // quoted
	Type      string `json:"type"` // format_type
	Collation string `json:"collation"`
	Comment   string `json:"comment"`
}

const compositesQuery = `
SELECT t.oid::int8, t.typrelid::int8, n.nspname, t.typname, pg_catalog.format_type(t.oid, NULL),
	(SELECT json_agg(json_build_object('name', pg_catalog.quote_ident(a.attname),
		'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
		'collation', COALESCE((SELECT pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname)
			FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
			JOIN pg_catalog.pg_type at ON at.oid = a.atttypid
			WHERE co.oid = a.attcollation AND a.attcollation <> at.typcollation), ''),
		'comment', COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = t.typrelid AND dsc.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dsc.objsubid = a.attnum), '')) ORDER BY a.attnum)
	 FROM pg_catalog.pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped),
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = t.oid AND dsc.classoid = 'pg_catalog.pg_type'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
JOIN pg_catalog.pg_class c ON c.oid = t.typrelid AND c.relkind = 'c'
WHERE t.typtype = 'c' AND n.nspname = ANY($1) AND %s
ORDER BY 3, 4`

func (in *objInspector) readComposites(ctx context.Context) error {
	return in.query(ctx, fmt.Sprintf(compositesQuery, notExtMember("pg_type", "t.oid")), func(rows *sql.Rows) error {
		var (
			oid, rel         int64
			c                = &PgComposite{}
			schemaName, name string
			attrs            []byte
		)
		if err := rows.Scan(&oid, &rel, &schemaName, &name, &c.SQLName, &attrs, &c.Comment); err != nil {
			return err
		}
		if err := jsonInto(attrs, &c.Attributes); err != nil {
			return err
		}
		c.ID = PgRef{Kind: PgKindComposite, Schema: schemaName, Name: name}
		in.add("pg_type", oid, c)
		in.byOID[oidKey("pg_class", rel)] = c
		return nil
	})
}

// PgRange is a range type.
type PgRange struct {
	PgHeader
	// Subtype is the element type.
	Subtype string
	// Opclass is the subtype's b-tree operator class when not the default.
	Opclass string
	// Collation is the qualified collation when not the subtype's.
	Collation string
	// Canonical and SubtypeDiff are the qualified functions, "" when none.
	Canonical, SubtypeDiff string
	// Multirange is the multirange type's qualified name.
	Multirange string
}

const rangesQuery = `
SELECT t.oid::int8, n.nspname, t.typname, pg_catalog.format_type(t.oid, NULL),
	pg_catalog.format_type(r.rngsubtype, NULL),
	COALESCE((SELECT pg_catalog.quote_ident(on2.nspname) || '.' || pg_catalog.quote_ident(oc.opcname)
		FROM pg_catalog.pg_opclass oc JOIN pg_catalog.pg_namespace on2 ON on2.oid = oc.opcnamespace
		WHERE oc.oid = r.rngsubopc AND NOT oc.opcdefault), ''),
	COALESCE((SELECT pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname)
		FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
		JOIN pg_catalog.pg_type st ON st.oid = r.rngsubtype
		WHERE co.oid = r.rngcollation AND r.rngcollation <> st.typcollation), ''),
	COALESCE(NULLIF(r.rngcanonical, 0)::regproc::text, ''), COALESCE(NULLIF(r.rngsubdiff, 0)::regproc::text, ''),
	COALESCE(pg_catalog.format_type(NULLIF(r.rngmultitypid, 0), NULL), ''),
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = t.oid AND dsc.classoid = 'pg_catalog.pg_type'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
JOIN pg_catalog.pg_range r ON r.rngtypid = t.oid
WHERE t.typtype = 'r' AND n.nspname = ANY($1) AND %s
ORDER BY 2, 3`

func (in *objInspector) readRanges(ctx context.Context) error {
	return in.query(ctx, fmt.Sprintf(rangesQuery, notExtMember("pg_type", "t.oid")), func(rows *sql.Rows) error {
		var (
			oid              int64
			r                = &PgRange{}
			schemaName, name string
		)
		if err := rows.Scan(&oid, &schemaName, &name, &r.SQLName, &r.Subtype, &r.Opclass, &r.Collation,
			&r.Canonical, &r.SubtypeDiff, &r.Multirange, &r.Comment); err != nil {
			return err
		}
		r.ID = PgRef{Kind: PgKindRange, Schema: schemaName, Name: name}
		in.add("pg_type", oid, r)
		return nil
	})
}
