package schema_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/schema"
)

// A schema dump with the rows of one table appended, as pg_dump writes
// them: the rows hold what would break a statement splitter (a quote, a
// semicolon, a dollar sign, a comment marker, a backslash-escaped tab).
const dumpWithRows = `SET check_function_bodies = false;
CREATE TABLE public.migrations (id int PRIMARY KEY, note text);
COPY public.migrations (id, note) FROM stdin;
1	it's; $$ -- not a comment
2	tab\there /* nor this
\.
CREATE UNIQUE INDEX migrations_note ON public.migrations (note);
COPY public.migrations (id, note) FROM stdin WITH (FORMAT csv);
3,"a ""quoted""; value"
\.
CREATE TABLE public.after (id int);
`

// TestLoadCopyFromStdin: a desired-state file with COPY ... FROM stdin
// rows loads as psql loads it: the rows go into the dev database through
// COPY, and the statements after them run.
func TestLoadCopyFromStdin(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"dump.sql": dumpWithRows})
	l := mustLoad(t, "file://"+filepath.Join(dir, "dump.sql"), schema.LoadOptions{})
	if !hasTable(l, "public.after") {
		t.Fatalf("tables: %v", tableNames(l))
	}
	var n int
	var notes string
	if err := l.DB.QueryRowContext(context.Background(), "SELECT count(*), string_agg(note, '|' ORDER BY id) FROM public.migrations").Scan(&n, &notes); err != nil {
		t.Fatal(err)
	}
	if want := "it's; $$ -- not a comment|tab\there /* nor this|a \"quoted\"; value"; n != 3 || notes != want {
		t.Fatalf("rows: %d %q, want 3 %q", n, notes, want)
	}
}

// TestLoadCopyFromStdinError: a row COPY refuses is reported at the COPY
// statement, with PostgreSQL's message and SQLSTATE, and loses nothing
// after it silently (the load fails).
func TestLoadCopyFromStdinError(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"dump.sql": "CREATE TABLE t (id int);\n\nCOPY t (id) FROM stdin;\nnot a number\n\\.\nCREATE TABLE u (id int);\n"})
	_, err := schema.Load(context.Background(), "file://"+filepath.Join(dir, "dump.sql"), schema.LoadOptions{Dev: dev(t)})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{filepath.Join(dir, "dump.sql") + ":3:1:", "COPY t", "invalid input syntax for type integer", "22P02"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
