package lint

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/internal/corpus"
	"github.com/schemactl/schemactl/migrations"
)

// kratosCorpus is the kratos migration history (SCHEMACTL_CORPUS may
// point at another copy of the corpus).
func kratosCorpus() string {
	src, err := corpus.Dir()
	if err != nil {
		return "/nonexistent-corpus"
	}
	return filepath.Join(src, "kratos", "migrations")
}

// kratosFiles copies the kratos corpus with a fresh atlas.sum and opens it.
func kratosFiles(t testing.TB) []*migrations.File {
	t.Helper()
	kratosCorpus := kratosCorpus()
	if _, err := os.Stat(kratosCorpus); err != nil {
		corpus.Require(t, "kratos", "migrations")
	}
	dir := t.TempDir()
	ents, err := os.ReadDir(kratosCorpus)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(kratosCorpus, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return openDir(t, dir)
}

func openDir(t testing.TB, dir string) []*migrations.File {
	t.Helper()
	if err := migrations.WriteSum(dir); err != nil {
		t.Fatal(err)
	}
	d, err := migrations.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return d.Files
}

// writeDir writes migration files (name -> content) to a new directory
// with its atlas.sum and opens it.
func writeDir(t testing.TB, files map[string]string) []*migrations.File {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return openDir(t, dir)
}

// lintFiles lints the files on a fresh database; only the last file is
// linted unless all is set.
func lintFiles(t testing.TB, files []*migrations.File, all bool) *Report {
	t.Helper()
	opts := Options{}
	if !all {
		opts.Linted = map[string]bool{files[len(files)-1].Name: true}
	}
	rep, err := Run(context.Background(), devdb.ForTest(t), files, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func hasCode(rep *Report, code string) bool {
	for _, f := range rep.Findings {
		if f.Code == code {
			return true
		}
	}
	return false
}

func dump(rep *Report) string {
	var b strings.Builder
	for _, f := range rep.Findings {
		b.WriteString(f.Pos.String() + " " + f.Code + " " + f.Message + "\n")
	}
	return b.String()
}
