package lint

import (
	"context"
	"sync"

	"github.com/schemactl/schemactl/devdb"
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
	// the dev baseline: roles, extensions, schemas the migrations expect),
	// and on every further database of Dev.
	Prepare func(ctx context.Context, devURL string) error
	// Dev, when not nil, hands out further dev databases: a run over many
	// files is then shared between sessions, each on a database of its
	// own (see Sessions). The report is the same.
	Dev devdb.Provider
	// Sessions caps the sessions of a run with Dev; 0 means one per CPU
	// the Go runtime may use (GOMAXPROCS, which follows a container's CPU
	// limit), at most 4. Fewer are used when the cost model predicts no
	// gain (few files, a long replay before the first linted file, or too
	// few CPUs for another session).
	Sessions int
	// cuts, when set (tests), are the indexes of the files where shares
	// start after the first, instead of the cost model's.
	cuts []int
	// pgLocks, when set (benchmarks), reads pg_locks after every statement
	// instead of deriving the locks of common DDL (staticLocks).
	pgLocks bool
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
	shares, dbs := opts.plan(ctx, files, first)
	defer func() {
		for _, db := range dbs {
			db.Close(ctx)
		}
	}()
	results := make([]shareResult, len(shares))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for k := 1; k < len(shares); k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			url := dbs[k-1].URL
			if opts.Prepare != nil {
				if err := opts.Prepare(ctx, url); err != nil {
					results[k].err = err
					return
				}
			}
			results[k] = runShare(ctx, url, files, first, shares[k], cfg, linted, opts.pgLocks)
		}()
	}
	results[0] = runShare(ctx, devURL, files, first, shares[0], cfg, linted, opts.pgLocks)
	if results[0].err != nil || results[0].failed {
		// The other sessions' reports would start after the failure.
		cancel()
	}
	wg.Wait()
	for _, res := range results {
		if res.err != nil {
			return nil, res.err
		}
		rep.Findings = append(rep.Findings, res.findings...)
		rep.Statements = append(rep.Statements, res.statements...)
		if res.failed {
			rep.Incomplete = res.incomplete
			break
		}
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
