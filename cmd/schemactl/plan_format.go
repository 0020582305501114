package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/schemactl/schemactl/diff/summary"
	md "github.com/schemactl/schemactl/internal/markdown"
)

// planWriter writes a proved change in one --format of schema diff and
// migrate diff --dry-run.
type planWriter func(w io.Writer, ch *change) error

// planFormats are the --format values of schema diff and migrate diff
// --dry-run, in the order the usage lists them; planWriters has one
// writer for each.
var planFormats = []string{"sql", "markdown", "json"}

var planWriters = map[string]planWriter{
	"sql":      writePlanSQL,
	"markdown": writePlanMarkdown,
	"json":     writePlanJSON,
}

// planFormat checks --format and returns its writer.
func planFormat(format string) (planWriter, error) {
	w, ok := planWriters[format]
	if !ok {
		return nil, usagef("--format %q: use one of %s", format, strings.Join(planFormats, ", "))
	}
	return w, nil
}

func writePlanSQL(w io.Writer, ch *change) error {
	_, err := io.WriteString(w, planText(ch.plan))
	return err
}

// writePlanMarkdown writes the plan summary, then the statements in a sql
// block (collapsed when long).
func writePlanMarkdown(w io.Writer, ch *change) error {
	if ch.plan.Empty() {
		_, err := io.WriteString(w, "✅ **No changes**: the states are the same.\n")
		return err
	}
	var b strings.Builder
	if err := ch.summary().Markdown(&b); err != nil {
		return err
	}
	sql := md.Fence("sql", planText(ch.plan))
	b.WriteString("\n")
	if n := len(ch.plan.Stmts); n > 10 {
		b.WriteString(md.Details(fmt.Sprintf("The %d statements", n), sql))
	} else {
		b.WriteString(sql)
	}
	for _, m := range ch.plan.Warnings {
		fmt.Fprintf(&b, "\n> **Warning:** %s\n", md.Text(m))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// planJSON is the document of --format json: the summary and the
// statements.
type planJSON struct {
	Summary    *summary.Summary `json:"summary"`
	Statements []planStmtJSON   `json:"statements"`
	Warnings   []string         `json:"warnings"`
}

type planStmtJSON struct {
	SQL     string `json:"sql"`
	Comment string `json:"comment,omitempty"`
}

func writePlanJSON(w io.Writer, ch *change) error {
	doc := planJSON{Summary: ch.summary(), Statements: []planStmtJSON{}, Warnings: []string{}}
	for _, s := range ch.plan.Stmts {
		doc.Statements = append(doc.Statements, planStmtJSON{SQL: s.SQL, Comment: s.Comment})
	}
	doc.Warnings = append(doc.Warnings, ch.plan.Warnings...)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
