package lint

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/internal/bigschema"
	"github.com/schemactl/schemactl/migrations"
)

// The large-history benchmarks lint internal/bigschema's schema (scale
// SCHEMACTL_BENCH_LARGE_SCALE, default 0.1; 1 is the full 1,500 tables)
// written as a history of 50 files, and time, in the same iterations, the
// floor: psql replaying the same files on one connection of the same
// server (pairs). The TCP ones run on a local server reached over TCP as
// a postgres:// dev server (a remote dev server's code path).

// largeHistoryFiles is the number of files of the large history.
const largeHistoryFiles = 50

// largeHistoryDir writes the large schema's statements, in order, as 50
// migration files of about the same number of statements each, with an
// atlas.sum, and returns the directory.
func largeHistoryDir(b *testing.B) string {
	b.Helper()
	scale := 0.1
	if s := os.Getenv("SCHEMACTL_BENCH_LARGE_SCALE"); s != "" {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v <= 0 {
			b.Fatalf("SCHEMACTL_BENCH_LARGE_SCALE=%q: want a positive number", s)
		}
		scale = v
	}
	oldSQL, _ := bigschema.Generate(bigschema.Options{Scale: scale, Seed: 1})
	stmts, err := migrations.Split("schema.sql", []byte(oldSQL))
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	per := (len(stmts) + largeHistoryFiles - 1) / largeHistoryFiles
	for i := 0; i < largeHistoryFiles && i*per < len(stmts); i++ {
		var text strings.Builder
		for _, s := range stmts[i*per : min((i+1)*per, len(stmts))] {
			text.WriteString(s.Text)
			text.WriteString(";\n\n")
		}
		name := fmt.Sprintf("2024010100%04d_part%02d.sql", i, i)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	if err := migrations.WriteSum(dir); err != nil {
		b.Fatal(err)
	}
	return dir
}

// pairs times, in every iteration, the psql floor and then the lint of
// all files of dir, each on a fresh database of p; schemactl's time is
// ns/op, the floor's floor-ns/op (scripts/bench.sh prints the ratio): on
// a shared machine the load moves both alike.
func pairs(b *testing.B, p devdb.Provider, dir string) {
	b.Helper()
	files := kratosBenchFiles(b, dir)
	var floor, ours time.Duration
	b.ResetTimer()
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		url := benchDB(b, p)
		t := time.Now()
		psqlOnce(b, url, files)
		floor += time.Since(t)
		url = benchDB(b, p)
		t = time.Now()
		b.StartTimer()
		lintOnce(b, p, url, dir, lintRun{})
		b.StopTimer()
		ours += time.Since(t)
	}
	b.ReportMetric(float64(floor.Nanoseconds())/float64(b.N), "floor-ns/op")
	b.ReportMetric(float64(ours)/float64(floor), "x-floor")
}

// tcpServer starts a private local server that listens on a loopback
// address of its own and returns it as a postgres:// dev server reached
// over TCP; it stops when the benchmark ends.
func tcpServer(b *testing.B, settings map[string]string) devdb.Provider {
	b.Helper()
	ctx := context.Background()
	addr := fmt.Sprintf("127.%d.%d.%d", 1+rand.IntN(250), 1+rand.IntN(250), 1+rand.IntN(250))
	s := map[string]string{"listen_addresses": addr}
	for k, v := range settings {
		s[k] = v
	}
	c, err := devdb.StartLocal(ctx, devdb.Options{Settings: s})
	if err != nil {
		b.Skipf("local server: %v", err)
	}
	b.Cleanup(func() {
		if err := c.Close(); err != nil {
			b.Error(err)
		}
	})
	admin := c.URL("postgres")
	port := strings.TrimPrefix(admin[strings.Index(admin, "port="):], "port=")
	port, _, _ = strings.Cut(port, "&")
	p, err := devdb.Open(ctx, fmt.Sprintf("postgres://postgres@%s:%s/postgres?sslmode=disable", addr, port))
	if err != nil {
		b.Fatalf("the server over TCP: %v", err)
	}
	b.Cleanup(func() { p.Close() })
	return p
}

// BenchmarkLintLargeHistory50: lint of the 50 files of the large history
// on the shared test server (default settings).
func BenchmarkLintLargeHistory50(b *testing.B) {
	pairs(b, devdb.ProviderForTest(b), largeHistoryDir(b))
}

// BenchmarkLintBigLocksLargeHistory50: the same on a server with
// bigLockSettings.
func BenchmarkLintBigLocksLargeHistory50(b *testing.B) {
	pairs(b, bigLockServer(b), largeHistoryDir(b))
}

// BenchmarkLintTCPLargeHistory50: the same on a remote dev server reached
// over TCP.
func BenchmarkLintTCPLargeHistory50(b *testing.B) {
	pairs(b, tcpServer(b, nil), largeHistoryDir(b))
}

// BenchmarkLintTCPKratosAll: lint of all 346 kratos files on a remote dev
// server reached over TCP, its psql floor over TCP too.
func BenchmarkLintTCPKratosAll(b *testing.B) {
	pairs(b, tcpServer(b, nil), kratosBenchDir(b))
}

// BenchmarkLintPairedKratosAll and BenchmarkLintPairedBigLocksKratosAll:
// lint of all kratos files timed with their floor in the same iterations,
// on the shared test server and on one with bigLockSettings.
func BenchmarkLintPairedKratosAll(b *testing.B) {
	pairs(b, devdb.ProviderForTest(b), kratosBenchDir(b))
}

func BenchmarkLintPairedBigLocksKratosAll(b *testing.B) {
	pairs(b, bigLockServer(b), kratosBenchDir(b))
}
