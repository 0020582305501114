package schema_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/diff"
	"github.com/schemactl/schemactl/internal/corpus"
	"github.com/schemactl/schemactl/schema"
)

// hclRoundTrip loads the SQL state at url, writes it as HCL (Atlas's
// blocks and ours), loads the HCL back and fails the test on any
// difference. It returns the HCL.
func hclRoundTrip(t *testing.T, url string, opts schema.LoadOptions) string {
	t.Helper()
	want := mustLoad(t, url, opts)
	_, full := stateHCL(t, want)
	if left := schema.NotInHCL(want.State); len(left) != 0 {
		t.Errorf("not in HCL: %v", left)
	}
	path := filepath.Join(t.TempDir(), "schema.hcl")
	if err := os.WriteFile(path, full, 0o644); err != nil {
		t.Fatal(err)
	}
	got := mustLoad(t, "file://"+path, opts)
	diffs, err := diff.Differences(got.State, want.State)
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) > 0 {
		t.Fatalf("differences after the HCL round trip:\n%s\nHCL:\n%s", strings.Join(diffs, "\n"), full)
	}
	return string(full)
}

// TestPartsHCLRoundTrip: partitions, range types, event triggers and
// privileges go to HCL and come back the same.
func TestPartsHCLRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, sql  string
		privileges bool
		want       []string // in the HCL
	}{
		{name: "range partitions", sql: `
CREATE TABLE m (id int NOT NULL, at date NOT NULL, v int DEFAULT 0, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE INDEX m_v ON m (v);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE m_rest PARTITION OF m DEFAULT;
ALTER TABLE m_2024 ALTER COLUMN v SET DEFAULT 7, ALTER COLUMN v SET NOT NULL;
ALTER TABLE m_rest ALTER COLUMN v DROP DEFAULT;
ALTER TABLE m_2024 ADD CONSTRAINT small CHECK (v < 100);
CREATE INDEX m_2024_local ON m_2024 (id) WHERE v > 1;
ALTER INDEX m_2024_v_idx RENAME TO m_2024_attached;
CREATE INDEX m_2024_v_idx ON m_2024 (v, id);
COMMENT ON TABLE m_2024 IS 'year';
COMMENT ON COLUMN m_2024.v IS 'value';
COMMENT ON INDEX m_2024_local IS 'local';
COMMENT ON CONSTRAINT small ON m_2024 IS 'small';
ALTER TABLE m_rest ENABLE ROW LEVEL SECURITY;
`, want: []string{`partition_of = table.public.m`, `default      = true`, `partition_of = "m_v"`, `for_values   = "FROM ('2024-01-01') TO ('2025-01-01')"`}},
		{name: "list, hash and sub-partitions", sql: `
CREATE SCHEMA other;
CREATE TABLE ev (id int, region text, kind int, at timestamptz) PARTITION BY LIST (region);
CREATE TABLE ev_eu PARTITION OF ev FOR VALUES IN ('de', 'fr') PARTITION BY HASH (id, (kind + 1));
CREATE TABLE other.ev_eu_0 PARTITION OF ev_eu FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE ev_eu_1 PARTITION OF ev_eu FOR VALUES WITH (MODULUS 2, REMAINDER 1) WITH (fillfactor = 70);
CREATE TABLE ev_us PARTITION OF ev FOR VALUES IN ('us') PARTITION BY RANGE (lower(region), at);
CREATE TABLE ev_us_all PARTITION OF ev_us FOR VALUES FROM (MINVALUE, MINVALUE) TO (MAXVALUE, MAXVALUE);
`, want: []string{`partition_of = table.public.ev_eu`, `expr = "((kind + 1))"`, `options      = "fillfactor=70"`}},
		{name: "range types", sql: `
CREATE FUNCTION time_diff(a time, b time) RETURNS double precision LANGUAGE sql IMMUTABLE AS 'SELECT EXTRACT(EPOCH FROM (a - b))';
CREATE TYPE timerange AS RANGE (SUBTYPE = time, SUBTYPE_DIFF = time_diff);
CREATE TYPE textrange AS RANGE (SUBTYPE = text, COLLATION = "C", MULTIRANGE_TYPE_NAME = text_multi);
COMMENT ON TYPE textrange IS 'texts';
CREATE TABLE shifts (id int PRIMARY KEY, during timerange, names textrange);
`, want: []string{`range "timerange"`, `subtype      = sql("time without time zone")`, `multirange = "public.text_multi"`}},
		{name: "event triggers", sql: `
CREATE FUNCTION no_drops() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no'; END $$;
CREATE EVENT TRIGGER stop_drops ON sql_drop WHEN TAG IN ('DROP TABLE', 'DROP VIEW') EXECUTE FUNCTION no_drops();
CREATE EVENT TRIGGER off ON ddl_command_end EXECUTE FUNCTION no_drops();
ALTER EVENT TRIGGER off DISABLE;
COMMENT ON EVENT TRIGGER off IS 'disabled';
`, want: []string{`event_trigger "stop_drops"`, `on      = sql_drop`, `execute = function.public.no_drops`}},
		{name: "privileges", privileges: true, sql: `
DO $$ BEGIN CREATE ROLE hcltest_app; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE "HCL test"; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE TABLE t (id int PRIMARY KEY, secret text, note text);
CREATE SEQUENCE s;
CREATE VIEW v AS SELECT id FROM t;
CREATE FUNCTION f(a int, b text) RETURNS int LANGUAGE sql AS 'SELECT a';
CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE TYPE mood AS ENUM ('ok');
GRANT SELECT, INSERT ON t TO PUBLIC;
GRANT UPDATE (note) ON t TO hcltest_app WITH GRANT OPTION;
GRANT SELECT (secret), UPDATE (note) ON t TO "HCL test";
GRANT USAGE ON SEQUENCE s TO PUBLIC;
GRANT SELECT ON v TO hcltest_app WITH GRANT OPTION;
GRANT INSERT ON v TO hcltest_app;
REVOKE EXECUTE ON FUNCTION f(int, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION g() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION g() TO "HCL test" WITH GRANT OPTION;
REVOKE USAGE ON TYPE mood FROM PUBLIC;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO PUBLIC;
`, want: []string{"permission {", `for        = table.public.t.column.note`, `privileges = [INSERT, SELECT]`, `args       = "a integer, b text"`, `to         = "HCL test"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := writeFiles(t, map[string]string{"schema.sql": tc.sql})
			var opts schema.LoadOptions
			opts.Scope.IncludePrivileges = tc.privileges
			text := hclRoundTrip(t, "file://"+filepath.Join(dir, "schema.sql"), opts)
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("HCL lacks %s:\n%s", w, text)
				}
			}
		})
	}
}

// TestPagilaHCLRoundTrip: pagila inspected to HCL and loaded back from it
// is pagila, partitions and privileges included.
func TestPagilaHCLRoundTrip(t *testing.T) {
	t.Parallel()
	path := corpus.Require(t, "pagila", "schema.sql")
	var opts schema.LoadOptions
	opts.Scope.IncludePrivileges = true
	text := hclRoundTrip(t, "file://"+path, opts)
	if n := strings.Count(text, "partition_of = table.public.payment\n"); n != 55 {
		t.Errorf("%d partitions of payment in the HCL, want 55", n)
	}
}

// TestPartsHCLErrors: a partition without a bound and a permission on
// something that takes none are reported at their block.
func TestPartsHCLErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, hcl, want string }{
		{"no bound", `schema "public" {}

table "p1" {
  schema       = schema.public
  partition_of = table.public.p
}
`, "s.hcl:3:1: table \"p1\": want for_values or default = true"},
		{"bad target", `schema "public" {}

permission {
  for        = trigger.public.t
  to         = PUBLIC
  privileges = [SELECT]
}
`, "s.hcl:3:1: permission: for: privileges on a trigger are not supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := writeFiles(t, map[string]string{"s.hcl": tc.hcl})
			_, err := schema.Load(t.Context(), "file://"+filepath.Join(dir, "s.hcl"), schema.LoadOptions{Dev: dev(t)})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error with %q, got %v", tc.want, err)
			}
		})
	}
}
