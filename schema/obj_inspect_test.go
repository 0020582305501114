package schema

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"ariga.io/atlas/sql/postgres"
	atlas "ariga.io/atlas/sql/schema"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/schemactl/schemactl/devdb"
)

// objTestRealm loads ddl into a fresh database and inspects it with Atlas
// and InspectObjects.
func objTestRealm(t *testing.T, ddl string, opts ObjectOptions) (*atlas.Realm, error) {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("pgx", devdb.ForTest(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.ExecContext(ctx, ddl); err != nil {
		t.Fatalf("load: %v", err)
	}
	drv, err := postgres.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	r, err := drv.InspectRealm(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r, InspectObjects(ctx, db, r, opts)
}

func findObj(r *atlas.Realm, ref string) PgObject {
	for _, o := range Objects(r) {
		if o.Ref().String() == ref {
			return o
		}
	}
	return nil
}

func TestInspectObjectsKinds(t *testing.T) {
	t.Parallel()
	r, err := objTestRealm(t, `
CREATE EXTENSION citext;
CREATE DOMAIN posint AS integer DEFAULT 1 NOT NULL CONSTRAINT pos CHECK (VALUE > 0);
COMMENT ON DOMAIN posint IS 'positive';
CREATE TYPE pair AS (a integer, b text);
CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);
CREATE SEQUENCE counter START 10 INCREMENT 5 CACHE 3;
CREATE TABLE t (id serial PRIMARY KEY, n posint, name citext, k integer DEFAULT nextval('counter'));
CREATE SEQUENCE owned;
ALTER SEQUENCE owned OWNED BY t.k;
CREATE VIEW v WITH (security_barrier) AS SELECT id, n FROM t WHERE n > 1 WITH LOCAL CHECK OPTION;
CREATE VIEW vv AS SELECT id FROM v;
CREATE MATERIALIZED VIEW mv AS SELECT id FROM t WITH NO DATA;
CREATE UNIQUE INDEX mv_id ON mv (id);
CREATE FUNCTION f(a integer, b integer DEFAULT 2) RETURNS integer LANGUAGE sql IMMUTABLE STRICT RETURN a + b;
CREATE FUNCTION f(a text) RETURNS text LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$ SELECT a $$;
CREATE PROCEDURE p() LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER t_upd BEFORE UPDATE OF n ON t FOR EACH ROW WHEN (OLD.n IS DISTINCT FROM NEW.n) EXECUTE FUNCTION trg();
CREATE AGGREGATE mysum(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0');
ALTER TABLE t ENABLE ROW LEVEL SECURITY;
CREATE POLICY p1 ON t FOR SELECT TO PUBLIC USING (n > 0);
`, ObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	counts := ObjectCounts(r)
	want := map[PgKind]int{
		PgKindExtension: 1, PgKindDomain: 1, PgKindComposite: 1, PgKindRange: 1, PgKindSequence: 2,
		PgKindView: 2, PgKindMatView: 1, PgKindFunction: 3, PgKindProcedure: 1, PgKindTrigger: 1,
		PgKindAggregate: 1, PgKindRowSecurity: 1, PgKindPolicy: 1,
	}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%s: got %d, want %d (all: %v)", k, counts[k], n, counts)
		}
	}
	v := findObj(r, "view public.v").(*PgView)
	if v.CheckOption != "LOCAL" || len(v.Options) != 1 || v.Options[0] != "security_barrier=true" || len(v.Columns) != 2 {
		t.Errorf("view: %+v", v)
	}
	if !hasRef(v.Deps(), "column public.t.n") {
		t.Errorf("view deps: %v", v.Deps())
	}
	vv := findObj(r, "view public.vv")
	if !hasRef(vv.Deps(), "view public.v") {
		t.Errorf("view on view deps: %v", vv.Deps())
	}
	mv := findObj(r, "materialized view public.mv").(*PgView)
	if v.SelfReference || vv.(*PgView).SelfReference || mv.SelfReference {
		t.Errorf("views that do not read themselves marked as reading themselves: v %v, vv %v, mv %v",
			v.SelfReference, vv.(*PgView).SelfReference, mv.SelfReference)
	}
	if mv.WithData || len(mv.Indexes) != 1 || !strings.Contains(mv.Indexes[0].Def, "UNIQUE INDEX mv_id ON public.mv") {
		t.Errorf("matview: %+v", mv)
	}
	f := findObj(r, "function public.f(a integer, b integer)")
	if f == nil {
		f = findObj(r, "function public.f(integer, integer)")
	}
	if f == nil || !strings.Contains(f.(*PgFunction).Def, "RETURN (a + b)") {
		t.Errorf("function f(int,int): %+v (all: %v)", f, Objects(r))
	}
	tg := findObj(r, "trigger t_upd on public.t").(*PgTrigger)
	if !hasRef(tg.Deps(), "function public.trg()") || !strings.Contains(tg.Def, "WHEN (((old.n)::integer IS DISTINCT FROM (new.n)::integer))") {
		t.Errorf("trigger: %+v deps %v", tg, tg.Deps())
	}
	d := findObj(r, "domain public.posint").(*PgDomain)
	if !d.NotNull || d.Default != "1" || len(d.Checks) != 1 || d.Checks[0].Def != "CHECK ((VALUE > 0))" || d.Comment != "positive" {
		t.Errorf("domain: %+v", d)
	}
	s := findObj(r, "sequence public.counter").(*PgSequence)
	if s.Start != 10 || s.Increment != 5 || s.Cache != 3 || s.OwnedBy != nil {
		t.Errorf("sequence: %+v", s)
	}
	o := findObj(r, "sequence public.owned").(*PgSequence)
	if o.OwnedBy == nil || o.OwnedBy.String() != "column public.t.k" {
		t.Errorf("owned sequence: %+v", o)
	}
	// The serial column stays Atlas's; the column using a standalone
	// sequence gets its plain type and default back.
	pub, _ := r.Schema("public")
	tt, _ := pub.Table("t")
	if id, _ := tt.Column("id"); id.Type.Raw != "serial" {
		t.Errorf("id: %+v", id.Type)
	}
	if k, _ := tt.Column("k"); k.Type.Raw != "integer" || k.Default.(*atlas.RawExpr).X != "nextval('public.counter'::regclass)" {
		t.Errorf("k: %+v %+v", k.Type, k.Default)
	}
	deps := TableDeps(tt)
	for _, want := range []string{"domain public.posint", "sequence public.counter", "extension citext"} {
		if !hasRef(deps, want) {
			t.Errorf("table deps %v lack %s", deps, want)
		}
	}
	agg := findObj(r, "aggregate public.mysum(integer)").(*PgFunction)
	if agg.Def != "CREATE AGGREGATE public.mysum(integer) (\n    SFUNC = int4pl,\n    STYPE = integer,\n    INITCOND = '0'\n)" {
		t.Errorf("aggregate: %q", agg.Def)
	}
	pol := findObj(r, "policy p1 on public.t").(*PgPolicy)
	if pol.Command != "SELECT" || pol.Using != "((n)::integer > 0)" || len(pol.Roles) != 1 || pol.Roles[0] != "PUBLIC" {
		t.Errorf("policy: %+v", pol)
	}
}

func hasRef(refs []PgRef, s string) bool {
	for _, r := range refs {
		if r.String() == s {
			return true
		}
	}
	return false
}

// TestInspectObjectsOnceUnsupported: shell types and foreign tables that
// are partitions or inherit, which inspection once refused, are read.
func TestInspectObjectsOnceUnsupported(t *testing.T) {
	t.Parallel()
	r, err := objTestRealm(t, `
CREATE TYPE shell_only;
CREATE TABLE p (id int) PARTITION BY RANGE (id);
CREATE EXTENSION postgres_fdw;
CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw;
CREATE FOREIGN TABLE fp PARTITION OF p FOR VALUES FROM (0) TO (10) SERVER s;
CREATE TABLE base (id int);
CREATE FOREIGN TABLE fc (extra text) INHERITS (base) SERVER s;
`, ObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if b, ok := findObj(r, "base type public.shell_only").(*PgBaseType); !ok || !b.Shell {
		t.Errorf("shell type: %+v", findObj(r, "base type public.shell_only"))
	}
	fp := findObj(r, "foreign table public.fp").(*PgForeignTable)
	if fp.PartitionOf != "public.p" || fp.Bound != "FOR VALUES FROM (0) TO (10)" || len(fp.Columns) != 1 || !fp.Columns[0].Inherited || !hasRef(fp.DependsOn, "table public.p") {
		t.Errorf("foreign partition: %+v", fp)
	}
	fc := findObj(r, "foreign table public.fc").(*PgForeignTable)
	if strings.Join(fc.Inherits, ",") != "public.base" || len(fc.Columns) != 2 || !fc.Columns[0].Inherited || fc.Columns[1].Inherited || !hasRef(fc.DependsOn, "table public.base") {
		t.Errorf("foreign child: %+v", fc)
	}
}

func TestInspectObjectsPrivileges(t *testing.T) {
	t.Parallel()
	r, err := objTestRealm(t, `
DO $$ BEGIN CREATE ROLE objtest_reader; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE TABLE t (id int, secret text);
GRANT SELECT ON t TO objtest_reader;
GRANT UPDATE (secret) ON t TO objtest_reader WITH GRANT OPTION;
CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN 1;
REVOKE EXECUTE ON FUNCTION f() FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO objtest_reader;
`, ObjectOptions{IncludePrivileges: true})
	if err != nil {
		t.Fatal(err)
	}
	tp := findObj(r, "privileges on table public.t").(*PgPrivileges)
	if strings.Join(tp.Items, ",") != "objtest_reader=SELECT" || tp.Target != "TABLE public.t" {
		t.Errorf("table privileges: %+v", tp)
	}
	cp := findObj(r, "privileges on column secret public.t").(*PgPrivileges)
	if strings.Join(cp.Items, ",") != "objtest_reader=UPDATE*" || cp.Column != `"secret"` {
		t.Errorf("column privileges: %+v", cp)
	}
	fp := findObj(r, "privileges on function public.f()").(*PgPrivileges)
	if len(fp.Items) != 0 || strings.Join(fp.Default, ",") != "PUBLIC=EXECUTE" {
		t.Errorf("function privileges: %+v", fp)
	}
	var dp *PgDefaultPrivileges
	for _, o := range Objects(r) {
		if d, ok := o.(*PgDefaultPrivileges); ok {
			dp = d
		}
	}
	if dp == nil || dp.On != "TABLES" || dp.InSchema != "public" || strings.Join(dp.Items, ",") != "objtest_reader=SELECT" {
		t.Errorf("default privileges: %+v", dp)
	}
}
