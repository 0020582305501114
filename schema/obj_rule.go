package schema

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// PgRule is a rewrite rule (CREATE RULE) on a table or a view, other than
// a view's own _RETURN rule. Its Ref has the relation in Schema/Name and
// the rule name in Sub; it is compared on pg_get_ruledef.
type PgRule struct {
	PgHeader
	// Table is the quoted, qualified relation, Name the quoted rule name.
	Table, Name string
	// Def is the CREATE RULE statement pg_get_ruledef prints (without
	// its final semicolon).
	Def string
	// Enabled is pg_rewrite.ev_enabled: 'O' (the default), 'D', 'R', 'A'.
	Enabled byte
}

// CreateSQL returns the statements that create the rule: CREATE OR
// REPLACE RULE when replace is set (and then without the comment).
func (r *PgRule) CreateSQL(replace bool) []string {
	def := r.Def
	if replace {
		def = strings.Replace(def, "CREATE RULE", "CREATE OR REPLACE RULE", 1)
	}
	stmts := []string{def}
	if r.Enabled != 'O' {
		stmts = append(stmts, r.EnableSQL())
	}
	if replace {
		return stmts
	}
	return append(stmts, commentSQL("RULE", r.SQLName, r.Comment)...)
}

// EnableSQL returns the ALTER TABLE statement that gives the rule its
// firing state.
func (r *PgRule) EnableSQL() string {
	what := map[byte]string{'O': "ENABLE", 'D': "DISABLE", 'R': "ENABLE REPLICA", 'A': "ENABLE ALWAYS"}[r.Enabled]
	return "ALTER TABLE " + r.Table + " " + what + " RULE " + r.Name
}

const rulesQuery = `
SELECT w.oid::int8, n.nspname, c.relname, w.rulename,
	pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname), pg_catalog.quote_ident(w.rulename),
	pg_catalog.pg_get_ruledef(w.oid), w.ev_enabled::text,
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = w.oid AND dsc.classoid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_rewrite w
JOIN pg_catalog.pg_class c ON c.oid = w.ev_class
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE w.rulename <> '_RETURN' AND n.nspname = ANY($1) AND %s
ORDER BY 2, 3, 4`

func (in *objInspector) readRules(ctx context.Context) error {
	// A rule on an extension's table or view is the extension's, even
	// when the extension's script did not make the rule itself a member.
	cond := notExtMember("pg_rewrite", "w.oid") + " AND " + notExtMember("pg_class", "c.oid")
	return in.query(ctx, fmt.Sprintf(rulesQuery, cond), func(rows *sql.Rows) error {
		var (
			oid                         int64
			r                           = &PgRule{}
			schemaName, table, name, en string
		)
		if err := rows.Scan(&oid, &schemaName, &table, &name, &r.Table, &r.Name, &r.Def, &en, &r.Comment); err != nil {
			return err
		}
		r.Def = strings.TrimSuffix(strings.TrimSpace(r.Def), ";")
		r.Enabled = en[0]
		r.ID = PgRef{Kind: PgKindRule, Schema: schemaName, Name: table, Sub: name}
		r.SQLName = r.Name + " ON " + r.Table
		in.add("pg_rewrite", oid, r)
		return nil
	})
}
