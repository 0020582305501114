package schema

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// PgExtension is an installed extension (plpgsql, which every database
// has, is left out).
type PgExtension struct {
	PgHeader
	// Name is the quoted extension name.
	Name string
	// SchemaName is the quoted schema of the extension's objects.
	SchemaName string
	// Version is the installed version.
	Version string
}

const extensionsQuery = `
SELECT x.oid::int8, x.extname, pg_catalog.quote_ident(x.extname), pg_catalog.quote_ident(n.nspname), x.extversion,
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = x.oid AND dsc.classoid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND dsc.objsubid = 0), ''), n.nspname
FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace
WHERE x.extname <> 'plpgsql'
ORDER BY 2`

func (in *objInspector) readExtensions(ctx context.Context) error {
	return in.queryArgs(ctx, extensionsQuery, nil, func(rows *sql.Rows) error {
		var (
			oid          int64
			x            = &PgExtension{}
			name, schema string
		)
		if err := rows.Scan(&oid, &name, &x.Name, &x.SchemaName, &x.Version, &x.Comment, &schema); err != nil {
			return err
		}
		if len(in.opts.Schemas) > 0 && !slices.Contains(in.opts.Schemas, schema) {
			return nil // installed in a schema left out of the scope
		}
		x.ID = PgRef{Kind: PgKindExtension, Name: name}
		x.SQLName = x.Name
		in.add("pg_extension", oid, x)
		return nil
	})
}

// PgPolicy is a row level security policy of a table. Its Ref has the
// table in Schema/Name and the policy name in Sub.
type PgPolicy struct {
	PgHeader
	// Table is the quoted, qualified table name.
	Table string
	// Name is the quoted policy name.
	Name string
	// Permissive is false for AS RESTRICTIVE policies.
	Permissive bool
	// Command is ALL, SELECT, INSERT, UPDATE or DELETE.
	Command string
	// Roles are the quoted role names (PUBLIC for everyone).
	Roles []string
	// Using and WithCheck are the expressions, "" when absent.
	Using, WithCheck string
}

const policiesQuery = `
SELECT p.oid::int8, n.nspname, c.relname, p.polname,
	pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname), pg_catalog.quote_ident(p.polname),
	p.polpermissive, p.polcmd::text,
	(SELECT json_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(r)) END ORDER BY 1)
	 FROM pg_catalog.unnest(p.polroles) r),
	COALESCE(pg_catalog.pg_get_expr(p.polqual, p.polrelid), ''),
	COALESCE(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), ''),
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = p.oid AND dsc.classoid = 'pg_catalog.pg_policy'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_policy p
JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1) AND %s
ORDER BY 2, 3, 4`

func (in *objInspector) readPolicies(ctx context.Context) error {
	return in.query(ctx, fmt.Sprintf(policiesQuery, notExtMember("pg_class", "c.oid")), func(rows *sql.Rows) error {
		var (
			oid                          int64
			p                            = &PgPolicy{}
			schemaName, table, name, cmd string
			roles                        []byte
		)
		if err := rows.Scan(&oid, &schemaName, &table, &name, &p.Table, &p.Name, &p.Permissive, &cmd, &roles,
			&p.Using, &p.WithCheck, &p.Comment); err != nil {
			return err
		}
		p.Command = map[string]string{"r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE", "*": "ALL"}[cmd]
		if err := jsonInto(roles, &p.Roles); err != nil {
			return err
		}
		p.ID = PgRef{Kind: PgKindPolicy, Schema: schemaName, Name: table, Sub: name}
		p.SQLName = p.Name + " ON " + p.Table
		in.add("pg_policy", oid, p)
		return nil
	})
}

// PgRowSecurity holds the row level security flags of a table (ALTER
// TABLE ... ENABLE / FORCE ROW LEVEL SECURITY). Tables without either flag
// have none.
type PgRowSecurity struct {
	PgHeader
	// Enabled and Forced are relrowsecurity and relforcerowsecurity.
	Enabled, Forced bool
}

const rlsQuery = `
SELECT c.oid::int8, n.nspname, c.relname, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname),
	c.relrowsecurity, c.relforcerowsecurity
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND (c.relrowsecurity OR c.relforcerowsecurity) AND n.nspname = ANY($1) AND %s
ORDER BY 2, 3`

func (in *objInspector) readRowSecurity(ctx context.Context) error {
	return in.query(ctx, fmt.Sprintf(rlsQuery, notExtMember("pg_class", "c.oid")), func(rows *sql.Rows) error {
		var (
			oid               int64
			r                 = &PgRowSecurity{}
			schemaName, table string
		)
		if err := rows.Scan(&oid, &schemaName, &table, &r.SQLName, &r.Enabled, &r.Forced); err != nil {
			return err
		}
		r.ID = PgRef{Kind: PgKindRowSecurity, Schema: schemaName, Name: table}
		r.DependsOn = []PgRef{TableRef(schemaName, table)}
		in.add("", oid, r)
		return nil
	})
}
