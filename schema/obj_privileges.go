package schema

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/schemactl/schemactl/internal/pgquote"
)

// PgPrivileges are the privileges granted on one object (a table, column,
// sequence, function, schema or type), read only with
// ObjectOptions.IncludePrivileges. The owner's own privileges are left out.
// Items look like `PUBLIC=USAGE` or `"app"=SELECT*` (a star marks WITH
// GRANT OPTION).
type PgPrivileges struct {
	PgHeader
	// Target is the object as GRANT names it, e.g. `TABLE public.film`,
	// `FUNCTION public.f(integer)` or `SCHEMA public`.
	Target string
	// Column is the quoted column for column privileges, "" otherwise.
	Column string
	// Items are the granted privileges, sorted.
	Items []string
	// Default are the items PostgreSQL gives the object when nothing was
	// granted or revoked.
	Default []string
}

const aclItems = `(SELECT COALESCE(json_agg(CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(x.grantee)) END
	|| '=' || x.privilege_type || CASE WHEN x.is_grantable THEN '*' ELSE '' END ORDER BY 1), '[]')
	FROM pg_catalog.aclexplode(%s) x WHERE x.grantee <> %s)`

func acl(expr, owner string) string { return fmt.Sprintf(aclItems, expr, owner) }

// privilegesQuery lists objects with explicit ACLs: kind, schema, name,
// column, GRANT target, items, default items, and the target's ref parts.
// The names are text (relname::text): as name, the type of the first
// branch, a function's signature would be cut at 63 bytes.
var privilegesQuery = `
SELECT CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' ELSE 'table' END,
	n.nspname, c.relname::text, '',
	CASE c.relkind WHEN 'S' THEN 'SEQUENCE ' ELSE 'TABLE ' END || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname),
	` + acl("c.relacl", "c.relowner") + `::text,
	` + acl("pg_catalog.acldefault((CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END)::\"char\", c.relowner)", "c.relowner") + `::text
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relacl IS NOT NULL AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND n.nspname = ANY($1) AND ` + notExtMember("pg_class", "c.oid") + `
UNION ALL
SELECT 'column', n.nspname, c.relname, a.attname,
	'TABLE ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname),
	` + acl("a.attacl", "c.relowner") + `::text, '[]'
FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped AND n.nspname = ANY($1) AND ` + notExtMember("pg_class", "c.oid") + `
UNION ALL
SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'function' END,
	n.nspname, p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')', '',
	CASE p.prokind WHEN 'p' THEN 'PROCEDURE ' ELSE 'FUNCTION ' END || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname)
		|| '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',
	` + acl("p.proacl", "p.proowner") + `::text,
	` + acl("pg_catalog.acldefault('f'::\"char\", p.proowner)", "p.proowner") + `::text
FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE p.proacl IS NOT NULL AND n.nspname = ANY($1) AND ` + notExtMember("pg_proc", "p.oid") + `
UNION ALL
SELECT 'schema', n.nspname, '', '', 'SCHEMA ' || pg_catalog.quote_ident(n.nspname),
	` + acl("n.nspacl", "n.nspowner") + `::text,
	` + acl("pg_catalog.acldefault('n'::\"char\", n.nspowner)", "n.nspowner") + `::text
FROM pg_catalog.pg_namespace n
WHERE n.nspacl IS NOT NULL AND n.nspname = ANY($1)
UNION ALL
SELECT CASE t.typtype WHEN 'd' THEN 'domain' WHEN 'e' THEN 'enum' WHEN 'r' THEN 'range type' WHEN 'b' THEN 'base type' ELSE 'composite type' END,
	n.nspname, t.typname, '', 'TYPE ' || pg_catalog.format_type(t.oid, NULL),
	` + acl("t.typacl", "t.typowner") + `::text,
	` + acl("pg_catalog.acldefault('T'::\"char\", t.typowner)", "t.typowner") + `::text
FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typacl IS NOT NULL AND t.typtype IN ('d', 'e', 'r', 'c', 'b') AND n.nspname = ANY($1) AND ` + notExtMember("pg_type", "t.oid") + `
ORDER BY 1, 2, 3, 4`

func (in *objInspector) readPrivileges(ctx context.Context) error {
	return in.query(ctx, privilegesQuery, func(rows *sql.Rows) error {
		var (
			kind, schemaName, name, col string
			items, def                  []byte
			p                           = &PgPrivileges{}
		)
		if err := rows.Scan(&kind, &schemaName, &name, &col, &p.Target, &items, &def); err != nil {
			return err
		}
		if err := jsonInto(items, &p.Items); err != nil {
			return err
		}
		if err := jsonInto(def, &p.Default); err != nil {
			return err
		}
		if slices.Equal(p.Items, p.Default) {
			// An ACL that grants what the default grants (GRANT ALL ...
			// then REVOKE ALL, leaving the owner's own): nothing to plan,
			// and what a database that never granted anything has too.
			return nil
		}
		target := PgRef{Kind: PgKind(kind), Schema: schemaName, Name: name}
		sub := kind
		switch kind {
		case "schema":
			target = PgRef{Kind: PgKindSchema, Name: schemaName}
		case "column":
			target = PgRef{Kind: PgKindColumn, Schema: schemaName, Name: name, Sub: col}
			sub = "column " + col
			p.Column = pgquote.Ident(col)
		}
		p.ID = PgRef{Kind: PgKindPrivileges, Schema: schemaName, Name: name, Sub: sub}
		p.SQLName = p.Target
		p.DependsOn = []PgRef{target}
		in.add("", 0, p)
		return nil
	})
}

// PgDefaultPrivileges are the privileges that one role's future objects of
// one kind get (ALTER DEFAULT PRIVILEGES), in one schema or everywhere.
type PgDefaultPrivileges struct {
	PgHeader
	// Role is the quoted role whose objects get the privileges.
	Role string
	// InSchema is the quoted schema, "" for all schemas.
	InSchema string
	// On is TABLES, SEQUENCES, FUNCTIONS, TYPES or SCHEMAS.
	On string
	// Items and Default are as for PgPrivileges.
	Items, Default []string
}

const defaultPrivilegesQuery = `
SELECT pg_catalog.pg_get_userbyid(d.defaclrole), pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(d.defaclrole)),
	COALESCE(n.nspname, ''), COALESCE(pg_catalog.quote_ident(n.nspname), ''), d.defaclobjtype::text,
	(SELECT COALESCE(json_agg(CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(x.grantee)) END
		|| '=' || x.privilege_type || CASE WHEN x.is_grantable THEN '*' ELSE '' END ORDER BY 1), '[]')
	 FROM pg_catalog.aclexplode(d.defaclacl) x)::text,
	CASE WHEN d.defaclnamespace = 0 THEN
	(SELECT COALESCE(json_agg(CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(x.grantee)) END
		|| '=' || x.privilege_type || CASE WHEN x.is_grantable THEN '*' ELSE '' END ORDER BY 1), '[]')
	 FROM pg_catalog.aclexplode(pg_catalog.acldefault((CASE d.defaclobjtype WHEN 'S' THEN 's' ELSE d.defaclobjtype::text END)::"char", d.defaclrole)) x)::text
	ELSE '[]' END
FROM pg_catalog.pg_default_acl d LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace
WHERE d.defaclnamespace = 0 OR n.nspname = ANY($1)
ORDER BY 1, 3, 5`

func (in *objInspector) readDefaultPrivileges(ctx context.Context) error {
	return in.query(ctx, defaultPrivilegesQuery, func(rows *sql.Rows) error {
		var (
			role, nsp, typ string
			items, def     []byte
			d              = &PgDefaultPrivileges{}
		)
		if err := rows.Scan(&role, &d.Role, &nsp, &d.InSchema, &typ, &items, &def); err != nil {
			return err
		}
		d.On = map[string]string{"r": "TABLES", "S": "SEQUENCES", "f": "FUNCTIONS", "T": "TYPES", "n": "SCHEMAS"}[typ]
		if err := jsonInto(items, &d.Items); err != nil {
			return err
		}
		if err := jsonInto(def, &d.Default); err != nil {
			return err
		}
		d.ID = PgRef{Kind: PgKindDefaultPrivileges, Schema: nsp, Name: role, Sub: d.On}
		d.SQLName = "FOR ROLE " + d.Role
		if d.InSchema != "" {
			d.SQLName += " IN SCHEMA " + d.InSchema
		}
		in.add("", 0, d)
		return nil
	})
}
