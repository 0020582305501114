package diff

import (
	"strings"
	"testing"

	"ariga.io/atlas/sql/migrate"
)

// objCase is one acceptance case: the plan from old to new must apply on
// a database built from old and leave no difference with new.
type objCase struct {
	name     string
	old, new string
	opts     ObjectOptions
	// want are substrings the plan must contain, in this order.
	want []string
	// absent are substrings the plan must not contain.
	absent []string
	// stmts, when not 0, is the number of statements the plan must have.
	stmts int
	// wantErr is a substring of the expected planning error.
	wantErr string
	// atlas also runs the case through PlanObjects with Atlas's planner;
	// only limits it to one of the two ("atlas" or "pipeline").
	atlas bool
	only  string
}

const roles = `DO $$ BEGIN
	CREATE ROLE objtest_app;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN
	CREATE ROLE objtest_ro;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
`

// TestObjectsAcceptance runs every case through the commands' pipeline
// (schema.InspectDB, Diff, Prove).
func TestObjectsAcceptance(t *testing.T) {
	t.Parallel()
	for _, c := range objCases {
		if c.only == "atlas" {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			checkPipeline(t, c)
		})
	}
}

// TestPlanObjectsAtlas runs the cases marked atlas through PlanObjects
// with Atlas's own differ and planner for the tables.
func TestPlanObjectsAtlas(t *testing.T) {
	t.Parallel()
	for _, c := range objCases {
		if !c.atlas && c.only != "atlas" || c.only == "pipeline" {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			plan, err := roundTrip(t, c.old, c.new, c.opts)
			checkCase(t, c, plan, err)
		})
	}
}

func checkCase(t *testing.T, c objCase, plan []*migrate.Change, err error) {
	t.Helper()
	if c.wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), c.wantErr) {
			t.Fatalf("want error containing %q, got %v\nplan:\n%s", c.wantErr, err, planText(plan))
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	checkOrder(t, plan, c.want)
	if c.stmts != 0 && len(plan) != c.stmts {
		t.Errorf("plan has %d statements, want %d:\n%s", len(plan), c.stmts, planText(plan))
	}
	for _, a := range c.absent {
		if strings.Contains(planText(plan), a) {
			t.Errorf("plan contains %q:\n%s", a, planText(plan))
		}
	}
}

// checkOrder requires each substring to appear in the plan after the
// previous one.
func checkOrder(t *testing.T, plan []*migrate.Change, want []string) {
	t.Helper()
	text := planText(plan)
	at := 0
	for _, w := range want {
		i := strings.Index(text[at:], w)
		if i < 0 {
			t.Fatalf("plan lacks %q after offset %d:\n%s", w, at, text)
		}
		at += i + len(w)
	}
}

const baseTable = `CREATE TABLE t (id int PRIMARY KEY, a int, b text);
`

var objCases = []objCase{
	// Views.
	{name: "create view", atlas: true, old: baseTable, new: baseTable + `CREATE VIEW v AS SELECT id, a FROM t;`,
		want: []string{"CREATE VIEW public.v"}, absent: []string{"OR REPLACE", "WHERE false"}, stmts: 1},
	{name: "create views on views", atlas: true, old: baseTable,
		new: baseTable + `CREATE VIEW v AS SELECT id, a FROM t; CREATE VIEW vv AS SELECT v.id, t.b FROM v JOIN t USING (id);
CREATE VIEW vvv AS SELECT count(*) AS n FROM vv WHERE EXISTS (SELECT 1 FROM v);`,
		want: []string{"CREATE VIEW public.v", "CREATE VIEW public.vv", "CREATE VIEW public.vvv"}, absent: []string{"OR REPLACE", "WHERE false"}, stmts: 3},
	{name: "drop view", old: baseTable + `CREATE VIEW v AS SELECT id, a FROM t;`, new: baseTable,
		want: []string{"DROP VIEW public.v"}},
	{name: "change view body", atlas: true, old: baseTable + `CREATE VIEW v AS SELECT id, a FROM t;`,
		new:  baseTable + `CREATE VIEW v AS SELECT id, a FROM t WHERE a > 0;`,
		want: []string{"CREATE OR REPLACE VIEW public.v"}, absent: []string{"DROP"}},
	{name: "view column default", old: baseTable + `CREATE VIEW v AS SELECT id, b FROM t;`,
		new:  baseTable + `CREATE VIEW v AS SELECT id, b FROM t; ALTER VIEW v ALTER COLUMN b SET DEFAULT 'x';`,
		want: []string{`ALTER VIEW public.v ALTER COLUMN "b" SET DEFAULT 'x'::text`}},
	{name: "view column default dropped", old: baseTable + `CREATE VIEW v AS SELECT id, b FROM t; ALTER VIEW v ALTER COLUMN b SET DEFAULT 'x';`,
		new:  baseTable + `CREATE VIEW v AS SELECT id, b FROM t;`,
		want: []string{`ALTER VIEW public.v ALTER COLUMN "b" DROP DEFAULT`}},
	{name: "new view with a column default", old: baseTable,
		new:  baseTable + `CREATE VIEW v AS SELECT id, b FROM t; ALTER VIEW v ALTER COLUMN b SET DEFAULT 'x'; ALTER VIEW v ALTER COLUMN id SET DEFAULT 0;`,
		want: []string{`ALTER VIEW public.v ALTER COLUMN "id" SET DEFAULT 0`, `ALTER VIEW public.v ALTER COLUMN "b" SET DEFAULT 'x'::text`}},
	{name: "view that reads itself", old: baseTable,
		new:  baseTable + `CREATE VIEW v AS SELECT id, b FROM t; CREATE OR REPLACE VIEW v AS SELECT id, b FROM v;`,
		want: []string{"CREATE VIEW public.v AS\nSELECT NULL::integer AS", "CREATE OR REPLACE VIEW public.v AS"}, stmts: 2},
	{name: "view that reads itself in a subquery", old: baseTable,
		new: baseTable + `CREATE VIEW v AS SELECT id FROM t;
CREATE OR REPLACE VIEW v AS SELECT id FROM t WHERE NOT EXISTS (SELECT 1 FROM v);`,
		want: []string{"CREATE VIEW public.v AS\nSELECT NULL::integer AS", "CREATE OR REPLACE VIEW public.v AS"}, stmts: 2},
	{name: "view that reads itself without a column", old: baseTable,
		new:  baseTable + `CREATE VIEW v AS SELECT 0::bigint AS n; CREATE OR REPLACE VIEW v AS SELECT count(*) AS n FROM v;`,
		want: []string{"CREATE VIEW public.v AS\nSELECT NULL::bigint AS", "CREATE OR REPLACE VIEW public.v AS"}, stmts: 2},
	{name: "view that reads itself in a CTE", old: baseTable,
		new: baseTable + `CREATE VIEW v AS SELECT 1 AS x;
CREATE OR REPLACE VIEW v AS WITH r AS (SELECT x FROM v) SELECT 1 AS x FROM r;`,
		want: []string{"CREATE VIEW public.v AS\nSELECT NULL::integer AS", "CREATE OR REPLACE VIEW public.v AS"}, stmts: 2},
	{name: "view that reads itself dropped", old: baseTable + `CREATE VIEW v AS SELECT id, b FROM t; CREATE OR REPLACE VIEW v AS SELECT id, b FROM v;`,
		new:  baseTable,
		want: []string{"DROP VIEW public.v"}},
	{name: "view column appended", old: baseTable + `CREATE VIEW v AS SELECT id FROM t;`,
		new:  baseTable + `CREATE VIEW v AS SELECT id, b FROM t;`,
		want: []string{"CREATE OR REPLACE VIEW public.v"}},
	{name: "view column removed recreates", old: baseTable + `CREATE VIEW v AS SELECT id, b FROM t;`,
		new:  baseTable + `CREATE VIEW v AS SELECT id FROM t;`,
		want: []string{"DROP VIEW public.v", "CREATE VIEW public.v"}},
	{name: "column type change under view on view", atlas: true,
		old: baseTable + `CREATE VIEW v AS SELECT id, a FROM t; CREATE VIEW vv AS SELECT a FROM v;`,
		new: `CREATE TABLE t (id int PRIMARY KEY, a bigint, b text);
CREATE VIEW v AS SELECT id, a FROM t; CREATE VIEW vv AS SELECT a FROM v;`,
		want: []string{"DROP VIEW public.vv", "DROP VIEW public.v", `ALTER TABLE "public"."t"`, "CREATE VIEW public.v", "CREATE VIEW public.vv"}},
	{name: "view security barrier and check option",
		old:  baseTable + `CREATE VIEW v AS SELECT id, a FROM t WHERE a > 0;`,
		new:  baseTable + `CREATE VIEW v WITH (security_barrier) AS SELECT id, a FROM t WHERE a > 0 WITH CASCADED CHECK OPTION;`,
		want: []string{"security_barrier=true, check_option=cascaded"}},
	{name: "view comment and column comment",
		old:  baseTable + `CREATE VIEW v AS SELECT id, a FROM t;`,
		new:  baseTable + `CREATE VIEW v AS SELECT id, a FROM t; COMMENT ON VIEW v IS 'the view'; COMMENT ON COLUMN v.a IS 'it''s a';`,
		want: []string{"COMMENT ON VIEW public.v IS 'the view'", `COMMENT ON COLUMN public.v."a" IS 'it''s a'`}},
	{name: "view with column list", old: baseTable,
		new: baseTable + `CREATE VIEW v (x, y) AS SELECT id, a FROM t;`},
	{name: "view on new table", atlas: true, old: "",
		new:  baseTable + `CREATE VIEW v AS SELECT id, a FROM t;`,
		want: []string{`CREATE TABLE "public"."t"`, "CREATE VIEW public.v"}},
	{name: "drop table and its view", atlas: true, old: baseTable + `CREATE VIEW v AS SELECT id, a FROM t;`, new: "",
		want: []string{"DROP VIEW public.v", `DROP TABLE "public"."t"`}},
	{name: "drop column used by view", atlas: true, old: baseTable + `CREATE VIEW v AS SELECT id, b FROM t;`,
		new:  `CREATE TABLE t (id int PRIMARY KEY, a int); CREATE VIEW v AS SELECT id FROM t;`,
		want: []string{"DROP VIEW public.v", `DROP COLUMN "b"`, "CREATE VIEW public.v"}},
	// Materialized views.
	{name: "create materialized view with index", old: baseTable,
		new:  baseTable + `CREATE MATERIALIZED VIEW mv AS SELECT id, a FROM t; CREATE UNIQUE INDEX mv_id ON mv (id);`,
		want: []string{"CREATE MATERIALIZED VIEW public.mv", "CREATE UNIQUE INDEX mv_id ON public.mv"}},
	{name: "drop materialized view with index", atlas: true,
		old:  baseTable + `CREATE MATERIALIZED VIEW mv AS SELECT id, a FROM t; CREATE UNIQUE INDEX mv_id ON mv (id);`,
		new:  baseTable,
		want: []string{"DROP MATERIALIZED VIEW public.mv"}},
	{name: "change materialized view body",
		old:  baseTable + `CREATE MATERIALIZED VIEW mv AS SELECT id, a FROM t; CREATE INDEX mv_a ON mv (a);`,
		new:  baseTable + `CREATE MATERIALIZED VIEW mv AS SELECT id, a FROM t WHERE a > 1; CREATE INDEX mv_a ON mv (a);`,
		want: []string{"DROP MATERIALIZED VIEW public.mv", "CREATE MATERIALIZED VIEW public.mv", "CREATE INDEX mv_a"}},
	{name: "materialized view index added",
		old:  baseTable + `CREATE MATERIALIZED VIEW mv AS SELECT id, a FROM t;`,
		new:  baseTable + `CREATE MATERIALIZED VIEW mv AS SELECT id, a FROM t; CREATE INDEX mv_a ON mv (a);`,
		want: []string{"CREATE INDEX mv_a ON public.mv"}},
	{name: "materialized view with no data", old: baseTable,
		new:  baseTable + `CREATE MATERIALIZED VIEW mv AS SELECT id FROM t WITH NO DATA;`,
		want: []string{"WITH NO DATA"}},
	{name: "view on materialized view",
		old:  baseTable + `CREATE MATERIALIZED VIEW mv AS SELECT id, a FROM t; CREATE VIEW v AS SELECT a FROM mv;`,
		new:  baseTable + `CREATE MATERIALIZED VIEW mv AS SELECT id, a, b FROM t; CREATE VIEW v AS SELECT a FROM mv;`,
		want: []string{"DROP VIEW public.v", "DROP MATERIALIZED VIEW public.mv", "CREATE MATERIALIZED VIEW public.mv", "CREATE VIEW public.v"}},
	// Functions and procedures.
	{name: "create function", old: "",
		new:  `CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE RETURN a + b;`,
		want: []string{"CREATE OR REPLACE FUNCTION public.add(a integer, b integer)"}},
	{name: "change function body", old: `CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';`,
		new:  `CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 2';`,
		want: []string{"CREATE OR REPLACE FUNCTION public.f()"}},
	{name: "change function volatility", atlas: true,
		old:  `CREATE FUNCTION f(x int) RETURNS int LANGUAGE plpgsql VOLATILE AS $$ BEGIN RETURN x; END $$;`,
		new:  `CREATE FUNCTION f(x int) RETURNS int LANGUAGE plpgsql STABLE AS $$ BEGIN RETURN x; END $$;`,
		want: []string{"CREATE OR REPLACE FUNCTION public.f(x integer)", "STABLE"}, absent: []string{"DROP"}},
	{name: "function strict security definer search_path", old: `CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'SELECT x';`,
		new:  `CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql STRICT SECURITY DEFINER SET search_path = pg_catalog, public AS 'SELECT x';`,
		want: []string{"SECURITY DEFINER", "SET search_path"}},
	{name: "function result type change recreates", atlas: true, old: `CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';`,
		new:  `CREATE FUNCTION f() RETURNS bigint LANGUAGE sql AS 'SELECT 1';`,
		want: []string{"DROP FUNCTION public.f()", "CREATE OR REPLACE FUNCTION public.f()"}},
	{name: "function overloads", old: `CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT $1';`,
		new: `CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT $1';
CREATE FUNCTION f(text) RETURNS text LANGUAGE sql AS 'SELECT $1';`,
		want: []string{"CREATE OR REPLACE FUNCTION public.f(text)"}},
	{name: "drop one overload", old: `CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT $1';
CREATE FUNCTION f(text) RETURNS text LANGUAGE sql AS 'SELECT $1';`,
		new:  `CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT $1';`,
		want: []string{"DROP FUNCTION public.f(text)"}},
	{name: "begin atomic body on table", old: baseTable,
		new:  baseTable + `CREATE FUNCTION cnt() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM t; END;`,
		want: []string{"BEGIN ATOMIC"}},
	{name: "begin atomic function and its table together", old: "",
		new:  baseTable + `CREATE FUNCTION cnt() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM t; END;`,
		want: []string{`CREATE TABLE "public"."t"`, "BEGIN ATOMIC"}},
	{name: "function returning table rows before view", old: "",
		new: baseTable + `CREATE FUNCTION rows_of() RETURNS SETOF t LANGUAGE sql AS 'SELECT * FROM t';
CREATE VIEW v AS SELECT * FROM rows_of();`,
		want: []string{`CREATE TABLE "public"."t"`, "FUNCTION public.rows_of()", "CREATE VIEW public.v"}},
	{name: "create procedure", old: "",
		new:  `CREATE PROCEDURE p(INOUT x int) LANGUAGE plpgsql AS $$ BEGIN x := x + 1; END $$;`,
		want: []string{"CREATE OR REPLACE PROCEDURE public.p(INOUT x integer)"}},
	{name: "drop procedure", old: `CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1';`, new: "",
		want: []string{"DROP PROCEDURE public.p()"}},
	{name: "function argument rename recreates", old: `CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'SELECT 1';`,
		new:  `CREATE FUNCTION f(b int) RETURNS int LANGUAGE sql AS 'SELECT 1';`,
		want: []string{"DROP FUNCTION public.f(a integer)", "CREATE OR REPLACE FUNCTION public.f(b integer)"}},
	{name: "function comment", old: `CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';`,
		new:  `CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'; COMMENT ON FUNCTION f() IS 'one';`,
		want: []string{"COMMENT ON FUNCTION public.f() IS 'one'"}},
	{name: "function used by check constraint created first", old: "",
		new: `CREATE FUNCTION positive(x int) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN x > 0;
CREATE TABLE t (id int CHECK (positive(id)));`,
		want: []string{"FUNCTION public.positive(x integer)", `CREATE TABLE "public"."t"`}},
	{name: "function used by default dropped after", atlas: true, old: `CREATE FUNCTION one() RETURNS int LANGUAGE sql IMMUTABLE RETURN 1;
CREATE TABLE t (id int DEFAULT one());`, new: "",
		want: []string{`DROP TABLE "public"."t"`, "DROP FUNCTION public.one()"}},
	{name: "function used by index created first", old: "",
		new: `CREATE FUNCTION lower2(x text) RETURNS text LANGUAGE sql IMMUTABLE RETURN lower(x);
CREATE TABLE t (name text); CREATE INDEX t_l ON t (lower2(name));`,
		want: []string{"FUNCTION public.lower2(x text)", `CREATE INDEX "t_l"`}},
	{name: "function with a long signature used by a generated column created first", old: "",
		new: `CREATE FUNCTION extract_topics_from_metadata(external_service_type text, metadata jsonb) RETURNS text[] LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN RETURN ARRAY[external_service_type]; END $$;
CREATE TABLE repo (kind text, metadata jsonb, topics text[] GENERATED ALWAYS AS (extract_topics_from_metadata(kind, metadata)) STORED);`,
		want: []string{"FUNCTION public.extract_topics_from_metadata(external_service_type text, metadata jsonb)", `CREATE TABLE "public"."repo"`}},
	{name: "function with a long signature used by a generated column dropped after", old: `CREATE FUNCTION extract_topics_from_metadata(external_service_type text, metadata jsonb) RETURNS text[] LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN RETURN ARRAY[external_service_type]; END $$;
CREATE TABLE repo (kind text, metadata jsonb, topics text[] GENERATED ALWAYS AS (extract_topics_from_metadata(kind, metadata)) STORED);`, new: "",
		want: []string{`DROP TABLE "public"."repo"`, "DROP FUNCTION public.extract_topics_from_metadata(external_service_type text, metadata jsonb)"}},
	{name: "function taking arrays of a composite, an enum and a domain created after them", old: "",
		new: `CREATE SCHEMA s; CREATE TYPE s.spec AS (a int); CREATE TYPE s.mood AS ENUM ('ok'); CREATE DOMAIN s.pos AS int CHECK (VALUE > 0); CREATE TABLE s.jobs (id int);
CREATE FUNCTION s.add_jobs(specs s.spec[], moods s.mood[], ps s.pos[], b boolean DEFAULT false) RETURNS SETOF s.jobs LANGUAGE plpgsql AS $$ begin return; end $$;`,
		want: []string{"CREATE TYPE s.spec", "FUNCTION s.add_jobs"}},
	{name: "function replaced while default uses old one", atlas: true, old: `CREATE FUNCTION one() RETURNS int LANGUAGE sql IMMUTABLE RETURN 1;
CREATE TABLE t (id int DEFAULT one());`,
		new: `CREATE FUNCTION two() RETURNS int LANGUAGE sql IMMUTABLE RETURN 2;
CREATE TABLE t (id int DEFAULT two());`,
		want: []string{"FUNCTION public.two()", `ALTER TABLE "public"."t"`, "DROP FUNCTION public.one()"}},
	// Aggregates.
	{name: "create aggregate", old: "",
		new: `CREATE FUNCTION cat(text, text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT $1 || $2';
CREATE AGGREGATE group_cat(text) (SFUNC = cat, STYPE = text, INITCOND = '');`,
		want: []string{"FUNCTION public.cat(text, text)", "CREATE AGGREGATE public.group_cat(text)"}},
	{name: "change aggregate", old: `CREATE AGGREGATE s(int) (SFUNC = int4pl, STYPE = int);`,
		new:  `CREATE AGGREGATE s(int) (SFUNC = int4pl, STYPE = int, INITCOND = '0');`,
		want: []string{"DROP AGGREGATE public.s(integer)", "CREATE AGGREGATE public.s(integer)"}},
	{name: "ordered set aggregate", old: "",
		new: `CREATE FUNCTION os_final(internal, float8) RETURNS float8 LANGUAGE internal IMMUTABLE AS 'percentile_disc_final';
CREATE AGGREGATE my_pct(float8 ORDER BY float8) (SFUNC = ordered_set_transition, STYPE = internal, FINALFUNC = percentile_cont_float8_final);`},
	// Triggers.
	{name: "create trigger", old: baseTable + trigFunc,
		new:  baseTable + trigFunc + `CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();`,
		want: []string{"CREATE TRIGGER t_touch BEFORE UPDATE ON public.t"}},
	{name: "trigger with table and function together", atlas: true, old: "",
		new:  baseTable + trigFunc + `CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();`,
		want: []string{"FUNCTION public.touch()", `CREATE TABLE "public"."t"`, "CREATE TRIGGER t_touch"}},
	{name: "statement trigger after insert or delete", old: baseTable + trigFunc,
		new: baseTable + trigFunc + `CREATE TRIGGER t_stmt AFTER INSERT OR DELETE ON t FOR EACH STATEMENT EXECUTE FUNCTION touch();`},
	{name: "trigger when and update of", old: baseTable + trigFunc,
		new: baseTable + trigFunc + `CREATE TRIGGER t_when BEFORE UPDATE OF a ON t FOR EACH ROW WHEN (OLD.a IS DISTINCT FROM NEW.a) EXECUTE FUNCTION touch();`},
	{name: "trigger transition tables", old: baseTable + trigFunc,
		new: baseTable + trigFunc + `CREATE TRIGGER t_tt AFTER UPDATE ON t REFERENCING OLD TABLE AS o NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION touch();`},
	{name: "constraint trigger", old: baseTable + trigFunc,
		new: baseTable + trigFunc + `CREATE CONSTRAINT TRIGGER t_ct AFTER INSERT ON t DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION touch();`},
	{name: "change constraint trigger recreates", old: baseTable + trigFunc + `CREATE CONSTRAINT TRIGGER t_ct AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();`,
		new:  baseTable + trigFunc + `CREATE CONSTRAINT TRIGGER t_ct AFTER INSERT ON t DEFERRABLE FOR EACH ROW EXECUTE FUNCTION touch();`,
		want: []string{"DROP TRIGGER t_ct ON public.t", "CREATE CONSTRAINT TRIGGER t_ct"}},
	{name: "instead of trigger on view", old: baseTable + trigFunc + `CREATE VIEW v AS SELECT id, a FROM t;`,
		new: baseTable + trigFunc + `CREATE VIEW v AS SELECT id, a FROM t;
CREATE TRIGGER v_ins INSTEAD OF INSERT ON v FOR EACH ROW EXECUTE FUNCTION touch();`,
		want: []string{"CREATE TRIGGER v_ins INSTEAD OF INSERT ON public.v"}},
	{name: "change trigger events", old: baseTable + trigFunc + `CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();`,
		new:  baseTable + trigFunc + `CREATE TRIGGER tr BEFORE INSERT OR UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();`,
		want: []string{"CREATE OR REPLACE TRIGGER tr BEFORE INSERT OR UPDATE"}},
	{name: "disable trigger", old: baseTable + trigFunc + `CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();`,
		new:  baseTable + trigFunc + `CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch(); ALTER TABLE t DISABLE TRIGGER tr;`,
		want: []string{"ALTER TABLE public.t DISABLE TRIGGER tr"}},
	{name: "drop trigger", old: baseTable + trigFunc + `CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();`,
		new:  baseTable + trigFunc,
		want: []string{"DROP TRIGGER tr ON public.t"}},
	{name: "trigger comment", old: baseTable + trigFunc + `CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();`,
		new:  baseTable + trigFunc + `CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch(); COMMENT ON TRIGGER tr ON t IS 'touch';`,
		want: []string{"COMMENT ON TRIGGER tr ON public.t IS 'touch'"}},
	{name: "replace trigger function with new signature", atlas: true,
		old: baseTable + trigFunc + `CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();`,
		new: baseTable + `CREATE FUNCTION touch2() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch2();`,
		want: []string{"DROP TRIGGER tr ON public.t", "DROP FUNCTION public.touch()", "FUNCTION public.touch2()", "CREATE TRIGGER tr"}},
	{name: "trigger function body change keeps trigger",
		old: baseTable + `CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf();`,
		new: baseTable + `CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf();`,
		want: []string{"CREATE OR REPLACE FUNCTION public.tf()"}, absent: []string{"DROP"}},
	{name: "event trigger", old: `CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;`,
		new: `CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE EVENT TRIGGER objtest_ddl ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE') EXECUTE FUNCTION on_ddl();`,
		want: []string{"CREATE EVENT TRIGGER objtest_ddl ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')"}},
	// Sequences.
	{name: "create sequence with options", old: "",
		new:  `CREATE SEQUENCE s AS bigint START 100 INCREMENT 10 MINVALUE 5 MAXVALUE 100000 CACHE 20 CYCLE;`,
		want: []string{"CREATE SEQUENCE", "INCREMENT BY 10", "CACHE 20 CYCLE"}},
	{name: "alter sequence options", old: `CREATE SEQUENCE s;`, new: `CREATE SEQUENCE s INCREMENT 2;`,
		want: []string{"ALTER SEQUENCE", "INCREMENT BY 2"}},
	{name: "sequence used by default created first", atlas: true, old: "",
		new:  `CREATE SEQUENCE ids START 1000; CREATE TABLE t (id bigint DEFAULT nextval('ids'));`,
		want: []string{"CREATE SEQUENCE", `CREATE TABLE "public"."t"`}},
	{name: "sequence owned by column", atlas: true, old: "",
		new:  `CREATE TABLE t (id bigint); CREATE SEQUENCE ids OWNED BY t.id;`,
		want: []string{`CREATE TABLE "public"."t"`, "ALTER SEQUENCE", "OWNED BY"}},
	{name: "drop table with owned sequence", atlas: true, old: `CREATE TABLE t (id bigint); CREATE SEQUENCE ids OWNED BY t.id;`, new: ""},
	{name: "sequence comment", old: `CREATE SEQUENCE s;`, new: `CREATE SEQUENCE s; COMMENT ON SEQUENCE s IS 'ids';`,
		want: []string{"COMMENT ON SEQUENCE", "IS 'ids'"}},
	{name: "serial column stays serial", old: "", new: `CREATE TABLE t (id serial PRIMARY KEY, b bigserial);`},
	{name: "identity column", old: "", new: `CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY);`},
	// Domains.
	{name: "create domain used by table", atlas: true, old: "",
		new:  `CREATE DOMAIN posint AS int CONSTRAINT pos CHECK (VALUE > 0); CREATE TABLE t (n posint);`,
		want: []string{"CREATE DOMAIN", "posint", `CREATE TABLE "public"."t"`}},
	{name: "change domain constraint", atlas: true, old: `CREATE DOMAIN posint AS int CONSTRAINT pos CHECK (VALUE > 0); CREATE TABLE t (n posint);`,
		new:  `CREATE DOMAIN posint AS int CONSTRAINT pos CHECK (VALUE >= 0); CREATE TABLE t (n posint);`,
		want: []string{"ALTER DOMAIN", "posint", "DROP CONSTRAINT", "ADD CONSTRAINT", "CHECK ((VALUE >= 0))"}},
	{name: "domain default and not null", old: `CREATE DOMAIN d AS text;`,
		new:  `CREATE DOMAIN d AS text DEFAULT 'x' NOT NULL;`,
		want: []string{"SET DEFAULT 'x'::text", "SET NOT NULL"}},
	{name: "domain not valid constraint", old: `CREATE DOMAIN d AS int;`,
		new: `CREATE DOMAIN d AS int; ALTER DOMAIN d ADD CONSTRAINT c CHECK (VALUE < 10) NOT VALID;`},
	{name: "domain base type change recreates", only: "atlas", old: `CREATE DOMAIN d AS int;`, new: `CREATE DOMAIN d AS bigint;`,
		want: []string{"DROP DOMAIN public.d", "CREATE DOMAIN public.d AS bigint"}},
	{name: "domain base type change under a table fails", only: "atlas",
		old: `CREATE DOMAIN d AS int; CREATE TABLE t (n d);`, new: `CREATE DOMAIN d AS bigint; CREATE TABLE t (n d);`,
		wantErr: "cannot recreate domain public.d: table public.t uses it"},
	{name: "domain of non ascii name", old: "", new: `CREATE DOMAIN "bıgınt" AS bigint; CREATE TABLE t (n "bıgınt");`,
		want: []string{`"bıgınt" AS bigint`}},
	{name: "domain comment", old: `CREATE DOMAIN d AS int;`, new: `CREATE DOMAIN d AS int; COMMENT ON DOMAIN d IS 'dom';`,
		want: []string{"COMMENT ON DOMAIN", "IS 'dom'"}},
	// Composite and range types.
	{name: "create composite type used by function", old: "",
		new: `CREATE TYPE pair AS (a int, b text);
CREATE FUNCTION mk() RETURNS pair LANGUAGE sql AS $$ SELECT 1, 'x' $$;`,
		want: []string{"CREATE TYPE public.pair AS (a integer, b text)", "FUNCTION public.mk()"}},
	{name: "composite attribute added", old: `CREATE TYPE pair AS (a int);`, new: `CREATE TYPE pair AS (a int, b text);`,
		want: []string{"ALTER TYPE public.pair ADD ATTRIBUTE b text"}},
	{name: "composite attribute type change recreates with function", atlas: true,
		old:  `CREATE TYPE pair AS (a int); CREATE FUNCTION mk() RETURNS pair LANGUAGE sql AS $$ SELECT 1 $$;`,
		new:  `CREATE TYPE pair AS (a bigint); CREATE FUNCTION mk() RETURNS pair LANGUAGE sql AS $$ SELECT 1::bigint $$;`,
		want: []string{"DROP FUNCTION public.mk()", "DROP TYPE public.pair", "CREATE TYPE public.pair", "FUNCTION public.mk()"}},
	{name: "composite type column in table", old: "",
		new:  `CREATE TYPE pair AS (a int, b text); CREATE TABLE t (p pair);`,
		want: []string{"CREATE TYPE public.pair", `CREATE TABLE "public"."t"`}},
	{name: "domain over a composite type", old: "",
		new:  `CREATE SCHEMA test; CREATE TYPE test.point_2d AS (x int, y int); CREATE DOMAIN test.composite_domain AS test.point_2d; CREATE TABLE test.t (p test.composite_domain);`,
		want: []string{"CREATE TYPE test.point_2d", `CREATE DOMAIN "test"."composite_domain" AS test.point_2d`, `CREATE TABLE "test"."t"`}},
	{name: "domain over a composite type dropped", old: `CREATE SCHEMA test; CREATE TYPE test.point_2d AS (x int, y int); CREATE DOMAIN test.composite_domain AS test.point_2d;`,
		new:  `CREATE SCHEMA test;`,
		want: []string{`DROP DOMAIN "test"."composite_domain"`, "DROP TYPE test.point_2d"}},
	{name: "domain over a table's row type", old: `CREATE SCHEMA test;`,
		new:  `CREATE SCHEMA test; CREATE TABLE test.projects (id int, name text); CREATE DOMAIN test.projects_domain AS test.projects;`,
		want: []string{`CREATE TABLE "test"."projects"`, `CREATE DOMAIN "test"."projects_domain" AS test.projects`}},
	{name: "domain over a table's row type dropped", old: `CREATE SCHEMA test; CREATE TABLE test.projects (id int, name text); CREATE DOMAIN test.projects_domain AS test.projects;`,
		new:  `CREATE SCHEMA test;`,
		want: []string{`DROP DOMAIN "test"."projects_domain"`, `DROP TABLE "test"."projects"`}},
	{name: "domain over a domain in another schema", old: `CREATE SCHEMA test;`,
		new:  `CREATE SCHEMA test; CREATE DOMAIN test.tsvector_not_null AS tsvector NOT NULL; CREATE DOMAIN test.tsvector_not_empty AS test.tsvector_not_null CHECK (VALUE <> ''::tsvector);`,
		want: []string{`CREATE DOMAIN "test"."tsvector_not_null"`, `CREATE DOMAIN "test"."tsvector_not_empty" AS test.tsvector_not_null`}},
	{name: "domain over a domain dropped", old: `CREATE SCHEMA test; CREATE DOMAIN test.a_base AS text; CREATE DOMAIN test.b_over AS test.a_base; CREATE DOMAIN test.c_over AS test.b_over;`,
		new:  `CREATE SCHEMA test;`,
		want: []string{`DROP DOMAIN "test"."c_over"`, `DROP DOMAIN "test"."b_over"`, `DROP DOMAIN "test"."a_base"`}},
	{name: "domain over a range type", old: `CREATE TABLE t (id int);`,
		new:  `CREATE TYPE "Span" AS RANGE (subtype = int4); CREATE DOMAIN short_span AS "Span" CHECK (upper(VALUE) - lower(VALUE) < 10); CREATE TABLE t (id int, s short_span);`,
		want: []string{`CREATE TYPE public."Span"`, `CREATE DOMAIN "public"."short_span" AS public."Span"`}},
	{name: "create range type", old: "",
		new:  `CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);`,
		want: []string{"CREATE TYPE public.floatrange AS RANGE (SUBTYPE = double precision, SUBTYPE_DIFF = float8mi, MULTIRANGE_TYPE_NAME = public.floatmultirange)"}},
	{name: "drop range type", old: `CREATE TYPE floatrange AS RANGE (subtype = float8);`, new: "",
		want: []string{"DROP TYPE public.floatrange"}},
	{name: "range type used by table", old: "",
		new: `CREATE TYPE floatrange AS RANGE (subtype = float8); CREATE TABLE t (r floatrange);`},
	// Enums.
	{name: "enum add value", atlas: true, old: `CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE TABLE t (m mood);`,
		new:  `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); CREATE TABLE t (m mood);`,
		want: []string{"ADD VALUE 'happy'"}},
	{name: "enum remove value unused recreates", atlas: true, old: `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');`,
		new:  `CREATE TYPE mood AS ENUM ('sad', 'happy');`,
		want: []string{`CREATE TYPE "public"."mood" AS ENUM ('sad', 'happy')`}},
	{name: "enum remove value in use fails", only: "atlas", old: `CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE TABLE t (m mood);`,
		new: `CREATE TYPE mood AS ENUM ('sad'); CREATE TABLE t (m mood);`, wantErr: "not remove or reorder them, and column public.t.m uses the type"},
	{name: "enum used by function created first", atlas: true, old: "",
		new:  `CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE FUNCTION best() RETURNS mood LANGUAGE sql AS $$ SELECT 'ok'::mood $$;`,
		want: []string{`CREATE TYPE "public"."mood"`, "FUNCTION public.best()"}},
	{name: "enum remove value in use recreates the type", only: "pipeline",
		old:  `CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE TABLE t (m mood); CREATE VIEW v AS SELECT m FROM t;`,
		new:  `CREATE TYPE mood AS ENUM ('sad'); CREATE TABLE t (m mood); CREATE VIEW v AS SELECT m FROM t;`,
		want: []string{"DROP VIEW public.v", `RENAME TO "mood_old"`, "CREATE VIEW public.v"}},
	{name: "domain base type change is refused", only: "pipeline",
		old: `CREATE DOMAIN d AS int;`, new: `CREATE DOMAIN d AS bigint;`, wantErr: "changing its base type"},
	// Extensions.
	{name: "create extension used by table", atlas: true, old: "",
		new:  `CREATE EXTENSION citext; CREATE TABLE t (name citext);`,
		want: []string{"CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public VERSION", `CREATE TABLE "public"."t"`}},
	{name: "drop extension", old: `CREATE EXTENSION pg_trgm;`, new: "",
		want: []string{"DROP EXTENSION pg_trgm"}},
	{name: "extension in own schema", old: `CREATE SCHEMA ext;`,
		new:  `CREATE SCHEMA ext; CREATE EXTENSION hstore WITH SCHEMA ext;`,
		want: []string{"CREATE EXTENSION IF NOT EXISTS hstore WITH SCHEMA ext"}},
	{name: "extension members are not objects", old: "", new: `CREATE EXTENSION pgcrypto; CREATE EXTENSION "uuid-ossp";`},
	// Policies and row level security.
	{name: "add a policy", atlas: true, old: baseTable + `ALTER TABLE t ENABLE ROW LEVEL SECURITY;`,
		new:  baseTable + `ALTER TABLE t ENABLE ROW LEVEL SECURITY; CREATE POLICY own ON t FOR SELECT USING (a > 0);`,
		want: []string{"CREATE POLICY own ON public.t AS PERMISSIVE FOR SELECT TO PUBLIC USING ((a > 0))"}},
	{name: "enable and force row level security", old: baseTable,
		new:  baseTable + `ALTER TABLE t ENABLE ROW LEVEL SECURITY; ALTER TABLE t FORCE ROW LEVEL SECURITY;`,
		want: []string{"ALTER TABLE public.t ENABLE ROW LEVEL SECURITY", "ALTER TABLE public.t FORCE ROW LEVEL SECURITY"}},
	{name: "disable row level security", old: baseTable + `ALTER TABLE t ENABLE ROW LEVEL SECURITY;`, new: baseTable,
		want: []string{"ALTER TABLE public.t DISABLE ROW LEVEL SECURITY"}},
	{name: "restrictive policy with check and roles", old: roles + baseTable,
		new: roles + baseTable + `CREATE POLICY w ON t AS RESTRICTIVE FOR UPDATE TO objtest_app, objtest_ro USING (a > 0) WITH CHECK (a < 100);`},
	{name: "change policy expression", old: baseTable + `CREATE POLICY p ON t USING (a > 0);`,
		new:  baseTable + `CREATE POLICY p ON t USING (a > 1);`,
		want: []string{"DROP POLICY p ON public.t", "CREATE POLICY p ON public.t"}},
	{name: "change policy roles", old: roles + baseTable + `CREATE POLICY p ON t TO objtest_app USING (a > 0);`,
		new:  roles + baseTable + `CREATE POLICY p ON t TO objtest_ro USING (a > 0);`,
		want: []string{"ALTER POLICY p ON public.t TO objtest_ro"}},
	{name: "policy and table together", old: "",
		new:  baseTable + `ALTER TABLE t ENABLE ROW LEVEL SECURITY; CREATE POLICY p ON t USING (a > 0);`,
		want: []string{`CREATE TABLE "public"."t"`, "CREATE POLICY p"}},
	{name: "policy on column whose type changes", atlas: true,
		old:  baseTable + `CREATE POLICY p ON t USING (a > 0);`,
		new:  `CREATE TABLE t (id int PRIMARY KEY, a bigint, b text); CREATE POLICY p ON t USING (a > 0);`,
		want: []string{"DROP POLICY p ON public.t", `ALTER TABLE "public"."t"`, "CREATE POLICY p ON public.t"}},
	// Privileges.
	{name: "grant and revoke on table", atlas: true, old: roles + baseTable + `GRANT SELECT ON t TO objtest_ro;`,
		new: roles + baseTable + `GRANT SELECT, INSERT ON t TO objtest_app;`, opts: ObjectOptions{IncludePrivileges: true},
		want: []string{"GRANT INSERT ON TABLE public.t TO objtest_app", "GRANT SELECT ON TABLE public.t TO objtest_app", "REVOKE SELECT ON TABLE public.t FROM objtest_ro"}},
	{name: "privileges ignored without option", old: roles + baseTable + `GRANT SELECT ON t TO objtest_ro;`,
		new: roles + baseTable, absent: []string{"REVOKE"}},
	{name: "grant on column with grant option", old: roles + baseTable,
		new: roles + baseTable + `GRANT UPDATE (a) ON t TO objtest_app WITH GRANT OPTION;`, opts: ObjectOptions{IncludePrivileges: true},
		want: []string{`GRANT UPDATE ("a") ON TABLE public.t TO objtest_app WITH GRANT OPTION`}},
	{name: "granted then revoked on a view, column grants kept", old: roles + baseTable,
		new:  roles + baseTable + `CREATE VIEW v AS SELECT id, a FROM t; GRANT ALL ON v TO objtest_ro; REVOKE ALL ON v FROM objtest_ro; GRANT SELECT (id) ON v TO objtest_ro;`,
		opts: ObjectOptions{IncludePrivileges: true},
		want: []string{`GRANT SELECT ("id") ON TABLE public.v TO objtest_ro`}},
	{name: "view grants all revoked", old: roles + baseTable + `CREATE VIEW v AS SELECT id, a FROM t; GRANT SELECT ON v TO objtest_ro;`,
		new:  roles + baseTable + `CREATE VIEW v AS SELECT id, a FROM t; GRANT SELECT ON v TO objtest_ro; REVOKE ALL ON v FROM objtest_ro;`,
		opts: ObjectOptions{IncludePrivileges: true},
		want: []string{`REVOKE SELECT ON TABLE public.v FROM objtest_ro`}},
	{name: "revoke execute from public", old: `CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';`,
		new: `CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'; REVOKE EXECUTE ON FUNCTION f() FROM PUBLIC;`, opts: ObjectOptions{IncludePrivileges: true},
		want: []string{"REVOKE EXECUTE ON FUNCTION public.f() FROM PUBLIC"}},
	{name: "grants on new table and sequence", old: roles,
		new:  roles + `CREATE TABLE t (id int); CREATE SEQUENCE s; GRANT SELECT ON t TO objtest_ro; GRANT USAGE ON SEQUENCE s TO objtest_app;`,
		opts: ObjectOptions{IncludePrivileges: true},
		want: []string{`CREATE TABLE "public"."t"`, "GRANT SELECT ON TABLE public.t TO objtest_ro"}},
	// A function's name with its arguments longer than an identifier
	// (63 bytes) is kept whole: its grants and the tables that use it
	// name it, and two overloads sharing 63 bytes stay two.
	{name: "grants on overloads with a long signature", old: roles,
		new: roles + `CREATE FUNCTION extract_topics_from_metadata(external_service_type text, metadata jsonb) RETURNS int LANGUAGE sql AS 'SELECT 1';
			CREATE FUNCTION extract_topics_from_metadata(external_service_type text, metadata jsonb, other int) RETURNS int LANGUAGE sql AS 'SELECT 2';
			REVOKE EXECUTE ON FUNCTION extract_topics_from_metadata(text, jsonb) FROM PUBLIC;
			GRANT EXECUTE ON FUNCTION extract_topics_from_metadata(text, jsonb) TO objtest_app;
			GRANT EXECUTE ON FUNCTION extract_topics_from_metadata(text, jsonb, int) TO objtest_ro;`,
		opts: ObjectOptions{IncludePrivileges: true},
		want: []string{"GRANT EXECUTE ON FUNCTION public.extract_topics_from_metadata(external_service_type text, metadata jsonb) TO objtest_app",
			"GRANT EXECUTE ON FUNCTION public.extract_topics_from_metadata(external_service_type text, metadata jsonb, other integer) TO objtest_ro"}},
	{name: "schema privileges", old: `CREATE SCHEMA app;`,
		new:  roles + `CREATE SCHEMA app; GRANT USAGE ON SCHEMA app TO objtest_ro; REVOKE USAGE ON SCHEMA public FROM PUBLIC;`,
		opts: ObjectOptions{IncludePrivileges: true},
		want: []string{"GRANT USAGE ON SCHEMA app TO objtest_ro"}},
	{name: "type privileges", old: `CREATE DOMAIN d AS int;`,
		new: `CREATE DOMAIN d AS int; REVOKE USAGE ON TYPE d FROM PUBLIC;`, opts: ObjectOptions{IncludePrivileges: true},
		want: []string{"REVOKE USAGE ON TYPE public.d FROM PUBLIC"}},
	{name: "default privileges", old: roles,
		new:  roles + `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO objtest_ro;`,
		opts: ObjectOptions{IncludePrivileges: true},
		want: []string{"ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT SELECT ON TABLES TO objtest_ro"}},
	{name: "grants survive view recreation", old: roles + baseTable + `CREATE VIEW v AS SELECT id, b FROM t; GRANT SELECT ON v TO objtest_ro;`,
		new:  roles + baseTable + `CREATE VIEW v AS SELECT id FROM t; GRANT SELECT ON v TO objtest_ro;`,
		opts: ObjectOptions{IncludePrivileges: true},
		want: []string{"DROP VIEW public.v", "CREATE VIEW public.v", "GRANT SELECT ON TABLE public.v TO objtest_ro"}},
	// Partitions (planned with the tables) under objects.
	{name: "add a partition", old: `CREATE TABLE m (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE VIEW recent AS SELECT id, at FROM m;`,
		new: `CREATE TABLE m (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE m_2025 PARTITION OF m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE VIEW recent AS SELECT id, at FROM m;`,
		want: []string{"m_2025"}, absent: []string{"DROP VIEW"}},
	{name: "trigger on partitioned table with new partition", old: trigFunc + `CREATE TABLE m (id int, at date) PARTITION BY RANGE (at);`,
		new: trigFunc + `CREATE TABLE m (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TRIGGER m_touch BEFORE UPDATE ON m FOR EACH ROW EXECUTE FUNCTION touch();`,
		want: []string{"CREATE TRIGGER m_touch"}},
	// Schemas.
	{name: "objects in a new schema", atlas: true, old: "",
		new: `CREATE SCHEMA app; CREATE TABLE app.t (id int); CREATE VIEW app.v AS SELECT id FROM app.t;
CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'SELECT 1';`,
		want: []string{`CREATE SCHEMA "app"`, "CREATE VIEW app.v"}},
	{name: "quoted names", old: "",
		new: `CREATE TABLE "Order" ("Id" int, "select" int);
CREATE VIEW "My View" AS SELECT "Id", "select" FROM "Order";
COMMENT ON COLUMN "My View"."Id" IS 'id';`,
		want: []string{`CREATE VIEW public."My View"`, `COMMENT ON COLUMN public."My View"."Id" IS 'id'`}},
	// Comments on tables stay Atlas's, comments on objects are ours.
	{name: "comment removed", old: `CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'; COMMENT ON FUNCTION f() IS 'one';`,
		new:  `CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';`,
		want: []string{"COMMENT ON FUNCTION public.f() IS NULL"}},
}

const trigFunc = `CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
`
