package schema

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/schemactl/schemactl/internal/pgquote"
)

// PgCollation is a collation (CREATE COLLATION), ICU or libc.
type PgCollation struct {
	PgHeader
	// Provider is "icu" or "libc".
	Provider string
	// Locale is the ICU locale; for libc, the locale when LC_COLLATE and
	// LC_CTYPE are the same.
	Locale string
	// Collate and Ctype are libc's LC_COLLATE and LC_CTYPE when they differ.
	Collate, Ctype string
	// Rules are ICU tailoring rules (PostgreSQL 16 and later), "" when none.
	Rules string
	// Deterministic is false for collations that compare strings equal
	// whose bytes differ (ICU only).
	Deterministic bool
}

// The locale columns are read through to_jsonb: their names change
// between PostgreSQL versions (colliculocale in 15, colllocale in 17).
const collationsQuery = `
SELECT c.oid::int8, n.nspname, c.collname,
	CASE c.collprovider WHEN 'i' THEN 'icu' WHEN 'c' THEN 'libc' ELSE c.collprovider::text END,
	COALESCE(c.collcollate, ''), COALESCE(c.collctype, ''),
	COALESCE(pg_catalog.to_jsonb(c) ->> 'colliculocale', pg_catalog.to_jsonb(c) ->> 'colllocale', ''),
	COALESCE(pg_catalog.to_jsonb(c) ->> 'collicurules', ''),
	c.collisdeterministic,
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = c.oid AND dsc.classoid = 'pg_catalog.pg_collation'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace
WHERE n.nspname = ANY($1) AND %s
ORDER BY 2, 3`

func (in *objInspector) readCollations(ctx context.Context) error {
	return in.query(ctx, fmt.Sprintf(collationsQuery, notExtMember("pg_collation", "c.oid")), func(rows *sql.Rows) error {
		var (
			oid                              int64
			c                                = &PgCollation{}
			schemaName, name, collate, ctype string
		)
		if err := rows.Scan(&oid, &schemaName, &name, &c.Provider, &collate, &ctype, &c.Locale, &c.Rules,
			&c.Deterministic, &c.Comment); err != nil {
			return err
		}
		if c.Provider == "libc" {
			if collate == ctype {
				c.Locale = collate
			} else {
				c.Collate, c.Ctype = collate, ctype
			}
		}
		c.setName(schemaName, name)
		in.add("pg_collation", oid, c)
		return nil
	})
}

func (c *PgCollation) setName(schemaName, name string) {
	c.ID = PgRef{Kind: PgKindCollation, Schema: schemaName, Name: name}
	c.SQLName = QName{Schema: schemaName, Name: name}.String()
}

// CreateSQL returns the statements that create the collation and its
// comment.
func (c *PgCollation) CreateSQL() []string {
	opts := []string{"provider = " + c.Provider}
	if c.Locale != "" {
		opts = append(opts, "locale = "+pgquote.Literal(c.Locale))
	}
	if c.Collate != "" || c.Ctype != "" {
		opts = append(opts, "lc_collate = "+pgquote.Literal(c.Collate), "lc_ctype = "+pgquote.Literal(c.Ctype))
	}
	if c.Rules != "" {
		opts = append(opts, "rules = "+pgquote.Literal(c.Rules))
	}
	if !c.Deterministic {
		opts = append(opts, "deterministic = false")
	}
	return withComment([]string{"CREATE COLLATION " + c.SQLName + " (" + strings.Join(opts, ", ") + ")"}, "COLLATION", c.SQLName, c.Comment)
}

// SameDefinition reports whether o is the same collation but for its
// comment.
func (c *PgCollation) SameDefinition(o *PgCollation) bool {
	return c.Provider == o.Provider && c.Locale == o.Locale && c.Collate == o.Collate && c.Ctype == o.Ctype &&
		c.Rules == o.Rules && c.Deterministic == o.Deterministic
}

func (c *PgCollation) hclType() string { return "collation" }

func (c *PgCollation) hclFields() []kindField {
	return []kindField{
		{name: "provider", s: &c.Provider, ident: true}, {name: "locale", s: &c.Locale},
		{name: "lc_collate", s: &c.Collate}, {name: "lc_ctype", s: &c.Ctype}, {name: "rules", s: &c.Rules},
		{name: "deterministic", b: &c.Deterministic, def: true},
	}
}

// withComment appends the COMMENT ON statement of a non-empty comment.
func withComment(stmts []string, what, name, comment string) []string {
	if comment == "" {
		return stmts
	}
	return append(stmts, fmt.Sprintf("COMMENT ON %s %s IS %s", what, name, pgquote.Literal(comment)))
}

// atlasCollation turns a column's collation as the catalog reader names it
// (quote_ident'ed and qualified: pg_catalog."C", app.ci) into the value of
// Atlas's Collation attribute. Atlas keeps one name, without its schema,
// and prints it between double quotes as it is: a collation outside
// pg_catalog is given as schema"."name, which prints as "schema"."name",
// so that the column finds its collation whatever the search_path.
func atlasCollation(qualified string) string {
	schemaName, name := splitQualified(qualified)
	if schemaName == "pg_catalog" || schemaName == "" {
		return name
	}
	return strings.ReplaceAll(schemaName, `"`, `""`) + `"."` + strings.ReplaceAll(name, `"`, `""`)
}

// splitQualified splits schema.name, each part quoted as quote_ident
// does, and unquotes them.
func splitQualified(q string) (schemaName, name string) {
	quoted := false
	for i, r := range q {
		switch {
		case r == '"':
			quoted = !quoted
		case r == '.' && !quoted:
			return unquoteIdent(q[:i]), unquoteIdent(q[i+1:])
		}
	}
	return "", unquoteIdent(q)
}
