package lint

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Formats are the output formats Write knows.
var Formats = []string{"text", "json", "github", "sarif", "gitlab", "markdown"}

// FormatOptions tune Write.
type FormatOptions struct {
	// Color adds ANSI colours to the text format (for a terminal).
	Color bool
	// ToolVersion is the schemactl version written into SARIF output.
	ToolVersion string
}

// Write writes the report in one of Formats.
func Write(w io.Writer, rep *Report, format string, opts FormatOptions) error {
	switch format {
	case "", "text":
		return writeText(w, rep, opts)
	case "json":
		return writeJSON(w, rep)
	case "github":
		return writeGitHub(w, rep)
	case "sarif":
		return writeSARIF(w, rep, opts)
	case "gitlab":
		return writeGitLab(w, rep)
	case "markdown":
		return WriteMarkdown(w, rep, MarkdownOptions{})
	}
	return fmt.Errorf("unknown lint output format %q (known: %s)", format, strings.Join(Formats, ", "))
}

// Summary counts errors and warnings.
func (r *Report) Summary() (errors, warnings int) {
	for _, f := range r.Findings {
		if f.Severity == Error {
			errors++
		} else {
			warnings++
		}
	}
	return errors, warnings
}

// usedChecks returns the distinct codes of the findings with their
// descriptions, sorted by code.
func usedChecks(rep *Report) []Check {
	seen := map[string]Check{}
	for _, f := range rep.Findings {
		if _, ok := seen[f.Code]; ok {
			continue
		}
		c := Check{Code: f.Code, Analyzer: f.Analyzer, Severity: f.Severity, Why: f.Why, Fix: f.Fix}
		if info, ok := checkInfo[f.Code]; ok {
			c = *info
		} else if t, ok := atlasTitles[f.Code]; ok {
			c.Title = t
			c.Severity = atlasDefaults[f.Analyzer]
		}
		seen[f.Code] = c
	}
	out := make([]Check, 0, len(seen))
	for _, c := range seen {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// atlasTitles are one-line titles for Atlas's codes.
var atlasTitles = map[string]string{
	"DS101": "schema dropped",
	"DS102": "table dropped",
	"DS103": "column dropped",
	"MF101": "unique index added on existing columns",
	"MF102": "index made unique",
	"MF103": "non-nullable column added without a default",
	"MF104": "nullable column made non-nullable",
	"BC101": "table renamed",
	"BC102": "column renamed",
	"CD101": "foreign key dropped",
}

// title returns the one-line title of a code.
func title(code string) string {
	if c, ok := checkInfo[code]; ok {
		return c.Title
	}
	return atlasTitles[code]
}
