package atlashcl

import (
	"errors"
	"strings"
	"testing"
)

func TestParseLint(t *testing.T) {
	src := `
lint {
  latest = 2
  destructive { error = false }
  check "PG130" { error = true }
  review = ERROR
}
env "ci" {
  url = "postgres://x"
  lint {
    git {
      base = "origin/main"
      dir  = "db/migrations"
    }
    concurrent_index { error = false }
    destructive { error = true }
  }
}
`
	l, err := ParseLint("atlas.hcl", []byte(src), "")
	if err != nil {
		t.Fatal(err)
	}
	if l.Latest != 2 || l.Error["destructive"] || !l.Error["PG130"] || l.GitBase != "" {
		t.Errorf("top level: %+v", l)
	}
	l, err = ParseLint("atlas.hcl", []byte(src), "ci")
	if err != nil {
		t.Fatal(err)
	}
	if l.Latest != 2 || !l.Error["destructive"] || l.Error["concurrent_index"] || l.GitBase != "origin/main" || l.GitDir != "db/migrations" {
		t.Errorf("env ci: %+v", l)
	}
	if _, err := ParseLint("atlas.hcl", []byte(src), "prod"); !errors.Is(err, ErrNoEnv) {
		t.Errorf("missing env: %v", err)
	}
}

func TestParseLintErrors(t *testing.T) {
	for src, want := range map[string]string{
		`lint { latest = "x" }`:                       "atlas.hcl:1:8: latest must be a number",
		"lint {\n destructive { error = \"yes\" }\n}": "error must be a bool",
		"lint {\n check { error = true }\n}":          "needs the code as its label",
		"lint {\n destructive { error = var.x }\n}":   "must be a constant",
		`lint { latest = -1 }`:                        "must not be negative",
		`lint {`:                                      "atlas.hcl:1",
	} {
		_, err := ParseLint("atlas.hcl", []byte(src), "")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", src, err, want)
		}
	}
}
