package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// ghWorkflow is the part of a GitHub Actions workflow the test reads.
type ghWorkflow struct {
	On          map[string]any    `yaml:"on"`
	Permissions map[string]string `yaml:"permissions"`
	Env         map[string]string `yaml:"env"`
	Jobs        map[string]struct {
		RunsOn string `yaml:"runs-on"`
		Steps  []struct {
			Name string            `yaml:"name"`
			ID   string            `yaml:"id"`
			If   string            `yaml:"if"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
			Env  map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

var ghExpr = regexp.MustCompile(`\$\{\{[^}]*\}\}`)

// bashSyntax runs bash -n on a script (GitHub expressions replaced by a
// word).
func bashSyntax(t *testing.T, what, script string) {
	t.Helper()
	cmd := exec.Command("bash", "-n")
	cmd.Stdin = strings.NewReader(ghExpr.ReplaceAllString(script, "x"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("%s: bash -n: %v: %s\n%s", what, err, out, script)
	}
}

// TestReviewWorkflow: the pull-request workflow parses, runs check
// --format markdown, posts or updates one comment found by its marker
// with gh and the workflow token, uploads the SARIF it writes, and fails
// when check failed; its scripts are valid bash.
func TestReviewWorkflow(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", ".github", "workflows", "schemactl-review.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf ghWorkflow
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatalf("the workflow's YAML: %v", err)
	}
	if _, ok := wf.On["pull_request"]; !ok {
		t.Error("not run on pull_request")
	}
	if wf.Permissions["pull-requests"] != "write" || wf.Permissions["security-events"] != "write" {
		t.Errorf("permissions %v", wf.Permissions)
	}
	if !strings.HasPrefix(wf.Env["MARKER"], "<!--") || !strings.HasSuffix(wf.Env["MARKER"], "-->") {
		t.Errorf("the marker %q is not a hidden HTML comment", wf.Env["MARKER"])
	}
	job, ok := wf.Jobs["review"]
	if !ok || len(job.Steps) == 0 {
		t.Fatal("no review job")
	}
	var check, comment, fail, sarifOut, sarifUp bool
	for _, s := range job.Steps {
		if s.Run != "" {
			bashSyntax(t, s.Name, s.Run)
		}
		switch {
		case strings.Contains(s.Run, " check ") && strings.Contains(s.Run, "--format markdown > report.md"):
			check = s.ID == "check" && strings.Contains(s.Run, "--git-base") && strings.Contains(s.Run, `echo "exit=$?"`)
		case strings.Contains(s.Run, "--format sarif > schemactl.sarif"):
			sarifOut = true
		case strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@"):
			sarifUp = s.With["sarif_file"] == "schemactl.sarif"
		case strings.Contains(s.Run, "gh pr comment"):
			comment = s.Env["GH_TOKEN"] == "${{ github.token }}" && strings.Contains(s.Run, `startswith(\"$MARKER\")`) &&
				strings.Contains(s.Run, "--method PATCH") && strings.Contains(s.Run, `echo "$MARKER"; cat report.md`)
		case strings.Contains(s.If, "steps.check.outputs.exit != '0'"):
			fail = strings.Contains(s.Run, "exit 1")
		}
	}
	if !check || !comment || !fail || !sarifOut || !sarifUp {
		t.Errorf("steps: check %v, comment %v, fail %v, SARIF written %v, uploaded %v", check, comment, fail, sarifOut, sarifUp)
	}
}

// TestGitLabJob: the GitLab CI job of the README parses, runs check
// --format markdown, updates or posts one note found by its marker,
// reports code quality, exits with check's status, and is valid bash.
func TestGitLabJob(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "```yaml\nschemactl-review:\n")
	if !ok {
		t.Fatal("README has no GitLab job schemactl-review")
	}
	block, _, _ := strings.Cut(rest, "\n```\n")
	var doc map[string]struct {
		Rules        []map[string]string `yaml:"rules"`
		BeforeScript []string            `yaml:"before_script"`
		Script       []string            `yaml:"script"`
		Artifacts    struct {
			When    string            `yaml:"when"`
			Reports map[string]string `yaml:"reports"`
		} `yaml:"artifacts"`
	}
	if err := yaml.Unmarshal([]byte("schemactl-review:\n"+block), &doc); err != nil {
		t.Fatalf("the job's YAML: %v", err)
	}
	job := doc["schemactl-review"]
	if len(job.Rules) == 0 || !strings.Contains(job.Rules[0]["if"], "merge_request_event") {
		t.Errorf("rules %v", job.Rules)
	}
	script := strings.Join(append(append([]string{}, job.BeforeScript...), job.Script...), "\n")
	bashSyntax(t, "gitlab job", script)
	for _, want := range []string{"--format markdown > report.md", "status=$?", "--format gitlab > gl-code-quality.json",
		"marker='<!-- schemactl-review -->'", "startswith($m)", "-X PUT", "-X POST", "exit $status"} {
		if !strings.Contains(script, want) {
			t.Errorf("the job's script lacks %q", want)
		}
	}
	if job.Artifacts.When != "always" || job.Artifacts.Reports["codequality"] != "gl-code-quality.json" {
		t.Errorf("artifacts %+v", job.Artifacts)
	}
}

// TestREADMEShowsReports: the reports the README shows rendered are the
// golden outputs of the tests, so that they do not drift apart.
func TestREADMEShowsReports(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"check_risky.md", "migrate_diff_dry_run.md"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(readme), "<blockquote>\n\n"+strings.TrimRight(string(b), "\n")+"\n\n</blockquote>") {
			t.Errorf("README does not show testdata/%s as it is", name)
		}
	}
}
