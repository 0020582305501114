package schema

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

var (
	// reHCLPos is the start of every HCL syntax error: file:line:col.
	reHCLPos = regexp.MustCompile(`^s\.hcl:[1-9][0-9]*:[1-9][0-9]*: `)
	// reHCLRange is HCL's own range form, which no error may give.
	reHCLRange = regexp.MustCompile(`\.hcl:\d+,\d+`)
)

// FuzzSchemaHCL checks the schema HCL loader on any file: formatting never
// panics, fails only with a file:line:col error and is idempotent (the
// formatted file formats to itself); reading the file into a Realm with
// its object blocks never panics, and an error never gives HCL's
// line,col-col range form.
func FuzzSchemaHCL(f *testing.F) {
	for _, s := range []string{
		"schema \"public\" {}\ntable \"t\" {\n  schema = schema.public\n  column \"id\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n",
		"schema \"public\" {}\nenum \"mood\" {\n  schema = schema.public\n  values = [\"a\", \"b\"]\n}\ntable \"t\" {\n  schema = schema.public\n  column \"m\" {\n    type = enum.mood\n  }\n}\n",
		"schema \"public\" {}\ndomain \"email\" {\n  schema = schema.public\n  type = text\n  check \"c\" {\n    expr = \"VALUE LIKE '%@%'\"\n  }\n}\ntable \"t\" {\n  schema = schema.public\n  column \"e\" {\n    type = domain.email\n  }\n}\n",
		"schema \"public\" {}\nview \"v\" {\n  schema = schema.public\n  as = \"SELECT 1\"\n}\nfunction \"f\" {\n  schema = schema.public\n  lang = SQL\n  return = int\n  as = \"SELECT 1\"\n}\n",
		"schema \"public\" {}\ntable \"t\" {\n  schema = schema.public\n  column \"a\" { type = \n}\n",
		"schema \"public\" {}\ntable \"t\" {\n  schema = schema.nosuch\n}\n",
		"a = {\n",
		"table \"t\" {\n  schema = schema.public\n  column \"a\" {\n    type = int\n    null = \"x\"\n  }\n}\n",
		"",
	} {
		f.Add([]byte(s))
	}
	if b, err := os.ReadFile(filepath.Join("..", "example", "schema.hcl")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		out, err := FormatHCL("s.hcl", src)
		if err != nil {
			if !reHCLPos.MatchString(err.Error()) {
				t.Fatalf("format error without file:line:col: %q", err)
			}
			return
		}
		again, err := FormatHCL("s.hcl", out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("formatting is not idempotent (%v):\n%q\nthen\n%q", err, out, again)
		}
		p := filepath.Join(t.TempDir(), "s.hcl")
		if err := os.WriteFile(p, src, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, _, err := evalHCLObjects([]string{p}, nil); err != nil {
			if reHCLRange.MatchString(err.Error()) {
				t.Fatalf("error in HCL's range form: %q", err)
			}
		}
	})
}
