package migrations

import (
	"context"
	"errors"
	"testing"

	"github.com/schemactl/schemactl/devdb"
)

// A database that another tool migrated (golang-migrate keeps its
// schema_migrations table) takes --baseline VERSION: the version is
// recorded, only the later files run, and the old tool's table is left
// as it was.
func TestApplyBaselineOnDatabaseOfOtherTool(t *testing.T) {
	ctx := context.Background()
	conn := mustConnect(t, devdb.ForTest(t))
	if _, err := conn.Exec(ctx, `CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
		INSERT INTO schema_migrations VALUES (2, false);
		CREATE TABLE users (id int PRIMARY KEY);
		CREATE INDEX users_id_idx ON users (id);`); err != nil {
		t.Fatal(err)
	}
	dir := writeDir(t, map[string]string{
		"000001_users.sql":     "CREATE TABLE users (id int PRIMARY KEY);\n",
		"000002_users_idx.sql": "CREATE INDEX users_id_idx ON users (id);\n",
		"000003_email.sql":     "ALTER TABLE users ADD COLUMN email text;\n",
		"000004_idx.sql":       "-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n",
	})
	files := mustLoad(t, dir)
	var nc *NotCleanError
	if _, err := Apply(ctx, conn, files, testOpts()); !errors.As(err, &nc) {
		t.Fatalf("without --baseline: %v, want not clean", err)
	}
	opts := testOpts()
	opts.Baseline = "000002"
	rep, err := Apply(ctx, conn, files, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Files) != 2 || rep.Files[0].File.Version != "000003" || rep.Files[1].File.Version != "000004" {
		t.Fatalf("applied %+v", rep.Files)
	}
	want := `000002 users_idx type=1 0/0 err="" stmt="" partial=null op="schemactl test"
000003 email type=2 1/1 err="" stmt="" partial=null op="schemactl test"
000004 idx type=2 1/1 err="" stmt="" partial=null op="schemactl test"
`
	if got := revisionRows(t, conn); got != want {
		t.Fatalf("history:\n%s\nwant:\n%s", got, want)
	}
	if got := queryString(t, conn, `SELECT string_agg(version || ':' || dirty, ',') FROM schema_migrations`); got != "2:false" {
		t.Fatalf("schema_migrations: %s", got)
	}
	if got := queryString(t, conn, `SELECT count(*)::text FROM pg_indexes WHERE indexname = 'users_email_idx'`); got != "1" {
		t.Fatal("the file after the baseline did not run")
	}
	// Again: nothing pending.
	rep, err = Apply(ctx, conn, files, testOpts())
	if err != nil || len(rep.Files) != 0 {
		t.Fatalf("second run: %v, %d files", err, len(rep.Files))
	}
}
