package diff

import (
	"testing"

	"ariga.io/atlas/sql/migrate"
)

// myint is a base type whose I/O functions are PostgreSQL's own int4in
// and int4out (LANGUAGE internal); mytext a variable-length one.
const (
	myintFuncs = `CREATE TYPE myint;
CREATE FUNCTION myint_in(cstring) RETURNS myint LANGUAGE internal IMMUTABLE STRICT AS 'int4in';
CREATE FUNCTION myint_out(myint) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'int4out';
`
	myint   = myintFuncs + "CREATE TYPE myint (INPUT = myint_in, OUTPUT = myint_out, INTERNALLENGTH = 4, PASSEDBYVALUE, ALIGNMENT = int4);\n"
	mytextF = `CREATE TYPE mytext;
CREATE FUNCTION mytext_in(cstring) RETURNS mytext LANGUAGE internal IMMUTABLE STRICT AS 'textin';
CREATE FUNCTION mytext_out(mytext) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'textout';
`
)

var baseTypeCases = []objCase{
	{name: "create base type", old: "", new: myint + `COMMENT ON TYPE myint IS 'an int';`,
		want: []string{`CREATE TYPE public.myint`, `CREATE OR REPLACE FUNCTION public.myint_in(cstring)`,
			`CREATE TYPE public.myint (INPUT = public.myint_in, OUTPUT = public.myint_out, INTERNALLENGTH = 4, PASSEDBYVALUE`,
			`COMMENT ON TYPE public.myint IS 'an int'`},
		absent: []string{`CREATE FUNCTION`}},
	{name: "drop base type", old: myint, new: "", want: []string{`DROP TYPE public.myint CASCADE`}, absent: []string{`DROP FUNCTION`}},
	{name: "comment base type", old: myint, new: myint + `COMMENT ON TYPE myint IS 'x'; COMMENT ON FUNCTION myint_in(cstring) IS 'in';`,
		want: []string{`COMMENT ON FUNCTION public.myint_in(cstring) IS 'in'`, `COMMENT ON TYPE public.myint IS 'x'`}, absent: []string{`DROP TYPE`}},
	{name: "table column of a base type", old: myint, new: myint + `CREATE TABLE t (id int, v myint, vs myint[]);`,
		want: []string{`CREATE TABLE`}},
	{name: "create base type and column", old: "", new: myint + `CREATE TABLE t (id int, v myint);`,
		want: []string{`CREATE TYPE public.myint (`, `CREATE TABLE`}},
	{name: "storage changes in place", old: mytextF + `CREATE TYPE mytext (INPUT = mytext_in, OUTPUT = mytext_out, STORAGE = extended, COLLATABLE = true, CATEGORY = 'S');
CREATE TABLE t (v mytext);`,
		new: mytextF + `CREATE TYPE mytext (INPUT = mytext_in, OUTPUT = mytext_out, STORAGE = main, COLLATABLE = true, CATEGORY = 'S');
CREATE TABLE t (v mytext);`,
		want: []string{`ALTER TYPE public.mytext SET (STORAGE = main)`}, absent: []string{`DROP TYPE`}},
	{name: "alignment change recreates", old: myint, new: myintFuncs + "CREATE TYPE myint (INPUT = myint_in, OUTPUT = myint_out, INTERNALLENGTH = 4, PASSEDBYVALUE, ALIGNMENT = int4, DELIMITER = ';');",
		want: []string{`DROP TYPE public.myint CASCADE`, `CREATE TYPE public.myint`, `DELIMITER = ';'`}},
	{name: "grant on a base type", old: roles + myint, new: roles + myint + `GRANT USAGE ON TYPE myint TO objtest_app;`,
		opts: ObjectOptions{IncludePrivileges: true}, want: []string{`GRANT USAGE ON TYPE public.myint TO objtest_app`}},
	{name: "create a base type with a grant", old: roles, new: roles + myint + `GRANT USAGE ON TYPE myint TO objtest_app;`,
		opts: ObjectOptions{IncludePrivileges: true}, want: []string{`CREATE TYPE public.myint (`, `GRANT USAGE ON TYPE public.myint TO objtest_app`}},
	{name: "revoke on a base type", old: roles + myint + `GRANT USAGE ON TYPE myint TO objtest_app;`, new: roles + myint,
		opts: ObjectOptions{IncludePrivileges: true}, want: []string{`REVOKE`}, absent: []string{`DROP TYPE`}},
	{name: "create shell type", old: "", new: `CREATE TYPE shell; COMMENT ON TYPE shell IS 'later';`,
		want: []string{`CREATE TYPE public.shell`, `COMMENT ON TYPE public.shell IS 'later'`}, absent: []string{`CREATE TYPE public.shell (`}},
	{name: "drop shell type", old: `CREATE TYPE shell;`, new: "", want: []string{`DROP TYPE public.shell`}},
	{name: "comment shell type", old: `CREATE TYPE shell; COMMENT ON TYPE shell IS 'a';`, new: `CREATE TYPE shell;`,
		want: []string{`COMMENT ON TYPE public.shell IS NULL`}, absent: []string{`DROP TYPE`, `CREATE TYPE`}},
	{name: "shell type gets its definition", old: `CREATE TYPE myint;`, new: myint,
		want:   []string{`CREATE OR REPLACE FUNCTION public.myint_in(cstring)`, `CREATE TYPE public.myint (INPUT = public.myint_in`},
		absent: []string{`DROP TYPE`}},
	{name: "base type back to a shell", old: myint, new: `CREATE TYPE myint;`,
		want: []string{`DROP TYPE public.myint CASCADE`, `CREATE TYPE public.myint`}, absent: []string{`CREATE TYPE public.myint (`}},
	{name: "change used by a column is refused", old: myint + `CREATE TABLE t (v myint);`,
		new:     myintFuncs + "CREATE TYPE myint (INPUT = myint_in, OUTPUT = myint_out, INTERNALLENGTH = 4, PASSEDBYVALUE, CATEGORY = 'N'); CREATE TABLE t (v myint);",
		wantErr: "cannot recreate base type public.myint"},
}

// TestBaseTypeAcceptance runs the base type cases through the commands'
// pipeline: plan, proof, and an empty second diff.
func TestBaseTypeAcceptance(t *testing.T) {
	t.Parallel()
	for _, c := range baseTypeCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			plan, err := roundTripState(t, c.old, c.new, c.opts)
			var stmts []*migrate.Change
			if plan != nil {
				for _, s := range plan.Stmts {
					stmts = append(stmts, &migrate.Change{Cmd: s.SQL})
				}
			}
			checkCase(t, c, stmts, err)
		})
	}
}
