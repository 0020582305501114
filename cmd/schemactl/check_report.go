package main

import (
	"fmt"
	"io"
	"strings"
	"text/template"

	md "github.com/schemactl/schemactl/internal/markdown"
	"github.com/schemactl/schemactl/lint"
)

// checkFormats are the outputs of check.
var checkFormats = []string{"text", "markdown"}

// checkReport collects the outcome of each step of check for a report
// written at the end (--format markdown), instead of the text each step
// prints as it goes.
type checkReport struct {
	dir, to string
	steps   []checkOutcome
	// lint is the lint step's report; lintNote says why nothing was
	// linted when it is nil.
	lint     *lint.Report
	lintNote string
	// missing are the statements that would bring the directory in sync.
	missing string
	// missingN counts them.
	missingN int
	// files and stmts count the directory's files and statements.
	files, stmts int
	// tmpl is the --format template; nil for markdown.
	tmpl *template.Template
	// note, when set, is the whole outcome: nothing was checked (nothing
	// changed since --git-base).
	note string
}

// write writes the report through the template, else as markdown.
func (r *checkReport) write(w io.Writer) error {
	if r.tmpl != nil {
		return execTemplate(w, r.tmpl, r.template())
	}
	return r.writeMarkdown(w)
}

// CheckTemplate is what a --format '{{ ... }}' template of check reads.
// Steps and Files have the field names of Atlas's lint report (Steps:
// Name, Text, Error; Files: see lint.TemplateReport).
type CheckTemplate struct {
	Env struct {
		Driver string `json:"Driver"`
		Dir    string `json:"Dir"`
	} `json:"Env"`
	// Verdict is the one-line outcome; Failed is set when a step failed.
	Verdict string `json:"Verdict"`
	Failed  bool   `json:"Failed"`
	// Steps are integrity, replay, lint and desired state, as they ran.
	Steps []*lint.TemplateStep `json:"Steps"`
	// Files are the linted files with their findings.
	Files []*lint.TemplateFile `json:"Files"`
	// Lint is the lint step's report (nil when nothing was linted).
	Lint *lint.TemplateReport `json:"Lint,omitempty"`
	// Desired is the desired state; Pending are the statements that
	// would bring the directory in sync with it.
	Desired string `json:"Desired"`
	Pending string `json:"Pending,omitempty"`
}

// template returns the report as templates read it.
func (r *checkReport) template() *CheckTemplate {
	t := &CheckTemplate{Verdict: r.verdict(), Failed: r.failed(), Desired: r.to, Pending: r.missing,
		Steps: []*lint.TemplateStep{}, Files: []*lint.TemplateFile{}}
	t.Env.Driver, t.Env.Dir = "postgres", r.dir
	for _, s := range r.steps {
		st := &lint.TemplateStep{Name: s.name, Text: s.detail}
		if s.failed {
			st.Error = s.detail
		}
		t.Steps = append(t.Steps, st)
	}
	if r.lint != nil {
		t.Lint = r.lint.Template(r.dir)
		t.Files = t.Lint.Files
	}
	return t
}

// checkOutcome is the result of one step.
type checkOutcome struct {
	name   string
	failed bool
	detail string
}

func (r *checkReport) record(name string, failed bool, detail string) {
	r.steps = append(r.steps, checkOutcome{name: name, failed: failed, detail: detail})
}

func (r *checkReport) failed() bool {
	for _, s := range r.steps {
		if s.failed {
			return true
		}
	}
	return false
}

// verdict is the report's first line.
func (r *checkReport) verdict() string {
	if r.note != "" {
		return "check skipped: " + r.note
	}
	if !r.failed() {
		return fmt.Sprintf("check passed: %s: %d files, %d statements: intact, replays, lint clean, in sync with %s", r.dir, r.files, r.stmts, r.to)
	}
	var why []string
	for _, s := range r.steps {
		if s.failed {
			if len(s.detail) <= 100 {
				why = append(why, s.name+": "+s.detail)
			} else {
				why = append(why, s.name+" (see below)")
			}
		}
	}
	return "check failed: " + strings.Join(why, "; ")
}

// writeMarkdown writes the report: the verdict, a table of the steps, the
// lint report and the statements missing from the directory.
func (r *checkReport) writeMarkdown(w io.Writer) error {
	var b strings.Builder
	mark := "✅"
	if r.failed() {
		mark = "❌"
	}
	fmt.Fprintf(&b, "%s **%s**\n", mark, md.Text(r.verdict()))
	if r.note != "" {
		_, err := io.WriteString(w, b.String())
		return err
	}
	b.WriteString("\n")
	var rows [][]string
	for _, s := range r.steps {
		res := "✅ passed"
		if s.failed {
			res = "❌ failed"
		}
		rows = append(rows, []string{md.Text(s.name), res, md.Text(s.detail)})
	}
	b.WriteString(md.Table([]string{"Step", "Result", "Details"}, "lll", rows))
	if r.lint != nil {
		b.WriteString("\n### Lint\n\n")
		b.WriteString(md.Text(r.lint.Verdict()) + "\n\n")
		var lb strings.Builder
		if err := lint.WriteMarkdown(&lb, r.lint, lint.MarkdownOptions{Level: 4, NoVerdict: true, Limit: lint.MarkdownLimit - 4000}); err != nil {
			return err
		}
		b.WriteString(lb.String())
	} else if r.lintNote != "" {
		b.WriteString("\n### Lint\n\n" + md.Text(r.lintNote) + "\n")
	}
	if r.missing != "" {
		fmt.Fprintf(&b, "\n### Not in sync with %s\n\n", md.Code(r.to))
		b.WriteString("These statements would bring the directory in sync (write them with `schemactl migrate diff`):\n\n")
		body := md.Fence("sql", r.missing)
		if strings.Count(r.missing, "\n") > 20 || len(body) > 3000 {
			if len(body) > 3000 {
				body = md.Fence("sql", r.missing[:strings.LastIndexByte(r.missing[:3000], '\n')+1]+"-- ... (run schemactl migrate diff --dry-run for all)")
			}
			body = md.Details(fmt.Sprintf("%d statements", r.missingN), body)
		}
		b.WriteString(body)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
