package migrations

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/schemactl/schemactl/devdb"
)

// TestApplyPrivilegedFiles runs a privileged file on its own connection (a
// second role here) and the others on the main one, all in one history.
func TestApplyPrivilegedFiles(t *testing.T) {
	ctx := context.Background()
	url := devdb.ForTest(t)
	conn := mustConnect(t, url)
	dir := writeDir(t, map[string]string{
		"1_a.sql": "CREATE TABLE a (id int);\n",
		"2_p.sql": "-- schemactl:privileged\n\nCREATE TABLE p (who text DEFAULT current_user);\nINSERT INTO p DEFAULT VALUES;\n",
		"3_c.sql": "INSERT INTO p DEFAULT VALUES;\n",
	})
	files := mustLoad(t, dir)
	if !files[1].Privileged || files[0].Privileged {
		t.Fatal("directive not read")
	}

	// Without a privileged connection, or under --tx-mode all, nothing runs.
	for _, mode := range []string{TxModeFile, TxModeAll} {
		opts := testOpts()
		opts.TxMode = mode
		if mode == TxModeAll {
			opts.Privileged = func(context.Context) (*pgx.Conn, error) { return nil, nil }
		}
		_, err := Apply(ctx, conn, files, opts)
		if err == nil || !strings.Contains(err.Error(), "2_p.sql") || !strings.Contains(err.Error(), "schemactl:privileged") {
			t.Fatalf("tx mode %s: %v", mode, err)
		}
	}
	if ok, _ := (History{}).Exists(ctx, conn); ok {
		t.Fatal("a refused plan created the history")
	}

	// The privileged connection is another session, as another role that
	// may write the history (as provision arranges for the real one).
	role := fmt.Sprintf("priv_apply_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, `CREATE ROLE `+role+`; GRANT postgres TO `+role); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c := mustConnect(t, url)
		c.Exec(context.Background(), `DROP OWNED BY `+role+`; DROP ROLE `+role)
	})
	opened := 0
	opts := testOpts()
	opts.Privileged = func(ctx context.Context) (*pgx.Conn, error) {
		opened++
		c, err := Connect(ctx, url, ConnOptions{})
		if err != nil {
			return nil, err
		}
		t.Cleanup(func() { c.Close(context.Background()) })
		_, err = c.Exec(ctx, `SET ROLE `+role)
		return c, err
	}
	var out bytes.Buffer
	dry := opts
	dry.DryRun, dry.DryRunOut = true, &out
	if _, err := Apply(ctx, conn, files, dry); err != nil || !strings.Contains(out.String(), "2_p.sql: 2 statements, as the privileged role, in a transaction") || opened != 0 {
		t.Fatalf("dry run (%d connections): %v\n%s", opened, err, out.String())
	}
	if _, err := Apply(ctx, conn, files, opts); err != nil {
		t.Fatal(err)
	}
	if got := queryString(t, conn, `SELECT string_agg(who, ',' ORDER BY who) FROM p`); got != "postgres,"+role {
		t.Fatalf("rows written by %q", got)
	}
	if got := queryString(t, conn, `SELECT string_agg(version || ':' || applied, ',' ORDER BY version) FROM atlas_schema_revisions.atlas_schema_revisions`); got != "1:1,2:2,3:1" || opened != 1 {
		t.Fatalf("history %q, %d privileged connections", got, opened)
	}
}

func TestApplyPrivilegedDirectiveMisplaced(t *testing.T) {
	ctx := context.Background()
	conn := mustConnect(t, devdb.ForTest(t))
	dir := writeDir(t, map[string]string{
		"1_a.sql": "CREATE TABLE a (id int);\n-- schemactl:privileged\nCREATE EXTENSION citext;\n",
	})
	files := mustLoad(t, dir)
	opts := testOpts()
	opts.Privileged = func(context.Context) (*pgx.Conn, error) { return nil, nil }
	_, err := Apply(ctx, conn, files, opts)
	if err == nil || !strings.Contains(err.Error(), "1_a.sql:2:") || !strings.Contains(err.Error(), "applies to a whole file") {
		t.Fatalf("got %v", err)
	}
}
