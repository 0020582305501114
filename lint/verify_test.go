package lint

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"ariga.io/atlas/sql/schema"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/migrations"
)

// TestScopedInspectionComplete runs the kratos history and checks after
// every statement that the realm kept by scoped inspection equals a full
// inspection of the dev database.
func TestScopedInspectionComplete(t *testing.T) {
	verifyScoped(t, kratosFiles(t))
}

// TestScopedInspectionTricky does the same for statements whose effect
// reaches beyond the table they name, or only removes catalog rows, on
// tables whose locks an earlier statement of the file already holds.
func TestScopedInspectionTricky(t *testing.T) {
	verifyScoped(t, writeDir(t, map[string]string{
		"1_base.sql": `CREATE TABLE a (id int PRIMARY KEY, code text UNIQUE);
CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id), a_code text);
CREATE INDEX b_a_code ON b (a_code);
ALTER TABLE b ADD CONSTRAINT b_code_fk FOREIGN KEY (a_code) REFERENCES a (code);
`,
		"2_held.sql": `ALTER TABLE b ADD COLUMN note text;
DROP INDEX b_a_code;
ALTER TABLE b DROP CONSTRAINT b_code_fk;
ALTER TABLE a RENAME TO a2;
ALTER TABLE a2 RENAME COLUMN id TO ident;
ALTER INDEX a_code_key RENAME TO a2_code_key;
ALTER TABLE b ALTER COLUMN note SET DEFAULT 'x';
ALTER TABLE b ALTER COLUMN note DROP DEFAULT;
`,
		"3_partition.sql": `CREATE TABLE p (id int, k int) PARTITION BY RANGE (k);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);
ALTER TABLE p ADD COLUMN extra text;
CREATE INDEX p_k ON p (k);
ALTER TABLE p ADD CONSTRAINT p_b_fk FOREIGN KEY (id) REFERENCES b (id);
ALTER TABLE p DROP CONSTRAINT p_b_fk;
`,
		"4_unlocked.sql": `ALTER TABLE a2 RENAME TO a3;
`,
		"5_cascade.sql": `ALTER TABLE b ADD COLUMN z int;
DROP TABLE a3 CASCADE;
`,
		"6_seq.sql": `CREATE SEQUENCE s;
CREATE TABLE c (x int DEFAULT nextval('s'));
`,
		"7_seqrename.sql": `ALTER SEQUENCE s RENAME TO s2;
`,
		"9_weaker.sql": `CREATE TABLE q (id int PRIMARY KEY, k int);
CREATE TABLE q2 (id int, k int, PRIMARY KEY (id, k)) PARTITION BY RANGE (k);
CREATE TABLE q2a (id int NOT NULL, k int NOT NULL);
ALTER TABLE q2 ATTACH PARTITION q2a FOR VALUES FROM (0) TO (10);
ALTER TABLE q ADD CONSTRAINT q_k_fk FOREIGN KEY (k) REFERENCES q (id) NOT VALID;
ALTER TABLE q VALIDATE CONSTRAINT q_k_fk;
ALTER INDEX q_pkey RENAME TO q_pk;
CREATE TRIGGER q_t BEFORE UPDATE ON q FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
ALTER TABLE q2 DETACH PARTITION q2a;
CREATE INDEX q_expr ON q ((k + 1)) WHERE k > 0;
CREATE UNIQUE INDEX q_uk ON q (k, id);
ALTER TABLE q ADD COLUMN z int;
CREATE INDEX q_z ON q (z) INCLUDE (k);
CREATE INDEX q2_k ON q2 (k);
`,
		"8_additive.sql": `CREATE TABLE rp (id int PRIMARY KEY) PARTITION BY RANGE (id);
CREATE TABLE rr (x int REFERENCES rp (id));
CREATE TABLE rp1 PARTITION OF rp FOR VALUES FROM (0) TO (10);
CREATE INDEX rr_x ON rr (x);
COMMENT ON TABLE rr IS 'referencing';
CREATE TABLE rs (LIKE rr INCLUDING ALL, z int REFERENCES rp (id));
ALTER TABLE rr ADD COLUMN y int;
`,
	}))
}

func verifyScoped(t *testing.T, files []*migrations.File) {
	ctx := context.Background()
	e, err := openEngine(ctx, devdb.ForTest(t))
	if err != nil {
		t.Fatal(err)
	}
	defer e.close()
	e.verify = func(r *stmtRun, missed schema.Changes, err error) {
		t.Errorf("%s: scoped inspection missed %d changes (%v): %s", r.Stmt.Pos, len(missed), err, describe(missed))
	}
	if err := e.begin(ctx); err != nil {
		t.Fatal(err)
	}
	static, observed := 0, 0
	defer func() { t.Logf("%d of %d observed statements with static locks", static, observed) }()
	for _, f := range files {
		fr, err := e.runFile(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range fr.Stmts {
			if r.After != nil && r.InTx {
				observed++
				if r.static {
					static++
				}
			}
		}
		if fr.Failed {
			for _, r := range fr.Stmts {
				if r.Err != nil {
					t.Log(r.Err)
				}
			}
			t.Fatalf("%s failed", f.Path)
		}
	}
}

func describe(cs schema.Changes) string {
	s := ""
	for _, c := range cs {
		switch c := c.(type) {
		case *schema.ModifyTable:
			s += fmt.Sprintf("[modify %s:", c.T.Name)
			for _, mc := range c.Changes {
				s += fmt.Sprintf(" %T", mc)
			}
			s += "]"
		case *schema.AddTable:
			s += " add " + c.T.Name
		case *schema.DropTable:
			s += " drop " + c.T.Name
		default:
			s += fmt.Sprintf(" %T", c)
		}
	}
	return s
}

// TestScopedInspectionViews checks that views and functions, observed
// without an inspection of the realm (classSession), leave the realm and
// the relations the engine keeps as a full inspection sees them, in a
// transaction after table changes of the same transaction and outside
// one, and with defaults and indexes that call a function replaced later.
func TestScopedInspectionViews(t *testing.T) {
	files := writeDir(t, map[string]string{
		"1_base.sql": `CREATE TABLE a (id int PRIMARY KEY, name text);
CREATE VIEW av AS SELECT id, name FROM a;
ALTER TABLE a ADD COLUMN note text;
CREATE OR REPLACE VIEW av AS SELECT id, name, note FROM a;
CREATE INDEX a_note ON a (note);
CREATE VIEW av2 AS SELECT * FROM av;
`,
		"2_notx.sql": `-- atlas:txmode none

CREATE VIEW av3 AS SELECT id FROM a;
ALTER TABLE a ADD COLUMN z int;
CREATE OR REPLACE VIEW av3 AS SELECT id, z FROM a;
`,
		"3_functions.sql": `CREATE FUNCTION code() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'x' $$;
ALTER TABLE a ADD COLUMN code text DEFAULT code();
CREATE INDEX a_code ON a (code(), id);
CREATE OR REPLACE FUNCTION code() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'y' $$;
CREATE PROCEDURE touch() LANGUAGE sql AS $$ SELECT 1 $$;
ALTER TABLE a ADD COLUMN later int;
CREATE VIEW av4 AS SELECT code() AS c FROM a;
`,
	})
	runs := runVerified(t, files)
	views, functions := 0, 0
	for _, fr := range runs {
		for _, r := range fr.Stmts {
			if r.Node.GetCreateFunctionStmt() != nil {
				functions++
				if r.Class != classSession || r.After == nil || len(r.Changes) != 0 {
					t.Errorf("%s: class %d, observed %t, %d changes", r.Stmt.Pos, r.Class, r.After != nil, len(r.Changes))
				}
			}
			if r.Node.GetViewStmt() == nil {
				continue
			}
			views++
			if r.Class != classSession || r.After == nil {
				t.Errorf("%s: class %d, observed %t", r.Stmt.Pos, r.Class, r.After != nil)
				continue
			}
			name := r.Node.GetViewStmt().View.Relname
			if r.After.lookup(qname{Name: name}, "v") == nil {
				t.Errorf("%s: view %s not in the catalog kept after it", r.Stmt.Pos, name)
			}
			if len(r.Changes) != 0 {
				t.Errorf("%s: %d schema changes, want none", r.Stmt.Pos, len(r.Changes))
			}
		}
	}
	if views != 6 || functions != 3 {
		t.Errorf("%d views and %d functions observed, want 6 and 3", views, functions)
	}
}

// TestObservationPlansUseIndexes runs files on a fresh database, the
// first with a CREATE SCHEMA, which resets the cached plans, and a
// CREATE SEQUENCE, observed while the catalogs hold no column default
// (pg_attrdef is estimated empty), and checks after each file that the
// observation queries, sent as the engine sends them (observeCall), are
// planned with catalog rows looked up by key rather than scanned for.
func TestObservationPlansUseIndexes(t *testing.T) {
	ctx := context.Background()
	e, err := openEngine(ctx, devdb.ForTest(t))
	if err != nil {
		t.Fatal(err)
	}
	defer e.close()
	if err := e.begin(ctx); err != nil {
		t.Fatal(err)
	}
	files := writeDir(t, map[string]string{
		"1_schema.sql": "CREATE SCHEMA s;\nCREATE SEQUENCE s.q;\n",
		"2_tables.sql": `CREATE TABLE s.a (id int PRIMARY KEY, name text DEFAULT 'x', n int DEFAULT 0);
CREATE INDEX a_name ON s.a (name);
ALTER TABLE s.a ADD CONSTRAINT a_n_fk FOREIGN KEY (n) REFERENCES s.a (id);
`})
	for _, f := range files {
		fr, err := e.runFile(ctx, f)
		if err != nil || fr.Failed {
			t.Fatalf("%s: %v", f.Path, err)
		}
		for _, stmt := range []string{addsStmt, observeStmt} {
			var results []*pgconn.Result
			err := e.conn.Raw(func(dc any) error {
				q := fmt.Sprintf(seqScansOff, fmt.Sprintf("EXPLAIN EXECUTE %s(0, true, -1, '{}', '{}')", stmt))
				var err error
				results, err = dc.(*stdlib.Conn).Conn().PgConn().Exec(ctx, q).ReadAll()
				return err
			})
			if err != nil || len(results) != observeResults {
				t.Fatalf("%s: %d results: %v", stmt, len(results), err)
			}
			for _, row := range results[observeResult].Rows {
				line := string(row[0])
				for _, c := range []string{"pg_attrdef", "pg_attribute", "pg_index", "pg_constraint", "pg_class"} {
					if strings.Contains(line, "Seq Scan on "+c+" ") {
						t.Errorf("after %s, %s: %s", f.Name, stmt, strings.TrimSpace(line))
					}
				}
			}
		}
	}
}

// TestObservationFollowsConstraintOIDs runs a file of foreign keys, which
// create no relation, and checks that after each the engine's highest
// known OID is the new constraint's: the next observation then takes
// only the tables of constraints newer than it as candidates, not those
// of every foreign key of the file so far.
func TestObservationFollowsConstraintOIDs(t *testing.T) {
	files := writeDir(t, map[string]string{
		"1_base.sql": "CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE b (id int PRIMARY KEY, a1 int, a2 int);\nCREATE TABLE c (id int PRIMARY KEY, a1 int);\n",
		"2_fks.sql": `ALTER TABLE b ADD CONSTRAINT b_a1 FOREIGN KEY (a1) REFERENCES a (id);
ALTER TABLE c ADD CONSTRAINT c_a1 FOREIGN KEY (a1) REFERENCES a (id);
ALTER TABLE b ADD CONSTRAINT b_a2 FOREIGN KEY (a2) REFERENCES a (id);
`,
	})
	ctx := context.Background()
	url := devdb.ForTest(t)
	e, err := openEngine(ctx, url)
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
	var fr *fileRun
	for _, f := range files {
		if fr, err = e.runFile(ctx, f); err != nil || fr.Failed {
			t.Fatalf("%s: %v", f.Path, err)
		}
	}
	for _, r := range fr.Stmts {
		name := r.Node.GetAlterTableStmt().Cmds[0].GetAlterTableCmd().GetDef().GetConstraint().Conname
		var oid uint32
		if err := e.conn.QueryRowContext(ctx, "SELECT oid::text::int8 FROM pg_constraint WHERE conname = $1", name).Scan(&oid); err != nil {
			t.Fatal(err)
		}
		if r.After.maxOID != oid {
			t.Errorf("%s: highest OID known %d, want %d (constraint %s)", r.Stmt.Pos, r.After.maxOID, oid, name)
		}
		if len(r.Changes) != 1 {
			t.Errorf("%s: %d changes, want 1", r.Stmt.Pos, len(r.Changes))
		}
	}
}
