package lint

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xeipuuv/gojsonschema"

	"github.com/schemactl/schemactl/migrations"
)

// sampleReport has findings with the characters formats must escape.
func sampleReport() *Report {
	return &Report{
		Files: []string{"migrations/1_a.sql", "migrations/2_b,c.sql"},
		Findings: []Finding{
			{Code: "PG101", Analyzer: "concurrent_index", Severity: Error, Message: "index \"i\" on 100% of \"t\": built\nwithout CONCURRENTLY",
				Why: checkInfo["PG101"].Why, Fix: checkInfo["PG101"].Fix, Pos: migrations.Pos{File: "migrations/1_a.sql", Line: 3, Col: 5}, Stmt: "CREATE INDEX i ON t (v)"},
			{Code: "DS102", Analyzer: "destructive", Severity: Warning, Message: "Dropping table \"ü\"",
				Pos: migrations.Pos{File: "migrations/2_b,c.sql", Line: 1, Col: 1}, Stmt: "DROP TABLE ü"},
		},
	}
}

func render(t *testing.T, rep *Report, format string) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, rep, format, FormatOptions{ToolVersion: "test"}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestFormatText(t *testing.T) {
	out := render(t, sampleReport(), "text")
	for _, want := range []string{
		"migrations/1_a.sql:3:5: error PG101: index",
		"    CREATE INDEX i ON t (v)\n",
		"    why: CREATE INDEX takes a SHARE lock",
		"    fix: Use CREATE INDEX CONCURRENTLY",
		"migrations/2_b,c.sql:1:1: warning DS102",
		"1 error, 1 warning in 2 linted files",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour codes without Color")
	}
	var b bytes.Buffer
	if err := Write(&b, sampleReport(), "text", FormatOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), ansiRed) {
		t.Error("no colour with Color")
	}
}

func TestFormatJSON(t *testing.T) {
	out := render(t, sampleReport(), "json")
	var doc JSONReport
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != 1 || doc.Summary.Errors != 1 || doc.Summary.Warnings != 1 || doc.Summary.Codes["PG101"] != 1 {
		t.Errorf("summary: %+v", doc.Summary)
	}
	f := doc.Findings[0]
	if f.Code != "PG101" || f.Severity != "error" || f.File != "migrations/1_a.sql" || f.Line != 3 || f.Column != 5 ||
		f.Statement != "CREATE INDEX i ON t (v)" || f.Title == "" || f.Analyzer != "concurrent_index" {
		t.Errorf("finding: %+v", f)
	}
	// The field names are the documented schema.
	for _, key := range []string{`"version"`, `"files"`, `"summary"`, `"errors"`, `"warnings"`, `"codes"`, `"findings"`,
		`"code"`, `"analyzer"`, `"severity"`, `"message"`, `"why"`, `"fix"`, `"file"`, `"line"`, `"column"`, `"statement"`} {
		if !strings.Contains(out, key) {
			t.Errorf("JSON lacks key %s", key)
		}
	}
	empty := render(t, &Report{}, "json")
	if !strings.Contains(empty, `"findings": []`) || !strings.Contains(empty, `"files": []`) {
		t.Errorf("empty report must have empty arrays: %s", empty)
	}
}

func TestFormatGitHub(t *testing.T) {
	out := render(t, sampleReport(), "github")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one line per finding, got:\n%s", out)
	}
	want := "::error file=migrations/1_a.sql,line=3,col=5,title=PG101 index created without CONCURRENTLY on an existing table::" +
		"index \"i\" on 100%25 of \"t\": built%0Awithout CONCURRENTLY%0ACREATE INDEX i ON t (v)%0Awhy: "
	if !strings.HasPrefix(lines[0], want) {
		t.Errorf("got  %s\nwant %s...", lines[0], want)
	}
	if !strings.HasPrefix(lines[1], "::warning file=migrations/2_b%2Cc.sql,line=1,col=1,title=DS102 table dropped::") {
		t.Errorf("property escaping: %s", lines[1])
	}
}

func TestFormatGitLab(t *testing.T) {
	rep := sampleReport()
	rep.Findings = append(rep.Findings, rep.Findings[1])
	out := render(t, rep, "gitlab")
	var issues []map[string]any
	if err := json.Unmarshal([]byte(out), &issues); err != nil {
		t.Fatal(err)
	}
	if len(issues) != 3 {
		t.Fatalf("issues: %d", len(issues))
	}
	fps := map[string]bool{}
	for _, is := range issues {
		for _, k := range []string{"description", "check_name", "fingerprint", "severity", "location"} {
			if _, ok := is[k]; !ok {
				t.Errorf("issue lacks %s: %v", k, is)
			}
		}
		fps[is["fingerprint"].(string)] = true
		loc := is["location"].(map[string]any)
		if loc["path"] == "" || loc["lines"].(map[string]any)["begin"].(float64) < 1 {
			t.Errorf("location: %v", loc)
		}
	}
	if len(fps) != 3 {
		t.Error("fingerprints are not unique")
	}
	if issues[0]["severity"] != "major" || issues[1]["severity"] != "minor" {
		t.Errorf("severities: %v %v", issues[0]["severity"], issues[1]["severity"])
	}
}

// validateSARIF checks a SARIF document against the SARIF 2.1.0 JSON
// schema (testdata/sarif-2.1.0-rtm.5.schema.json, see testdata/README.md)
// and the stricter subset schema written from the specification, and that
// every result's ruleIndex points at the rule with its ruleId.
func validateSARIF(t *testing.T, doc string) {
	t.Helper()
	for _, name := range []string{"sarif-2.1.0-rtm.5.schema.json", "sarif-2.1.0-subset.schema.json"} {
		schema, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		res, err := gojsonschema.Validate(gojsonschema.NewBytesLoader(schema), gojsonschema.NewStringLoader(doc))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, e := range res.Errors() {
			t.Errorf("SARIF (%s): %s", name, e)
		}
	}
	var log sarifLog
	if err := json.Unmarshal([]byte(doc), &log); err != nil {
		t.Fatal(err)
	}
	for _, run := range log.Runs {
		for _, r := range run.Results {
			if r.RuleIndex < 0 || r.RuleIndex >= len(run.Tool.Driver.Rules) || run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
				t.Errorf("result %s has ruleIndex %d", r.RuleID, r.RuleIndex)
			}
		}
	}
}

func TestFormatSARIF(t *testing.T) {
	rep := sampleReport()
	rep.sources = map[string][]byte{"migrations/1_a.sql": []byte("-- é\n\nüü  CREATE INDEX i ON t (v);\n")}
	out := render(t, rep, "sarif")
	validateSARIF(t, out)
	var log sarifLog
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	r := log.Runs[0].Results[0]
	if r.Level != "error" || r.Locations[0].PhysicalLocation.Region.StartLine != 3 ||
		r.Locations[0].PhysicalLocation.Region.StartColumn != 3 || // byte column 5 is the 3rd character
		r.Locations[0].PhysicalLocation.ArtifactLocation.URI != "migrations/1_a.sql" {
		t.Errorf("result: %+v", r)
	}
	if rules := log.Runs[0].Tool.Driver.Rules; len(rules) != 2 || rules[0].ID != "DS102" || rules[1].ID != "PG101" || rules[1].Help == nil {
		t.Errorf("rules: %+v", rules)
	}
	// An empty report is valid too.
	validateSARIF(t, render(t, &Report{}, "sarif"))
	// A broken document is caught by both schemas.
	bad := strings.Replace(out, `"level": "error"`, `"level": "fatal"`, 1)
	for _, name := range []string{"sarif-2.1.0-rtm.5.schema.json", "sarif-2.1.0-subset.schema.json"} {
		res, err := gojsonschema.Validate(gojsonschema.NewReferenceLoader("file://"+mustAbs(t, "testdata/"+name)), gojsonschema.NewStringLoader(bad))
		if err != nil || res.Valid() {
			t.Errorf("%s accepted level fatal (err %v)", name, err)
		}
	}
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestFormatsOfARealRun renders the findings of a real lint run in every
// format; the SARIF document must validate.
func TestFormatsOfARealRun(t *testing.T) {
	files := writeDir(t, map[string]string{
		"1_base.sql": baseTables,
		"2_lint.sql": "CREATE INDEX t_v_idx ON t (v);\nALTER TABLE u ADD CONSTRAINT u_fk FOREIGN KEY (t_id) REFERENCES t (id);\nDROP TABLE m;",
	})
	rep := lintFiles(t, files, false)
	if !rep.HasErrors() || len(rep.Findings) < 3 {
		t.Fatalf("findings:\n%s", dump(rep))
	}
	validateSARIF(t, render(t, rep, "sarif"))
	for _, f := range Formats {
		if out := render(t, rep, f); !strings.Contains(out, "PG101") {
			t.Errorf("%s output lacks PG101:\n%s", f, out)
		}
	}
	if err := Write(&bytes.Buffer{}, rep, "xml", FormatOptions{}); err == nil {
		t.Error("unknown format accepted")
	}
}
