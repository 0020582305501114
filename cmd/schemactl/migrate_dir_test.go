package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/internal/corpus"
)

func TestMigrateNewHash(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "migrations")
	var names []string
	for i := 0; i < 2; i++ {
		code, out, stderr := runCLI(t, "migrate", "new", "--dir", "file://"+dir, "add_users")
		if code != 0 {
			t.Fatalf("migrate new: exit %d: %s", code, stderr)
		}
		names = append(names, filepath.Base(strings.TrimSpace(out)))
	}
	if names[0] == names[1] || !strings.HasSuffix(names[0], "_add_users.sql") || len(names[0]) != len("20250101120000_add_users.sql") {
		t.Fatalf("files %v", names)
	}
	sort.Strings(names)
	sum, err := os.ReadFile(filepath.Join(dir, "atlas.sum"))
	if err != nil || !strings.Contains(string(sum), names[1]+" h1:") {
		t.Fatalf("atlas.sum %q: %v", sum, err)
	}
	// An edit is refused until hash is run.
	os.WriteFile(filepath.Join(dir, names[0]), []byte("CREATE TABLE users (id int);\n"), 0o644)
	code, _, stderr := runCLI(t, "migrate", "new", "--dir", dir, "x")
	want := "schemactl: " + filepath.Join(dir, names[0]) + ": edited since atlas.sum was written (migration files must not change once applied); if this is intended, run: schemactl migrate hash --dir file://" + dir + "\n"
	if code != 1 || stderr != want {
		t.Fatalf("exit %d, stderr:\n%s\nwant:\n%s", code, stderr, want)
	}
	if code, _, stderr := runCLI(t, "migrate", "hash", "--dir", "file://"+dir); code != 0 {
		t.Fatalf("migrate hash: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "migrate", "new", "--dir", dir, "x"); code != 0 {
		t.Fatalf("migrate new after hash: exit %d: %s", code, stderr)
	}
	for _, args := range [][]string{
		{"migrate", "new", "--dir", dir, "a", "b"},
		{"migrate", "hash", "--dir", "atlas://dir"},
		{"migrate", "validate", "extra"},
	} {
		if code, _, _ := runCLI(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestMigrateValidate(t *testing.T) {
	dev := devdb.ForTest(t)
	code, out, stderr := runCLI(t, "--dev-url", dev, "migrate", "validate", "--dir", "file://../../migrations/testdata/atlas")
	if code != 0 || stderr != "" || out != "../../migrations/testdata/atlas: 3 files, 8 statements: valid\n" {
		t.Fatalf("exit %d\nstdout %q\nstderr %q", code, out, stderr)
	}

	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "1_a.sql"), []byte("CREATE TABLE a (x int);\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "2_b.sql"), []byte("-- atlas:txmode none\nCREATE INDEX CONCURRENTLY a_x ON a (x);\nSELECT x, nope\n  FROM a;\n"), 0o644)
	if code, _, stderr := runCLI(t, "migrate", "validate", "--dir", dir); code != 1 || !strings.Contains(stderr, "atlas.sum: missing") {
		t.Fatalf("no atlas.sum: exit %d: %s", code, stderr)
	}
	runCLI(t, "migrate", "hash", "--dir", dir)
	code, out, stderr = runCLI(t, "--dev-url", dev, "migrate", "validate", "--dir", dir)
	want := "schemactl: warning: " + dir + "/2_b.sql:1:1: Atlas ignores this atlas:txmode none directive (no blank line separates it from the first statement); schemactl honours it; fix: insert a blank line after line 1\n" +
		"schemactl: " + dir + `/2_b.sql:3:11: SELECT x, nope FROM a: column "nope" does not exist (SQLSTATE 42703)` + "\n"
	if code != 1 || out != "" || stderr != want {
		t.Fatalf("exit %d\nstdout %q\nstderr:\n%s\nwant:\n%s", code, out, stderr, want)
	}
}

func TestMigrateValidateKratos(t *testing.T) {
	src := corpus.Require(t, "kratos", "migrations")
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	dir := t.TempDir()
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join(src, e.Name()))
		os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644)
	}
	if code, _, stderr := runCLI(t, "migrate", "hash", "--dir", "file://"+dir); code != 0 {
		t.Fatalf("hash: %s", stderr)
	}
	code, out, stderr := runCLI(t, "--dev-url", devdb.ForTest(t), "migrate", "validate", "--dir", "file://"+dir)
	if code != 0 || !strings.HasSuffix(out, ": 346 files, 534 statements: valid\n") {
		t.Fatalf("exit %d\nstdout %q\nstderr %s", code, out, stderr)
	}
	if n := strings.Count(stderr, "schemactl: warning: "); n != 10 {
		t.Fatalf("%d warnings, want 10:\n%s", n, stderr)
	}
}
