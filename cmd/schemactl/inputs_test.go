package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
)

// noRawBytes fails when output echoes bytes of a binary file.
func noRawBytes(t *testing.T, what, out string) {
	t.Helper()
	if strings.IndexByte(out, 0x00) >= 0 || strings.IndexByte(out, 0xff) >= 0 || strings.IndexByte(out, 0xfe) >= 0 || strings.ContainsRune(out, 0xfffd) {
		t.Errorf("%s echoes raw bytes: %q", what, out)
	}
}

// A migration file that is not UTF-8 text is refused by every command that
// reads the directory, with file:line:col and the byte offset, before it
// is hashed, replayed, linted or applied.
func TestNonTextFileRefusedByEveryCommand(t *testing.T) {
	dev := devdb.ForTest(t)
	dir := migrationDir(t, map[string]string{"1_a.sql": "CREATE TABLE a (id int);\n"})
	bad := filepath.Join(dir, "2_b.sql")
	if err := os.WriteFile(bad, []byte("CREATE TABLE b (x text);\nSELECT 1; -- \xff\xfe\x00bad\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, _ := os.ReadFile(filepath.Join(dir, "atlas.sum"))
	want := "schemactl: " + bad + ":2:14: not valid UTF-8 at byte offset 38 "
	for _, args := range [][]string{
		{"migrate", "hash", "--dir", dir},
		{"migrate", "validate", "--dir", dir, "--dev-url", dev},
		{"migrate", "lint", "--dir", dir, "--dev-url", dev, "--latest", "1"},
		{"migrate", "apply", "--dir", dir, "--url", dev},
		{"migrate", "status", "--dir", dir, "--url", dev},
		{"migrate", "new", "x", "--dir", dir},
		{"check", "--dir", dir, "--to", "file://" + filepath.Join(dir, "1_a.sql"), "--dev-url", dev},
	} {
		code, stdout, stderr := runCLI(t, args...)
		if code != 1 || !strings.HasPrefix(stderr, want) {
			t.Errorf("%v: exit %d\nstderr %q\nwant   %q...", args[:2], code, stderr, want)
		}
		noRawBytes(t, strings.Join(args[:2], " "), stdout+stderr)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "atlas.sum")); string(after) != string(sum) {
		t.Fatalf("atlas.sum was rewritten:\n%s", after)
	}
	if n := queryOne(t, dev, "SELECT count(*) FROM pg_tables WHERE tablename IN ('a', 'b')"); n != "0" {
		t.Fatalf("apply ran %s files", n)
	}
}

// rePosition is file:line:col as every error gives it; reHCLRange is
// HCL's own range format, which no error may give.
var (
	rePosition = regexp.MustCompile(`^schemactl: \S+\.hcl:\d+:\d+: `)
	reHCLRange = regexp.MustCompile(`\.hcl:\d+,\d+`)
)

// HCL errors are file:line:col on every command, whether they come from
// atlas.hcl or from a desired-state HCL file.
func TestHCLErrorsFileLineCol(t *testing.T) {
	dev := devdb.ForTest(t)
	root := writeTemp(t, map[string]string{
		"atlas.hcl":     "env \"x\" {\n  url = \"postgres://localhost/x\"\n  migration {\n    dir = \n  }\n}\n",
		"lint.hcl":      "lint {\n  latest = \"a\" + 1\n}\n",
		"bad.hcl":       "schema \"public\" {}\ntable \"t\" {\n  schema = schema.public\n  column \"a\" { type = \n}\n",
		"m/1_a.sql":     "CREATE TABLE a (id int);\n",
		"state/x.hcl":   "schema \"public\" {}\ntable \"t\" {\n",
		"fmt/other.hcl": "a = {\n",
	})
	if code, _, stderr := runCLI(t, "migrate", "hash", "--dir", filepath.Join(root, "m")); code != 0 {
		t.Fatal(stderr)
	}
	cfg := "file://" + filepath.Join(root, "atlas.hcl")
	for _, tc := range []struct {
		args []string
		file string
	}{
		{[]string{"migrate", "status", "--config", cfg, "--env", "x"}, "atlas.hcl:4:11: "},
		{[]string{"migrate", "apply", "--config", cfg, "--env", "x"}, "atlas.hcl:4:11: "},
		{[]string{"migrate", "lint", "--config", cfg, "--env", "x", "--dev-url", dev}, "atlas.hcl:4:11: "},
		{[]string{"migrate", "lint", "--config", "file://" + filepath.Join(root, "lint.hcl"), "--dir", filepath.Join(root, "m"), "--dev-url", dev}, "lint.hcl:2:"},
		{[]string{"check", "--config", cfg, "--env", "x", "--dev-url", dev}, "atlas.hcl:4:11: "},
		{[]string{"schema", "fmt", filepath.Join(root, "fmt")}, "other.hcl:2:1: "},
		{[]string{"schema", "inspect", "--url", "file://" + filepath.Join(root, "bad.hcl"), "--dev-url", dev}, "bad.hcl:4:23: "},
		{[]string{"migrate", "diff", "--dir", filepath.Join(root, "m"), "--to", "file://" + filepath.Join(root, "state"), "--dev-url", dev}, "x.hcl:2:11: "},
	} {
		code, _, stderr := runCLI(t, tc.args...)
		name := strings.Join(tc.args[:2], " ")
		if code == 0 || !rePosition.MatchString(stderr) || !strings.Contains(stderr, string(filepath.Separator)+tc.file) || reHCLRange.MatchString(stderr) {
			t.Errorf("%s: exit %d, stderr %q; want file:line:col %s", name, code, stderr, tc.file)
		}
	}
}

// errorDoc is the JSON error object of --format json.
type errorDoc struct {
	Error *struct {
		Message  string `json:"message"`
		File     string `json:"file"`
		Line     int    `json:"line"`
		Col      int    `json:"col"`
		SQLState string `json:"sqlstate"`
	} `json:"error"`
}

// With --format json, an error is a JSON object on stdout (with its
// position and SQLSTATE when it has them) and the exit code is unchanged.
func TestFormatJSONErrors(t *testing.T) {
	dev := devdb.ForTest(t)
	dir := migrationDir(t, map[string]string{
		"1_a.sql": "CREATE TABLE a (id int);\n",
		"2_b.sql": "CREATE TABLE b (id int);\n\nALTER TABLE b ADD COLUMN name txt;\n",
	})
	binDir := migrationDir(t, map[string]string{"1_a.sql": "CREATE TABLE a (id int);\n"})
	os.WriteFile(filepath.Join(binDir, "2_b.sql"), []byte("SELECT '\xe9';\n"), 0o644)
	hclFile := filepath.Join(writeTemp(t, map[string]string{"bad.hcl": "table \"t\" {\n  x = \n}\n"}), "bad.hcl")
	for _, tc := range []struct {
		args           []string
		code           int
		file           string
		line, col      int
		sqlstate, text string
	}{
		{args: []string{"migrate", "status", "--format", "json", "--url", dev, "--dir", binDir}, code: 1, file: filepath.Join(binDir, "2_b.sql"), line: 1, col: 9, text: "byte offset 8"},
		{args: []string{"migrate", "apply", "--format=json", "--url", dev, "--dir", binDir}, code: 1, file: filepath.Join(binDir, "2_b.sql"), line: 1, col: 9},
		{args: []string{"migrate", "lint", "--format", "json", "--dev-url", dev, "--dir", binDir}, code: 1, file: filepath.Join(binDir, "2_b.sql"), line: 1, col: 9},
		{args: []string{"schema", "inspect", "--format", "json", "--url", "file://" + hclFile, "--dev-url", dev}, code: 1, file: hclFile, line: 2, col: 7},
		{args: []string{"migrate", "status", "--url", dev, "--dir", dir, "--bogus", "--format", "json"}, code: 2, text: "flag provided but not defined"},
		{args: []string{"migrate", "status", "--url", "postgres://u:hunter2@127.0.0.1:1/x?connect_timeout=1", "--connect-timeout", "0", "--dir", dir, "--format", "json"}, code: 1, text: "127.0.0.1"},
	} {
		name := strings.Join(tc.args[:2], " ")
		code, stdout, stderr := runCLI(t, tc.args...)
		var doc errorDoc
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil || doc.Error == nil {
			t.Errorf("%s: stdout is not a JSON error object (%v): %q", name, err, stdout)
			continue
		}
		e := doc.Error
		if code != tc.code || e.File != tc.file || e.Line != tc.line || e.Col != tc.col || e.SQLState != tc.sqlstate || !strings.Contains(e.Message, tc.text) {
			t.Errorf("%s: exit %d, error %+v; want exit %d at %s:%d:%d %q", name, code, *e, tc.code, tc.file, tc.line, tc.col, tc.text)
		}
		if stderr == "" || strings.Contains(stdout+stderr, "hunter2") {
			t.Errorf("%s: stderr %q", name, stderr)
		}
	}
	// A failed statement: the apply report carries the error object, with
	// the statement's position and SQLSTATE; stdout is that one document.
	code, stdout, _ := runCLI(t, "migrate", "apply", "--url", dev, "--dir", dir, "--format", "json")
	var rep struct {
		Current string
		// Atlas's Error string; declared so that "Error" does not fill
		// the error object (encoding/json matches names without case).
		AtlasError string `json:"Error"`
		errorDoc
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != 1 || rep.Error == nil {
		t.Fatalf("apply: exit %d, %v: %s", code, err, stdout)
	}
	if e := rep.Error; e.File != filepath.Join(dir, "2_b.sql") || e.Line != 3 || e.Col != 31 || e.SQLState != "42704" || rep.Current != "1" || !strings.HasPrefix(rep.AtlasError, e.File+":3:31: ") {
		t.Fatalf("apply error %+v, current %q", *e, rep.Current)
	}
	// Not an error: a failed file in status is the report, exit 4.
	code, stdout, _ = runCLI(t, "migrate", "status", "--url", dev, "--dir", dir, "--format", "json")
	if code != exitStatusFailed || strings.Contains(stdout, `"error":`) || !strings.Contains(stdout, `"Status": "FAILED"`) {
		t.Fatalf("status: exit %d: %s", code, stdout)
	}
}

// Flags are read after positional arguments on every command, as the
// README writes them; "--" still ends the flags.
func TestFlagsAfterPositionalArguments(t *testing.T) {
	root := t.TempDir()
	t.Chdir(root)
	code, out, stderr := runCLI(t, "migrate", "new", "add_orders", "--dir", "file://migrations")
	if code != 0 || !strings.HasPrefix(out, "migrations/") || !strings.HasSuffix(strings.TrimSpace(out), "_add_orders.sql") {
		t.Fatalf("migrate new: exit %d %q %q", code, out, stderr)
	}
	code, _, stderr = runCLI(t, "init", "svc", "--service", "orders", "--env", "dev")
	if code != 0 {
		t.Fatalf("init: exit %d %q", code, stderr)
	}
	if b, err := os.ReadFile(filepath.Join("svc", "atlas.hcl")); err != nil || !strings.Contains(string(b), `env "dev"`) || !strings.Contains(string(b), "orders") {
		t.Fatalf("init ignored its flags: %v\n%s", err, b)
	}
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"migrate", "new", "b", "--dir", "m2", "c"}, 2},             // two names
		{[]string{"migrate", "new", "b", "--no-such-flag"}, 2},               // unknown flag after a name
		{[]string{"migrate", "new", "--dir", "m3", "--", "--dir"}, 0},        // a name after --
		{[]string{"migrate", "hash", "--dir", "migrations", "extra"}, 2},     // hash takes no name
		{[]string{"migrate", "new", "x", "--dir"}, 2},                        // flag without its value
		{[]string{"migrate", "new", "help_me", "-h"}, 0},                     // help, not a help topic
		{[]string{"schema", "fmt", "svc", "--help"}, 0},                      // help on a command without flags
		{[]string{"migrate", "new", "y", "--dir=file://migrations"}, 0},      // flag=value
		{[]string{"--dev-url", "", "migrate", "new", "z", "--dir", "m4"}, 0}, // global flag first
	} {
		code, _, stderr := runCLI(t, tc.args...)
		if code != tc.code {
			t.Errorf("%q: exit %d, want %d (%s)", tc.args, code, tc.code, stderr)
		}
	}
	if files, _ := filepath.Glob(filepath.Join("m3", "*_--dir.sql")); len(files) != 1 {
		t.Errorf("the name after -- was not taken as a name: %v", files)
	}
	if files, _ := filepath.Glob(filepath.Join("migrations", "*.sql")); len(files) != 2 {
		t.Errorf("migrations/: %v", files)
	}
}

func TestFlagsFirst(t *testing.T) {
	app := newApp(nil, nil)
	for _, tc := range []struct{ in, want []string }{
		{[]string{"migrate", "new", "a", "--dir", "d"}, []string{"migrate", "new", "--dir", "d", "a"}},
		{[]string{"migrate", "set", "3", "--url", "u", "--dry-run", "x"}, []string{"migrate", "set", "--url", "u", "--dry-run", "3", "x"}},
		{[]string{"migrate", "apply", "2", "--allow-dirty", "--url", "u"}, []string{"migrate", "apply", "--allow-dirty", "--url", "u", "2"}},
		{[]string{"migrate", "new", "a", "--", "-b", "--dir"}, []string{"migrate", "new", "--", "a", "-b", "--dir"}},
		{[]string{"schema", "fmt", "-", "x.hcl"}, []string{"schema", "fmt", "-", "x.hcl"}},
		{[]string{"--dev-url", "u", "migrate", "lint", "--latest", "1"}, []string{"--dev-url", "u", "migrate", "lint", "--latest", "1"}},
		{[]string{"migrate", "nosuch", "a", "--x"}, []string{"migrate", "nosuch", "a", "--x"}},
		{[]string{"migrate", "new", "a", "--dir"}, []string{"migrate", "new", "--dir"}},
		{[]string{"--dev-url"}, []string{"--dev-url"}},
	} {
		got, _ := flagsFirst(app, append([]string{"schemactl"}, tc.in...))
		if !slices.Equal(got[1:], tc.want) {
			t.Errorf("%q: got %q, want %q", tc.in, got[1:], tc.want)
		}
	}
}
