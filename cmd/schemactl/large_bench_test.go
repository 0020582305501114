package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/internal/bigschema"
)

// The large-schema benchmarks run on internal/bigschema's schema at the
// scale SCHEMACTL_BENCH_LARGE_SCALE (default 0.1: 150 tables, so that
// `make bench` stays short; 1 is the full 1,500 tables, for
// `SCHEMACTL_BENCH_LARGE_SCALE=1 BENCHTIME=1x make bench PKGS=./cmd/schemactl`).
// Each runs with `schemactl dev start` running and times its floor on the
// same server in the same iterations (pairs).

type largeBench struct {
	dir    string // old/schema.sql, new/schema.sql, init/ (the first migration)
	bin    string // PostgreSQL's programs
	server *devdb.Cluster
}

func newLargeBench(b *testing.B) *largeBench {
	b.Helper()
	scale := 0.1
	if s := os.Getenv("SCHEMACTL_BENCH_LARGE_SCALE"); s != "" {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v <= 0 {
			b.Fatalf("SCHEMACTL_BENCH_LARGE_SCALE=%q: want a positive number", s)
		}
		scale = v
	}
	oldSQL, newSQL := bigschema.Generate(bigschema.Options{Scale: scale, Seed: 1})
	dir := b.TempDir()
	for name, text := range map[string]string{"old/schema.sql": oldSQL, "new/schema.sql": newSQL} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.Setenv("SCHEMACTL_STATE_DIR", b.TempDir())
	b.Setenv("SCHEMACTL_DEV_URL", "")
	ctx := context.Background()
	if _, _, err := devdb.StartDetached(ctx, devdb.Options{}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { devdb.StopDetached(devdb.Options{}) })
	c, err := devdb.AttachRunning(ctx, devdb.Options{})
	if err != nil || c == nil {
		b.Fatalf("attach to the dev server: %v", err)
	}
	b.Cleanup(func() { c.Close() })
	return &largeBench{dir: dir, bin: pgBinDir(b), server: c}
}

func (l *largeBench) file(state string) string { return filepath.Join(l.dir, state, "schema.sql") }

// cli runs the CLI as a process of its own (the test binary as
// schemactl), as a user runs it beside the floor's psql and pg_dump: with
// the binary's own settings (its garbage collector's, tuneGC), not in
// the benchmark's process with its heap. It fails on a non-zero exit.
func (l *largeBench) cli(b *testing.B, args ...string) {
	b.Helper()
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	var errb bytes.Buffer
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "SCHEMACTL_TEST_RUN_MAIN=1")
	cmd.Stdout, cmd.Stderr = io.Discard, &errb
	if err := cmd.Run(); err != nil {
		b.Fatalf("%v: %v: %s", args, err, errb.String())
	}
}

// initDir writes the first migration (empty → old) once.
func (l *largeBench) initDir(b *testing.B) string {
	b.Helper()
	d := filepath.Join(l.dir, "init")
	if _, err := os.Stat(d); err != nil {
		l.cli(b, "migrate", "diff", "init", "--to", "file://"+l.file("old"), "--dir", "file://"+d)
	}
	return d
}

// loaded is a fresh database of the dev server holding a state, by psql.
func (l *largeBench) loaded(b *testing.B, state string) *devdb.Database {
	b.Helper()
	db, err := l.server.NewDatabase(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	psqlLoad(b, l.bin, db.URL, l.file(state))
	return db
}

func (l *largeBench) dump(b *testing.B, url string) {
	b.Helper()
	if out, err := exec.Command(filepath.Join(l.bin, "pg_dump"), "--schema-only", "-d", url, "-f", os.DevNull).CombinedOutput(); err != nil {
		b.Fatalf("pg_dump: %v: %s", err, out)
	}
}

func (l *largeBench) drop(b *testing.B, db *devdb.Database) {
	if err := db.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
}

// pairs runs, in every iteration, the floor and then schemactl's job,
// each on its own fresh input (prepare, untimed), and reports schemactl's
// time as ns/op and the floor's as floor-ns/op: on a shared machine the
// load moves both alike, where two benchmarks run minutes apart compare
// two different loads (scripts/bench.sh prints the ratio).
func pairs(b *testing.B, prepare func(), floor, schemactl func()) {
	b.Helper()
	var floorTime, ours time.Duration
	b.ResetTimer()
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		prepare()
		t := time.Now()
		floor()
		floorTime += time.Since(t)
		prepare()
		t = time.Now()
		b.StartTimer()
		schemactl()
		b.StopTimer()
		ours += time.Since(t)
	}
	b.ReportMetric(float64(floorTime.Nanoseconds())/float64(b.N), "floor-ns/op")
	b.ReportMetric(float64(ours)/float64(floorTime), "x-floor")
}

// BenchmarkMigrateDiffLarge: `migrate diff` of the large schema from an
// empty directory; floor: psql loads the schema into a fresh database and
// pg_dump --schema-only reads it back.
func BenchmarkMigrateDiffLarge(b *testing.B) {
	l := newLargeBench(b)
	pairs(b, func() {}, func() {
		db := l.loaded(b, "old")
		l.dump(b, db.URL)
		b.Cleanup(func() { l.drop(b, db) })
	}, func() {
		l.cli(b, "migrate", "diff", "init", "--to", "file://"+l.file("old"), "--dir", "file://"+filepath.Join(b.TempDir(), "m"))
	})
}

// BenchmarkIncrementalDiffLarge: `migrate diff` of the 2% change, the
// directory holding the first migration; floor: psql replays the
// directory into a fresh database, psql loads the new state into another,
// and pg_dump --schema-only reads that one back.
func BenchmarkIncrementalDiffLarge(b *testing.B) {
	l := newLargeBench(b)
	src := l.initDir(b)
	files, err := filepath.Glob(filepath.Join(src, "*.sql"))
	if err != nil || len(files) != 1 {
		b.Fatalf("the first migration: %v %v", files, err)
	}
	var d string
	pairs(b, func() {
		d = filepath.Join(b.TempDir(), "m")
		if out, err := exec.Command("cp", "-r", src, d).CombinedOutput(); err != nil {
			b.Fatalf("cp: %v: %s", err, out)
		}
	}, func() {
		replay, err := l.server.NewDatabase(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		psqlLoad(b, l.bin, replay.URL, files[0])
		db := l.loaded(b, "new")
		l.dump(b, db.URL)
		b.Cleanup(func() { l.drop(b, replay); l.drop(b, db) })
	}, func() {
		l.cli(b, "migrate", "diff", "change", "--to", "file://"+l.file("new"), "--dir", "file://"+d)
	})
}

// BenchmarkInspectLarge: `schema inspect --format json` of a database
// holding the large schema (every modelled object read); floor: pg_dump
// --schema-only of the same database.
func BenchmarkInspectLarge(b *testing.B) {
	l := newLargeBench(b)
	db := l.loaded(b, "old")
	pairs(b, func() {}, func() { l.dump(b, db.URL) }, func() {
		l.cli(b, "schema", "inspect", "--url", db.URL, "--format", "json")
	})
}

// BenchmarkPeakMemoryLarge: the peak resident memory of the schemactl
// process (the test binary run as the CLI) for `migrate diff` of the large
// schema from an empty directory, as /usr/bin/time -v reports it (the
// dev server's memory is not counted). Reported as peak-MiB.
func BenchmarkPeakMemoryLarge(b *testing.B) {
	l := newLargeBench(b)
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	var peak int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(exe, "migrate", "diff", "init", "--to", "file://"+l.file("old"), "--dir", "file://"+filepath.Join(b.TempDir(), "m"))
		cmd.Env = append(os.Environ(), "SCHEMACTL_TEST_RUN_MAIN=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("migrate diff: %v: %s", err, out)
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > peak {
			peak = ru.Maxrss
		}
	}
	b.ReportMetric(float64(peak)/1024, "peak-MiB")
}
