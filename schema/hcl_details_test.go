package schema_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/schema"
)

// TestDetailsHCLRoundTrip: type modifiers, replica identity, the index
// CLUSTER uses, column and index expression statistics, storage and compression go to HCL and come back the same,
// on tables and partitions.
func TestDetailsHCLRoundTrip(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"schema.sql": `
CREATE TABLE t (id int NOT NULL, at timestamp(6), plain timestamp, tz timestamptz(3), i interval, d interval day to second(3), n numeric, v varchar, doc text COMPRESSION lz4, b bit varying(5), ts timestamp(6)[]);
CREATE UNIQUE INDEX t_id ON t (id) WITH (fillfactor = 80, deduplicate_items = off);
CREATE INDEX t_lower ON t (lower(v), id, upper(v)); ALTER INDEX t_lower ALTER COLUMN 1 SET STATISTICS 3000, ALTER COLUMN 3 SET STATISTICS 10;
ALTER TABLE t CLUSTER ON t_lower;
ALTER TABLE t REPLICA IDENTITY USING INDEX t_id, ALTER COLUMN doc SET STORAGE EXTERNAL, ALTER COLUMN doc SET STATISTICS 700, ALTER COLUMN n SET (n_distinct = -0.25);
CREATE UNLOGGED SEQUENCE us;
CREATE UNLOGGED TABLE ut (id serial);
CREATE TABLE f (a text) WITH (fillfactor = 70, autovacuum_enabled = false);
ALTER TABLE f REPLICA IDENTITY FULL;
CREATE TABLE ev (at date, v text COMPRESSION lz4) PARTITION BY RANGE (at);
ALTER TABLE ev ALTER COLUMN v SET STORAGE MAIN;
CREATE TABLE ev_1 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE UNLOGGED TABLE ev_2 PARTITION OF ev FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
ALTER TABLE ONLY ev_2 ALTER COLUMN v SET STORAGE EXTENDED, ALTER COLUMN v SET COMPRESSION DEFAULT, ALTER COLUMN v SET STATISTICS 20;
ALTER TABLE ev_2 REPLICA IDENTITY NOTHING;
`})
	text := hclRoundTrip(t, "file://"+filepath.Join(dir, "schema.sql"), schema.LoadOptions{})
	for _, w := range []string{`replica_identity = "USING INDEX \"t_id\""`, `replica_identity = "FULL"`, `replica_identity = "NOTHING"`,
		"statistics  = 700", `storage     = "EXTERNAL"`, `compression = "lz4"`, "unlogged = true", `options = "n_distinct=-0.25"`, `compression = "default"`, `storage     = "EXTENDED"`, `options          = "autovacuum_enabled=false, fillfactor=70"`, `options = "deduplicate_items=off, fillfactor='80'"`, `statistics = "1=3000, 3=10"`, `cluster_on       = "t_lower"`} {
		if !strings.Contains(text, w) {
			t.Errorf("HCL lacks %s:\n%s", w, text)
		}
	}
}

// TestDetailsHCLErrors: a bad value is reported at its block's position.
func TestDetailsHCLErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ body, want string }{
		{`replica_identity = "SOME"`, `s.hcl:3:1: table "t": replica_identity: want FULL, NOTHING, DEFAULT`},
		{`column "a" {
    type = text
    storage = "FAST"
  }`, `s.hcl:5:3: column "a": storage: want PLAIN, EXTERNAL, MAIN or EXTENDED, not "FAST"`},
		{`column "a" {
    type = text
  }
  index "t_a" {
    columns = [column.a]
    statistics = "1=many"
  }`, `s.hcl:8:3: index "t_a": statistics: want column=target, e.g. "1=3000, 2=100", not "1=many"`},
	} {
		dir := writeFiles(t, map[string]string{"s.hcl": `schema "public" {}

table "t" {
  schema = schema.public
  ` + tc.body + `
}
`})
		_, err := schema.Load(t.Context(), "file://"+filepath.Join(dir, "s.hcl"), schema.LoadOptions{Dev: dev(t)})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			b, _ := os.ReadFile(filepath.Join(dir, "s.hcl"))
			t.Errorf("want an error with %q, got %v\n%s", tc.want, err, b)
		}
	}
}
