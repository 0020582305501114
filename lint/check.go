package lint

import (
	"fmt"
	"sort"
	"strings"

	"github.com/schemactl/schemactl/migrations"
)

// Check describes one code reported by the package's own analyzers.
type Check struct {
	Code string
	// Analyzer is the name that groups codes in the atlas.hcl lint block
	// and in `-- atlas:nolint`.
	Analyzer string
	// Severity is the default severity.
	Severity Severity
	// Title is a one-line summary.
	Title string
	// Why is the risk: the lock taken and what it blocks.
	Why string
	// Fix is the concrete way out.
	Fix string
}

// Checks returns the codes of the package's own analyzers, sorted.
func Checks() []Check {
	out := make([]Check, 0, len(checkInfo))
	for _, c := range checkInfo {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

var checkInfo = map[string]*Check{}

func register(c Check) string {
	if checkInfo[c.Code] != nil {
		panic("lint: code registered twice: " + c.Code)
	}
	checkInfo[c.Code] = &c
	return c.Code
}

// check is one analyzer run over a file the engine ran.
type check struct {
	name string
	run  func(p *pass)
}

// pass is the analysis of one file.
type pass struct {
	file  *fileRun
	found []Finding
}

// report adds a finding of code at a statement with a formatted message.
func (p *pass) report(r *stmtRun, code, format string, args ...any) {
	info := checkInfo[code]
	p.found = append(p.found, Finding{
		Code:     code,
		Analyzer: info.Analyzer,
		Severity: info.Severity,
		Message:  fmt.Sprintf(format, args...),
		Why:      info.Why,
		Fix:      info.Fix,
		Pos:      r.Stmt.Pos,
		Stmt:     firstLine(r.Stmt.Text),
	})
}

// reportAt adds a finding at a position that is not a statement.
func (p *pass) reportAt(pos migrations.Pos, code, format string, args ...any) {
	info := checkInfo[code]
	p.found = append(p.found, Finding{
		Code:     code,
		Analyzer: info.Analyzer,
		Severity: info.Severity,
		Message:  fmt.Sprintf(format, args...),
		Why:      info.Why,
		Fix:      info.Fix,
		Pos:      pos,
	})
}

// existed reports whether the relation was there when the file began:
// anything done to a table created earlier in the same file is harmless,
// because nobody else can see it yet (it is empty).
func (p *pass) existed(rel *relation) bool {
	return rel != nil && p.file.Start.rel(rel.OID) != nil
}

// target resolves a table named by a statement as the catalog had it just
// before the statement ran.
func (p *pass) target(r *stmtRun, q qname) *relation {
	return r.Before.lookup(q, "rpm")
}

// lockedTables describes the locks a statement took on tables that
// existed before the file, e.g. `"public.users" (ACCESS EXCLUSIVE)`.
func (p *pass) lockedTables(r *stmtRun, mode string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range r.NewLocks {
		if mode != "" && l.Mode != mode {
			continue
		}
		rel := r.Before.rel(l.OID)
		if rel == nil || !rel.isTable() || !p.existed(rel) {
			continue
		}
		s := fmt.Sprintf("%q", rel.qualified())
		if mode == "" {
			s += " (" + lockName(l.Mode) + ")"
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// rewritten reports whether the statement rewrote the table.
func (r *stmtRun) rewritten(rel *relation) bool {
	for _, w := range r.Rewritten {
		if w.OID == rel.OID {
			return true
		}
	}
	return false
}

// verified reports whether PostgreSQL scanned the table to check it.
func (r *stmtRun) verified(rel *relation) bool {
	for _, v := range r.Verified {
		if v == rel.Name {
			return true
		}
	}
	return false
}

// checks are the package's own analyzers, in reporting order.
var checks []check

func addCheck(name string, run func(p *pass)) {
	checks = append(checks, check{name: name, run: run})
}

// quote joins names for messages.
func quoteList(names []string) string {
	return strings.Join(names, ", ")
}
