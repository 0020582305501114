package migrations

import (
	"context"
	"testing"

	"github.com/schemactl/schemactl/devdb"
)

// BenchmarkApplyKratos: `migrate apply` of the 346 kratos files on a fresh
// database: reading and checking the directory (Open), connecting, the
// lock, the history table, and every file with its revision. Creating the
// database is not timed.
func BenchmarkApplyKratos(b *testing.B) {
	dir := kratosDir(b)
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		url := devdb.ForTest(b)
		b.StartTimer()
		d, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		conn, err := Connect(ctx, url, ConnOptions{AppName: "schemactl"})
		if err != nil {
			b.Fatal(err)
		}
		rep, err := Apply(ctx, conn, ApplyFiles(d), ApplyOptions{History: History{Schema: DefaultRevisionsSchema}, OperatorVersion: "schemactl bench"})
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Files) != len(d.Files) {
			b.Fatalf("applied %d of %d files", len(rep.Files), len(d.Files))
		}
		conn.Close(ctx)
	}
}

// BenchmarkApplyKratosPsqlFloor is the psql replay floor of the same files
// (see BenchmarkReplayKratosPsqlFloor), paired with BenchmarkApplyKratos
// by scripts/bench.sh.
func BenchmarkApplyKratosPsqlFloor(b *testing.B) { BenchmarkReplayKratosPsqlFloor(b) }
