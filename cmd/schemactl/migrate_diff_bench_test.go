package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/internal/corpus"
)

// benchPagila copies pagila's schema into a temporary directory.
func benchPagila(b *testing.B) string {
	b.Helper()
	src, err := os.ReadFile(corpus.Require(b, "pagila", "schema.sql"))
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "schema.sql"), src, 0o644); err != nil {
		b.Fatal(err)
	}
	return dir
}

// migrateDiffOnce runs `schemactl migrate diff` of pagila into a new, empty
// migration directory, in process, with the given global arguments.
func migrateDiffOnce(b *testing.B, dir string) {
	mdir := filepath.Join(b.TempDir(), "migrations")
	argv := []string{"schemactl", "migrate", "diff", "pagila", "--to", "file://" + filepath.Join(dir, "schema.sql"), "--dir", mdir}
	var errb bytes.Buffer
	if code := run(context.Background(), argv, io.Discard, &errb); code != 0 {
		b.Fatalf("migrate diff: exit %d: %s", code, errb.String())
	}
}

// pagilaFloor is the same job done by PostgreSQL's own programs: psql loads
// schema.sql into a fresh database and pg_dump --schema-only reads the
// catalog back once.
func pagilaFloor(b *testing.B, p devdb.Provider) {
	psql, err1 := exec.LookPath("psql")
	pgDump, err2 := exec.LookPath("pg_dump")
	if err1 != nil || err2 != nil {
		b.Skip("psql or pg_dump not found")
	}
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		db, err := p.NewDatabase(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if out, err := exec.Command(psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db.URL, "-f", corpus.Require(b, "pagila", "schema.sql")).CombinedOutput(); err != nil {
			b.Fatalf("psql: %v: %s", err, out)
		}
		if out, err := exec.Command(pgDump, "--schema-only", "-d", db.URL, "-f", os.DevNull).CombinedOutput(); err != nil {
			b.Fatalf("pg_dump: %v: %s", err, out)
		}
		if err := db.Close(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMigrateDiffPagilaWarm: `migrate diff` of pagila from an empty
// directory while a dev server runs (`schemactl dev start`): the command
// attaches to it. The floor runs on the same server.
func BenchmarkMigrateDiffPagilaWarm(b *testing.B) {
	dir := benchPagila(b)
	b.Setenv("SCHEMACTL_STATE_DIR", b.TempDir())
	b.Setenv("SCHEMACTL_DEV_URL", "")
	ctx := context.Background()
	if _, _, err := devdb.StartDetached(ctx, devdb.Options{}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { devdb.StopDetached(devdb.Options{}) })
	b.Run("schemactl", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			migrateDiffOnce(b, dir)
		}
	})
	b.Run("floor", func(b *testing.B) {
		c, err := devdb.AttachRunning(ctx, devdb.Options{})
		if err != nil || c == nil {
			b.Fatalf("attach to the dev server: %v", err)
		}
		defer c.Close()
		pagilaFloor(b, c)
	})
}

// BenchmarkMigrateDiffPagilaCold: the same with no dev server running: the
// command starts a private one and stops it. The floor runs on a server
// that is already up.
func BenchmarkMigrateDiffPagilaCold(b *testing.B) {
	dir := benchPagila(b)
	b.Setenv("SCHEMACTL_STATE_DIR", b.TempDir())
	b.Setenv("SCHEMACTL_DEV_URL", "")
	b.Run("schemactl", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			migrateDiffOnce(b, dir)
		}
	})
	b.Run("floor", func(b *testing.B) {
		c, err := devdb.StartLocal(context.Background(), devdb.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		pagilaFloor(b, c)
	})
}
