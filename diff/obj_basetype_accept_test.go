package diff

import (
	"testing"
)

// myint is a base type whose I/O functions are PostgreSQL's own int4in
// and int4out (LANGUAGE internal); mytext a variable-length one.
const (
	myintFuncs = `CREATE TYPE myint;
CREATE FUNCTION myint_in(cstring) RETURNS myint LANGUAGE internal IMMUTABLE STRICT AS 'int4in';
CREATE FUNCTION myint_out(myint) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'int4out';
`
	myint = myintFuncs + "CREATE TYPE myint (INPUT = myint_in, OUTPUT = myint_out, INTERNALLENGTH = 4, PASSEDBYVALUE, ALIGNMENT = int4);\n"
	// myintAll are the other support functions myint can have, from
	// int4recv, int4send, varchar's typmod functions, arrays' analyze.
	myintAll = myintFuncs + `CREATE FUNCTION myint_recv(internal) RETURNS myint LANGUAGE internal IMMUTABLE STRICT AS 'int4recv';
CREATE FUNCTION myint_send(myint) RETURNS bytea LANGUAGE internal IMMUTABLE STRICT AS 'int4send';
CREATE FUNCTION myint_typmod_in(cstring[]) RETURNS integer LANGUAGE internal IMMUTABLE STRICT AS 'varchartypmodin';
CREATE FUNCTION myint_typmod_out(integer) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'varchartypmodout';
CREATE FUNCTION myint_analyze(internal) RETURNS boolean LANGUAGE internal STRICT AS 'array_typanalyze';
`
	myintPlain = "INPUT = myint_in, OUTPUT = myint_out, INTERNALLENGTH = 4, PASSEDBYVALUE, ALIGNMENT = int4"
	// mypoint is point's layout: two float8, subscripted as an array of
	// them when it has raw_array_subscript_handler.
	mypointFuncs = `CREATE TYPE mypoint;
CREATE FUNCTION mypoint_in(cstring) RETURNS mypoint LANGUAGE internal IMMUTABLE STRICT AS 'point_in';
CREATE FUNCTION mypoint_out(mypoint) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'point_out';
CREATE FUNCTION mypoint_subscript(internal) RETURNS internal LANGUAGE internal IMMUTABLE STRICT AS 'raw_array_subscript_handler';
`
	mypointBare = "INPUT = mypoint_in, OUTPUT = mypoint_out, INTERNALLENGTH = 16, ALIGNMENT = double"
	mypointOpts = mypointBare + ", ELEMENT = float8"
	mytextF     = `CREATE TYPE mytext;
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
	{name: "create base type with every support function", old: "",
		new: myintAll + "CREATE TYPE myint (" + myintPlain + `, RECEIVE = myint_recv, SEND = myint_send,
	TYPMOD_IN = myint_typmod_in, TYPMOD_OUT = myint_typmod_out, ANALYZE = myint_analyze);
CREATE TABLE t (v myint(7), vs myint(3)[]);`,
		want: []string{`CREATE OR REPLACE FUNCTION public.myint_typmod_in(cstring[])`, `CREATE TYPE public.myint;`,
			`CREATE TYPE public.myint (INPUT = public.myint_in, OUTPUT = public.myint_out, RECEIVE = public.myint_recv, SEND = public.myint_send, ` +
				`TYPMOD_IN = public.myint_typmod_in, TYPMOD_OUT = public.myint_typmod_out, ANALYZE = public.myint_analyze,`,
			`CREATE TABLE`}},
	{name: "create base type with element and subscript", old: "",
		new:  mypointFuncs + "CREATE TYPE mypoint (" + mypointOpts + ", SUBSCRIPT = mypoint_subscript);\nCREATE TABLE t (p mypoint);",
		want: []string{`CREATE TYPE public.mypoint (`, `SUBSCRIPT = public.mypoint_subscript`, `ELEMENT = double precision`, `CREATE TABLE`}},
	{name: "receive and send set in place", old: myintAll + "CREATE TYPE myint (" + myintPlain + ");\nCREATE TABLE t (v myint);",
		new:    myintAll + "CREATE TYPE myint (" + myintPlain + ", RECEIVE = myint_recv, SEND = myint_send);\nCREATE TABLE t (v myint);",
		want:   []string{`ALTER TYPE public.myint SET (RECEIVE = public.myint_recv, SEND = public.myint_send)`},
		absent: []string{`DROP`, `CREATE TYPE`}, stmts: 1},
	{name: "receive and send with new functions", old: myint + "CREATE TABLE t (v myint);",
		new: myintAll + "CREATE TYPE myint (" + myintPlain + ", RECEIVE = myint_recv, SEND = myint_send);\nCREATE TABLE t (v myint);",
		want: []string{`CREATE OR REPLACE FUNCTION public.myint_recv(internal)`, `CREATE OR REPLACE FUNCTION public.myint_send(public.myint)`,
			`ALTER TYPE public.myint SET (RECEIVE = public.myint_recv, SEND = public.myint_send)`},
		absent: []string{`DROP`, `CREATE TYPE`}},
	{name: "receive and send removed in place", old: myintAll + "CREATE TYPE myint (" + myintPlain + ", RECEIVE = myint_recv, SEND = myint_send);\nCREATE TABLE t (v myint);",
		new:    myint + "CREATE TABLE t (v myint);",
		want:   []string{`ALTER TYPE public.myint SET (RECEIVE = NONE, SEND = NONE)`, `DROP FUNCTION public.myint_recv(internal)`, `DROP FUNCTION public.myint_send(public.myint)`},
		absent: []string{`DROP TYPE`, `CREATE TYPE`}},
	{name: "receive and send left, functions kept", old: myintAll + "CREATE TYPE myint (" + myintPlain + ", RECEIVE = myint_recv, SEND = myint_send);\nCREATE TABLE t (v myint);",
		new:    myintAll + "CREATE TYPE myint (" + myintPlain + ");\nCREATE TABLE t (v myint);",
		want:   []string{`ALTER TYPE public.myint SET (RECEIVE = NONE, SEND = NONE)`},
		absent: []string{`DROP`, `CREATE`}, stmts: 1},
	{name: "shell with its functions gets its definition", old: myintFuncs, new: myint,
		want:   []string{`CREATE TYPE public.myint (`},
		absent: []string{`DROP`}},
	{name: "receive changed to another function", old: myintAll + "CREATE TYPE myint (" + myintPlain + ", RECEIVE = myint_recv);\nCREATE TABLE t (v myint);",
		new: myintFuncs + `CREATE FUNCTION myint_recv2(internal) RETURNS myint LANGUAGE internal IMMUTABLE STRICT AS 'int4recv';
COMMENT ON FUNCTION myint_recv2(internal) IS 'binary input';
CREATE TYPE myint (` + myintPlain + ", RECEIVE = myint_recv2);\nCREATE TABLE t (v myint);",
		want: []string{`CREATE OR REPLACE FUNCTION public.myint_recv2(internal)`, `ALTER TYPE public.myint SET (RECEIVE = public.myint_recv2)`,
			`DROP FUNCTION public.myint_recv(internal)`, `COMMENT ON FUNCTION public.myint_recv2(internal) IS 'binary input'`},
		absent: []string{`DROP TYPE`, `CREATE TYPE`}},
	{name: "typmod functions set in place", old: myintAll + "CREATE TYPE myint (" + myintPlain + ");\nCREATE TABLE t (v myint);",
		new:    myintAll + "CREATE TYPE myint (" + myintPlain + ", TYPMOD_IN = myint_typmod_in, TYPMOD_OUT = myint_typmod_out);\nCREATE TABLE t (v myint, w myint(5));",
		want:   []string{`ALTER TYPE public.myint SET (TYPMOD_IN = public.myint_typmod_in, TYPMOD_OUT = public.myint_typmod_out)`, `ADD COLUMN "w" public.myint(5)`},
		absent: []string{`DROP`, `CREATE TYPE`}},
	{name: "typmod functions removed in place", old: myintAll + "CREATE TYPE myint (" + myintPlain + ", TYPMOD_IN = myint_typmod_in, TYPMOD_OUT = myint_typmod_out);\nCREATE TABLE t (v myint);",
		new:    myintAll + "CREATE TYPE myint (" + myintPlain + ");\nCREATE TABLE t (v myint);",
		want:   []string{`ALTER TYPE public.myint SET (TYPMOD_IN = NONE, TYPMOD_OUT = NONE)`},
		absent: []string{`DROP`, `CREATE TYPE`}, stmts: 1},
	{name: "typmod functions created and set in place", old: myint + "CREATE TABLE t (v myint);",
		new: myintAll + "CREATE TYPE myint (" + myintPlain + ", TYPMOD_IN = myint_typmod_in, TYPMOD_OUT = myint_typmod_out);\nCREATE TABLE t (v myint);",
		want: []string{`CREATE OR REPLACE FUNCTION public.myint_typmod_in(cstring[])`,
			`ALTER TYPE public.myint SET (TYPMOD_IN = public.myint_typmod_in, TYPMOD_OUT = public.myint_typmod_out)`},
		absent: []string{`DROP`, `CREATE TYPE`}},
	{name: "typmod functions removed and dropped", old: myintAll + "CREATE TYPE myint (" + myintPlain + ", TYPMOD_IN = myint_typmod_in, TYPMOD_OUT = myint_typmod_out);\nCREATE TABLE t (v myint);",
		new:    myint + "CREATE TABLE t (v myint);",
		want:   []string{`ALTER TYPE public.myint SET (TYPMOD_IN = NONE, TYPMOD_OUT = NONE)`, `DROP FUNCTION public.myint_typmod_in(cstring[])`},
		absent: []string{`DROP TYPE`, `CREATE TYPE`}},
	{name: "analyze set in place", old: myintAll + "CREATE TYPE myint (" + myintPlain + ");\nCREATE TABLE t (v myint);",
		new:    myintAll + "CREATE TYPE myint (" + myintPlain + ", ANALYZE = myint_analyze);\nCREATE TABLE t (v myint);",
		want:   []string{`ALTER TYPE public.myint SET (ANALYZE = public.myint_analyze)`},
		absent: []string{`DROP`, `CREATE TYPE`}, stmts: 1},
	{name: "analyze removed in place", old: myintAll + "CREATE TYPE myint (" + myintPlain + ", ANALYZE = myint_analyze);\nCREATE TABLE t (v myint);",
		new:    myintAll + "CREATE TYPE myint (" + myintPlain + ");\nCREATE TABLE t (v myint);",
		want:   []string{`ALTER TYPE public.myint SET (ANALYZE = NONE)`},
		absent: []string{`DROP`, `CREATE TYPE`}, stmts: 1},
	{name: "subscript set in place", old: mypointFuncs + "CREATE TYPE mypoint (" + mypointOpts + ");\nCREATE TABLE t (p mypoint);",
		new:    mypointFuncs + "CREATE TYPE mypoint (" + mypointOpts + ", SUBSCRIPT = mypoint_subscript);\nCREATE TABLE t (p mypoint);",
		want:   []string{`ALTER TYPE public.mypoint SET (SUBSCRIPT = public.mypoint_subscript)`},
		absent: []string{`DROP`, `CREATE TYPE`}, stmts: 1},
	{name: "subscript back to the element's default in place", old: mypointFuncs + "CREATE TYPE mypoint (" + mypointOpts + ", SUBSCRIPT = mypoint_subscript);\nCREATE TABLE t (p mypoint);",
		new:    mypointFuncs + "CREATE TYPE mypoint (" + mypointOpts + ");\nCREATE TABLE t (p mypoint);",
		want:   []string{`ALTER TYPE public.mypoint SET (SUBSCRIPT = raw_array_subscript_handler)`},
		absent: []string{`DROP`, `CREATE TYPE`}, stmts: 1},
	{name: "subscript removed in place", old: mypointFuncs + "CREATE TYPE mypoint (" + mypointBare + ", SUBSCRIPT = mypoint_subscript);\nCREATE TABLE t (p mypoint);",
		new:    mypointFuncs + "CREATE TYPE mypoint (" + mypointBare + ");\nCREATE TABLE t (p mypoint);",
		want:   []string{`ALTER TYPE public.mypoint SET (SUBSCRIPT = NONE)`},
		absent: []string{`DROP`, `CREATE TYPE`}, stmts: 1},
	{name: "element change under a column is refused", old: mypointFuncs + "CREATE TYPE mypoint (" + mypointOpts + ");\nCREATE TABLE t (p mypoint);",
		new:     mypointFuncs + "CREATE TYPE mypoint (" + mypointBare + ");\nCREATE TABLE t (p mypoint);",
		wantErr: "cannot recreate base type public.mypoint"},
	{name: "storage to plain recreates", old: mytextF + "CREATE TYPE mytext (INPUT = mytext_in, OUTPUT = mytext_out, STORAGE = extended);",
		new:  mytextF + "CREATE TYPE mytext (INPUT = mytext_in, OUTPUT = mytext_out, STORAGE = plain);",
		want: []string{`DROP TYPE public.mytext CASCADE`, `STORAGE = plain`}},
}

// TestBaseTypeAcceptance runs the base type cases through the commands'
// pipeline: plan, proof, and an empty second diff.
func TestBaseTypeAcceptance(t *testing.T) {
	t.Parallel()
	for _, c := range baseTypeCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			checkPipeline(t, c)
		})
	}
}
