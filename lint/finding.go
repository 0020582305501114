package lint

import (
	"sort"
	"strings"

	"github.com/schemactl/schemactl/migrations"
)

// Severity tells whether a finding fails the lint run.
type Severity int

// The severities. An error-severity finding makes `migrate lint` exit 1.
const (
	Warning Severity = iota
	Error
)

// String returns "warning" or "error".
func (s Severity) String() string {
	if s == Error {
		return "error"
	}
	return "warning"
}

// MarshalText encodes the severity as its name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes "error" or "warning".
func (s *Severity) UnmarshalText(b []byte) error {
	if strings.EqualFold(string(b), "error") {
		*s = Error
	} else {
		*s = Warning
	}
	return nil
}

// Finding is one problem reported at a statement (or a file).
type Finding struct {
	// Code identifies the check, e.g. PG101 or DS103. Codes are stable.
	Code string
	// Analyzer names the analyzer that reported it (the name used in the
	// atlas.hcl lint block and by `-- atlas:nolint`).
	Analyzer string
	Severity Severity
	// Message is one line describing this occurrence.
	Message string
	// Why explains the risk: the lock taken and what it blocks.
	Why string
	// Fix is a concrete way to avoid the problem.
	Fix string
	// Pos is where the statement (or the directive) starts.
	Pos migrations.Pos
	// Stmt is the first line of the statement, empty for file findings.
	Stmt string
}

// Report is the outcome of a lint run.
type Report struct {
	// Files are the names of the linted files, in order.
	Files []string
	// Findings are sorted by file, line, column and code.
	Findings []Finding
	// Statements are the statements of the linted files that ran, in
	// order, with the locks they took.
	Statements []Statement
	// Incomplete is set when a statement failed on the dev database and the
	// files after it could not be analyzed; it names the first of them.
	Incomplete string
	// sources are the linted files' contents by path, for formats that
	// count columns in characters.
	sources map[string][]byte
}

// HasErrors reports whether an error-severity finding exists.
func (r *Report) HasErrors() bool {
	for _, f := range r.Findings {
		if f.Severity == Error {
			return true
		}
	}
	return false
}

// Counts returns the number of findings per code.
func (r *Report) Counts() map[string]int {
	m := map[string]int{}
	for _, f := range r.Findings {
		m[f.Code]++
	}
	return m
}

func (r *Report) sort() {
	order := map[string]int{}
	for i, f := range r.Files {
		order[f] = i
	}
	sort.SliceStable(r.Findings, func(i, j int) bool {
		a, b := r.Findings[i], r.Findings[j]
		if oa, ob := order[a.Pos.File], order[b.Pos.File]; oa != ob {
			return oa < ob
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Col != b.Pos.Col {
			return a.Pos.Col < b.Pos.Col
		}
		return a.Code < b.Code
	})
}

// firstLine returns the first line of a statement, trimmed.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}
