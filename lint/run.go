package lint

import (
	"context"
	"fmt"

	"github.com/schemactl/schemactl/migrations"
)

// File is one migration file as the linter sees it.
type File struct {
	// Name is the file's base name, e.g. 20240101000000_users.sql.
	Name string
	// Path names the file in positions (as given on the command line).
	Path string
	// Src is the file's content.
	Src []byte
	// Stmts are its statements, split by migrations.Split.
	Stmts []migrations.Stmt
	// Directives are the file directives (the leading comment block).
	Directives []migrations.Directive
	// NoTx is set when the file runs without a transaction
	// (`-- atlas:txmode none`).
	NoTx bool
	// Lint is set for the files whose findings are reported; the others
	// are only executed.
	Lint bool
	// Notices are findings about the file found while reading the
	// directory (for example a directive Atlas would ignore).
	Notices []Finding
}

// Options tune a lint run.
type Options struct {
	// Config sets severities; nil means the defaults.
	Config *Config
}

// Run lints files on the empty dev database at devURL. The files are the
// whole directory in order; those before the first file marked Lint are
// replayed without analysis, every file from there on is executed
// statement by statement and observed, and findings are reported for the
// files marked Lint. A statement that fails on the dev database is
// reported as finding PG403 and ends the run (Report.Incomplete). The
// error is for failures of the run itself (connection, inspection).
func Run(ctx context.Context, devURL string, files []*File, opts Options) (*Report, error) {
	cfg := opts.Config
	if cfg == nil {
		cfg = &Config{}
	}
	first := -1
	for i, f := range files {
		if f.Lint {
			first = i
			break
		}
	}
	rep := &Report{}
	for _, f := range files {
		if f.Lint {
			rep.Files = append(rep.Files, f.Path)
		}
	}
	if first < 0 {
		return rep, nil
	}
	e, err := openEngine(ctx, devURL)
	if err != nil {
		return nil, err
	}
	defer e.close()
	if err := e.replay(ctx, files[:first]); err != nil {
		return nil, fmt.Errorf("replay the files before %s: %w", files[first].Name, err)
	}
	if err := e.begin(ctx); err != nil {
		return nil, err
	}
	for i, f := range files[first:] {
		fr, err := e.runFile(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Path, err)
		}
		if f.Lint {
			found, err := analyzeFile(ctx, e, fr)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.Path, err)
			}
			rep.Findings = append(rep.Findings, cfg.apply(fr.File, found)...)
		}
		if fr.Failed {
			if next := first + i + 1; next < len(files) {
				rep.Incomplete = files[next].Path
			}
			break
		}
	}
	rep.sort()
	return rep, nil
}

// analyzeFile runs every analyzer on a file the engine ran.
func analyzeFile(ctx context.Context, e *engine, fr *fileRun) ([]Finding, error) {
	found, err := atlasFindings(ctx, e.drv, fr)
	if err != nil {
		return nil, err
	}
	found = append(found, fr.File.Notices...)
	p := &pass{file: fr}
	for _, c := range checks {
		c.run(p)
	}
	found = append(found, p.found...)
	return found, nil
}
