package lint

import (
	"strings"

	"github.com/schemactl/schemactl/migrations"
)

// Config holds the lint settings of atlas.hcl.
type Config struct {
	// Severity overrides default severities, keyed by analyzer name
	// (destructive, concurrent_index, ...) or by code (PG130); a code
	// wins over its analyzer.
	Severity map[string]Severity
}

// severity returns the configured severity of a finding.
func (c *Config) severity(f Finding) Severity {
	if s, ok := c.Severity[f.Code]; ok {
		return s
	}
	if s, ok := c.Severity[f.Analyzer]; ok {
		return s
	}
	return f.Severity
}

// apply sets configured severities and drops findings silenced by
// `-- atlas:nolint` directives on their statement or on the file.
func (c *Config) apply(f *migrations.File, found []Finding) []Finding {
	var fileNolint []migrations.Directive
	for _, d := range f.Directives {
		if d.Name == "nolint" && d.Separated {
			fileNolint = append(fileNolint, d)
		}
	}
	var out []Finding
	for _, fd := range found {
		if silenced(fileNolint, fd) {
			continue
		}
		if s, ok := findStmt(f, fd.Pos); ok && silenced(s.Directives, fd) {
			continue
		}
		fd.Severity = c.severity(fd)
		out = append(out, fd)
	}
	return out
}

// findStmt returns the statement that contains position p.
func findStmt(f *migrations.File, p migrations.Pos) (migrations.Stmt, bool) {
	var best migrations.Stmt
	found := false
	for _, s := range f.Stmts {
		if s.Pos.Line < p.Line || (s.Pos.Line == p.Line && s.Pos.Col <= p.Col) {
			best, found = s, true
		}
	}
	return best, found
}

// silenced reports whether a nolint directive among ds covers the
// finding: without arguments it covers everything, otherwise the codes
// and analyzer names it lists.
func silenced(ds []migrations.Directive, f Finding) bool {
	for _, d := range ds {
		if d.Name != "nolint" || (d.Tool != "" && d.Tool != "atlas" && d.Tool != "schemactl") {
			continue
		}
		args := strings.Fields(d.Args)
		if len(args) == 0 {
			return true
		}
		for _, a := range args {
			if strings.EqualFold(a, f.Code) || a == f.Analyzer {
				return true
			}
		}
	}
	return false
}
