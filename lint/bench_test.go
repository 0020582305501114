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
	dir := kratosBenchDir(b)
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		url := devdb.ForTest(b)
		b.StartTimer()
		d, err := migrations.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		linted, err := Select(ctx, dir, d.Files, Selection{Latest: latest})
		if err != nil {
			b.Fatal(err)
		}
		rep, err := Run(ctx, url, d.Files, Options{Linted: linted, Dev: devdb.ProviderForTest(b), Sessions: sessions})
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
func BenchmarkLintKratosPsqlFloor(b *testing.B) {
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
		args := []string{"-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", devdb.ForTest(b)}
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
