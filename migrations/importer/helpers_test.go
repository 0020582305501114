package importer

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/migrations"
)

func TestMain(m *testing.M) { os.Exit(devdb.Main(m)) }

// writeTree writes files (relative path -> content) under a new directory.
func writeTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// readTree returns the files of dir (name -> content), atlas.sum left out.
func readTree(t testing.TB, dir string) map[string]string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range es {
		if e.Name() == migrations.SumFileName {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		got[e.Name()] = string(b)
	}
	return got
}

// sameTree fails the test when got and want differ, naming each file.
func sameTree(t testing.TB, got, want map[string]string) {
	t.Helper()
	for _, n := range sortedKeys(want) {
		g, ok := got[n]
		switch {
		case !ok:
			t.Errorf("missing %s", n)
		case g != want[n]:
			t.Errorf("%s:\n got %q\nwant %q", n, g, want[n])
		}
	}
	for _, n := range sortedKeys(got) {
		if _, ok := want[n]; !ok {
			t.Errorf("unexpected %s: %q", n, got[n])
		}
	}
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// piece is one step of a psql replay of the source: its SQL and whether
// the source tool runs it in a transaction.
type piece struct {
	sql string
	tx  bool
}

// checkAppliesLikeReplay validates the imported directory dst on a dev
// database, applies it with schemactl on a fresh database, replays the
// source pieces with psql on another, and compares their pg_dump -s.
func checkAppliesLikeReplay(t *testing.T, dst string, replay []piece) {
	t.Helper()
	ctx := context.Background()
	d, err := migrations.Open(dst)
	if err != nil {
		t.Fatalf("open imported directory: %v", err)
	}
	if ws := d.Warnings(); len(ws) > 0 {
		t.Errorf("imported directory has warnings: %v", ws)
	}
	if err := migrations.ValidateDir(ctx, devdb.ProviderForTest(t), d); err != nil {
		t.Fatalf("validate imported directory: %v", err)
	}
	applied := devdb.ForTest(t)
	conn, err := migrations.Connect(ctx, applied, migrations.ConnOptions{AppName: "schemactl-import-test"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rep, err := migrations.Apply(ctx, conn, migrations.ApplyFiles(d), migrations.ApplyOptions{
		History:         migrations.History{Schema: migrations.DefaultRevisionsSchema},
		OperatorVersion: "schemactl test",
	})
	if err != nil {
		t.Fatalf("apply imported directory: %v", err)
	}
	if len(rep.Files) != len(d.Files) {
		t.Fatalf("applied %d files of %d", len(rep.Files), len(d.Files))
	}
	replayed := devdb.ForTest(t)
	tmp := t.TempDir()
	for i, p := range replay {
		f := filepath.Join(tmp, "piece"+string(rune('a'+i))+".sql")
		if err := os.WriteFile(f, []byte(p.sql), 0o644); err != nil {
			t.Fatal(err)
		}
		args := []string{"-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", replayed, "-f", f}
		if p.tx {
			args = append(args, "--single-transaction")
		}
		if out, err := exec.Command(tool(t, "psql"), args...).CombinedOutput(); err != nil {
			t.Fatalf("psql replay of piece %d: %v\n%s", i+1, err, out)
		}
	}
	a, b := dumpSchema(t, applied), dumpSchema(t, replayed)
	if a != b {
		t.Errorf("schema after apply differs from the psql replay:\napply:\n%s\nreplay:\n%s", a, b)
	}
	if !strings.Contains(a, "CREATE") {
		t.Errorf("empty schema dump: %q", a)
	}
}

// tool finds a PostgreSQL client program.
func tool(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join("/usr/lib/postgresql/15/bin", name)
	if _, err := os.Stat(p); err == nil {
		return p
	}
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found", name)
	}
	return p
}

var reDumpNoise = regexp.MustCompile(`(?m)^(--.*|SET .*|SELECT pg_catalog\.set_config.*|\\(un)?restrict .*)\n`)

// dumpSchema is pg_dump -s of the database without the revisions schema,
// its comments and session settings.
func dumpSchema(t testing.TB, url string) string {
	t.Helper()
	out, err := exec.Command(tool(t, "pg_dump"), "-s", "--no-owner", "--no-privileges", "-N", migrations.DefaultRevisionsSchema, "-d", url).Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	s := reDumpNoise.ReplaceAllString(string(out), "")
	return strings.TrimSpace(regexp.MustCompile(`\n{2,}`).ReplaceAllString(s, "\n"))
}

// importTree imports src (in format) into a new directory and returns it.
func importTree(t *testing.T, src, format string) (string, *Report) {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "migrations")
	rep, err := Import(src, format, dst)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if err := migrations.Verify(dst); err != nil {
		t.Fatalf("atlas.sum: %v", err)
	}
	return dst, rep
}
