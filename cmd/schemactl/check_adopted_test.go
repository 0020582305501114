package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
)

// TestCheckAdoptedKratos: the kratos history, adopted as it is (its old
// files break many lint rules), passes check on its default branch, where
// nothing is new; on a branch, a new file that builds an index on an
// existing table without CONCURRENTLY fails check at its lint step.
func TestCheckAdoptedKratos(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dev := devdb.ForTest(t)
	repo := t.TempDir()
	if err := os.Rename(copyKratos(t), filepath.Join(repo, "migrations")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(repo)
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	// Outside a git checkout nothing is new: nothing is linted, and check
	// says so.
	check := func(args ...string) (int, string, string) {
		t.Helper()
		return runCLI(t, append([]string{"check", "--dir", "file://migrations", "--to", "file://migrations", "--dev-url", dev}, args...)...)
	}
	code, out, stderr := check()
	if code != 0 || !strings.Contains(out, "lint: no file linted: migrations is not in a git checkout") || !strings.Contains(out, "in sync") {
		t.Fatalf("outside git: exit %d\n%s\n%s", code, out, stderr)
	}

	git("init", "-q", "-b", "main")
	git("add", ".")
	git("commit", "-q", "-m", "kratos")
	code, out, stderr = check()
	if code != 0 || !strings.Contains(out, "lint: no file linted: nothing added or changed since the merge base with the default branch main") || !strings.Contains(out, "346 files") {
		t.Fatalf("on main: exit %d\n%s\n%s", code, out, stderr)
	}

	git("checkout", "-q", "-b", "feature")
	name := "20991231000000000000_identities_created_at.sql"
	if err := os.WriteFile(filepath.Join("migrations", name), []byte("CREATE INDEX identities_created_at_idx ON identities (created_at);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "migrate", "hash", "--dir", "migrations"); code != 0 {
		t.Fatal(stderr)
	}
	git("add", ".")
	git("commit", "-q", "-m", "index")
	code, out, stderr = check()
	if code != 1 || !strings.Contains(out, "migrations/"+name+":1:1: error PG101: index \"identities_created_at_idx\" is built on existing table") ||
		strings.Count(out, "error PG") != 1 || !strings.Contains(stderr, "lint found 1 error") {
		t.Fatalf("new index on a branch: exit %d\n%s\n%s", code, out, stderr)
	}
}

// TestDefaultBranch: origin/HEAD wins over main and master; without a
// checkout or a default branch there is none, and the reason says why.
func TestDefaultBranch(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	ctx := t.Context()
	repo := t.TempDir()
	if ref, why := defaultBranch(ctx, repo); ref != "" || !strings.Contains(why, "not in a git checkout") {
		t.Fatalf("outside git: %q %q", ref, why)
	}
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", repo, "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q", "-b", "trunk")
	git("commit", "-q", "--allow-empty", "-m", "first")
	if ref, why := defaultBranch(ctx, repo); ref != "" || !strings.Contains(why, "no default branch") {
		t.Fatalf("no main: %q %q", ref, why)
	}
	git("branch", "master")
	if ref, _ := defaultBranch(ctx, repo); ref != "master" {
		t.Fatalf("master: %q", ref)
	}
	git("branch", "main")
	if ref, _ := defaultBranch(ctx, repo); ref != "main" {
		t.Fatalf("main: %q", ref)
	}
	git("update-ref", "refs/remotes/origin/trunk", "HEAD")
	git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk")
	if ref, _ := defaultBranch(ctx, repo); ref != "origin/trunk" {
		t.Fatalf("origin/HEAD: %q", ref)
	}
}
