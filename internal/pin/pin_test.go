package pin

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const newHash = "x3Fk+9qZ/AbCdEfGhIjKlMnOpQrStUvWxYz0123456="

// cfnTemplate is a CloudFormation template: short-form intrinsic
// functions (!Ref, !Sub, !GetAtt), comments, and the pinned value.
const cfnTemplate = `AWSTemplateFormatVersion: "2010-09-09"
# Deploys the service; MigrationHash re-runs migrations when it changes.
Parameters:
  Stage:
    Type: String
    Default: dev   # the stage
Resources:
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      DBName: !Sub "${Stage}_app"
      MasterUsername: !Ref Stage
  DBSchemaMigration:
    Type: Custom::Migration
    Properties:
      ServiceToken: !GetAtt MigrationFunction.Arn
      MigrationHash: OLDHASH=   # updated by schemactl
      Quoted: "h1:OLD"
      Single: 'OLD'
      Tags:
        - Key: a
          Value: !Ref Stage
        - Key: hash
          Value: first
`

func TestYAMLCloudFormation(t *testing.T) {
	src := []byte(cfnTemplate)
	for _, tc := range []struct{ key, found, line string }{
		{"Resources.DBSchemaMigration.Properties.MigrationHash", "OLDHASH=", "MigrationHash: " + newHash + "   # updated by schemactl"},
		{"Resources.DBSchemaMigration.Properties.Quoted", "h1:OLD", `Quoted: "` + newHash + `"`},
		{"Resources.DBSchemaMigration.Properties.Single", "OLD", `Single: '` + newHash + `'`},
		{"Resources.DBSchemaMigration.Properties.Tags.1.Value", "first", "Value: " + newHash},
		{"Parameters.Stage.Default", "dev", "Default: " + newHash + "   # the stage"},
	} {
		v, err := Find("template.yaml", src, tc.key, "")
		if err != nil {
			t.Fatalf("%s: %v", tc.key, err)
		}
		if v.Found != tc.found {
			t.Fatalf("%s: found %q, want %q", tc.key, v.Found, tc.found)
		}
		out, err := Set(src, v, newHash)
		if err != nil {
			t.Fatal(err)
		}
		assertOneLineChanged(t, src, out, v.Line, tc.line)
		// Written again with the same value: nothing changes.
		v2, err := Find("template.yaml", out, tc.key, "")
		if err != nil || v2.Found != newHash {
			t.Fatalf("%s after set: %+v %v", tc.key, v2, err)
		}
		if again, _ := Set(out, v2, newHash); string(again) != string(out) {
			t.Fatalf("%s: a second write changed the file", tc.key)
		}
	}
}

// assertOneLineChanged checks that out is src with only line (from 1)
// changed, to want (trimmed of indentation).
func assertOneLineChanged(t *testing.T, src, out []byte, line int, want string) {
	t.Helper()
	a, b := strings.Split(string(src), "\n"), strings.Split(string(out), "\n")
	if len(a) != len(b) {
		t.Fatalf("line count changed: %d -> %d\n%s", len(a), len(b), out)
	}
	for i := range a {
		if i == line-1 {
			if strings.TrimSpace(b[i]) != want {
				t.Fatalf("line %d: %q, want %q", line, b[i], want)
			}
			if strings.TrimLeft(a[i], " ") == a[i] != (strings.TrimLeft(b[i], " ") == b[i]) || len(a[i])-len(strings.TrimLeft(a[i], " ")) != len(b[i])-len(strings.TrimLeft(b[i], " ")) {
				t.Fatalf("line %d: indentation changed: %q -> %q", line, a[i], b[i])
			}
			continue
		}
		if a[i] != b[i] {
			t.Fatalf("line %d changed too: %q -> %q", i+1, a[i], b[i])
		}
	}
}

func TestYAMLErrors(t *testing.T) {
	src := []byte(cfnTemplate + "      Empty:\n      Block: |\n        text\n")
	for _, tc := range []struct{ key, want string }{
		{"Resources.DBSchemaMigration.Properties.MigrationHsh", `template.yaml:16: no key "MigrationHsh" under Resources.DBSchemaMigration.Properties (keys there: ServiceToken, MigrationHash, Quoted, Single, Tags, Empty, Block)`},
		{"Resources.Nope.Properties", `template.yaml:8: no key "Nope" under Resources (keys there: Database, DBSchemaMigration)`},
		{"Resources.Database.Properties.DBName", `template.yaml:11: Resources.Database.Properties.DBName is a !Sub expression, not a string: pin the value it refers to`},
		{"Resources.Database.Properties.MasterUsername", `template.yaml:12: Resources.Database.Properties.MasterUsername is a !Ref expression`},
		{"Resources.DBSchemaMigration.Properties", `template.yaml:16: Resources.DBSchemaMigration.Properties is not a string value but a mapping`},
		{"Resources.DBSchemaMigration.Properties.Tags.7.Value", `template.yaml:21: Resources.DBSchemaMigration.Properties.Tags is a list of 2 items: "7" is not an index in it`},
		{"Resources.DBSchemaMigration.Properties.Empty", `template.yaml:25: Resources.DBSchemaMigration.Properties.Empty has no value: write Empty: "" first`},
		{"Resources.DBSchemaMigration.Properties.Block", `template.yaml:26: Resources.DBSchemaMigration.Properties.Block is a block scalar`},
		{"AWSTemplateFormatVersion.x", `template.yaml:1: AWSTemplateFormatVersion is a value, not a mapping: no key "x" under it`},
		{"a..b", `template.yaml: key path "a..b" has an empty part`},
	} {
		_, err := Find("template.yaml", src, tc.key, "")
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: error %v\nwant prefix %s", tc.key, err, tc.want)
		}
	}
	if _, err := Find("bad.yaml", []byte("a: b\n  c: [\n"), "a", ""); err == nil || !strings.HasPrefix(err.Error(), "bad.yaml:2: not valid YAML") {
		t.Errorf("syntax error: %v", err)
	}
}

const jsonTemplate = `{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Other": {"Properties": {"List": [1, {"x": null}, "s"], "MigrationHash": "not this one"}},
    "DBSchemaMigration": {
      "Type": "Custom::Migration",
      "Properties": {
        "ServiceToken": {"Fn::GetAtt": ["MigrationFunction", "Arn"]},
        "MigrationHash" :  "h1:OLD\u002b",
        "Count": 3
      }
    }
  }
}
`

func TestJSON(t *testing.T) {
	src := []byte(jsonTemplate)
	v, err := Find("template.json", src, "Resources.DBSchemaMigration.Properties.MigrationHash", "")
	if err != nil {
		t.Fatal(err)
	}
	if v.Found != "h1:OLD+" || v.Line != 9 {
		t.Fatalf("found %q at line %d", v.Found, v.Line)
	}
	out, err := Set(src, v, newHash)
	if err != nil {
		t.Fatal(err)
	}
	assertOneLineChanged(t, src, out, 9, `"MigrationHash" :  "`+newHash+`",`)
	v, err = Find("t.json", src, "Resources.Other.Properties.List.2", "")
	if err != nil || v.Found != "s" {
		t.Fatalf("list index: %+v %v", v, err)
	}
	for _, tc := range []struct{ key, want string }{
		{"Resources.DBSchemaMigration.Properties.Nope", `t.json:7: no key "Nope" under Resources.DBSchemaMigration.Properties (keys there: ServiceToken, MigrationHash, Count)`},
		{"Resources.DBSchemaMigration.Properties.Count", `t.json:10: Resources.DBSchemaMigration.Properties.Count is not a string value but the number 3`},
		{"Resources.Other.Properties.List.1.x", `t.json:4: Resources.Other.Properties.List.1.x is not a string value but null`},
		{"Resources.Other.Properties.List.5", `t.json:4: Resources.Other.Properties.List is a list: "5" is not an index in it`},
		{"AWSTemplateFormatVersion.x", `t.json:2: AWSTemplateFormatVersion is a value, not an object`},
	} {
		_, err := Find("t.json", src, tc.key, "")
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: error %v\nwant prefix %s", tc.key, err, tc.want)
		}
	}
	if _, err := Find("t.json", []byte("{\n\"b\": [1,\n}"), "a", ""); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("syntax error: %v", err)
	}
	// A .template file starting with { is JSON.
	if v, err := Find("stack.template", src, "AWSTemplateFormatVersion", ""); err != nil || v.quote != jsonString {
		t.Fatalf(".template: %+v %v", v, err)
	}
}

const tomlFile = `# deploy settings
title = "app"

[deploy]
region = 'eu-west-1'  # literal string
migration.hash = "OLD"   # dotted key

[deploy.db]
inline = { hash = 'OLD2', other = 1 }
count = 3

[[jobs]]
hash = "in an array of tables"
`

func TestTOML(t *testing.T) {
	src := []byte(tomlFile)
	for _, tc := range []struct{ key, found, line string }{
		{"deploy.migration.hash", "OLD", `migration.hash = "` + newHash + `"   # dotted key`},
		{"deploy.region", "eu-west-1", `region = '` + newHash + `'  # literal string`},
		{"deploy.db.inline.hash", "OLD2", `inline = { hash = '` + newHash + `', other = 1 }`},
		{"title", "app", `title = "` + newHash + `"`},
	} {
		v, err := Find("deploy.toml", src, tc.key, "")
		if err != nil {
			t.Fatalf("%s: %v", tc.key, err)
		}
		if v.Found != tc.found {
			t.Fatalf("%s: found %q", tc.key, v.Found)
		}
		out, err := Set(src, v, newHash)
		if err != nil {
			t.Fatal(err)
		}
		assertOneLineChanged(t, src, out, v.Line, tc.line)
	}
	for _, tc := range []struct{ key, want string }{
		{"deploy.db.count", `deploy.toml:10: deploy.db.count is not a string value but a integer`},
		{"deploy.db.nope", `deploy.toml:8: no key "nope" in deploy.db (keys there: inline, count)`},
		{"jobs.hash", `deploy.toml:12: jobs is an array of tables`},
		{"nope.x", `deploy.toml: no key nope.x`},
	} {
		_, err := Find("deploy.toml", src, tc.key, "")
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: error %v\nwant prefix %s", tc.key, err, tc.want)
		}
	}
	if _, err := Find("bad.toml", []byte("a = 1\nb = \n"), "b", ""); err == nil || !strings.HasPrefix(err.Error(), "bad.toml:2: not valid TOML") {
		t.Errorf("syntax error: %v", err)
	}
}

func TestPattern(t *testing.T) {
	src := []byte("# environment\nDATABASE_URL=postgres://db/app\nMIGRATION_HASH=old-value\nOTHER=1\n")
	v, err := Find(".env", src, "", "MIGRATION_HASH=(.*)")
	if err != nil {
		t.Fatal(err)
	}
	if v.Found != "old-value" || v.Line != 3 || v.Col != 16 {
		t.Fatalf("%+v", v)
	}
	out, err := Set(src, v, "h1:"+newHash)
	if err != nil {
		t.Fatal(err)
	}
	assertOneLineChanged(t, src, out, 3, "MIGRATION_HASH=h1:"+newHash)
	for _, tc := range []struct{ pattern, want string }{
		{"NOPE=(.*)", `.env: pattern "NOPE=(.*)" matches nothing`},
		{"MIGRATION_HASH=.*", `.env: pattern "MIGRATION_HASH=.*" has no group`},
		{"OTHER=1|(x)", `.env:4: the first group of pattern "OTHER=1|(x)" takes no part in the match`},
	} {
		_, err := Find(".env", src, "", tc.pattern)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: error %v\nwant prefix %s", tc.pattern, err, tc.want)
		}
	}
}

func TestUpdateKeepsModeAndReportsChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "values.yaml")
	if err := os.WriteFile(path, []byte("image: app # tag\nmigrationHash: \"old\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	found, changed, err := Update(path, "migrationHash", "", newHash)
	if err != nil || found != "old" || !changed {
		t.Fatalf("%q %v %v", found, changed, err)
	}
	b, _ := os.ReadFile(path)
	if string(b) != "image: app # tag\nmigrationHash: \""+newHash+"\"\n" {
		t.Fatalf("%q", b)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode())
	}
	if _, changed, err := Update(path, "migrationHash", "", newHash); err != nil || changed {
		t.Fatalf("second update: %v %v", changed, err)
	}
	if _, _, err := Update(filepath.Join(t.TempDir(), "missing.yaml"), "a", "", "x"); err == nil {
		t.Fatal("missing file: no error")
	}
}
