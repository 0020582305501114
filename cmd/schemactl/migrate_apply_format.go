package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/template"
	"time"

	"github.com/schemactl/schemactl/migrations"
)

// applyView is what `migrate apply --format` prints: JSON, or the data of a
// Go template. Field names follow Atlas's apply report where it has them
// (Current, Target, Applied, Start, End, Error).
type applyView struct {
	Current    string          `json:"Current"`  // last applied version after the run
	Target     string          `json:"Target"`   // last version the run set out to apply
	Previous   string          `json:"Previous"` // last version in the history before the run (a failed one included)
	Baseline   string          `json:"Baseline,omitempty"`
	Applied    []appliedFileVw `json:"Applied"`
	Pending    int             `json:"Pending"` // planned files that did not run
	RolledBack bool            `json:"RolledBack,omitempty"`
	Start      time.Time       `json:"Start"`
	End        time.Time       `json:"End"`
	Error      string          `json:"Error,omitempty"`
	// Err is the run's error as the error object every command prints
	// with --format json (the "error" member).
	Err *errorJSON `json:"error,omitempty"`
}

type appliedFileVw struct {
	Name        string    `json:"Name"`
	Version     string    `json:"Version"`
	Description string    `json:"Description"`
	Mode        string    `json:"Mode"`
	Statements  int       `json:"Statements"` // statements applied by this run
	Skipped     int       `json:"Skipped"`    // statements applied by an earlier, interrupted run
	Start       time.Time `json:"Start"`
	End         time.Time `json:"End"`
	Error       string    `json:"Error,omitempty"`
}

func newApplyView(rep *migrations.ApplyReport, runErr error) applyView {
	v := applyView{Previous: rep.From, Target: rep.To, Baseline: rep.Baseline, RolledBack: rep.RolledBack, Start: rep.Start, End: rep.End, Applied: []appliedFileVw{}}
	v.Current = rep.From
	if rep.Baseline != "" {
		v.Current = rep.Baseline
	}
	for _, f := range rep.Files {
		fv := appliedFileVw{Name: f.File.Name, Version: f.File.Version, Description: f.File.Description, Mode: f.Mode,
			Statements: f.Applied, Skipped: f.Skip, Start: f.Start, End: f.Start.Add(f.Duration)}
		if f.Err != nil {
			fv.Error = f.Err.Error()
		} else if !rep.RolledBack {
			v.Current = f.File.Version
		}
		v.Applied = append(v.Applied, fv)
	}
	if rep.RolledBack {
		v.Current = rep.From
	}
	v.Pending = len(rep.Planned) - len(rep.Files)
	for _, f := range rep.Files {
		if f.Err != nil {
			v.Pending++ // the failed file is still pending
		}
	}
	if runErr != nil {
		v.Error = runErr.Error()
		v.Err = newErrorJSON(runErr)
	}
	return v
}

// parseFormat checks a --format value of apply or status: "" (text),
// "json", or a Go template (with a json function) over the report.
func parseFormat(format string) (*template.Template, error) {
	if format == "" || format == "json" {
		return nil, nil
	}
	t, err := template.New("format").Funcs(template.FuncMap{"json": toJSON}).Parse(format)
	if err != nil {
		return nil, usagef("invalid --format: %v", err)
	}
	return t, nil
}

// writeApplyFormat prints the report in the --format asked for.
func writeApplyFormat(w io.Writer, format string, tmpl *template.Template, v applyView) error {
	if format == "json" {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(w, string(b))
		return err
	}
	if err := tmpl.Execute(w, v); err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	return nil
}
