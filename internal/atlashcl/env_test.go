package atlashcl

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

const envFile = `
variable "schema_dir" {
  type    = string
  default = "file://schema"
}

env "local" {
  src          = [var.schema_dir, "file://extra.sql"]
  url          = getenv("DATABASE_URL")
  dev          = "docker://postgres/15/${atlas.env}"
  schemas      = ["public", "app"]
  exclude      = "*.tmp_*"
  dev_baseline = "file://baseline.sql"
  migration {
    dir              = "file://migrations"
    revisions_schema = "app"
    baseline         = "20240101000000"
  }
  lint {
    latest = 1
  }
}

env "local" {
  src = "file://ignored.sql"
  dev = "postgres://other"
}

env "ci" {
  src = "file://${SCHEMA_FILE}"
}
`

func TestParseEnv(t *testing.T) {
	e, err := ParseEnv("atlas.hcl", []byte(envFile), "local", lookupFrom(map[string]string{"DATABASE_URL": "postgres://db/app"}))
	if err != nil {
		t.Fatal(err)
	}
	get := func(l Lazy) string {
		v, err := l.Value()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	getList := func(l LazyList) []string {
		v, err := l.Value()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if got := getList(e.Src); !reflect.DeepEqual(got, []string{"file://schema", "file://extra.sql"}) {
		t.Errorf("src = %q", got)
	}
	if got := getList(e.Schemas); !reflect.DeepEqual(got, []string{"public", "app"}) {
		t.Errorf("schemas = %q", got)
	}
	if got := getList(e.Exclude); !reflect.DeepEqual(got, []string{"*.tmp_*"}) {
		t.Errorf("exclude = %q", got)
	}
	for name, c := range map[string][2]string{
		"url":              {get(e.URL), "postgres://db/app"},
		"dev":              {get(e.Dev), "docker://postgres/15/local"},
		"dev_baseline":     {get(e.DevBaseline), "file://baseline.sql"},
		"dir":              {get(e.Migration.Dir), "file://migrations"},
		"revisions_schema": {get(e.Migration.RevisionsSchema), "app"},
		"baseline":         {get(e.Migration.Baseline), "20240101000000"},
	} {
		if c[0] != c[1] {
			t.Errorf("%s = %q, want %q", name, c[0], c[1])
		}
	}
	if e.Migration.Format.IsSet() {
		t.Error("format is set")
	}
}

func TestParseEnvErrors(t *testing.T) {
	if _, err := ParseEnv("atlas.hcl", []byte(envFile), "prod", lookupFrom(nil)); !errors.Is(err, ErrNoEnv) {
		t.Errorf("unknown env: %v", err)
	}
	e, err := ParseEnv("atlas.hcl", []byte(envFile), "ci", lookupFrom(nil))
	if err != nil {
		t.Fatal(err)
	}
	// The unset variable is an error only when src is needed.
	if _, err := e.Src.Value(); err == nil || !strings.Contains(err.Error(), "SCHEMA_FILE") || !strings.Contains(err.Error(), "atlas.hcl:30:") {
		t.Errorf("unset variable: %v", err)
	}
	if _, err := ParseEnv("atlas.hcl", []byte("env \"x\" {\n  src = \n}\n"), "x", lookupFrom(nil)); err == nil || !strings.Contains(err.Error(), "atlas.hcl:2") {
		t.Errorf("syntax error: %v", err)
	}
}
