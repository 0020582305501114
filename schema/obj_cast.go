package schema

import (
	"context"
	"database/sql"
	"fmt"
)

// PgCast is a user-defined cast (CREATE CAST). Its Ref's Name is
// "(source AS target)", which is also its SQLName.
type PgCast struct {
	PgHeader
	// Source and Target are the types as format_type prints them.
	Source, Target string
	// Method is pg_cast.castmethod: 'f' WITH FUNCTION, 'b' WITHOUT
	// FUNCTION (binary coercible), 'i' WITH INOUT.
	Method byte
	// Function is the qualified function with its argument types
	// (regprocedure), set when Method is 'f'.
	Function string
	// Context is pg_cast.castcontext: 'e' explicit only, 'a' AS
	// ASSIGNMENT, 'i' AS IMPLICIT.
	Context byte
}

// CreateSQL returns the CREATE CAST statement and the comment.
func (c *PgCast) CreateSQL() []string {
	s := "CREATE CAST " + c.SQLName
	switch c.Method {
	case 'f':
		s += " WITH FUNCTION " + c.Function
	case 'b':
		s += " WITHOUT FUNCTION"
	default:
		s += " WITH INOUT"
	}
	switch c.Context {
	case 'a':
		s += " AS ASSIGNMENT"
	case 'i':
		s += " AS IMPLICIT"
	}
	return append([]string{s}, commentSQL("CAST", c.SQLName, c.Comment)...)
}

// castsQuery reads the casts created by users: those of extensions are
// left out, and so are the ones a type creates for itself (those hold an
// internal dependency).
const castsQuery = `
SELECT c.oid::int8, pg_catalog.format_type(c.castsource, NULL), pg_catalog.format_type(c.casttarget, NULL),
	c.castmethod::text, CASE WHEN c.castfunc <> 0 THEN c.castfunc::regprocedure::text ELSE '' END, c.castcontext::text,
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = c.oid AND dsc.classoid = 'pg_catalog.pg_cast'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_cast c
WHERE c.oid >= 16384 AND %s
	AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend i WHERE i.classid = 'pg_catalog.pg_cast'::regclass AND i.objid = c.oid AND i.deptype = 'i')
ORDER BY 2, 3`

func (in *objInspector) readCasts(ctx context.Context) error {
	return in.queryArgs(ctx, fmt.Sprintf(castsQuery, notExtMember("pg_cast", "c.oid")), nil, func(rows *sql.Rows) error {
		var (
			oid          int64
			c            = &PgCast{}
			method, cctx string
		)
		if err := rows.Scan(&oid, &c.Source, &c.Target, &method, &c.Function, &cctx, &c.Comment); err != nil {
			return err
		}
		c.Method, c.Context = method[0], cctx[0]
		c.SQLName = "(" + c.Source + " AS " + c.Target + ")"
		c.ID = PgRef{Kind: PgKindCast, Name: c.SQLName}
		in.add("pg_cast", oid, c)
		return nil
	})
}

// commentSQL returns the COMMENT ON statement of a non-empty comment.
func commentSQL(what, name, comment string) []string {
	if comment == "" {
		return nil
	}
	return []string{"COMMENT ON " + what + " " + name + " IS " + QuoteLiteral(comment)}
}
