package lint

import (
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
)

// SARIF 2.1.0 (OASIS), the subset schemactl writes.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool     `json:"tool"`
	Results    []sarifResult `json:"results"`
	ColumnKind string        `json:"columnKind"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name,omitempty"`
	ShortDescription     *sarifText         `json:"shortDescription,omitempty"`
	FullDescription      *sarifText         `json:"fullDescription,omitempty"`
	Help                 *sarifText         `json:"help,omitempty"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	Properties           map[string]any     `json:"properties,omitempty"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int        `json:"startLine"`
	StartColumn int        `json:"startColumn"`
	Snippet     *sarifText `json:"snippet,omitempty"`
}

// sarifSchema is the SARIF 2.1.0 schema URI written into reports.
const sarifSchema = "https://json.schemastore.org/sarif-2.1.0.json"

func writeSARIF(w io.Writer, rep *Report, opts FormatOptions) error {
	checks := usedChecks(rep)
	index := map[string]int{}
	driver := sarifDriver{Name: "schemactl", Version: opts.ToolVersion, Rules: []sarifRule{}}
	for i, c := range checks {
		index[c.Code] = i
		r := sarifRule{ID: c.Code, Name: ruleName(c), DefaultConfiguration: sarifConfiguration{Level: c.Severity.String()},
			Properties: map[string]any{"analyzer": c.Analyzer}}
		if c.Title != "" {
			r.ShortDescription = &sarifText{Text: c.Title}
		}
		if c.Why != "" {
			r.FullDescription = &sarifText{Text: c.Why}
		}
		if c.Fix != "" {
			r.Help = &sarifText{Text: c.Fix}
		}
		driver.Rules = append(driver.Rules, r)
	}
	run := sarifRun{Tool: sarifTool{Driver: driver}, Results: []sarifResult{}, ColumnKind: "unicodeCodePoints"}
	for _, f := range rep.Findings {
		msg := f.Message
		if f.Fix != "" {
			msg += " Fix: " + f.Fix
		}
		reg := sarifRegion{StartLine: max(f.Pos.Line, 1), StartColumn: max(rep.runeColumn(f), 1)}
		if f.Stmt != "" {
			reg.Snippet = &sarifText{Text: f.Stmt}
		}
		run.Results = append(run.Results, sarifResult{
			RuleID: f.Code, RuleIndex: index[f.Code], Level: f.Severity.String(),
			Message:   sarifText{Text: msg},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: sarifURI(f.Pos.File)}, Region: reg}}},
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: "2.1.0", Runs: []sarifRun{run}})
}

// ruleName turns an analyzer and title into a SARIF rule name, e.g.
// "ConcurrentIndex".
func ruleName(c Check) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(c.Analyzer, func(r rune) bool { return r == '_' || r == '-' }) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// sarifURI writes a path as a relative URI reference (forward slashes), or
// a file:// URI for an absolute path.
func sarifURI(p string) string {
	s := filepath.ToSlash(p)
	if filepath.IsAbs(p) {
		return "file://" + s
	}
	return strings.TrimPrefix(s, "./")
}

// runeColumn converts a finding's byte column into a column in Unicode
// code points, using the file content when the report has it.
func (r *Report) runeColumn(f Finding) int {
	src, ok := r.sources[f.Pos.File]
	if !ok {
		return f.Pos.Col
	}
	line := 1
	start := 0
	for i := 0; i < len(src) && line < f.Pos.Line; i++ {
		if src[i] == '\n' {
			line++
			start = i + 1
		}
	}
	end := min(start+f.Pos.Col-1, len(src))
	return len([]rune(string(src[start:end]))) + 1
}
