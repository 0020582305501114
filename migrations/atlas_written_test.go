package migrations

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/schemactl/schemactl/devdb"
)

// testdata/atlas-written holds what Atlas itself (its CLI at the module
// version this project pins, built from source) wrote when it applied
// testdata/atlas to an empty PostgreSQL 15 database:
//
//	columns.txt  the history table's columns, from information_schema
//	rows.txt     its rows, without the time and operator columns
//
// The same directory applied by schemactl must give the same table and the
// same rows, so that either tool reads the other's history. (The two were
// also cross-checked by hand: `atlas migrate status` reports a database
// migrated by schemactl as OK at the latest version, and `schemactl migrate
// status` one migrated by Atlas; and Atlas's `migrate hash` wrote
// testdata/atlas/atlas.sum byte for byte.)
func TestHistoryMatchesWhatAtlasWrote(t *testing.T) {
	ctx := context.Background()
	conn := mustConnect(t, devdb.ForTest(t))
	files := mustLoad(t, "testdata/atlas")
	if _, err := Apply(ctx, conn, files, testOpts()); err != nil {
		t.Fatal(err)
	}
	cols := queryLines(t, conn, `SELECT column_name || '|' || data_type || '|' || is_nullable || '|' || coalesce(column_default, '')
		FROM information_schema.columns
		WHERE table_schema = 'atlas_schema_revisions' AND table_name = 'atlas_schema_revisions'
		ORDER BY ordinal_position`)
	rows := queryLines(t, conn, `SELECT concat_ws('|', version, description, type, applied, total,
			coalesce(error, '<null>'), coalesce(error_stmt, '<null>'), hash, coalesce(partial_hashes::text, '<null>'))
		FROM atlas_schema_revisions.atlas_schema_revisions ORDER BY version`)
	for _, c := range []struct{ file, got string }{
		{"testdata/atlas-written/columns.txt", cols},
		{"testdata/atlas-written/rows.txt", rows},
	} {
		want, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		if c.got != string(want) {
			t.Errorf("%s differs from what Atlas wrote:\ngot:\n%s\nwant:\n%s", c.file, c.got, want)
		}
	}
}

func queryLines(t *testing.T, conn *pgx.Conn, sql string) string {
	t.Helper()
	rows, err := conn.Query(context.Background(), sql)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		b.WriteString(s + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
