package atlashcl

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const pinProject = `
env "prod" {
  url = getenv("DATABASE_URL")
  migration {
    dir = "file://migrations"
  }
  pin "cfn" {
    file = "deploy/template.yaml"
    key  = "Resources.DBSchemaMigration.Properties.MigrationHash"
  }
  pin "dotenv" {
    file    = "${atlas.env}.env"
    pattern = "MIGRATION_HASH=(.*)"
    format  = "h1"
  }
}

env "plain" {}
`

func TestParsePins(t *testing.T) {
	pins, err := ParsePins(filepath.Join("proj", "atlas.hcl"), []byte(pinProject), "prod", lookupFrom(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := []Pin{
		{Name: "cfn", File: "deploy/template.yaml", Path: filepath.Join("proj", "deploy", "template.yaml"), Key: "Resources.DBSchemaMigration.Properties.MigrationHash", Format: PinFormatDigest, Pos: "proj/atlas.hcl:7:3"},
		{Name: "dotenv", File: "prod.env", Path: filepath.Join("proj", "prod.env"), Pattern: "MIGRATION_HASH=(.*)", Format: PinFormatH1, Pos: "proj/atlas.hcl:11:3"},
	}
	if !reflect.DeepEqual(pins, want) {
		t.Fatalf("got  %+v\nwant %+v", pins, want)
	}
	if pins[0].Value("abc=") != "abc=" || pins[1].Value("abc=") != "h1:abc=" {
		t.Fatal("Value")
	}
	if pins, err := ParsePins("atlas.hcl", []byte(pinProject), "plain", nil); err != nil || len(pins) != 0 {
		t.Fatalf("env without pins: %v %v", pins, err)
	}
	if _, err := ParsePins("atlas.hcl", []byte(pinProject), "nope", nil); !errors.Is(err, ErrNoEnv) {
		t.Fatalf("missing env: %v", err)
	}
	// The other readers of the env are not disturbed by pin blocks.
	if e, err := ParseEnv("atlas.hcl", []byte(pinProject), "prod", nil); err != nil || !e.Migration.Dir.IsSet() {
		t.Fatalf("ParseEnv: %v", err)
	}
	if s, err := ParseService("atlas.hcl", []byte(pinProject), "prod", nil); err != nil || s != nil {
		t.Fatalf("ParseService: %v %v", s, err)
	}
}

func TestParsePinsErrors(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{"pin {\n file = \"a\"\n key = \"b\"\n}", `atlas.hcl:2:3: a pin block needs a name as its label`},
		{"pin \"a\" {\n key = \"k\"\n}", `atlas.hcl:2:3: pin "a" needs a file attribute`},
		{"pin \"a\" {\n file = \"f\"\n}", `atlas.hcl:2:3: pin "a" needs a key`},
		{"pin \"a\" {\n file = \"f\"\n key = \"k\"\n pattern = \"(x)\"\n}", `atlas.hcl:2:3: pin "a" has both key and pattern`},
		{"pin \"a\" {\n file = \"f\"\n pattern = \"x\"\n}", `atlas.hcl:4:12: pattern "x" has no group`},
		{"pin \"a\" {\n file = \"f\"\n pattern = \"(x\"\n}", `atlas.hcl:4:12: pattern: error parsing regexp`},
		{"pin \"a\" {\n file = \"f\"\n key = \"k\"\n format = \"hex\"\n}", `atlas.hcl:5:11: format "hex"`},
		{"pin \"a\" {\n file = \"f\"\n key = \"k\"\n value = \"v\"\n}", `atlas.hcl:5:2: unknown attribute "value" in pin block`},
		{"pin \"a\" {\n file = getenv(\"NOPE\")\n key = \"k\"\n}", `atlas.hcl:3:9: `},
		{"pin \"a\" {\n file = \"f\"\n key = \"k\"\n}\npin \"a\" {\n file = \"g\"\n key = \"k\"\n}", `atlas.hcl:6:1: a second pin "a" in env "e" (the first is at atlas.hcl:2:3)`},
	} {
		src := "env \"e\" {\n  " + tc.body + "\n}\n"
		_, err := ParsePins("atlas.hcl", []byte(src), "e", lookupFrom(nil))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s:\nerror %v\nwant prefix %s", tc.body, err, tc.want)
		}
	}
}
