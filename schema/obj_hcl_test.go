package schema_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/diff"
	"github.com/schemactl/schemactl/schema"
)

// hclObjectsDDL has an object of every kind MarshalObjectsHCL writes.
const hclObjectsDDL = `
CREATE SCHEMA app;
CREATE EXTENSION citext WITH SCHEMA public;
CREATE DOMAIN posint AS integer DEFAULT 1 NOT NULL CONSTRAINT pos CHECK (VALUE > 0);
COMMENT ON DOMAIN posint IS 'positive';
CREATE DOMAIN app."bıgınt" AS bigint;
CREATE TYPE pair AS (a integer, b text COLLATE "C");
CREATE SEQUENCE counter AS bigint START 10 INCREMENT 5 CACHE 3 CYCLE;
CREATE TABLE t (id int PRIMARY KEY, n posint, name citext, k bigint DEFAULT nextval('counter'), big app."bıgınt", p pair);
CREATE SEQUENCE owned;
ALTER SEQUENCE owned OWNED BY t.k;
CREATE FUNCTION add(a integer, b integer DEFAULT 2) RETURNS integer LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN a + b;
CREATE FUNCTION app.f(a text, OUT x text, VARIADIC r int[] DEFAULT '{}') LANGUAGE sql SECURITY DEFINER
	SET search_path = public, pg_catalog COST 7 AS $f$ SELECT a || '$function$' $f$;
COMMENT ON FUNCTION add(integer, integer) IS 'adds';
CREATE FUNCTION rows_of(min int) RETURNS TABLE (id int, n int) LANGUAGE plpgsql STABLE ROWS 10 AS $b$
BEGIN
	RETURN QUERY SELECT t.id, t.n::int FROM t WHERE t.id > min;
END
$b$;
CREATE FUNCTION cnt() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM t; END;
CREATE PROCEDURE app.p(INOUT x int) LANGUAGE plpgsql AS $$ BEGIN x := x + 1; END $$;
CREATE FUNCTION cat(text, text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT $1 || $2';
CREATE AGGREGATE group_cat(text) (SFUNC = cat, STYPE = text, INITCOND = '');
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE VIEW v WITH (security_barrier) AS SELECT id, n FROM t WHERE n > 1 WITH LOCAL CHECK OPTION;
CREATE VIEW names AS SELECT group_cat(name::text) AS names FROM t;
COMMENT ON VIEW v IS 'the view';
ALTER VIEW v ALTER COLUMN n SET DEFAULT 7;
COMMENT ON COLUMN v.n IS 'n';
CREATE VIEW vv AS SELECT id FROM v;
CREATE MATERIALIZED VIEW mv AS SELECT id, n FROM t WITH NO DATA;
CREATE UNIQUE INDEX mv_id ON mv (id);
CREATE TRIGGER t_upd BEFORE UPDATE OF n, name ON t FOR EACH ROW WHEN (OLD.n IS DISTINCT FROM NEW.n) EXECUTE FUNCTION touch('a', 'b c');
CREATE TRIGGER t_stmt AFTER UPDATE ON t REFERENCING NEW TABLE AS nt OLD TABLE AS ot FOR EACH STATEMENT EXECUTE FUNCTION touch();
CREATE TRIGGER t_trunc AFTER INSERT OR DELETE OR TRUNCATE ON t FOR EACH STATEMENT EXECUTE FUNCTION touch();
CREATE CONSTRAINT TRIGGER t_ct AFTER INSERT ON t DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE t DISABLE TRIGGER t_ct;
COMMENT ON TRIGGER t_upd ON t IS 'touch';
CREATE TRIGGER v_ins INSTEAD OF INSERT ON v FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE t ENABLE ROW LEVEL SECURITY;
ALTER TABLE t FORCE ROW LEVEL SECURITY;
CREATE POLICY p1 ON t AS RESTRICTIVE FOR SELECT TO PUBLIC USING (n > 0);
CREATE POLICY p2 ON t FOR INSERT WITH CHECK (id > 0);
`

// TestObjectsHCLRoundTrip writes a state as HCL (Atlas's blocks and the
// object blocks), loads the HCL back and requires the same state.
func TestObjectsHCLRoundTrip(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"schema.sql": hclObjectsDDL})
	want := mustLoad(t, "file://"+filepath.Join(dir, "schema.sql"), schema.LoadOptions{})
	atlasHCL, full := stateHCL(t, want)
	text := string(full)
	objs := full[len(atlasHCL):]
	for _, block := range []string{"extension \"citext\"", "domain \"posint\"", "composite \"pair\"", "sequence \"counter\"",
		"function \"add\"", "procedure \"p\"", "aggregate \"group_cat\"", "view \"v\"", "materialized \"mv\"", "trigger \"t_upd\"", "policy \"p1\"", "row_security {"} {
		if !strings.Contains(text, block) {
			t.Errorf("HCL lacks %s", block)
		}
	}
	if left := schema.NotInHCL(want.State); len(left) != 0 {
		t.Errorf("not in HCL: %v", left)
	}
	path := filepath.Join(dir, "schema.hcl")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	got := mustLoad(t, "file://"+path, schema.LoadOptions{})
	if g, w := len(schema.Objects(got.Realm)), len(schema.Objects(want.Realm)); g != w || w < 20 {
		t.Errorf("objects: got %d, want %d", g, w)
	}
	if testing.Verbose() {
		t.Logf("HCL:\n%s", objs)
	}
	diffs, err := diff.Differences(got.State, want.State)
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) > 0 {
		t.Fatalf("differences after the HCL round trip:\n%s\nHCL:\n%s", strings.Join(diffs, "\n"), text)
	}
}

// TestObjectsHCLErrors: a bad object block is reported at its position.
func TestObjectsHCLErrors(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"s.hcl": `schema "public" {}

view "v" {
  schema = schema.public
  as     = "SELECT nosuchcolumn FROM nosuchtable"
}
`})
	_, err := schema.Load(t.Context(), "file://"+filepath.Join(dir, "s.hcl"), schema.LoadOptions{Dev: dev(t)})
	if err == nil || !strings.Contains(err.Error(), "s.hcl:3:1") || !strings.Contains(err.Error(), "nosuchtable") {
		t.Fatalf("want an error at s.hcl:3:1 naming nosuchtable, got %v", err)
	}
}
