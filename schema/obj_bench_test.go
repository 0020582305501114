package schema

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/internal/corpus"
)

// pagilaDB returns a fresh database holding the pagila schema of the
// shared corpus.
func pagilaDB(b *testing.B) (string, *sql.DB) {
	b.Helper()
	ddl, err := os.ReadFile(corpus.Require(b, "pagila", "schema.sql"))
	if err != nil {
		b.Fatal(err)
	}
	url := devdb.ForTest(b)
	db, err := OpenDB(url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Exec(string(ddl)); err != nil {
		b.Fatal(err)
	}
	return url, db
}

// BenchmarkInspectPagila: the full inspection of the pagila database
// (Atlas's, the catalog reader's and the objects'), against
// pg_dump --schema-only of the same database.
func BenchmarkInspectPagila(b *testing.B) {
	ctx := context.Background()
	url, db := pagilaDB(b)
	b.Run("schemactl", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			st, err := InspectDB(ctx, db, Scope{})
			if err != nil {
				b.Fatal(err)
			}
			if len(Objects(st.Realm)) == 0 {
				b.Fatal("no objects")
			}
		}
	})
	b.Run("floor", func(b *testing.B) {
		pgDump, err := exec.LookPath("pg_dump")
		if err != nil {
			b.Skip("pg_dump not found")
		}
		for i := 0; i < b.N; i++ {
			cmd := exec.Command(pgDump, "--schema-only", "--no-owner", "-d", url, "-f", os.DevNull)
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("pg_dump: %v: %s", err, out)
			}
		}
	})
}

// BenchmarkInspectObjectsPagila: the objects' share of the inspection
// alone (InspectObjects on an empty realm of the same database).
func BenchmarkInspectObjectsPagila(b *testing.B) {
	ctx := context.Background()
	_, db := pagilaDB(b)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, err := InspectDB(ctx, db, Scope{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := InspectObjects(ctx, db, st.Realm, ObjectOptions{WithCatalog: true}); err != nil {
			b.Fatal(err)
		}
	}
}
