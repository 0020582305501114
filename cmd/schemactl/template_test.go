package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
)

// The documented template examples (README).
const (
	lintTemplate    = `{{ range $f := .Files }}{{ range .Reports }}{{ range .Diagnostics }}{{ $f.Name }}:{{ $f.Line .Pos }}: {{ .Code }} {{ .Text }}{{ "\n" }}{{ end }}{{ end }}{{ end }}`
	checkTemplate   = `{{ .Verdict }}{{ "\n" }}{{ range .Steps }}{{ .Name }}: {{ if .Error }}FAILED {{ .Error }}{{ else }}ok{{ end }}{{ "\n" }}{{ end }}`
	inspectTemplate = `{{ range .Realm.Schemas }}{{ range .Tables }}{{ .Name }}: {{ len .Columns }} columns{{ "\n" }}{{ end }}{{ end }}`
)

// TestFormatTemplates: migrate lint, check and schema inspect run a Go
// template given as --format, with Atlas's field names; {{ sql . }} and
// {{ json . }} of inspect are its sql and json outputs; a template that
// does not parse is a usage error.
func TestFormatTemplates(t *testing.T) {
	dev := devdb.ForTest(t)
	riskyExample(t)
	code, out, stderr := runCLI(t, "migrate", "lint", "--env", "example", "--dev-url", dev, "--latest", "1", "--format", lintTemplate)
	want := "20261201000000_risky.sql:1: PG101 index \"orders_placed_at_idx\" is built on existing table \"public.orders\" without CONCURRENTLY\n" +
		"20261201000000_risky.sql:2: DS103 Dropping non-virtual column \"created_at\"\n" +
		"20261201000000_risky.sql:2: PG130 statement takes ACCESS EXCLUSIVE on \"public.customers\" with lock_timeout unset\n"
	if code != 1 || out != want {
		t.Errorf("migrate lint template: exit %d\n%s\nwant:\n%s\n%s", code, out, want, stderr)
	}
	code, out, stderr = runCLI(t, "check", "--env", "example", "--dev-url", dev, "--latest", "1", "--format", checkTemplate)
	want = "check failed: lint: lint found 2 error(s); desired state: not in sync with file://example/schema.sql (2 statements missing)\n" +
		"integrity: ok\nreplay: ok\nlint: FAILED lint found 2 error(s)\ndesired state: FAILED not in sync with file://example/schema.sql (2 statements missing)\n"
	if code != 1 || out != want {
		t.Errorf("check template: exit %d\n%s\nwant:\n%s\n%s", code, out, want, stderr)
	}
	code, out, stderr = runCLI(t, "schema", "inspect", "--env", "example", "--dev-url", dev, "--url", "file://example/schema.sql", "--format", inspectTemplate)
	if code != 0 || !strings.Contains(out, "orders: 5 columns\n") || !strings.Contains(out, "customers: 4 columns\n") {
		t.Errorf("inspect template: exit %d\n%s\n%s", code, out, stderr)
	}
	_, sqlOut, _ := runCLI(t, "schema", "inspect", "--env", "example", "--dev-url", dev, "--url", "file://example/schema.sql")
	code, out, stderr = runCLI(t, "schema", "inspect", "--env", "example", "--dev-url", dev, "--url", "file://example/schema.sql", "--format", "{{ sql . }}")
	if code != 0 || out != sqlOut || !strings.Contains(out, "CREATE TABLE") {
		t.Errorf("{{ sql . }} differs from --format sql: exit %d\n%s\n%s", code, out, stderr)
	}
	_, jsonOut, _ := runCLI(t, "schema", "inspect", "--env", "example", "--dev-url", dev, "--url", "file://example/schema.sql", "--format", "json")
	_, out, _ = runCLI(t, "schema", "inspect", "--env", "example", "--dev-url", dev, "--url", "file://example/schema.sql", "--format", "{{ json . }}")
	var a, b any
	if json.Unmarshal([]byte(jsonOut), &a) != nil || json.Unmarshal([]byte(out), &b) != nil || !reflect.DeepEqual(a, b) {
		t.Errorf("{{ json . }} differs from --format json:\n%s", out)
	}
	for _, args := range [][]string{
		{"migrate", "lint", "--env", "example", "--format", "{{ range .Files }"},
		{"check", "--env", "example", "--format", "{{ .Verdict"},
		{"schema", "inspect", "--env", "example", "--url", "file://example/schema.sql", "--format", "{{ nosuchfunc . }}"},
	} {
		if code, _, stderr := runCLI(t, append(args, "--dev-url", dev)...); code != 2 || !strings.Contains(stderr, "--format") {
			t.Errorf("%v: exit %d: %s", args, code, stderr)
		}
	}
	// A field that does not exist fails without printing half a report.
	code, out, stderr = runCLI(t, "migrate", "lint", "--env", "example", "--dev-url", dev, "--latest", "1", "--format", "{{ .Verdict }}{{ .NoSuchField }}")
	if code != 1 || out != "" || !strings.Contains(stderr, "NoSuchField") {
		t.Errorf("bad field: exit %d, out %q: %s", code, out, stderr)
	}
}
