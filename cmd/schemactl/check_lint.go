package main

import (
	"context"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/schemactl/schemactl/lint"
	"github.com/schemactl/schemactl/schema"
)

// checkLint is the lint step of check: it lints the files changed since
// --git-base (else the files the lint block of the env selects, else all
// of them) on a fresh dev database and prints the findings. A finding of
// error severity fails the check.
func checkLint(c *cli.Context, r *checkRun) error {
	hcl, err := loadLintConfig(c)
	if err != nil {
		return err
	}
	sel := lint.Selection{GitBase: c.String("git-base")}
	if sel.GitBase == "" && hcl != nil {
		sel = lint.Selection{Latest: hcl.Latest, GitBase: hcl.GitBase}
	}
	opts := lint.Options{Config: lint.ConfigFromHCL(hcl)}
	if b := r.p.load.Baseline; b != "" {
		opts.Prepare = func(ctx context.Context, url string) error { return schema.ApplyBaseline(ctx, url, b) }
	}
	rep, err := lint.LintDir(c.Context, r.p.dev, r.dir, sel, opts)
	if err != nil {
		return err
	}
	if len(rep.Findings) > 0 {
		color := isTerminal(c.App.Writer) && os.Getenv("NO_COLOR") == ""
		if err := lint.Write(c.App.Writer, rep, "text", lint.FormatOptions{Color: color}); err != nil {
			return err
		}
	}
	if rep.HasErrors() {
		errs, _ := rep.Summary()
		return exitError{code: 1, msg: fmt.Sprintf("%s: lint found %d error(s); see schemactl migrate lint", r.dir, errs)}
	}
	return nil
}
