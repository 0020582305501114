package diff

import (
	"strings"
	"testing"

	"ariga.io/atlas/sql/migrate"
)

// twoWay is an acceptance case run in both directions: a → b must
// contain wantAB, b → a wantBA.
type twoWay struct {
	name           string
	a, b           string
	wantAB, wantBA []string
}

const pgFDW = `CREATE EXTENSION IF NOT EXISTS postgres_fdw;
CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'db.example', dbname 'app');
`

const fileFDW = `CREATE EXTENSION IF NOT EXISTS file_fdw;
CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;
`

const langHandlers = `CREATE FUNCTION plh() RETURNS language_handler AS '$libdir/plpgsql', 'plpgsql_call_handler' LANGUAGE C;
CREATE FUNCTION plv(oid) RETURNS void AS '$libdir/plpgsql', 'plpgsql_validator' LANGUAGE C;
`

// transformBase has a language and two C functions of the signatures a
// transform needs (never called).
const transformBase = langHandlers + `CREATE LANGUAGE plx HANDLER plh;
CREATE TYPE pair AS (a int, b int);
CREATE FUNCTION pair_from(internal) RETURNS internal IMMUTABLE AS '$libdir/plpgsql', 'plpgsql_call_handler' LANGUAGE C;
CREATE FUNCTION pair_to(internal) RETURNS pair IMMUTABLE AS '$libdir/plpgsql', 'plpgsql_call_handler' LANGUAGE C;
`

const castBase = `CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TYPE pair AS (a int, b int);
CREATE FUNCTION pair_text(pair) RETURNS text LANGUAGE sql IMMUTABLE AS $$SELECT $1.a || ',' || $1.b$$;
`

const ruleBase = baseTable + `CREATE TABLE log (id int);
`

var twoWayCases = []twoWay{
	// Casts.
	{name: "cast with function", a: castBase,
		b:      castBase + `CREATE CAST (pair AS text) WITH FUNCTION pair_text(pair) AS ASSIGNMENT; COMMENT ON CAST (pair AS text) IS 'pairs';`,
		wantAB: []string{"CREATE CAST (public.pair AS text) WITH FUNCTION public.pair_text(public.pair) AS ASSIGNMENT", "COMMENT ON CAST (public.pair AS text) IS 'pairs'"},
		wantBA: []string{"DROP CAST (public.pair AS text)"}},
	{name: "cast context and method",
		a:      castBase + `CREATE CAST (pair AS text) WITH FUNCTION pair_text(pair); CREATE CAST (date AS integer) WITHOUT FUNCTION;`,
		b:      castBase + `CREATE CAST (pair AS text) WITH INOUT AS IMPLICIT; CREATE CAST (date AS integer) WITHOUT FUNCTION AS ASSIGNMENT;`,
		wantAB: []string{"DROP CAST (date AS integer)", "CREATE CAST (date AS integer) WITHOUT FUNCTION AS ASSIGNMENT", "CREATE CAST (public.pair AS text) WITH INOUT AS IMPLICIT"},
		wantBA: []string{"CREATE CAST (public.pair AS text) WITH FUNCTION public.pair_text(public.pair)"}},
	{name: "cast and its function changed together",
		a:      castBase + `CREATE CAST (pair AS text) WITH FUNCTION pair_text(pair);`,
		b:      strings.Replace(castBase, "RETURNS text", "RETURNS varchar", 1) + `CREATE FUNCTION pair_text2(pair) RETURNS text LANGUAGE sql AS 'SELECT 1::text'; CREATE CAST (pair AS text) WITH FUNCTION pair_text2(pair);`,
		wantAB: []string{"DROP CAST", "CREATE CAST (public.pair AS text) WITH FUNCTION public.pair_text2(public.pair)"},
		wantBA: []string{"DROP CAST", "CREATE CAST (public.pair AS text) WITH FUNCTION public.pair_text(public.pair)"}},
	// Rules.
	{name: "rule on table", a: ruleBase,
		b:      ruleBase + `CREATE RULE t_log AS ON INSERT TO t DO ALSO INSERT INTO log VALUES (NEW.id); COMMENT ON RULE t_log ON t IS 'audit';`,
		wantAB: []string{"CREATE RULE t_log AS", "ON INSERT TO public.t DO  INSERT INTO public.log", "COMMENT ON RULE t_log ON public.t IS 'audit'"},
		wantBA: []string{"DROP RULE t_log ON public.t"}},
	{name: "rule changed and disabled",
		a:      ruleBase + `CREATE RULE t_log AS ON INSERT TO t DO ALSO INSERT INTO log VALUES (NEW.id);`,
		b:      ruleBase + `CREATE RULE t_log AS ON INSERT TO t WHERE NEW.a > 0 DO INSTEAD NOTHING; ALTER TABLE t DISABLE RULE t_log;`,
		wantAB: []string{"CREATE OR REPLACE RULE t_log AS", "DO INSTEAD NOTHING", "ALTER TABLE public.t DISABLE RULE t_log"},
		wantBA: []string{"CREATE OR REPLACE RULE t_log AS", "ALTER TABLE public.t ENABLE RULE t_log"}},
	{name: "rule on an extension's view is the extension's", a: "",
		b:      `CREATE EXTENSION IF NOT EXISTS cube; CREATE VIEW ext_v AS SELECT 1 AS x; CREATE RULE ext_v_del AS ON DELETE TO ext_v DO INSTEAD NOTHING; ALTER EXTENSION cube ADD VIEW ext_v;`,
		wantAB: []string{"CREATE EXTENSION IF NOT EXISTS cube"},
		wantBA: []string{"DROP EXTENSION"}},
	{name: "rule on view recreated with its view",
		a:      baseTable + `CREATE VIEW v AS SELECT id, a FROM t; CREATE RULE v_ins AS ON INSERT TO v DO INSTEAD INSERT INTO t (id, a) VALUES (NEW.id, NEW.a);`,
		b:      baseTable + `CREATE VIEW v AS SELECT id FROM t; CREATE RULE v_ins AS ON INSERT TO v DO INSTEAD INSERT INTO t (id) VALUES (NEW.id);`,
		wantAB: []string{"DROP RULE v_ins ON public.v", "DROP VIEW public.v", "CREATE VIEW public.v", "CREATE RULE v_ins"},
		wantBA: []string{"CREATE OR REPLACE VIEW public.v", "CREATE OR REPLACE RULE v_ins"}},
	{name: "rule on a table that goes away", a: ruleBase + `CREATE RULE t_log AS ON INSERT TO t DO ALSO INSERT INTO log VALUES (NEW.id);`,
		b:      baseTable,
		wantAB: []string{"DROP RULE t_log ON public.t", `DROP TABLE "public"."log"`},
		wantBA: []string{`CREATE TABLE "public"."log"`, "CREATE RULE t_log"}},
	{name: "rule on a column that goes away",
		a:      ruleBase + `CREATE RULE t_log AS ON UPDATE TO t WHERE NEW.b IS NOT NULL DO ALSO INSERT INTO log VALUES (NEW.id);`,
		b:      `CREATE TABLE t (id int PRIMARY KEY, a int); CREATE TABLE log (id int); CREATE RULE t_log AS ON UPDATE TO t DO ALSO INSERT INTO log VALUES (NEW.id);`,
		wantAB: []string{"DROP RULE t_log ON public.t", `DROP COLUMN "b"`, "CREATE RULE t_log"},
		wantBA: []string{`ADD COLUMN "b"`, "CREATE OR REPLACE RULE t_log"}},
	// Languages, access methods.
	{name: "language", a: langHandlers,
		b:      langHandlers + `CREATE LANGUAGE plx HANDLER plh; COMMENT ON LANGUAGE plx IS 'x';`,
		wantAB: []string{"CREATE LANGUAGE plx HANDLER public.plh", "COMMENT ON LANGUAGE plx IS 'x'"},
		wantBA: []string{"DROP LANGUAGE plx"}},
	{name: "language trusted with validator", a: langHandlers + `CREATE LANGUAGE plx HANDLER plh;`,
		b:      langHandlers + `CREATE TRUSTED LANGUAGE plx HANDLER plh VALIDATOR plv;`,
		wantAB: []string{"CREATE OR REPLACE TRUSTED LANGUAGE plx HANDLER public.plh VALIDATOR public.plv"},
		wantBA: []string{"CREATE OR REPLACE LANGUAGE plx HANDLER public.plh"}},
	{name: "language created with its handler", a: "",
		b:      langHandlers + `CREATE LANGUAGE plx HANDLER plh VALIDATOR plv;`,
		wantAB: []string{"FUNCTION public.plh()", "CREATE LANGUAGE plx"},
		wantBA: []string{"DROP LANGUAGE plx", "DROP FUNCTION public.plh()"}},
	{name: "access methods", a: "",
		b:      `CREATE ACCESS METHOD heap2 TYPE TABLE HANDLER heap_tableam_handler; CREATE ACCESS METHOD bt2 TYPE INDEX HANDLER bthandler; COMMENT ON ACCESS METHOD heap2 IS 'h';`,
		wantAB: []string{"CREATE ACCESS METHOD bt2 TYPE INDEX HANDLER bthandler", "CREATE ACCESS METHOD heap2 TYPE TABLE HANDLER heap_tableam_handler", "COMMENT ON ACCESS METHOD heap2 IS 'h'"},
		wantBA: []string{"DROP ACCESS METHOD bt2", "DROP ACCESS METHOD heap2"}},
	{name: "transform", a: transformBase,
		b:      transformBase + `CREATE TRANSFORM FOR pair LANGUAGE plx (FROM SQL WITH FUNCTION pair_from(internal), TO SQL WITH FUNCTION pair_to(internal)); COMMENT ON TRANSFORM FOR pair LANGUAGE plx IS 'tr';`,
		wantAB: []string{"CREATE TRANSFORM FOR public.pair LANGUAGE plx (FROM SQL WITH FUNCTION public.pair_from(internal), TO SQL WITH FUNCTION public.pair_to(internal))", "COMMENT ON TRANSFORM FOR public.pair LANGUAGE plx IS 'tr'"},
		wantBA: []string{"DROP TRANSFORM FOR public.pair LANGUAGE plx"}},
	{name: "transform functions changed", a: transformBase + `CREATE TRANSFORM FOR pair LANGUAGE plx (FROM SQL WITH FUNCTION pair_from(internal));`,
		b:      transformBase + `CREATE TRANSFORM FOR pair LANGUAGE plx (TO SQL WITH FUNCTION pair_to(internal));`,
		wantAB: []string{"CREATE OR REPLACE TRANSFORM FOR public.pair LANGUAGE plx (TO SQL WITH FUNCTION public.pair_to(internal))"},
		wantBA: []string{"CREATE OR REPLACE TRANSFORM FOR public.pair LANGUAGE plx (FROM SQL WITH FUNCTION public.pair_from(internal))"}},
	// Foreign-data wrappers, servers, user mappings, foreign tables.
	{name: "foreign-data wrapper", a: `CREATE EXTENSION file_fdw;`,
		b:      `CREATE EXTENSION file_fdw; CREATE FOREIGN DATA WRAPPER w OPTIONS (a '1', b '2'); COMMENT ON FOREIGN DATA WRAPPER w IS 'mine';`,
		wantAB: []string{"CREATE FOREIGN DATA WRAPPER w OPTIONS (\"a\" '1', \"b\" '2')", "COMMENT ON FOREIGN DATA WRAPPER w IS 'mine'"},
		wantBA: []string{"DROP FOREIGN DATA WRAPPER w"}},
	{name: "foreign-data wrapper altered", a: `CREATE EXTENSION file_fdw; CREATE FOREIGN DATA WRAPPER w OPTIONS (a '1', b '2');`,
		b:      `CREATE EXTENSION file_fdw; CREATE FOREIGN DATA WRAPPER w HANDLER file_fdw_handler VALIDATOR file_fdw_validator;`,
		wantAB: []string{"ALTER FOREIGN DATA WRAPPER w HANDLER public.file_fdw_handler VALIDATOR public.file_fdw_validator OPTIONS (DROP \"a\", DROP \"b\")"},
		wantBA: []string{"ALTER FOREIGN DATA WRAPPER w NO HANDLER NO VALIDATOR OPTIONS (ADD \"a\" '1', ADD \"b\" '2')"}},
	{name: "server and user mapping", a: `CREATE EXTENSION postgres_fdw;`,
		b:      pgFDW + `CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (user 'app'); COMMENT ON SERVER s IS 'remote';`,
		wantAB: []string{"CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw OPTIONS (\"host\" 'db.example', \"dbname\" 'app')", "CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (\"user\" 'app')"},
		wantBA: []string{"DROP USER MAPPING FOR PUBLIC SERVER s", "DROP SERVER s"}},
	{name: "server and user mapping altered",
		a:      pgFDW + `CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (user 'app');`,
		b:      strings.Replace(pgFDW, "s FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'db.example', dbname 'app')", "s VERSION '15' FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'db2.example', port '5433')", 1) + `CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (user 'other');`,
		wantAB: []string{"ALTER SERVER s VERSION '15' OPTIONS (SET \"host\" 'db2.example', ADD \"port\" '5433', DROP \"dbname\")", "ALTER USER MAPPING FOR PUBLIC SERVER s OPTIONS (SET \"user\" 'other')"},
		wantBA: []string{"ALTER SERVER s VERSION NULL OPTIONS (SET \"host\" 'db.example', ADD \"dbname\" 'app', DROP \"port\")"}},
	{name: "server type recreates it and its mappings",
		a:      pgFDW + `CREATE USER MAPPING FOR PUBLIC SERVER s;`,
		b:      strings.Replace(pgFDW, "CREATE SERVER s", "CREATE SERVER s TYPE 'pg'", 1) + `CREATE USER MAPPING FOR PUBLIC SERVER s;`,
		wantAB: []string{"DROP USER MAPPING FOR PUBLIC SERVER s", "DROP SERVER s", "CREATE SERVER s TYPE 'pg'", "CREATE USER MAPPING FOR PUBLIC SERVER s"},
		wantBA: []string{"DROP SERVER s", "CREATE SERVER s FOREIGN"}},
	{name: "foreign table", a: baseTable + pgFDW,
		b: baseTable + pgFDW + `CREATE FOREIGN TABLE ft (id int NOT NULL, b text OPTIONS (column_name 'bb') COLLATE "C" DEFAULT 'x', CONSTRAINT id_pos CHECK (id > 0)) SERVER s OPTIONS (schema_name 'remote', table_name 'items');
COMMENT ON FOREIGN TABLE ft IS 'items'; COMMENT ON COLUMN ft.b IS 'bee'; CREATE VIEW fv AS SELECT id FROM ft;`,
		wantAB: []string{"CREATE FOREIGN TABLE public.ft (", `b text OPTIONS ("column_name" 'bb') COLLATE pg_catalog."C" DEFAULT 'x'::text`, "CONSTRAINT id_pos CHECK ((id > 0))", "SERVER s OPTIONS (\"schema_name\" 'remote', \"table_name\" 'items')", "CREATE VIEW public.fv"},
		wantBA: []string{"DROP VIEW public.fv", "DROP FOREIGN TABLE public.ft"}},
	{name: "foreign table altered",
		a:      pgFDW + `CREATE FOREIGN TABLE ft (id int, b text) SERVER s OPTIONS (table_name 'items');`,
		b:      pgFDW + `CREATE FOREIGN TABLE ft (id int NOT NULL DEFAULT 1, b text OPTIONS (column_name 'bb')) SERVER s OPTIONS (table_name 'things', schema_name 'x');`,
		wantAB: []string{"ALTER FOREIGN TABLE public.ft ALTER COLUMN id SET NOT NULL, ALTER COLUMN id SET DEFAULT 1, ALTER COLUMN b OPTIONS (ADD \"column_name\" 'bb'), OPTIONS (SET \"table_name\" 'things', ADD \"schema_name\" 'x')"},
		wantBA: []string{"ALTER COLUMN id DROP NOT NULL", "ALTER COLUMN id DROP DEFAULT", "OPTIONS (DROP \"column_name\")", "DROP \"schema_name\""}},
	{name: "foreign table columns recreate it and its view",
		a:      pgFDW + `CREATE FOREIGN TABLE ft (id int, b text) SERVER s; CREATE VIEW fv AS SELECT id FROM ft;`,
		b:      fileFDW + pgFDW + `CREATE FOREIGN TABLE ft (id bigint, b text, c date) SERVER files OPTIONS (filename '/dev/null', format 'csv'); CREATE VIEW fv AS SELECT id FROM ft;`,
		wantAB: []string{"DROP VIEW public.fv", "DROP FOREIGN TABLE public.ft", "CREATE FOREIGN TABLE public.ft", "CREATE VIEW public.fv"},
		wantBA: []string{"DROP VIEW public.fv", "DROP FOREIGN TABLE public.ft", "CREATE FOREIGN TABLE public.ft", "CREATE VIEW public.fv"}},
	// Publications.
	{name: "publication of tables", a: ruleBase,
		b:      ruleBase + `CREATE PUBLICATION p FOR TABLE t (id, a) WHERE (a > 0), log WITH (publish = 'insert, update'); COMMENT ON PUBLICATION p IS 'feed';`,
		wantAB: []string{"CREATE PUBLICATION p FOR TABLE public.log, TABLE public.t (id, a) WHERE ((a > 0)) WITH (publish = 'insert, update', publish_via_partition_root = false)", "COMMENT ON PUBLICATION p IS 'feed'"},
		wantBA: []string{"DROP PUBLICATION p"}},
	{name: "publication changed", a: ruleBase + `CREATE SCHEMA s2; CREATE PUBLICATION p FOR TABLE t;`,
		b:      ruleBase + `CREATE SCHEMA s2; CREATE PUBLICATION p FOR TABLE log, TABLES IN SCHEMA s2 WITH (publish = 'delete', publish_via_partition_root = true);`,
		wantAB: []string{"ALTER PUBLICATION p SET TABLE public.log, TABLES IN SCHEMA s2;", "ALTER PUBLICATION p SET (publish = 'delete', publish_via_partition_root = true)"},
		wantBA: []string{"ALTER PUBLICATION p SET TABLE public.t", "ALTER PUBLICATION p SET (publish = 'insert, update, delete, truncate', publish_via_partition_root = false)"}},
	{name: "publication emptied and all tables",
		a:      ruleBase + `CREATE PUBLICATION p FOR TABLE t; CREATE PUBLICATION everything FOR ALL TABLES;`,
		b:      ruleBase + `CREATE PUBLICATION p; CREATE PUBLICATION everything FOR TABLE log;`,
		wantAB: []string{"DROP PUBLICATION everything", "CREATE PUBLICATION everything FOR TABLE public.log", "ALTER PUBLICATION p DROP TABLE public.t"},
		wantBA: []string{"CREATE PUBLICATION everything FOR ALL TABLES", "ALTER PUBLICATION p SET TABLE public.t"}},
	{name: "publication column list on a column that goes away",
		a:      ruleBase + `CREATE PUBLICATION p FOR TABLE t (id, b);`,
		b:      `CREATE TABLE t (id int PRIMARY KEY, a int); CREATE TABLE log (id int); CREATE PUBLICATION p FOR TABLE t (id);`,
		wantAB: []string{"DROP PUBLICATION p", `DROP COLUMN "b"`, "CREATE PUBLICATION p FOR TABLE public.t (id)"},
		wantBA: []string{`ADD COLUMN "b"`, "ALTER PUBLICATION p SET TABLE public.t (id, b)"}},
	{name: "publication of a new table", a: "",
		b:      ruleBase + `CREATE PUBLICATION p FOR TABLE t;`,
		wantAB: []string{`CREATE TABLE "public"."t"`, "CREATE PUBLICATION p FOR TABLE public.t"},
		wantBA: []string{"DROP PUBLICATION p", `DROP TABLE "public"."t"`}},
}

// TestMoreObjectsAcceptance runs the cases of casts, rules, languages,
// access methods, transforms, foreign data and publications in both
// directions through the commands' pipeline.
func TestMoreObjectsAcceptance(t *testing.T) {
	t.Parallel()
	for _, c := range twoWayCases {
		for _, dir := range []struct {
			name     string
			old, new string
			want     []string
		}{{"forward", c.a, c.b, c.wantAB}, {"back", c.b, c.a, c.wantBA}} {
			t.Run(c.name+"/"+dir.name, func(t *testing.T) {
				t.Parallel()
				plan, err := roundTripState(t, dir.old, dir.new, ObjectOptions{})
				if err != nil {
					t.Fatal(err)
				}
				var stmts []*migrate.Change
				for _, s := range plan.Stmts {
					stmts = append(stmts, &migrate.Change{Cmd: s.SQL})
				}
				checkOrder(t, stmts, dir.want)
			})
		}
	}
}

// TestUserMappingPasswordPlans: a password is compared by its hash; a
// plan may keep or drop it, never set it, and never prints it.
func TestUserMappingPasswordPlans(t *testing.T) {
	t.Parallel()
	const secret = "pw-5f2a-secret"
	with := pgFDW + `CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (user 'app', password '` + secret + `');`
	for _, c := range []struct {
		name, old, new string
		want, wantErr  string
	}{
		{name: "kept", old: with, new: strings.Replace(with, "user 'app'", "user 'other'", 1), want: `OPTIONS (SET "user" 'other')`},
		{name: "dropped", old: with, new: pgFDW + `CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (user 'app');`, want: `OPTIONS (DROP "password")`},
		{name: "added", old: pgFDW + `CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (user 'app');`, new: with, wantErr: "OPTIONS (ADD password '...')"},
		{name: "changed", old: strings.Replace(with, secret, "old-pw", 1), new: with, wantErr: "OPTIONS (SET password '...')"},
		{name: "created", old: `CREATE EXTENSION postgres_fdw;`, new: with, wantErr: "must be created with a password option"},
		{name: "server recreated", old: with, new: strings.Replace(with, "CREATE SERVER s", "CREATE SERVER s TYPE 'x'", 1), wantErr: "must be created again"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			plan, err := roundTripState(t, c.old, c.new, ObjectOptions{})
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), "writes no password") {
					t.Fatalf("want an error with %q, got %v", c.wantErr, err)
				}
				if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "old-pw") {
					t.Fatalf("the error prints a password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sql := plan.SQL(); !strings.Contains(sql, c.want) || strings.Contains(sql, secret) {
				t.Fatalf("plan:\n%s", sql)
			}
		})
	}
}

// TestForeignTableGrants: grants on a foreign table come after it and go
// before it.
func TestForeignTableGrants(t *testing.T) {
	t.Parallel()
	base := roles + pgFDW + `CREATE FOREIGN TABLE ft (id int) SERVER s;`
	with := base + ` GRANT SELECT ON ft TO objtest_ro;`
	for _, c := range []struct{ name, old, new, want string }{
		{"grant", base, with, "GRANT SELECT ON TABLE public.ft TO objtest_ro"},
		{"create with grant", roles, with, "CREATE FOREIGN TABLE public.ft"},
		{"drop with grant", with, roles, "DROP FOREIGN TABLE public.ft"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			plan, err := roundTripState(t, c.old, c.new, ObjectOptions{IncludePrivileges: true})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(plan.SQL(), c.want) {
				t.Fatalf("plan lacks %q:\n%s", c.want, plan.SQL())
			}
		})
	}
}
