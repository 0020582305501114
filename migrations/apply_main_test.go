package migrations

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/schemactl/schemactl/devdb"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(applyChild())
	}
	os.Exit(devdb.Main(m))
}

// childEnv makes the test binary act as an apply process (for the tests
// that kill it or run several at once): it applies the directory
// SCHEMACTL_TEST_DIR to SCHEMACTL_TEST_URL and exits 0, or 1 printing the
// error.
const childEnv = "SCHEMACTL_TEST_APPLY_CHILD"

func applyChild() int {
	ctx := context.Background()
	files, err := loadTestDir(os.Getenv("SCHEMACTL_TEST_DIR"))
	if err == nil {
		var conn *pgx.Conn
		conn, err = Connect(ctx, os.Getenv("SCHEMACTL_TEST_URL"), ConnOptions{AppName: "schemactl-test-child"})
		if err == nil {
			defer conn.Close(ctx)
			lt, _ := strconv.Atoi(os.Getenv("SCHEMACTL_TEST_LOCK_TIMEOUT_MS"))
			_, err = Apply(ctx, conn, files, ApplyOptions{
				History:         History{Schema: DefaultRevisionsSchema},
				LockTimeout:     time.Duration(lt) * time.Millisecond,
				OperatorVersion: "schemactl test",
				Progress:        &LineProgress{W: os.Stdout},
			})
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// loadTestDir (re)writes the atlas.sum of dir, as `migrate hash` does,
// and reads the directory for apply.
func loadTestDir(dir string) ([]*ApplyFile, error) {
	if err := WriteSum(dir); err != nil {
		return nil, err
	}
	d, err := Open(dir)
	if err != nil {
		return nil, err
	}
	return ApplyFiles(d), nil
}

// writeDir writes files (name -> content) into a new temporary directory.
func writeDir(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func mustLoad(t testing.TB, dir string) []*ApplyFile {
	t.Helper()
	files, err := loadTestDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func mustConnect(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	conn, err := Connect(context.Background(), url, ConnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// testOpts are the apply options of the tests.
func testOpts() ApplyOptions {
	return ApplyOptions{History: History{Schema: DefaultRevisionsSchema}, OperatorVersion: "schemactl test"}
}

// queryString runs a query returning one text value.
func queryString(t testing.TB, conn *pgx.Conn, sql string, args ...any) string {
	t.Helper()
	var s string
	if err := conn.QueryRow(context.Background(), sql, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}

// revisionRows renders the history as one line per revision, without the
// times.
func revisionRows(t testing.TB, conn *pgx.Conn) string {
	t.Helper()
	rows, err := conn.Query(context.Background(), `SELECT version, description, type, applied, total, coalesce(error, '<null>'),
		coalesce(error_stmt, '<null>'), coalesce(partial_hashes::text, '<null>'), operator_version
		FROM atlas_schema_revisions.atlas_schema_revisions ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for rows.Next() {
		var (
			v, d, e, es, ph, op string
			typ, ap, tot        int64
		)
		if err := rows.Scan(&v, &d, &typ, &ap, &tot, &e, &es, &ph, &op); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %s type=%d %d/%d err=%q stmt=%q partial=%s op=%q\n", v, d, typ, ap, tot, e, es, ph, op)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
