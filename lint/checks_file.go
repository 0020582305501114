package lint

import "github.com/schemactl/schemactl/migrations"

var (
	codePrivileged = register(Check{Code: "PG401", Analyzer: "privileged", Severity: Warning,
		Title: "file runs as a privileged role",
		Why:   "`-- schemactl:privileged` files run with the privileged role's rights: a mistake there can touch anything in the cluster.",
		Fix:   "Review the file with extra care; keep it as small as possible."})
	codeDirective = register(Check{Code: "PG402", Analyzer: "directives", Severity: Warning,
		Title: "file directive that Atlas ignores",
		Why:   "Atlas honours a file directive only when a blank line follows its comment block; without one, `atlas migrate apply` ignores it (e.g. runs a txmode none file in a transaction and fails).",
		Fix:   "Put an empty line after the directive comment block."})
	codeFailed = register(Check{Code: "PG403", Analyzer: "exec", Severity: Error,
		Title: "statement failed on the dev database",
		Why:   "The migration fails when applied: the statement is rejected by PostgreSQL.",
		Fix:   "Fix the statement; the message and SQLSTATE say what PostgreSQL refused."})
)

func init() {
	addCheck("privileged", checkPrivileged)
	addCheck("exec", checkFailed)
}

func checkPrivileged(p *pass) {
	for _, d := range p.file.File.Directives {
		if d.Tool == "schemactl" && d.Name == "privileged" {
			p.reportAt(d.Pos, codePrivileged, "file is marked -- schemactl:privileged and runs as a privileged role")
		}
	}
}

func checkFailed(p *pass) {
	for _, r := range p.file.Stmts {
		if r.Err == nil {
			continue
		}
		f := Finding{Code: codeFailed, Analyzer: "exec", Severity: Error, Why: checkInfo[codeFailed].Why,
			Fix: checkInfo[codeFailed].Fix, Pos: r.Stmt.Pos, Stmt: firstLine(r.Stmt.Text), Message: r.Err.Error()}
		hint := migrations.BaselineHint(r.Err)
		if se, ok := r.Err.(*StmtError); ok {
			f.Pos = se.Pos
			f.Message = se.Message
			if se.Code != "" {
				f.Message += " (SQLSTATE " + se.Code + ")"
			}
			hint = migrations.BaselineHintFor(se.Code, se.Message)
		}
		if hint != "" {
			f.Fix = "If the statement is right: " + hint + "."
		}
		p.found = append(p.found, f)
	}
}
