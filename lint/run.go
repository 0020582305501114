package lint

import (
	"context"
	"fmt"

	"github.com/schemactl/schemactl/migrations"
)

// Options tune a lint run.
type Options struct {
	// Config sets severities; nil means the defaults.
	Config *Config
	// Linted names (by File.Name) the files whose findings are reported;
	// nil means every file.
	Linted map[string]bool
	// Prepare, when not nil, runs first on the empty dev database (e.g.
	// the dev baseline: roles, extensions, schemas the migrations expect).
	Prepare func(ctx context.Context, devURL string) error
}

// Run lints a migration directory on the empty dev database at devURL.
// files are all files of the directory in order. Those before the first
// linted file are replayed without analysis (migrations.ReplayConn); every
// file from there on is executed statement by statement and observed, and
// findings are reported for the linted ones. A statement that fails on the
// dev database is reported as finding PG403 and ends the run
// (Report.Incomplete names the first file not analyzed). The returned
// error is for failures of the run itself: connection, replay of the base
// files, inspection.
func Run(ctx context.Context, devURL string, files []*migrations.File, opts Options) (*Report, error) {
	cfg := opts.Config
	if cfg == nil {
		cfg = &Config{}
	}
	linted := func(f *migrations.File) bool { return opts.Linted == nil || opts.Linted[f.Name] }
	first := -1
	rep := &Report{sources: map[string][]byte{}}
	for i, f := range files {
		if linted(f) {
			rep.sources[f.Path] = f.Bytes
			if first < 0 {
				first = i
			}
			rep.Files = append(rep.Files, f.Path)
		}
	}
	if first < 0 {
		return rep, nil
	}
	if opts.Prepare != nil {
		if err := opts.Prepare(ctx, devURL); err != nil {
			return nil, err
		}
	}
	e, err := openEngine(ctx, devURL)
	if err != nil {
		return nil, err
	}
	defer e.close()
	if err := e.replay(ctx, files[:first]); err != nil {
		return nil, fmt.Errorf("replay the files before %s: %w", files[first].Name, err)
	}
	e.ahead = files[first:]
	if err := e.begin(ctx); err != nil {
		return nil, err
	}
	for i, f := range files[first:] {
		fr, err := e.runFile(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Path, err)
		}
		if linted(f) {
			// Analyzed once its statements' diffs are done, while the
			// server runs the next file (engine.later).
			err := e.later(func() error {
				rep.Findings = append(rep.Findings, cfg.apply(f, analyzeFile(ctx, e, fr))...)
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.Path, err)
			}
		}
		if fr.Failed {
			if next := first + i + 1; next < len(files) {
				rep.Incomplete = files[next].Path
			}
			break
		}
	}
	if err := e.drain(); err != nil {
		return nil, err
	}
	rep.sort()
	return rep, nil
}

// analyzeFile runs every analyzer on a file the engine ran.
func analyzeFile(ctx context.Context, e *engine, fr *fileRun) []Finding {
	found := atlasFindings(ctx, e.drv, fr)
	for _, w := range fr.File.Warnings {
		info := checkInfo[codeDirective]
		fix := info.Fix
		if w.Fix != "" {
			fix = w.Fix
		}
		found = append(found, Finding{Code: codeDirective, Analyzer: info.Analyzer, Severity: info.Severity,
			Message: w.Msg, Why: info.Why, Fix: fix, Pos: w.Pos})
	}
	p := &pass{file: fr}
	for _, c := range checks {
		c.run(p)
	}
	return append(found, p.found...)
}
