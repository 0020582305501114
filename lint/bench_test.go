package lint

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/migrations"
)

// kratosBenchDir copies kratos with an atlas.sum and returns its path.
func kratosBenchDir(b *testing.B) string {
	b.Helper()
	files := kratosFiles(b)
	return filepath.Dir(files[0].Path)
}

// lintRun is one way of linting kratos: latest files (0: all), sessions
// (0: the cost model's), pgLocks (Options.pgLocks).
type lintRun struct {
	latest, sessions int
	pgLocks          bool
}

func benchLint(b *testing.B, latest, sessions int) {
	benchLintOn(b, devdb.ProviderForTest(b), lintRun{latest: latest, sessions: sessions})
}

// benchLintOn is benchLint on the databases of p.
func benchLintOn(b *testing.B, p devdb.Provider, lr lintRun) {
	dir := kratosBenchDir(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		url := benchDB(b, p)
		b.StartTimer()
		lintOnce(b, p, url, dir, lr)
	}
}

// lintOnce lints the directory dir on the empty database url of p, the
// directory read included, and checks that the report is complete.
func lintOnce(b *testing.B, p devdb.Provider, url, dir string, lr lintRun) {
	ctx := context.Background()
	d, err := migrations.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	linted, err := Select(ctx, dir, d.Files, Selection{Latest: lr.latest})
	if err != nil {
		b.Fatal(err)
	}
	rep, err := Run(ctx, url, d.Files, Options{Linted: linted, Dev: p, Sessions: lr.sessions, pgLocks: lr.pgLocks})
	if err != nil {
		b.Fatal(err)
	}
	if rep.Incomplete != "" || len(rep.Findings) == 0 {
		b.Fatalf("incomplete %q, %d findings", rep.Incomplete, len(rep.Findings))
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
// whose locks it cannot derive from their parse tree).
func BenchmarkLintBigLocksKratosAll(b *testing.B) { benchLintOn(b, bigLockServer(b), lintRun{}) }

// BenchmarkLintBigLocksKratosAllPgLocks: the same reading pg_locks after
// every statement, as lint did before it derived lock levels.
func BenchmarkLintBigLocksKratosAllPgLocks(b *testing.B) {
	benchLintOn(b, bigLockServer(b), lintRun{pgLocks: true})
}

// BenchmarkLintBigLocksKratosPsqlFloor: BenchmarkLintKratosPsqlFloor on
// that server.
func BenchmarkLintBigLocksKratosPsqlFloor(b *testing.B) { benchPsqlFloor(b, bigLockServer(b)) }

// BenchmarkLintLockTableAB interleaves, in every iteration, the psql floor
// and the lint of all kratos files with and without static locks, on the
// shared test server and on a server with bigLockSettings, and reports
// each lint's ratio to its floor on the same server (the sums over the
// iterations): on a shared machine, load moves all six alike.
func BenchmarkLintLockTableAB(b *testing.B) {
	dir := kratosBenchDir(b)
	files := kratosBenchFiles(b, dir)
	servers := []struct {
		name string
		p    devdb.Provider
	}{{"default", devdb.ProviderForTest(b)}, {"big", bigLockServer(b)}}
	var floor, static, pgLocks [2]time.Duration
	timed := func(f func()) time.Duration { t := time.Now(); f(); return time.Since(t) }
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k, s := range servers {
			floor[k] += timed(func() { psqlOnce(b, benchDB(b, s.p), files) })
			static[k] += timed(func() { lintOnce(b, s.p, benchDB(b, s.p), dir, lintRun{}) })
			pgLocks[k] += timed(func() { lintOnce(b, s.p, benchDB(b, s.p), dir, lintRun{pgLocks: true}) })
		}
	}
	for k, s := range servers {
		b.ReportMetric(float64(static[k])/float64(floor[k]), "static/floor-"+s.name)
		b.ReportMetric(float64(pgLocks[k])/float64(floor[k]), "pglocks/floor-"+s.name)
	}
}

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
	files := kratosBenchFiles(b, kratosBenchDir(b))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		url := benchDB(b, p)
		b.StartTimer()
		psqlOnce(b, url, files)
	}
}

// psqlOnce replays files through one psql process on the empty database
// url.
func psqlOnce(b *testing.B, url string, files []*migrations.File) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		b.Skip("psql not found")
	}
	args := []string{"-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url}
	for _, f := range files {
		args = append(args, "-f", f.Path)
	}
	cmd := exec.Command(psql, args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("psql: %v\n%s", err, out)
	}
}

// kratosBenchFiles opens the directory of kratosBenchDir.
func kratosBenchFiles(b *testing.B, dir string) []*migrations.File {
	d, err := migrations.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	return d.Files
}
