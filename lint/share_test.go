package lint

import (
	"context"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/migrations"
)

// sharedRun lints files on sessions that start at the files cuts (none:
// one session).
func sharedRun(t *testing.T, files []*migrations.File, linted map[string]bool, cuts ...int) *Report {
	t.Helper()
	// Every database starts from the same baseline: a schema the files use.
	prepare := func(ctx context.Context, url string) error {
		c, err := pgconn.Connect(ctx, url)
		if err != nil {
			return err
		}
		defer c.Close(ctx)
		_, err = c.Exec(ctx, "CREATE SCHEMA app").ReadAll()
		return err
	}
	opts := Options{Linted: linted, Dev: devdb.ProviderForTest(t), cuts: cuts, Prepare: prepare}
	if len(cuts) == 0 {
		opts.Sessions = 1
	}
	rep, err := Run(context.Background(), devdb.ForTest(t), files, opts)
	if err != nil {
		t.Fatalf("cuts %v: %v", cuts, err)
	}
	return rep
}

// sameReport fails the test when a shared run's report differs from the
// one-session report.
func sameReport(t *testing.T, want, got *Report, cuts ...int) {
	t.Helper()
	if got.Incomplete != want.Incomplete {
		t.Errorf("cuts %v: incomplete %q, one session %q", cuts, got.Incomplete, want.Incomplete)
	}
	if !reflect.DeepEqual(got.Findings, want.Findings) {
		t.Errorf("cuts %v: findings differ from one session's:\n%s\none session:\n%s", cuts, dump(got), dump(want))
	}
}

// The files a session replays before its share run as the linting session
// runs them (statements moved out of the transaction, server-wide ones
// skipped, a new enum value used in its own transaction), and a failure
// ends the report where one session ends it, whichever session meets it.
func TestSharedRunSameReport(t *testing.T) {
	dirs := map[string]map[string]string{
		"complete": {
			"1_base.sql": `CREATE TYPE mood AS ENUM ('ok');
CREATE TABLE t (id int PRIMARY KEY, m mood, note varchar(10));
CREATE TABLE u (id int PRIMARY KEY, t_id int);
CREATE TABLE app.a (id int PRIMARY KEY);
`,
			"2_forced_out.sql": `ALTER TABLE t ADD COLUMN extra int;
CREATE INDEX CONCURRENTLY t_extra ON t (extra);
ALTER TABLE u ADD CONSTRAINT u_t_fk FOREIGN KEY (t_id) REFERENCES t (id);
`,
			"3_enum.sql": `ALTER TYPE mood ADD VALUE 'sad';
INSERT INTO t (id, m) VALUES (1, 'sad');
ALTER TABLE t ALTER COLUMN note TYPE text;
`,
			"4_none.sql": `-- atlas:txmode none

CREATE INDEX CONCURRENTLY IF NOT EXISTS u_t_id ON u (t_id);
DROP INDEX CONCURRENTLY t_extra;
ALTER TABLE u ADD COLUMN z int;
`,
			"5_server.sql": `CREATE DATABASE schemactl_never_created;
ALTER TABLE t RENAME COLUMN extra TO extra2;
`,
			"6_more.sql": `ALTER TABLE t ALTER COLUMN m SET NOT NULL;
ALTER TABLE u DROP COLUMN z;
CREATE TABLE w (id serial PRIMARY KEY, at timestamp);
`,
			"7_last.sql": `DROP TABLE w;
ALTER TABLE u RENAME TO u2;
ALTER TABLE app.a ADD COLUMN b int;
`,
		},
		"failing": {
			"1_base.sql": `CREATE TABLE t (id int PRIMARY KEY);
`,
			"2_index.sql": `CREATE INDEX t_id ON t (id);
`,
			"3_fails.sql": `ALTER TABLE t ADD COLUMN x int;
ALTER TABLE missing ADD COLUMN y int;
`,
			"4_after.sql": `ALTER TABLE t DROP COLUMN x;
`,
			"5_after.sql": `DROP TABLE t;
`,
		},
	}
	for name, dir := range dirs {
		t.Run(name, func(t *testing.T) {
			files := writeDir(t, dir)
			// All files, and all but the first (replayed as an apply would).
			rest := map[string]bool{}
			for _, f := range files[1:] {
				rest[f.Name] = true
			}
			for _, linted := range []map[string]bool{nil, rest} {
				want := sharedRun(t, files, linted)
				if len(want.Findings) == 0 {
					t.Fatal("no findings")
				}
				for k := 1; k < len(files); k++ {
					sameReport(t, want, sharedRun(t, files, linted, k), k)
				}
				sameReport(t, want, sharedRun(t, files, linted, 1, 3, len(files)-1), 1, 3, len(files)-1)
			}
		})
	}
}
