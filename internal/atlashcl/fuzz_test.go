package atlashcl

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

var (
	// reFilePos is how every error about the project file starts: the
	// file, then line:col when the error is at a place in it.
	reFilePos = regexp.MustCompile(`^atlas\.hcl(:[1-9][0-9]*:[1-9][0-9]*)?: `)
	// reRange is HCL's own range format, which no error may give.
	reRange = regexp.MustCompile(`\.hcl:\d+,\d+`)
)

// FuzzProjectFile checks the atlas.hcl loader on any file: reading the
// env, lint and service blocks (and evaluating every attribute) never
// panics, every error starts with atlas.hcl and its line:col, never in
// HCL's line,col-col form, and evaluation gives the same result twice.
func FuzzProjectFile(f *testing.F) {
	for _, s := range []string{
		"env \"dev\" {\n  url = \"postgres://localhost/app\"\n  dev = \"\"\n  src = [\"file://a.sql\", \"file://b.sql\"]\n  migration {\n    dir = \"file://migrations\"\n    revisions_schema = \"app\"\n  }\n}\n",
		"env \"dev\" {\n  url = getenv(\"DATABASE_URL\")\n  service {\n    name = \"orders\"\n    password = \"${ORDERS_PASSWORD}\"\n  }\n}\n",
		"env \"dev\" {\n  url = \"$${NOT_EXPANDED}\"\n}\nenv \"dev\" {\n  dev = \"x\"\n}\n",
		"lint {\n  latest = 1\n  destructive {\n    error = false\n  }\n}\nenv \"dev\" {\n  lint {\n    git {\n      base = \"main\"\n    }\n  }\n}\n",
		"env \"dev\" {\n  migration {\n dir = \n}\n}\n",
		"env {\n}\n",
		"env \"dev\" {\n  url = var.x\n}\n",
		"env \"dev\" {\n  service {}\n  service {}\n}\n",
		"env \"dev\" {\n  pin \"p\" {\n    file = \"t.yaml\"\n    key = \"a.b\"\n  }\n  pin \"p\" {\n    pattern = \"x\"\n  }\n}\n",
		"lint {\n  latest = \"a\" + 1\n}\n",
		"env \"dev\" {\n  url = \"caf\xe9\"\n}\n",
		"",
	} {
		f.Add([]byte(s), "dev")
	}
	if b, err := os.ReadFile(filepath.Join("..", "..", "atlas.hcl")); err == nil {
		f.Add(b, "example")
	}
	lookup := func(name string) (string, bool) {
		if name == "DATABASE_URL" || name == "ORDERS_PASSWORD" {
			return "value-of-" + name, true
		}
		return "", false
	}
	f.Fuzz(func(t *testing.T, src []byte, env string) {
		check := func(what string, err error) {
			t.Helper()
			if err == nil {
				return
			}
			if msg := err.Error(); !reFilePos.MatchString(msg) || reRange.MatchString(msg) {
				t.Fatalf("%s: error %q is not atlas.hcl:line:col", what, msg)
			}
		}
		// An input naming a program (data "external_schema") is not
		// evaluated: that would run whatever program the fuzzer wrote. An
		// attribute's name is always spelled in the file, so the bytes tell.
		if bytes.Contains(src, []byte("program")) {
			return
		}
		e, err := ParseEnv("atlas.hcl", src, env, lookup)
		check("env", err)
		if err == nil {
			for _, l := range []Lazy{e.URL, e.Dev, e.DevBaseline, e.Migration.Dir, e.Migration.RevisionsSchema, e.Migration.Baseline, e.Migration.Format} {
				v1, err1 := l.Value()
				check("attribute", err1)
				v2, err2 := l.Value()
				if v1 != v2 || (err1 == nil) != (err2 == nil) {
					t.Fatalf("attribute evaluates to %q (%v), then %q (%v)", v1, err1, v2, err2)
				}
			}
			for _, l := range []LazyList{e.Src, e.Schemas, e.Exclude} {
				_, err := l.Value()
				check("list attribute", err)
			}
		}
		_, err = ParseLint("atlas.hcl", src, env)
		check("lint", err)
		_, err = ParseServiceEnv("atlas.hcl", src, env, lookup)
		check("service", err)
		_, err = ParsePins("atlas.hcl", src, env, lookup)
		check("pins", err)
	})
}
