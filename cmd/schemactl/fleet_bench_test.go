package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/schemactl/schemactl/migrations"
)

// benchFleetParallel is the parallelism of both sides of BenchmarkFleetApply.
const benchFleetParallel = 8

// BenchmarkFleetApply applies a directory of 50 files to 60 databases on
// three local clusters, 8 at once: schemactl's fleet apply (one process,
// history, locks, a transaction per file) against its floor, psql
// replaying the same files on each database with the same parallelism
// (xargs -P 8). The databases are emptied between runs, untimed.
func BenchmarkFleetApply(b *testing.B) {
	l := startFleetLab(b, 3, 20, 0)
	dir := b.TempDir()
	var names []string
	for i := 1; i <= 50; i++ {
		name := fmt.Sprintf("2024010100%04d_t%02d.sql", i, i)
		body := fmt.Sprintf("CREATE TABLE t%02d (id bigint PRIMARY KEY, name text NOT NULL, created timestamptz NOT NULL DEFAULT now());\nCREATE INDEX t%02d_name ON t%02d (name);\nINSERT INTO t%02d (id, name) VALUES (1, 'one'), (2, 'two');\n", i, i, i, i)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	writeSum(b, dir)
	targets := l.targetsFile(l.targets)
	psql := filepath.Join(pgBinDir(b), "psql")
	reset := func() {
		b.StopTimer()
		var wg sync.WaitGroup
		for _, u := range l.targets {
			wg.Add(1)
			go func() {
				defer wg.Done()
				conn, err := pgx.Connect(context.Background(), u)
				if err != nil {
					b.Error(err)
					return
				}
				defer conn.Close(context.Background())
				if _, err := conn.Exec(context.Background(), "DROP SCHEMA public CASCADE; CREATE SCHEMA public; DROP SCHEMA IF EXISTS atlas_schema_revisions CASCADE"); err != nil {
					b.Error(err)
				}
			}()
		}
		wg.Wait()
		b.StartTimer()
	}
	b.Run("schemactl", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			reset()
			cmd := exec.Command(os.Args[0], "migrate", "apply", "--targets", targets, "--dir", "file://"+dir, "--parallel", fmt.Sprint(benchFleetParallel))
			cmd.Env = append(os.Environ(), "SCHEMACTL_TEST_RUN_MAIN=1")
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), fmt.Sprintf("%d applied, 0 already current, 0 failed", len(l.targets))) {
				b.Fatalf("%v\n%s", err, out)
			}
		}
	})
	b.Run("floor", func(b *testing.B) {
		args := []string{"-P", fmt.Sprint(benchFleetParallel), "-I{}", psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", "{}"}
		for _, n := range names {
			args = append(args, "-f", filepath.Join(dir, n))
		}
		for i := 0; i < b.N; i++ {
			reset()
			cmd := exec.Command("xargs", args...)
			cmd.Stdin = strings.NewReader(strings.Join(l.targets, "\n") + "\n")
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("xargs psql: %v\n%s", err, out)
			}
		}
	})
}

// writeSum writes the atlas.sum of dir.
func writeSum(b *testing.B, dir string) {
	b.Helper()
	if err := migrations.WriteSum(dir); err != nil {
		b.Fatal(err)
	}
}
