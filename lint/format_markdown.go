package lint

import (
	"fmt"
	"io"
	"strings"

	md "github.com/schemactl/schemactl/internal/markdown"
	"github.com/schemactl/schemactl/migrations"
)

// MarkdownLimit is the size in bytes under which the markdown report
// stays: GitHub refuses a comment or description over 65536 characters.
// Per-file sections that would pass it are left out, and the report says
// how many.
const MarkdownLimit = 60000

// longStatement is the number of lines from which a statement is shown
// collapsed.
const longStatement = 12

// MarkdownOptions tune WriteMarkdown.
type MarkdownOptions struct {
	// Level is the heading level of the per-file sections (default 3).
	Level int
	// NoVerdict leaves out the verdict line, for a report embedded in
	// another (check writes its own).
	NoVerdict bool
	// Limit caps the report's size in bytes (default MarkdownLimit).
	Limit int
}

// Verdict is the report's one-line outcome, e.g. "lint failed: 2 errors,
// 1 warning in 3 files".
func (r *Report) Verdict() string {
	errs, warns := r.Summary()
	state := "passed"
	switch {
	case errs > 0:
		state = "failed"
	case warns > 0:
		state = "passed with warnings"
	}
	s := fmt.Sprintf("lint %s: %s, %s in %s", state, plural(errs, "error"), plural(warns, "warning"), plural(len(r.Files), "file"))
	if r.Incomplete != "" {
		s += " (incomplete)"
	}
	return s
}

// WriteMarkdown writes the report as GitHub-flavoured Markdown for a
// pull-request comment: the verdict, a summary table, counts by code,
// then per file its findings, each under the statement it is about (in a
// fenced sql block) with the locks that statement took, and why and how
// to fix. The output depends only on the report (sorted, no times), so
// that a bot can update one comment in place.
func WriteMarkdown(w io.Writer, rep *Report, opts MarkdownOptions) error {
	if opts.Level == 0 {
		opts.Level = 3
	}
	if opts.Limit == 0 {
		opts.Limit = MarkdownLimit
	}
	var b strings.Builder
	errs, warns := rep.Summary()
	if !opts.NoVerdict {
		mark := "✅"
		if errs > 0 {
			mark = "❌"
		} else if warns > 0 {
			mark = "⚠️"
		}
		fmt.Fprintf(&b, "%s **%s**\n\n", mark, md.Text(rep.Verdict()))
	}
	b.WriteString(md.Table([]string{"Files", "Statements", "Errors", "Warnings"}, "rrrr",
		[][]string{{fmt.Sprint(len(rep.Files)), fmt.Sprint(len(rep.Statements)), fmt.Sprint(errs), fmt.Sprint(warns)}}))
	if checks := usedChecks(rep); len(checks) > 0 {
		counts := rep.Counts()
		sevs := map[string][2]int{}
		for _, f := range rep.Findings {
			c := sevs[f.Code]
			c[f.Severity]++
			sevs[f.Code] = c
		}
		var rows [][]string
		for _, c := range checks {
			s := sevs[c.Code]
			rows = append(rows, []string{md.Code(c.Code), md.Text(c.Analyzer), fmt.Sprint(s[Error]), fmt.Sprint(s[Warning]),
				fmt.Sprint(counts[c.Code]), md.Text(c.Title)})
		}
		b.WriteString("\n")
		b.WriteString(md.Table([]string{"Code", "Analyzer", "Errors", "Warnings", "Total", "Check"}, "llrrrl", rows))
	}
	if rep.Incomplete != "" {
		fmt.Fprintf(&b, "\n**Not analyzed:** %s and the files after it: a statement failed on the dev database.\n", md.Code(rep.Incomplete))
	}
	byFile := map[string][]Finding{}
	for _, f := range rep.Findings {
		byFile[f.Pos.File] = append(byFile[f.Pos.File], f)
	}
	stmts := map[string][]Statement{}
	for _, s := range rep.Statements {
		stmts[s.Pos.File] = append(stmts[s.Pos.File], s)
	}
	var clean []string
	left := 0
	for _, file := range rep.Files {
		found := byFile[file]
		if len(found) == 0 {
			clean = append(clean, file)
			continue
		}
		sec := fileSection(file, found, stmts[file], opts.Level)
		if b.Len()+len(sec) > opts.Limit-1000 {
			left++
			continue
		}
		b.WriteString("\n")
		b.WriteString(sec)
	}
	if left > 0 {
		fmt.Fprintf(&b, "\n**%s with findings not shown** (the report stays under %d bytes); run `schemactl migrate lint` for all of them.\n",
			plural(left, "more file"), opts.Limit)
	}
	if len(clean) > 0 {
		var list strings.Builder
		for _, f := range clean {
			list.WriteString("- " + md.Code(f) + "\n")
		}
		body := list.String()
		if b.Len()+len(body) > opts.Limit-500 {
			body = fmt.Sprintf("%s (the list would pass the size limit)\n", plural(len(clean), "file"))
		}
		b.WriteString("\n")
		b.WriteString(md.Details(plural(len(clean), "file")+" without findings", body))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// fileSection is the section of one file with findings.
func fileSection(file string, found []Finding, stmts []Statement, level int) string {
	var b strings.Builder
	errs, warns := 0, 0
	for _, f := range found {
		if f.Severity == Error {
			errs++
		} else {
			warns++
		}
	}
	fmt.Fprintf(&b, "%s %s\n\n%s, %s\n", strings.Repeat("#", level), md.Code(file), plural(errs, "error"), plural(warns, "warning"))
	at := map[[2]int]*Statement{}
	for i := range stmts {
		at[[2]int{stmts[i].Pos.Line, stmts[i].Pos.Col}] = &stmts[i]
	}
	// Findings are sorted by position: consecutive ones at the same place
	// share the statement.
	for i := 0; i < len(found); {
		j := i
		for j < len(found) && found[j].Pos == found[i].Pos {
			j++
		}
		b.WriteString("\n")
		b.WriteString(statementBlock(found[i].Pos, at[[2]int{found[i].Pos.Line, found[i].Pos.Col}], found[i].Stmt))
		for _, f := range found[i:j] {
			fmt.Fprintf(&b, "\n- **%s %s**: %s\n", f.Severity, md.Code(f.Code), md.Text(f.Message))
			if f.Why != "" {
				fmt.Fprintf(&b, "  - Why: %s\n", md.Text(f.Why))
			}
			if f.Fix != "" {
				fmt.Fprintf(&b, "  - Fix: %s\n", md.Text(f.Fix))
			}
		}
		i = j
	}
	if len(stmts) > 0 {
		var rows [][]string
		for _, s := range stmts {
			rows = append(rows, []string{fmt.Sprint(s.Pos.Line), md.Code(truncate(firstLine(s.Text), 80)), md.Text(lockText(s))})
		}
		b.WriteString("\n")
		b.WriteString(md.Details("Locks of all "+plural(len(stmts), "statement"),
			md.Table([]string{"Line", "Statement", "Locks"}, "rll", rows)))
	}
	return b.String()
}

// statementBlock shows where a group of findings is: the line, the locks
// and the statement.
func statementBlock(pos migrations.Pos, s *Statement, first string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**Line %d**", pos.Line)
	if s == nil {
		if first == "" {
			b.WriteString(" (file)\n")
			return b.String()
		}
		fmt.Fprintf(&b, "\n\n%s", md.Fence("sql", first))
		return b.String()
	}
	fmt.Fprintf(&b, " · %s\n\n", md.Text(lockText(*s)))
	text := strings.TrimRight(s.Text, "\n")
	if n := strings.Count(text, "\n") + 1; n >= longStatement {
		b.WriteString(md.Details(fmt.Sprintf("%s (%d lines)", truncate(firstLine(text), 60), n), md.Fence("sql", text)))
	} else {
		b.WriteString(md.Fence("sql", text))
	}
	return b.String()
}

// lockText says in words which locks a statement took and for how long.
func lockText(s Statement) string {
	var parts []string
	for _, l := range s.Locks {
		parts = append(parts, l.Mode+" on "+l.Table)
	}
	var held []string
	for _, h := range s.Held {
		held = append(held, fmt.Sprintf("%s on %s (taken at line %d)", h.Mode, h.Table, h.Since))
	}
	var out string
	switch {
	case s.Failed:
		out = "failed on the dev database"
	case len(parts) == 0 && len(held) > 0:
		out = "runs under " + strings.Join(held, ", ") + ", held until the file's transaction ends"
	case len(parts) == 0:
		out = "takes no new lock of SHARE UPDATE EXCLUSIVE or stronger on an existing table"
	case s.OutsideTx:
		out = "takes " + strings.Join(parts, ", ") + " while the statement runs"
	default:
		out = "takes " + strings.Join(parts, ", ") + " until the file's transaction ends"
	}
	if len(s.Rewritten) > 0 {
		out += "; rewrites " + strings.Join(s.Rewritten, ", ")
	}
	return out
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
