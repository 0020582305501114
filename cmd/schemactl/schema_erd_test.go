package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
)

// The pictures of the CLI are the ones of internal/erd's golden files.
func TestSchemaPictures(t *testing.T) {
	t.Parallel()
	dev := devdb.ForTest(t)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	example := "file://" + filepath.Join(root, "example", "schema.sql")
	next := "file://" + filepath.Join(root, "internal", "erd", "testdata", "example_next.sql")
	golden := func(name string) string {
		b, err := os.ReadFile(filepath.Join(root, "internal", "erd", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, tc := range []struct {
		args   []string
		golden string
	}{
		{[]string{"schema", "inspect", "--url", example, "--format", "mermaid"}, "example.mmd"},
		{[]string{"schema", "inspect", "--url", example, "--format", "dot"}, "example.dot"},
		{[]string{"schema", "diff", "--from", example, "--to", next, "--format", "mermaid"}, "example-change.mmd"},
		{[]string{"schema", "diff", "--from", example, "--to", next, "--format", "dot"}, "example-change.dot"},
		{[]string{"schema", "diff", "--from", example, "--to", example, "--format", "mermaid"}, "no-change.mmd"},
	} {
		code, out, stderr := runCLI(t, append(tc.args, "--dev-url", dev)...)
		if code != 0 || out != golden(tc.golden) {
			t.Errorf("%s: exit %d, stderr %q, output:\n%s", strings.Join(tc.args[:2], " ")+" "+tc.golden, code, stderr, out)
		}
	}
	// --around keeps the neighbourhood: orders and what its keys join.
	code, out, stderr := runCLI(t, "schema", "inspect", "--url", example, "--format", "mermaid", "--around", "public.orders", "--depth", "1", "--dev-url", dev)
	if code != 0 || !strings.Contains(out, "    customers {") || !strings.Contains(out, "    order_items {") || strings.Contains(out, "products {") {
		t.Errorf("--around orders: exit %d, %q\n%s", code, stderr, out)
	}
	code, out, _ = runCLI(t, "schema", "inspect", "--url", example, "--format", "dot", "--around", "orders", "--depth", "0", "--dev-url", dev)
	if code != 0 || strings.Count(out, "[label=<") != 1 || strings.Contains(out, " -> ") {
		t.Errorf("--depth 0: exit %d\n%s", code, out)
	}
	// Renames are drawn as such, not as a drop and an add.
	dir := writeTemp(t, map[string]string{
		"a.sql": "CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);\nCREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers (id));\n",
		"b.sql": "CREATE TABLE clients (id int PRIMARY KEY, full_name text NOT NULL);\nCREATE TABLE orders (id int PRIMARY KEY, client_id int NOT NULL REFERENCES clients (id));\n",
	})
	code, out, stderr = runCLI(t, "schema", "diff", "--from", "file://"+filepath.Join(dir, "a.sql"), "--to", "file://"+filepath.Join(dir, "b.sql"), "--format", "mermaid", "--dev-url", dev,
		"--rename", "table:customers=clients", "--rename", "column:clients.name=full_name", "--rename", "column:orders.customer_id=client_id")
	for _, want := range []string{
		`clients["clients (changed, renamed from customers)"] {`,
		`text full_name "changed: renamed from name"`,
		`integer client_id FK "changed: renamed from customer_id"`,
		`clients ||..o{ orders : "client_id → id"`,
	} {
		if code != 0 || !strings.Contains(out, want) || strings.Contains(out, "added") || strings.Contains(out, "dropped") {
			t.Errorf("renames: exit %d, %q, want %q in\n%s", code, stderr, want, out)
			break
		}
	}
	for _, bad := range []struct {
		args []string
		msg  string
	}{
		{[]string{"schema", "inspect", "--url", example, "--format", "mermaid", "--around", "nosuch"}, `no table or view "nosuch"`},
		{[]string{"schema", "inspect", "--url", example, "--format", "mermaid", "--depth", "2"}, "--depth needs --around"},
		{[]string{"schema", "inspect", "--url", example, "--format", "mermaid", "--around", "orders", "--depth", "-1"}, "--depth -1"},
		{[]string{"schema", "inspect", "--url", example, "--format", "png"}, "mermaid or dot"},
		{[]string{"schema", "diff", "--from", example, "--to", next, "--format", "svg"}, "markdown, json, mermaid, dot"},
	} {
		code, out, stderr := runCLI(t, append(bad.args, "--dev-url", dev)...)
		if code != 2 || out != "" || !strings.Contains(stderr, bad.msg) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q (want %q)", bad.args[len(bad.args)-2:], code, out, stderr, bad.msg)
		}
	}
}
