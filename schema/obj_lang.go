package schema

import (
	"context"
	"database/sql"
	"fmt"
)

// PgLanguage is a procedural language created with CREATE LANGUAGE (not
// by an extension).
type PgLanguage struct {
	PgHeader
	// Trusted is lanpltrusted.
	Trusted bool
	// Handler, Inline and Validator are the qualified function names
	// (regproc), "" when absent.
	Handler, Inline, Validator string
}

// CreateSQL returns the CREATE LANGUAGE statement (CREATE OR REPLACE when
// replace is set) and, for a new language, the comment.
func (l *PgLanguage) CreateSQL(replace bool) []string {
	s := "CREATE "
	if replace {
		s += "OR REPLACE "
	}
	if l.Trusted {
		s += "TRUSTED "
	}
	s += "LANGUAGE " + l.SQLName + " HANDLER " + l.Handler
	if l.Inline != "" {
		s += " INLINE " + l.Inline
	}
	if l.Validator != "" {
		s += " VALIDATOR " + l.Validator
	}
	if replace {
		return []string{s}
	}
	return append([]string{s}, commentSQL("LANGUAGE", l.SQLName, l.Comment)...)
}

const languagesQuery = `
SELECT l.oid::int8, l.lanname, pg_catalog.quote_ident(l.lanname), l.lanpltrusted,
	l.lanplcallfoid::regproc::text,
	CASE WHEN l.laninline <> 0 THEN l.laninline::regproc::text ELSE '' END,
	CASE WHEN l.lanvalidator <> 0 THEN l.lanvalidator::regproc::text ELSE '' END,
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = l.oid AND dsc.classoid = 'pg_catalog.pg_language'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_language l
WHERE l.oid >= 16384 AND l.lanispl AND %s
ORDER BY 2`

func (in *objInspector) readLanguages(ctx context.Context) error {
	return in.queryArgs(ctx, fmt.Sprintf(languagesQuery, notExtMember("pg_language", "l.oid")), nil, func(rows *sql.Rows) error {
		var (
			oid  int64
			l    = &PgLanguage{}
			name string
		)
		if err := rows.Scan(&oid, &name, &l.SQLName, &l.Trusted, &l.Handler, &l.Inline, &l.Validator, &l.Comment); err != nil {
			return err
		}
		l.ID = PgRef{Kind: PgKindLanguage, Name: name}
		in.add("pg_language", oid, l)
		return nil
	})
}

// PgAccessMethod is an access method created with CREATE ACCESS METHOD.
type PgAccessMethod struct {
	PgHeader
	// Type is TABLE or INDEX.
	Type string
	// Handler is the qualified handler function (regproc).
	Handler string
}

// CreateSQL returns the CREATE ACCESS METHOD statement and the comment.
func (a *PgAccessMethod) CreateSQL() []string {
	return append([]string{"CREATE ACCESS METHOD " + a.SQLName + " TYPE " + a.Type + " HANDLER " + a.Handler},
		commentSQL("ACCESS METHOD", a.SQLName, a.Comment)...)
}

const accessMethodsQuery = `
SELECT a.oid::int8, a.amname, pg_catalog.quote_ident(a.amname), CASE a.amtype WHEN 't' THEN 'TABLE' ELSE 'INDEX' END,
	a.amhandler::regproc::text, COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = a.oid AND dsc.classoid = 'pg_catalog.pg_am'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_am a
WHERE a.oid >= 16384 AND %s
ORDER BY 2`

func (in *objInspector) readAccessMethods(ctx context.Context) error {
	return in.queryArgs(ctx, fmt.Sprintf(accessMethodsQuery, notExtMember("pg_am", "a.oid")), nil, func(rows *sql.Rows) error {
		var (
			oid  int64
			a    = &PgAccessMethod{}
			name string
		)
		if err := rows.Scan(&oid, &name, &a.SQLName, &a.Type, &a.Handler, &a.Comment); err != nil {
			return err
		}
		a.ID = PgRef{Kind: PgKindAccessMethod, Name: name}
		in.add("pg_am", oid, a)
		return nil
	})
}

// PgTransform is a transform (CREATE TRANSFORM) of a type for a language.
// Its SQLName is "FOR type LANGUAGE lang".
type PgTransform struct {
	PgHeader
	// Type is the type as format_type prints it, Language the quoted
	// language name.
	Type, Language string
	// FromSQL and ToSQL are the functions with their argument types
	// (regprocedure), "" when absent.
	FromSQL, ToSQL string
}

// CreateSQL returns the CREATE TRANSFORM statement and the comment.
func (t *PgTransform) CreateSQL() []string {
	return append([]string{"CREATE TRANSFORM " + t.SQLName + " (" + t.functions() + ")"},
		commentSQL("TRANSFORM", t.SQLName, t.Comment)...)
}

func (t *PgTransform) functions() string {
	var s string
	if t.FromSQL != "" {
		s = "FROM SQL WITH FUNCTION " + t.FromSQL
	}
	if t.ToSQL != "" {
		if s != "" {
			s += ", "
		}
		s += "TO SQL WITH FUNCTION " + t.ToSQL
	}
	return s
}

// ReplaceSQL returns the CREATE OR REPLACE TRANSFORM statement.
func (t *PgTransform) ReplaceSQL() string {
	return "CREATE OR REPLACE TRANSFORM " + t.SQLName + " (" + t.functions() + ")"
}

const transformsQuery = `
SELECT t.oid::int8, pg_catalog.format_type(t.trftype, NULL), pg_catalog.quote_ident(l.lanname),
	CASE WHEN t.trffromsql <> 0 THEN t.trffromsql::regprocedure::text ELSE '' END,
	CASE WHEN t.trftosql <> 0 THEN t.trftosql::regprocedure::text ELSE '' END,
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = t.oid AND dsc.classoid = 'pg_catalog.pg_transform'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_transform t JOIN pg_catalog.pg_language l ON l.oid = t.trflang
WHERE %s
ORDER BY 2, 3`

func (in *objInspector) readTransforms(ctx context.Context) error {
	return in.queryArgs(ctx, fmt.Sprintf(transformsQuery, notExtMember("pg_transform", "t.oid")), nil, func(rows *sql.Rows) error {
		var (
			oid int64
			t   = &PgTransform{}
		)
		if err := rows.Scan(&oid, &t.Type, &t.Language, &t.FromSQL, &t.ToSQL, &t.Comment); err != nil {
			return err
		}
		t.SQLName = "FOR " + t.Type + " LANGUAGE " + t.Language
		t.ID = PgRef{Kind: PgKindTransform, Name: t.SQLName}
		in.add("pg_transform", oid, t)
		return nil
	})
}
