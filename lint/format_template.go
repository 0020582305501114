package lint

import (
	"path/filepath"
	"strings"
)

// TemplateReport is what a --format '{{ ... }}' template of migrate lint
// reads. Its field names are Atlas's where Atlas's lint report has the
// same thing (Env.Dir, Steps, Files, Files[].Name, .Text, .Reports,
// .Reports[].Text, .Diagnostics, .Diagnostics[].Pos, .Text, .Code,
// .SuggestedFixes, and the method Files[].Line), so that a template
// written for atlas migrate lint runs; the other fields are schemactl's.
type TemplateReport struct {
	// Env is the environment of the run. It never holds a URL.
	Env struct {
		// Driver is "postgres".
		Driver string `json:"Driver,omitempty"`
		// Dir is the migration directory.
		Dir string `json:"Dir,omitempty"`
	} `json:"Env"`
	// Steps are the steps of the run and their outcome.
	Steps []*TemplateStep `json:"Steps,omitempty"`
	// Files are the linted files, in order.
	Files []*TemplateFile `json:"Files"`
	// Errors and Warnings count findings; Codes counts them by code.
	Errors   int            `json:"Errors"`
	Warnings int            `json:"Warnings"`
	Codes    map[string]int `json:"Codes"`
	// Verdict is the one-line outcome, e.g. "lint failed: 1 error, ...".
	Verdict string `json:"Verdict"`
	// Incomplete names the first file not analyzed ("" when all were).
	Incomplete string `json:"Incomplete,omitempty"`
}

// TemplateStep is one step of a run.
type TemplateStep struct {
	Name  string `json:"Name,omitempty"`
	Text  string `json:"Text,omitempty"`
	Error string `json:"Error,omitempty"`
}

// TemplateFile is one linted file.
type TemplateFile struct {
	// Name is the file's name; Path its path.
	Name string `json:"Name"`
	Path string `json:"Path"`
	// Text is the file's content.
	Text string `json:"Text,omitempty"`
	// Reports group the file's findings by analyzer.
	Reports []*TemplateGroup `json:"Reports,omitempty"`
	// Error is set when a finding of error severity exists: its codes.
	Error string `json:"Error,omitempty"`
	// Statements are the file's statements with their locks.
	Statements []Statement `json:"Statements,omitempty"`
}

// Line returns the line of a byte offset of the file (as Atlas's
// templates call it: {{ $f.Line $d.Pos }}).
func (f *TemplateFile) Line(pos int) int {
	pos = max(0, min(pos, len(f.Text)))
	return strings.Count(f.Text[:pos], "\n") + 1
}

// TemplateGroup is the findings of one analyzer in a file.
type TemplateGroup struct {
	// Text names the analyzer and what it found.
	Text        string                `json:"Text"`
	Diagnostics []*TemplateDiagnostic `json:"Diagnostics"`
}

// TemplateDiagnostic is one finding.
type TemplateDiagnostic struct {
	// Pos is the byte offset of the statement in the file.
	Pos  int    `json:"Pos"`
	Text string `json:"Text"`
	Code string `json:"Code"`
	// SuggestedFixes holds the fix, as Atlas spells it.
	SuggestedFixes []TemplateFix `json:"SuggestedFixes,omitempty"`
	// schemactl's own fields.
	Severity  string `json:"Severity"`
	Analyzer  string `json:"Analyzer"`
	Why       string `json:"Why,omitempty"`
	Fix       string `json:"Fix,omitempty"`
	Line      int    `json:"Line"`
	Column    int    `json:"Column"`
	Statement string `json:"Statement,omitempty"`
}

// TemplateFix is a suggested fix.
type TemplateFix struct {
	Message string `json:"Message"`
}

// Template returns the report as templates read it; dir is the
// migration directory.
func (r *Report) Template(dir string) *TemplateReport {
	t := &TemplateReport{Files: []*TemplateFile{}, Codes: r.Counts(), Verdict: r.Verdict(), Incomplete: r.Incomplete}
	t.Env.Driver, t.Env.Dir = "postgres", dir
	t.Errors, t.Warnings = r.Summary()
	byPath := map[string]*TemplateFile{}
	for _, p := range r.Files {
		f := &TemplateFile{Name: filepath.Base(p), Path: p, Text: string(r.sources[p])}
		byPath[p] = f
		t.Files = append(t.Files, f)
	}
	for _, s := range r.Statements {
		if f := byPath[s.Pos.File]; f != nil {
			f.Statements = append(f.Statements, s)
		}
	}
	for _, fd := range r.Findings {
		f := byPath[fd.Pos.File]
		if f == nil {
			continue
		}
		var g *TemplateGroup
		for _, have := range f.Reports {
			if have.Text == fd.Analyzer {
				g = have
			}
		}
		if g == nil {
			g = &TemplateGroup{Text: fd.Analyzer}
			f.Reports = append(f.Reports, g)
		}
		d := &TemplateDiagnostic{Pos: offsetOf(f.Text, fd.Pos.Line, fd.Pos.Col), Text: fd.Message, Code: fd.Code,
			Severity: fd.Severity.String(), Analyzer: fd.Analyzer, Why: fd.Why, Fix: fd.Fix,
			Line: fd.Pos.Line, Column: fd.Pos.Col, Statement: fd.Stmt}
		if fd.Fix != "" {
			d.SuggestedFixes = []TemplateFix{{Message: fd.Fix}}
		}
		g.Diagnostics = append(g.Diagnostics, d)
		if fd.Severity == Error {
			if f.Error != "" {
				f.Error += "; "
			}
			f.Error += fd.Code + ": " + fd.Message
		}
	}
	return t
}

// offsetOf returns the byte offset of a 1-based line and byte column.
func offsetOf(text string, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(text[off:], '\n')
		if i < 0 {
			return len(text)
		}
		off += i + 1
	}
	return min(off+max(col-1, 0), len(text))
}
