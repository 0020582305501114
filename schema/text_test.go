package schema_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/schema"
)

// Desired-state files that are not UTF-8 text are refused before use,
// SQL and HCL alike, with file:line:col and the byte offset.
func TestLoadRefusesNonText(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"a.sql": "CREATE TABLE a (id int);\nCOMMENT ON TABLE a IS 'caf\xe9';\n",
		"b.hcl": "schema \"public\" {}\ntable \"t\" {\n  schema = schema.public\n  comment = \"\x00\"\n}\n",
	})
	for file, want := range map[string]string{
		"a.sql": ":2:27: not valid UTF-8 at byte offset 51",
		"b.hcl": ":4:14: NUL byte at byte offset 69",
	} {
		_, err := schema.Load(context.Background(), "file://"+filepath.Join(dir, file), schema.LoadOptions{Dev: dev(t)})
		if err == nil || !strings.HasPrefix(err.Error(), filepath.Join(dir, file)+want) {
			t.Errorf("%s: got %v, want %s%s", file, err, file, want)
		}
	}
	if _, err := schema.FormatHCL("c.hcl", []byte("a = \"\xff\"\n")); err == nil || !strings.HasPrefix(err.Error(), "c.hcl:1:6: not valid UTF-8 at byte offset 5") {
		t.Errorf("FormatHCL: got %v", err)
	}
}

// HCL syntax errors of the desired state are file:line:col.
func TestLoadHCLErrorPosition(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"bad.hcl": "schema \"public\" {}\ntable \"t\" {\n  schema = schema.public\n  column \"a\" { type = \n}\n"})
	_, err := schema.Load(context.Background(), "file://"+filepath.Join(dir, "bad.hcl"), schema.LoadOptions{Dev: dev(t)})
	if err == nil || !strings.HasPrefix(err.Error(), filepath.Join(dir, "bad.hcl")+":4:23: ") {
		t.Fatalf("got %v", err)
	}
}
