package migrations

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
)

// openDir writes files into a new directory with its atlas.sum and opens it.
func openDir(t testing.TB, files map[string]string) *Dir {
	t.Helper()
	dir := writeDir(t, files)
	if err := WriteSum(dir); err != nil {
		t.Fatal(err)
	}
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func relations(t testing.TB, url string) []string {
	t.Helper()
	conn := mustConnect(t, url)
	rows, err := conn.Query(context.Background(), `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

func TestReplayKratos(t *testing.T) {
	dir := copyDir(t, corpusPath(t, "kratos/migrations"))
	if err := WriteSum(dir); err != nil {
		t.Fatal(err)
	}
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	url := devdb.ForTest(t)
	if err := Replay(context.Background(), url, d.Files...); err != nil {
		t.Fatal(err)
	}
	if n := len(relations(t, url)); n != 120 {
		t.Fatalf("%d relations in public after kratos, want 120 (26 tables, 94 indexes)", n)
	}
}

func TestReplayAtlasFormatDir(t *testing.T) {
	d, err := Open("testdata/atlas")
	if err != nil {
		t.Fatal(err)
	}
	url := devdb.ForTest(t)
	if err := Replay(context.Background(), url, d.Files...); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(relations(t, url), " ")
	if got != "users users_created_at_idx users_email_key users_id_seq users_pkey" {
		t.Fatalf("relations %q", got)
	}
}

// TestReplayErrors pins the exact error text: file:line:col of the error
// (PostgreSQL's position inside the statement, or the statement's start),
// the statement's head, PostgreSQL's message and SQLSTATE.
func TestReplayErrors(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  string // after "<dir>/"
		left  string // relations left in public afterwards
	}{
		{"position in a later line",
			map[string]string{"1_a.sql": "CREATE TABLE a (x int);\n\nSELECT x,\n       y FROM a;\n"},
			`1_a.sql:4:8: SELECT x, y FROM a: column "y" does not exist (SQLSTATE 42703)`, ""},
		{"position counts characters, column counts bytes",
			map[string]string{"1_a.sql": "CREATE TABLE a (x int);\nSELECT 'üü' AS u, nope FROM a;\n"},
			`1_a.sql:2:21: SELECT 'üü' AS u, nope FROM a: column "nope" does not exist (SQLSTATE 42703)`, ""},
		{"syntax error in the second file",
			map[string]string{"1_a.sql": "CREATE TABLE a (x int);\n", "2_b.sql": "-- comment\nCREATE TABLE b (x int);\n  SELEC 1;\n"},
			`2_b.sql:3:3: SELEC 1: syntax error at or near "SELEC" (SQLSTATE 42601)`, "a"},
		{"no position: the statement is located",
			map[string]string{"1_a.sql": "CREATE TABLE a (x int);\nCREATE TABLE b (x int);\n\tCREATE TABLE a (y int);\n"},
			`1_a.sql:3:2: CREATE TABLE a (y int): relation "a" already exists (SQLSTATE 42P07)`, ""},
		{"concurrently inside a transaction",
			map[string]string{"1_a.sql": "CREATE TABLE a (x int);\nCREATE INDEX CONCURRENTLY i ON a (x);\n"},
			`1_a.sql:2:1: CREATE INDEX CONCURRENTLY i ON a (x): CREATE INDEX CONCURRENTLY cannot run inside a transaction block (SQLSTATE 25001)`, ""},
		{"txmode none keeps what ran",
			map[string]string{"1_a.sql": "-- atlas:txmode none\n\nCREATE TABLE a (x int);\nCREATE INDEX CONCURRENTLY i ON a (x);\nDROP TABLE nope;\n"},
			`1_a.sql:5:1: DROP TABLE nope: table "nope" does not exist (SQLSTATE 42P01)`, "a i"},
		{"custom delimiter",
			map[string]string{"1_a.sql": "-- atlas:delimiter //\nCREATE TABLE a (x int)//\nINSERT INTO a VALUES ('x')//\n"},
			`1_a.sql:3:23: INSERT INTO a VALUES ('x'): invalid input syntax for type integer: "x" (SQLSTATE 22P02)`, ""},
		{"a failing file between others sent in one message",
			map[string]string{"1_a.sql": "CREATE TABLE a (x int);\n", "2_b.sql": "CREATE TABLE b (x int);\nINSERT INTO a VALUES (1);\nCREATE TABLE a (y int);\n", "3_c.sql": "CREATE TABLE c (x int);\n"},
			`2_b.sql:3:1: CREATE TABLE a (y int): relation "a" already exists (SQLSTATE 42P07)`, "a"},
		{"a deferred constraint fails at the commit of a middle file",
			map[string]string{"1_p.sql": "CREATE TABLE p (id int PRIMARY KEY);\n", "2_c.sql": "CREATE TABLE c (p int REFERENCES p DEFERRABLE INITIALLY DEFERRED);\nINSERT INTO c VALUES (1);\n", "3_d.sql": "CREATE TABLE d (x int);\n"},
			"2_c.sql:2:1: COMMIT (end of file): insert or update on table \"c\" violates foreign key constraint \"c_p_fkey\" (SQLSTATE 23503)\n\tDETAIL: Key (p)=(1) is not present in table \"p\".", "p p_pkey"},
		{"deferred constraint fails at commit",
			map[string]string{"1_a.sql": "CREATE TABLE p (id int PRIMARY KEY);\nCREATE TABLE c (p int REFERENCES p DEFERRABLE INITIALLY DEFERRED);\nINSERT INTO c VALUES (1);\n"},
			"1_a.sql:3:1: COMMIT (end of file): insert or update on table \"c\" violates foreign key constraint \"c_p_fkey\" (SQLSTATE 23503)\n\tDETAIL: Key (p)=(1) is not present in table \"p\".", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := openDir(t, tc.files)
			url := devdb.ForTest(t)
			err := Replay(context.Background(), url, d.Files...)
			want := filepath.Join(d.Path, tc.want)
			if err == nil || err.Error() != want {
				t.Fatalf("got  %v\nwant %s", err, want)
			}
			var ee *ExecError
			if !errors.As(err, &ee) {
				t.Fatalf("not an *ExecError: %#v", err)
			}
			if got := strings.Join(relations(t, url), " "); got != tc.left {
				t.Fatalf("relations left: %q, want %q", got, tc.left)
			}
		})
	}
}

// TestReplaySessionState: files share one session, as with psql.
func TestReplaySessionState(t *testing.T) {
	d := openDir(t, map[string]string{
		"1_a.sql": "CREATE SCHEMA app;\nSET search_path = app;\n",
		"2_b.sql": "CREATE TABLE t (x int);\n",
	})
	url := devdb.ForTest(t)
	if err := Replay(context.Background(), url, d.Files...); err != nil {
		t.Fatal(err)
	}
	conn := mustConnect(t, url)
	if got := queryString(t, conn, "SELECT to_regclass('app.t')::text"); got != "app.t" {
		t.Fatalf("app.t: %q", got)
	}
}

// TestReplayPagila: a whole pg_dump file (dollar-quoted function bodies,
// partitions, triggers, an aggregate) replays as one file and leaves the
// same relations as psql -f.
func TestReplayPagila(t *testing.T) {
	src, err := os.ReadFile(corpusPath(t, "pagila/schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseFile("schema.sql", src)
	if err != nil {
		t.Fatal(err)
	}
	url := devdb.ForTest(t)
	if err := Replay(context.Background(), url, f); err != nil {
		t.Fatal(err)
	}
	if n := len(relations(t, url)); n != 195 { // as psql -f schema.sql leaves
		t.Fatalf("%d relations in public after pagila, want 195", n)
	}
}
