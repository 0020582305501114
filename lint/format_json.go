package lint

import (
	"encoding/json"
	"io"
)

// JSONReport is the document written by --format json. Its fields are
// stable; new fields may be added, none removed or renamed.
type JSONReport struct {
	// Version of this document's schema: 1.
	Version int `json:"version"`
	// Files are the linted files in order.
	Files []string `json:"files"`
	// Incomplete names the first file that could not be analyzed because
	// a statement failed; empty when every file was analyzed.
	Incomplete string `json:"incomplete,omitempty"`
	// Summary counts findings.
	Summary JSONSummary `json:"summary"`
	// Findings in file, line and column order.
	Findings []JSONFinding `json:"findings"`
}

// JSONSummary counts findings by severity and by code.
type JSONSummary struct {
	Errors   int            `json:"errors"`
	Warnings int            `json:"warnings"`
	Codes    map[string]int `json:"codes"`
}

// JSONFinding is one finding. Line and column are 1-based; the column
// counts bytes.
type JSONFinding struct {
	Code      string `json:"code"`
	Analyzer  string `json:"analyzer"`
	Severity  string `json:"severity"` // "error" or "warning"
	Title     string `json:"title,omitempty"`
	Message   string `json:"message"`
	Why       string `json:"why,omitempty"`
	Fix       string `json:"fix,omitempty"`
	File      string `json:"file"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	Statement string `json:"statement,omitempty"`
}

// JSON converts the report to its JSON document.
func (r *Report) JSON() JSONReport {
	errs, warns := r.Summary()
	out := JSONReport{Version: 1, Files: r.Files, Incomplete: r.Incomplete,
		Summary:  JSONSummary{Errors: errs, Warnings: warns, Codes: r.Counts()},
		Findings: []JSONFinding{}}
	if out.Files == nil {
		out.Files = []string{}
	}
	for _, f := range r.Findings {
		out.Findings = append(out.Findings, JSONFinding{
			Code: f.Code, Analyzer: f.Analyzer, Severity: f.Severity.String(), Title: title(f.Code),
			Message: f.Message, Why: f.Why, Fix: f.Fix,
			File: f.Pos.File, Line: f.Pos.Line, Column: f.Pos.Col, Statement: f.Stmt,
		})
	}
	return out
}

func writeJSON(w io.Writer, rep *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep.JSON())
}
