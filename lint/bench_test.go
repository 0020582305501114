package lint

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/migrations"
)

// kratosBenchDir copies kratos with an atlas.sum and returns its path.
func kratosBenchDir(b *testing.B) string {
	b.Helper()
	files := kratosFiles(b)
	return filepath.Dir(files[0].Path)
}

func benchLint(b *testing.B, latest, sessions int) {
	benchLintOn(b, devdb.ProviderForTest(b), latest, sessions)
}

// benchLintOn is benchLint on the databases of p.
func benchLintOn(b *testing.B, p devdb.Provider, latest, sessions int) {
	dir := kratosBenchDir(b)
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		url := benchDB(b, p)
		b.StartTimer()
		d, err := migrations.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		linted, err := Select(ctx, dir, d.Files, Selection{Latest: latest})
		if err != nil {
			b.Fatal(err)
		}
		rep, err := Run(ctx, url, d.Files, Options{Linted: linted, Dev: p, Sessions: sessions})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Incomplete != "" || len(rep.Findings) == 0 {
			b.Fatalf("incomplete %q, %d findings", rep.Incomplete, len(rep.Findings))
		}
	}
}

// BenchmarkLintKratosLatest50: lint of the last 50 kratos files (the 296
// before them are replayed first), reading the directory included.
func BenchmarkLintKratosLatest50(b *testing.B) { benchLint(b, 50, 0) }

// BenchmarkLintKratosAll: lint of all 346 kratos files.
func BenchmarkLintKratosAll(b *testing.B) { benchLint(b, 0, 0) }

// BenchmarkLintKratosAllOneSession: the same on one session (Sessions: 1).
func BenchmarkLintKratosAllOneSession(b *testing.B) { benchLint(b, 0, 1) }

// BenchmarkLintKratosPsqlFloor: the floor both lint benchmarks compare
// with: the whole kratos directory replayed through one psql process on
// one connection (psql -X -q -v ON_ERROR_STOP=1 -f FILE ...), on a fresh
// database of the same server. Linting any file needs at least this.
func BenchmarkLintKratosPsqlFloor(b *testing.B) { benchPsqlFloor(b, devdb.ProviderForTest(b)) }

// bigLockSettings are those of a server set up for big schemas: a lock
// table 64 times the default (4096 locks per transaction, 200
// connections). Every read of pg_locks walks the whole table.
var bigLockSettings = map[string]string{"max_locks_per_transaction": "4096", "max_connections": "200"}

// bigLockServer starts a private local server with bigLockSettings for
// the benchmark; it stops when the benchmark ends.
func bigLockServer(b *testing.B) devdb.Provider {
	b.Helper()
	c, err := devdb.StartLocal(context.Background(), devdb.Options{Settings: bigLockSettings})
	if err != nil {
		b.Skipf("local server: %v", err)
	}
	b.Cleanup(func() {
		if err := c.Close(); err != nil {
			b.Error(err)
		}
	})
	return c
}

// BenchmarkLintBigLocksKratosAll: BenchmarkLintKratosAll on a server
// with bigLockSettings (lint reads the lock table only for the statements
// whose locks it cannot derive from their text).
func BenchmarkLintBigLocksKratosAll(b *testing.B) { benchLintOn(b, bigLockServer(b), 0, 0) }

// BenchmarkLintBigLocksKratosPsqlFloor: BenchmarkLintKratosPsqlFloor on
// that server.
func BenchmarkLintBigLocksKratosPsqlFloor(b *testing.B) { benchPsqlFloor(b, bigLockServer(b)) }

// benchDB returns the URL of a fresh database of p, dropped when the
// benchmark ends.
func benchDB(b *testing.B, p devdb.Provider) string {
	b.Helper()
	db, err := p.NewDatabase(context.Background())
	if err != nil {
		b.Fatalf("devdb: %v", err)
	}
	b.Cleanup(func() {
		if err := db.Close(context.Background()); err != nil {
			b.Error(err)
		}
	})
	return db.URL
}

// benchPsqlFloor replays kratos through psql on fresh databases of p.
func benchPsqlFloor(b *testing.B, p devdb.Provider) {
	dir := kratosBenchDir(b)
	d, err := migrations.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	psql, err := exec.LookPath("psql")
	if err != nil {
		b.Skip("psql not found")
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		args := []string{"-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", benchDB(b, p)}
		for _, f := range d.Files {
			args = append(args, "-f", f.Path)
		}
		cmd := exec.Command(psql, args...)
		b.StartTimer()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("psql: %v\n%s", err, out)
		}
	}
}
