package lint

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"ariga.io/atlas/sql/schema"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/migrations"
)

// TestStaticLocks runs statements on a real server and checks, for each,
// whether its locks were derived from the parse tree (static) and that
// those are exactly the new locks pg_locks shows (engine.verifyLocks, read
// in the same round trip): a wrong static lock level fails here. Each case
// is a file of its own, run in its transaction, in order on one database.
func TestStaticLocks(t *testing.T) {
	cases := []struct {
		name string
		sql  string
		// static says, per statement, whether its locks are static.
		static []bool
	}{
		{"create table", `CREATE TABLE a (id int PRIMARY KEY, code text UNIQUE, n int);`, []bool{true}},
		{"create table fk", `CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id), a_code text,
  CONSTRAINT b_code_fk FOREIGN KEY (a_code) REFERENCES a (code));`, []bool{true}},
		{"create table self fk", `CREATE TABLE s (id int PRIMARY KEY, parent int REFERENCES s (id));`, []bool{true}},
		{"create table like", `CREATE TABLE c (LIKE a INCLUDING ALL);`, []bool{true}},
		{"create table plain", `CREATE TABLE d (id int, v int);`, []bool{true}},
		{"create index", `CREATE INDEX b_a_id ON b (a_id);`, []bool{true}},
		{"create unique index", `CREATE UNIQUE INDEX a_n ON a (n) WHERE n > 0;`, []bool{true}},
		{"create index if not exists", `CREATE INDEX IF NOT EXISTS b_a_id ON b (a_id);`, []bool{true}},
		{"add column", `ALTER TABLE a ADD COLUMN note text;`, []bool{true}},
		{"add column default not null", `ALTER TABLE a ADD COLUMN kind varchar(16) NOT NULL DEFAULT 'x';`, []bool{true}},
		{"add column if not exists", `ALTER TABLE a ADD COLUMN IF NOT EXISTS note text;`, []bool{true}},
		{"add column references", `ALTER TABLE c ADD COLUMN b_id int REFERENCES b (id);`, []bool{true}},
		{"add column unique", `ALTER TABLE c ADD COLUMN u int UNIQUE;`, []bool{true}},
		{"add column check", `ALTER TABLE c ADD COLUMN p int CHECK (p > 0);`, []bool{true}},
		{"add foreign key", `ALTER TABLE c ADD CONSTRAINT c_a_fk FOREIGN KEY (id) REFERENCES a (id) ON DELETE CASCADE;`, []bool{true}},
		{"add self foreign key", `ALTER TABLE s ADD CONSTRAINT s_self FOREIGN KEY (parent) REFERENCES s (id) NOT VALID;`, []bool{true}},
		{"add check", `ALTER TABLE a ADD CONSTRAINT a_n_pos CHECK (n > 0);`, []bool{true}},
		{"add unique", `ALTER TABLE a ADD CONSTRAINT a_note_key UNIQUE (note);`, []bool{true}},
		{"add primary key", `ALTER TABLE d ADD PRIMARY KEY (id);`, []bool{true}},
		{"defaults and not null", `ALTER TABLE a ALTER COLUMN note SET DEFAULT 'n', ALTER COLUMN n SET NOT NULL, ALTER COLUMN kind DROP NOT NULL;`, []bool{true}},
		{"rewrite", `INSERT INTO d VALUES (1, 1);
ALTER TABLE d ADD COLUMN g uuid DEFAULT gen_random_uuid();`, []bool{false}},
		{"constant defaults", `ALTER TABLE d ADD COLUMN h varchar(4) NOT NULL DEFAULT 'aal1', ADD COLUMN i timestamp NOT NULL DEFAULT '2000-01-01 00:00:00',
  ADD COLUMN j timestamptz DEFAULT CURRENT_TIMESTAMP, ADD COLUMN k int[] DEFAULT '{}'::int[], ADD COLUMN m jsonb DEFAULT '{}'::jsonb;`, []bool{true}},
		{"domain", `CREATE DOMAIN pos AS int CHECK (VALUE > 0);
ALTER TABLE d ADD COLUMN q pos DEFAULT 1;`, []bool{false, false}},
		{"identity", `ALTER TABLE d ADD COLUMN r int GENERATED ALWAYS AS IDENTITY;`, []bool{false}},
		{"generated", `ALTER TABLE d ADD COLUMN t int GENERATED ALWAYS AS (v + 1) STORED;`, []bool{false}},
		{"drop default", `ALTER TABLE a ALTER COLUMN note DROP DEFAULT;`, []bool{true}},
		{"fk with column change", `ALTER TABLE c ADD COLUMN a2 int, ADD CONSTRAINT c_a2_fk FOREIGN KEY (a2) REFERENCES a (id);`, []bool{true}},
		{"alter table if exists", `ALTER TABLE IF EXISTS missing ADD COLUMN x int;`, []bool{true}},
		{"rename column", `ALTER TABLE b RENAME COLUMN a_code TO code;`, []bool{true}},
		{"rename table", `ALTER TABLE c RENAME TO c2;`, []bool{true}},
		{"drop index", `DROP INDEX b_a_id;`, []bool{true}},
		{"drop index if exists", `DROP INDEX IF EXISTS missing_idx, a_n;`, []bool{true}},
		{"held in the transaction", `ALTER TABLE b ADD COLUMN z int;
CREATE INDEX b_z ON b (z);
ALTER TABLE b ADD CONSTRAINT b_z_fk FOREIGN KEY (z) REFERENCES a (id);
ALTER TABLE a ALTER COLUMN note SET DEFAULT 'm';`, []bool{true, true, true, true}},
		{"set", `SET lock_timeout = '1s';
ALTER TABLE a ADD COLUMN y int;`, []bool{true, true}},
		// Left to pg_locks: effects beyond the named relations.
		{"column type", `ALTER TABLE b ALTER COLUMN a_id TYPE bigint;`, []bool{false}},
		{"drop column", `ALTER TABLE a DROP COLUMN y;`, []bool{false}},
		{"drop index cascade", `CREATE UNIQUE INDEX a_code2 ON a (code);
DROP INDEX a_code2 CASCADE;`, []bool{true, false}},
		{"set_config", `CREATE SCHEMA other;
CREATE TABLE other.a (id int);
SELECT set_config('search_path', 'other, public', false);
ALTER TABLE a ADD COLUMN set_config_col int;
RESET search_path;
ALTER TABLE a ADD COLUMN after_reset int;`, []bool{false, true, false, true, true}},
		{"lock then static statement", `LOCK TABLE a IN SHARE MODE;
ALTER TABLE b ADD COLUMN w int;`, []bool{false}},
		{"brin function then static statement", `SELECT brin_summarize_new_values('a_pkey'::regclass) WHERE false;
ALTER TABLE b ADD COLUMN w2 int;`, []bool{false}},
		{"catalog name", `ALTER TABLE IF EXISTS pg_catalog.nothing ADD COLUMN x int;`, []bool{false}},
		{"internal function", `CREATE FUNCTION my_abs(int) RETURNS int LANGUAGE internal IMMUTABLE STRICT AS 'int4abs';
ALTER TABLE a ADD COLUMN after_internal int;`, []bool{false, true}},
		{"partition", `CREATE TABLE p (id int, k int) PARTITION BY RANGE (k);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);
ALTER TABLE a ADD COLUMN after_partition int;`, []bool{true, false, false}},
	}
	files := map[string]string{}
	for i, c := range cases {
		files[fmt.Sprintf("%03d_%s.sql", i+1, strings.ReplaceAll(c.name, " ", "_"))] = c.sql + "\n"
	}
	// A PL/pgSQL function could take any lock, and ALTER TABLE recurses to
	// partitions: a database with either reads pg_locks for everything
	// but the statements plainDDL accepts (ddlWorldQuery).
	worldDDL := `ALTER TABLE t ADD COLUMN x int;
CREATE INDEX t_x ON t (x);
CREATE INDEX t_x1 ON t ((x + 1));
CREATE INDEX t_xp ON t (x) WHERE x > 0;
CREATE UNIQUE INDEX t_gin ON t USING btree (x, id);
COMMENT ON TABLE t IS 'table';
COMMENT ON COLUMN t.x IS 'column';
COMMENT ON INDEX t_x IS 'index';
COMMENT ON FUNCTION f() IS 'function';
CREATE TABLE u (id int PRIMARY KEY, t_id int REFERENCES t (id), n int DEFAULT f());
`
	worldStatic := []bool{false, true, false, false, true, true, true, true, true, true}
	worlds := map[string][]*migrations.File{
		"plpgsql": writeDir(t, map[string]string{
			"1_fn.sql":  "CREATE TABLE t (id int PRIMARY KEY);\nCREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;\n",
			"2_ddl.sql": worldDDL,
		}),
		// A function without a LANGUAGE clause has an SQL body.
		"sql body": writeDir(t, map[string]string{
			"1_fn.sql":  "CREATE TABLE t (id int PRIMARY KEY);\nCREATE FUNCTION f() RETURNS int RETURN 1;\n",
			"2_ddl.sql": worldDDL,
		}),
		"partition": writeDir(t, map[string]string{
			"1_fn.sql": `CREATE TABLE t (id int PRIMARY KEY);
CREATE FUNCTION f() RETURNS int LANGUAGE internal IMMUTABLE AS 'int4abs';
CREATE TABLE p (id int, k int) PARTITION BY RANGE (k);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);
`,
			"2_ddl.sql": worldDDL + `CREATE INDEX p1_k ON p1 (k);
CREATE INDEX p_k ON p (k);
COMMENT ON TABLE p IS 'partitioned';
`,
		}),
	}
	all := map[string][]*migrations.File{"statements": writeDir(t, files)}
	for name, list := range worlds {
		all[name] = list
	}
	for name, list := range all {
		t.Run(name, func(t *testing.T) {
			runs := runVerified(t, list)
			for i, c := range cases {
				if name != "statements" {
					break
				}
				fr := runs[i]
				var got []bool
				for _, r := range fr.Stmts {
					if r.Class != classData && r.Err == nil {
						got = append(got, r.static)
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(c.static) {
					t.Errorf("%s: static %v, want %v", c.name, got, c.static)
				}
			}
			if name == "statements" {
				return
			}
			want := worldStatic
			if name == "partition" {
				want = append(append([]bool{}, worldStatic...), true, false, true)
			}
			var got []bool
			for _, r := range runs[1].Stmts {
				got = append(got, r.static)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("static %v, want %v with a %s world", got, want, name)
			}
		})
	}
}

// runVerified runs files on a fresh database with the engine checking
// itself (verify) and returns the runs; a file that fails ends the test
// unless its failure is the only statement of the "unknown relation"
// kind (an error the case expects).
func runVerified(t *testing.T, files []*migrations.File) []*fileRun {
	ctx := context.Background()
	e, err := openEngine(ctx, devdb.ForTest(t))
	if err != nil {
		t.Fatal(err)
	}
	defer e.close()
	e.verify = func(r *stmtRun, missed schema.Changes, err error) {
		t.Errorf("%s: %v %s", r.Stmt.Pos, err, describe(missed))
	}
	if err := e.begin(ctx); err != nil {
		t.Fatal(err)
	}
	var runs []*fileRun
	for _, f := range files {
		fr, err := e.runFile(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if fr.Failed {
			for _, r := range fr.Stmts {
				if r.Err != nil {
					t.Log(r.Err)
				}
			}
			t.Fatalf("%s failed", f.Path)
		}
		runs = append(runs, fr)
	}
	return runs
}

// TestMayNameTemp checks that every statement that creates or names a
// temporary relation (createsTemp) passes the text check that spares
// the walk of the others' parse trees.
func TestMayNameTemp(t *testing.T) {
	for _, c := range []struct {
		sql  string
		temp bool
	}{
		{"CREATE TEMP TABLE x (id int)", true},
		{"create temporary table x (id int)", true},
		{"CREATE LOCAL TEMPORARY VIEW v AS SELECT 1", true},
		{"CREATE TeMp SEQUENCE s", true},
		{"SELECT 1 INTO TEMP t", true},
		{"CREATE TABLE t AS SELECT 1", false},
		{"ALTER TABLE pg_temp.x ADD COLUMN y int", true},
		{`INSERT INTO "pg_temp".x VALUES (1)`, true},
		{"CREATE UNLOGGED TABLE u (id int)", false},
		{"CREATE TABLE tempo (id int)", false},
	} {
		n, err := parseStmt(c.sql)
		if err != nil {
			t.Fatalf("%s: %v", c.sql, err)
		}
		if got := createsTemp(n); got != c.temp {
			t.Errorf("%s: createsTemp %t, want %t", c.sql, got, c.temp)
		}
		if c.temp && !mayNameTemp(c.sql) {
			t.Errorf("%s: creates a temporary relation, but mayNameTemp is false", c.sql)
		}
	}
	if mayNameTemp("CREATE TABLE t (id int)") {
		t.Error("mayNameTemp true for a text without temp")
	}
}

// TestObservationSendsNewLocks runs a transaction of several statements,
// reading pg_locks after each, and checks that each observation sent
// only the locks its transaction did not hold yet, while the engine
// kept them all: a statement that takes again a lock an earlier one took
// gets neither the lock again nor a new lock for it.
func TestObservationSendsNewLocks(t *testing.T) {
	ctx := context.Background()
	base := writeDir(t, map[string]string{"1_base.sql": "CREATE TABLE a (id int PRIMARY KEY);\n"})
	files := append(base, writeDir(t, map[string]string{"2_tx.sql": `ALTER TABLE a ADD COLUMN x int;
CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id));
ALTER TABLE a ADD COLUMN y int;
CREATE INDEX b_a_id ON b (a_id);
`})...)
	e, err := openEngine(ctx, devdb.ForTest(t))
	if err != nil {
		t.Fatal(err)
	}
	defer e.close()
	e.pgLocks = true
	if err := e.begin(ctx); err != nil {
		t.Fatal(err)
	}
	var fr *fileRun
	for _, f := range files {
		if fr, err = e.runFile(ctx, f); err != nil || fr.Failed {
			t.Fatalf("%s: %v", f.Path, err)
		}
	}
	held := map[heldLock]bool{}
	for _, r := range fr.Stmts {
		for l := range r.After.locks {
			if held[l] {
				t.Errorf("%s: observation sent %v again", r.Stmt.Pos, l)
			}
			held[l] = true
		}
	}
	a := fr.Start.lookup(qname{Name: "a"}, "r")
	if a == nil {
		t.Fatal("table a not in the catalog")
	}
	// The foreign key takes a lock of another mode on a.
	want := []string{"[{" + fmt.Sprint(a.OID) + " AccessExclusiveLock}]", "[{" + fmt.Sprint(a.OID) + " ShareRowExclusiveLock}]", "[]", "[]"}
	for i, r := range fr.Stmts {
		var got []heldLock
		for _, l := range r.NewLocks {
			if l.OID == a.OID {
				got = append(got, l)
			}
		}
		if fmt.Sprint(got) != want[i] {
			t.Errorf("%s: new locks on a %v, want %s", r.Stmt.Pos, got, want[i])
		}
	}
	if !held[heldLock{OID: a.OID, Mode: "AccessExclusiveLock"}] {
		t.Errorf("no observation sent the ACCESS EXCLUSIVE lock on a")
	}
}
