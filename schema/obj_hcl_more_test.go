package schema_test

import (
	"context"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/diff"
	"github.com/schemactl/schemactl/schema"
)

// hclMoreDDL has an object of every kind of obj_hcl_more.go.
const hclMoreDDL = `
CREATE SCHEMA app;
CREATE TABLE t (id int PRIMARY KEY, a int, b text);
CREATE TABLE log (id int);
CREATE TABLE app.items (id int);
CREATE VIEW v AS SELECT id, a FROM t;
CREATE RULE t_log AS ON INSERT TO t DO ALSO INSERT INTO log VALUES (NEW.id);
ALTER TABLE t DISABLE RULE t_log;
COMMENT ON RULE t_log ON t IS 'audit';
CREATE RULE v_ins AS ON INSERT TO v DO INSTEAD INSERT INTO t (id, a) VALUES (NEW.id, NEW.a);
CREATE TYPE pair AS (a int, b int);
CREATE FUNCTION pair_text(pair) RETURNS text LANGUAGE sql IMMUTABLE AS $$SELECT $1.a || ',' || $1.b$$;
CREATE CAST (pair AS text) WITH FUNCTION pair_text(pair) AS ASSIGNMENT;
COMMENT ON CAST (pair AS text) IS 'pairs';
CREATE CAST (date AS integer) WITHOUT FUNCTION;
CREATE CAST (pair AS varchar) WITH INOUT AS IMPLICIT;
CREATE FUNCTION plh() RETURNS language_handler AS '$libdir/plpgsql', 'plpgsql_call_handler' LANGUAGE C;
CREATE FUNCTION plv(oid) RETURNS void AS '$libdir/plpgsql', 'plpgsql_validator' LANGUAGE C;
CREATE TRUSTED LANGUAGE plx HANDLER plh VALIDATOR plv;
COMMENT ON LANGUAGE plx IS 'x';
CREATE FUNCTION pair_from(internal) RETURNS internal IMMUTABLE AS '$libdir/plpgsql', 'plpgsql_call_handler' LANGUAGE C;
CREATE TRANSFORM FOR pair LANGUAGE plx (FROM SQL WITH FUNCTION pair_from(internal));
CREATE ACCESS METHOD heap2 TYPE TABLE HANDLER heap_tableam_handler;
CREATE EXTENSION postgres_fdw;
CREATE EXTENSION file_fdw;
CREATE FOREIGN DATA WRAPPER w HANDLER file_fdw_handler OPTIONS (a '1');
CREATE SERVER s TYPE 'pg' VERSION '15' FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'db.example', dbname 'app');
COMMENT ON SERVER s IS 'remote';
CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;
CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (user 'app');
CREATE FOREIGN TABLE app.ft (id int NOT NULL DEFAULT 1, b text OPTIONS (column_name 'bb') COLLATE "C", CONSTRAINT id_pos CHECK (id > 0))
	SERVER s OPTIONS (schema_name 'remote', table_name 'items');
COMMENT ON FOREIGN TABLE app.ft IS 'items';
COMMENT ON COLUMN app.ft.b IS 'bee';
CREATE FOREIGN TABLE csv (a int, b text) SERVER files OPTIONS (filename '/dev/null', format 'csv');
CREATE VIEW fv AS SELECT id FROM app.ft;
CREATE TABLE m (id int NOT NULL, at date NOT NULL, note text DEFAULT 'n', kind text) PARTITION BY RANGE (at);
CREATE FOREIGN TABLE m_old PARTITION OF m (CONSTRAINT old_id CHECK (id < 100)) FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') SERVER s OPTIONS (table_name 'm_2024');
ALTER FOREIGN TABLE m_old ALTER COLUMN note DROP DEFAULT, ALTER COLUMN kind SET DEFAULT 'k', ALTER COLUMN kind SET NOT NULL,
	ALTER COLUMN id OPTIONS (ADD column_name 'rid');
COMMENT ON COLUMN m_old.at IS 'day';
CREATE FOREIGN TABLE m_rest PARTITION OF m DEFAULT SERVER s;
CREATE TABLE base (id int NOT NULL, kind text DEFAULT 'b');
CREATE FOREIGN TABLE logs (line text) INHERITS (base) SERVER files OPTIONS (filename '/dev/null');
ALTER FOREIGN TABLE logs ALTER COLUMN id DROP NOT NULL;
CREATE PUBLICATION p FOR TABLE t (id, a) WHERE (a > 0), log WITH (publish = 'insert, update');
COMMENT ON PUBLICATION p IS 'feed';
CREATE PUBLICATION ps FOR TABLES IN SCHEMA app WITH (publish_via_partition_root = true);
CREATE PUBLICATION everything FOR ALL TABLES;
`

// TestMoreObjectsHCLRoundTrip writes casts, rules, languages, access
// methods, foreign data and publications as HCL, loads the HCL back and
// requires the same state.
func TestMoreObjectsHCLRoundTrip(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"schema.sql": hclMoreDDL})
	want := mustLoad(t, "file://"+filepath.Join(dir, "schema.sql"), schema.LoadOptions{})
	_, full := stateHCL(t, want)
	text := string(full)
	for _, block := range []string{"cast {", "rule \"t_log\"", "on         = view.public.v", "language \"plx\"", "transform {", "access_method \"heap2\"",
		"foreign_data_wrapper \"w\"", "server \"s\"", "user_mapping {", "foreign_table \"ft\"", "publication \"p\"", "all_tables = true",
		`partition_of = "public.m"`, `for_values   = "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"`, `for_values   = "DEFAULT"`, `inherits = ["public.base"]`,
		`drop_default = true`, `inherited = true`} {
		if !strings.Contains(text, block) {
			t.Errorf("HCL lacks %s:\n%s", block, text)
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
	if g, w := len(schema.Objects(got.Realm)), len(schema.Objects(want.Realm)); g != w || w < 18 {
		t.Errorf("objects: got %d, want %d", g, w)
	}
	diffs, err := diff.Differences(got.State, want.State)
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) > 0 {
		t.Fatalf("differences after the HCL round trip:\n%s\nHCL:\n%s", strings.Join(diffs, "\n"), text)
	}
}

// TestUserMappingPasswordHidden: a user mapping's password is read (as a
// hash: a changed password is a difference) but never written to HCL.
func TestUserMappingPasswordHidden(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-Pw-917"
	ddl := `CREATE EXTENSION postgres_fdw;
CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'db.example');
CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (user 'app', password '` + secret + `');
`
	dir := writeFiles(t, map[string]string{"a.sql": ddl, "b.sql": strings.Replace(ddl, secret, "other", 1)})
	a := mustLoad(t, "file://"+filepath.Join(dir, "a.sql"), schema.LoadOptions{})
	b := mustLoad(t, "file://"+filepath.Join(dir, "b.sql"), schema.LoadOptions{})
	_, full := stateHCL(t, a)
	if strings.Contains(string(full), secret) || !strings.Contains(string(full), `"user=app"`) {
		t.Errorf("HCL:\n%s", full)
	}
	left := schema.NotInHCL(a.State)
	if len(left) != 1 || !strings.Contains(left[0], "password") || strings.Contains(left[0], secret) {
		t.Errorf("NotInHCL = %v", left)
	}
	diffs, err := diff.Differences(a.State, b.State)
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) != 1 || strings.Contains(diffs[0], secret) || strings.Contains(diffs[0], "other") {
		t.Errorf("differences = %v, want the user mapping's, without the passwords", diffs)
	}
	_, err = diff.Diff(t.Context(), a.State, b.State, diff.Options{})
	if err == nil || !strings.Contains(err.Error(), "writes no password") || strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "other") {
		t.Errorf("plan error = %v", err)
	}
}

// TestUserMappingsAsNonSuperuser: a role that may not see a mapping's
// options gets an error naming the mapping; one that may (the server's
// owner) inspects it.
func TestUserMappingsAsNonSuperuser(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	admin := devdb.ForTest(t)
	db, err := schema.OpenDB(admin)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	name := "um_" + pgurlDatabase(admin)
	if _, err := db.ExecContext(ctx, `CREATE ROLE `+name+`_ro LOGIN; CREATE ROLE `+name+`_own LOGIN;
CREATE EXTENSION postgres_fdw;
CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw;
CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (user 'app', password 'pw-x');
CREATE SERVER s2 FOREIGN DATA WRAPPER postgres_fdw;
ALTER SERVER s2 OWNER TO `+name+`_own;
CREATE USER MAPPING FOR PUBLIC SERVER s2 OPTIONS (user 'other');`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.ExecContext(context.Background(), `DROP OWNED BY `+name+`_own, `+name+`_ro; DROP ROLE `+name+`_own; DROP ROLE `+name+`_ro`)
	})
	as := func(role string) string {
		u, err := neturl.Parse(admin)
		if err != nil {
			t.Fatal(err)
		}
		u.User = neturl.User(role)
		return u.String()
	}
	_, err = schema.Inspect(ctx, as(name+"_ro"), schema.Scope{})
	if err == nil || !strings.Contains(err.Error(), "user mapping for PUBLIC server s: its options are hidden") || strings.Contains(err.Error(), "pw-x") {
		t.Fatalf("inspect as %s_ro: %v", name, err)
	}
	if _, err := db.ExecContext(ctx, `DROP USER MAPPING FOR PUBLIC SERVER s`); err != nil {
		t.Fatal(err)
	}
	st, err := schema.Inspect(ctx, as(name+"_own"), schema.Scope{})
	if err != nil {
		t.Fatalf("inspect as %s_own: %v", name, err)
	}
	var found bool
	for _, o := range schema.Objects(st.Realm) {
		if u, ok := o.(*schema.PgUserMapping); ok && u.Server == "s2" && len(u.Options) == 1 && u.Options[0] == "user=other" {
			found = true
		}
	}
	if !found {
		t.Errorf("the mapping of s2 is not read: %v", schema.Objects(st.Realm))
	}
}
