package main

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"
	"text/template"

	"github.com/urfave/cli/v2"

	"github.com/schemactl/schemactl/internal/atlashcl"
	"github.com/schemactl/schemactl/lint"
	"github.com/schemactl/schemactl/schema"
)

// defaultProjectFile is the project file read when --config is not given.
const defaultProjectFile = "atlas.hcl"

func migrateLintCommand() *cli.Command {
	return &cli.Command{
		Name:  "lint",
		Usage: "run migration files on a dev database and report dangerous changes (locks, rewrites, data loss)",
		Description: `Replays --dir on a fresh dev database up to the first linted file, then runs
each linted statement as apply would and reports what it did: locks on
existing tables, table rewrites, scans, destructive and breaking changes,
statements that cannot run in a transaction, style problems. Every finding
has a code (PG101..., Atlas's DS/MF/BC/CD codes), the lock taken and what it
blocks, and a fix. Silence one with -- atlas:nolint CODE above the statement.

Files: --latest N (the last N), --git-base REF (added or changed since the
merge base with REF), else all. Severities come from the lint blocks of
atlas.hcl (e.g. lint { destructive { error = false } }); --env also brings
the env's migration dir, dev database and dev baseline. Exit code 1 when a
finding of error severity exists.`,
		Flags: append(stateFlags(),
			&cli.StringFlag{Name: "dir", Usage: "migration directory (file://PATH or PATH; default: the env's migration dir, else file://migrations)"},
			&cli.IntFlag{Name: "latest", Usage: "lint the last `N` files"},
			&cli.StringFlag{Name: "git-base", Usage: "lint the files added or changed since the merge base with git `REF`"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "output: text, json, github (workflow commands), sarif (2.1.0), gitlab (code quality), markdown (a pull-request comment), or a Go template ('{{ range .Files }}{{ .Name }}{{ end }}')"},
			&cli.StringFlag{Name: "color", Value: "auto", Usage: "colour the text output: auto, always, never"},
		),
		Action: migrateLint,
	}
}

func migrateLint(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("migrate lint takes no arguments")
	}
	format := c.String("format")
	var tmpl *template.Template
	if isTemplate(format) {
		t, err := parseTemplate(format, nil)
		if err != nil {
			return err
		}
		tmpl = t
	} else if !slices.Contains(lint.Formats, format) {
		return usagef("--format %q: use one of %s, or a Go template ('{{ json . }}')", format, strings.Join(lint.Formats, ", "))
	}
	color := false
	switch c.String("color") {
	case "auto":
		color = isTerminal(c.App.Writer) && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	case "always":
		color = true
	case "never":
	default:
		return usagef("--color %q: use auto, always or never", c.String("color"))
	}
	if c.Int("latest") < 0 {
		return usagef("--latest must not be negative")
	}
	sel := lint.Selection{Latest: c.Int("latest"), GitBase: c.String("git-base")}
	if sel.Latest > 0 && sel.GitBase != "" {
		return usagef("use either --latest or --git-base, not both")
	}
	hcl, err := loadLintConfig(c)
	if err != nil {
		return err
	}
	if sel.Latest == 0 && sel.GitBase == "" && hcl != nil {
		sel = lint.Selection{Latest: hcl.Latest, GitBase: hcl.GitBase}
	}
	p, err := openProject(c)
	if err != nil {
		return err
	}
	defer p.Close()
	dir, err := p.migrationDir()
	if err != nil {
		return err
	}
	opts := lint.Options{Config: lint.ConfigFromHCL(hcl)}
	if baseline := p.load.Baseline; baseline != "" {
		opts.Prepare = func(ctx context.Context, url string) error { return schema.ApplyBaseline(ctx, url, baseline) }
	}
	rep, err := lint.LintDir(c.Context, p.dev, dir, sel, opts)
	if err != nil {
		return err
	}
	if tmpl != nil {
		if err := execTemplate(c.App.Writer, tmpl, rep.Template(dir)); err != nil {
			return err
		}
	} else if err := lint.Write(c.App.Writer, rep, format, lint.FormatOptions{Color: color, ToolVersion: buildVersion()}); err != nil {
		return err
	}
	if rep.HasErrors() {
		return exitError{code: 1}
	}
	return nil
}

// loadLintConfig reads the lint blocks of --config (for --env). The
// default project file may be absent; a file named on purpose must exist.
func loadLintConfig(c *cli.Context) (*atlashcl.Lint, error) {
	path := strings.TrimPrefix(c.String("config"), "file://")
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) && !c.IsSet("config") {
		if c.String("env") != "" {
			return nil, usagef("--env %q given but there is no %s", c.String("env"), defaultProjectFile)
		}
		return nil, nil
	}
	return atlashcl.LoadLint(path, c.String("env"))
}
