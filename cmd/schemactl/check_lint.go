package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/schemactl/schemactl/internal/atlashcl"
	"github.com/schemactl/schemactl/lint"
	"github.com/schemactl/schemactl/schema"
)

// checkLint is the lint step of check: it lints the files that
// checkSelection picks on a fresh dev database and prints the findings. A
// finding of error severity fails the check.
func checkLint(c *cli.Context, r *checkRun) error {
	hcl, err := loadLintConfig(c)
	if err != nil {
		return err
	}
	sel, what, err := checkSelection(c, hcl, r.dir)
	if err != nil {
		return err
	}
	opts := lint.Options{Config: lint.ConfigFromHCL(hcl)}
	if what != "" {
		// A git selection: lint nothing when nothing is new.
		if opts.Linted, err = lint.Select(c.Context, r.dir, r.d.Files, sel); err != nil {
			return err
		}
	}
	if what != "" && len(opts.Linted) == 0 {
		if r.md != nil {
			r.md.lintNote = "no file linted: " + what
			r.md.record("lint", false, "no file linted: "+what)
			return nil
		}
		fmt.Fprintf(c.App.Writer, "lint: no file linted: %s (--latest N or --git-base REF choose others)\n", what)
		return nil
	}
	if b := r.p.load.Baseline; b != "" {
		opts.Prepare = func(ctx context.Context, url string) error { return schema.ApplyBaseline(ctx, url, b) }
	}
	rep, err := lint.LintDir(c.Context, r.p.dev, r.dir, sel, opts)
	if err != nil {
		return err
	}
	if r.md != nil {
		r.md.lint = rep
		if !rep.HasErrors() {
			r.md.record("lint", false, rep.Verdict())
			return nil
		}
		errs, _ := rep.Summary()
		return exitError{code: 1, msg: fmt.Sprintf("lint found %d error(s)", errs)}
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

// checkSelection picks the files check lints: --latest N, --git-base REF,
// the env's lint block (latest = N, git { base = REF }), else the files
// added or changed since the merge base with the default branch, so that
// an adopted history is not judged by rules it predates. what describes a
// git selection for the line printed when it holds no file; with nothing
// to compare against (not a git checkout, no default branch), the
// selection is empty.
func checkSelection(c *cli.Context, hcl *atlashcl.Lint, dir string) (sel lint.Selection, what string, err error) {
	if c.Int("latest") < 0 {
		return sel, "", usagef("--latest must not be negative")
	}
	sel = lint.Selection{Latest: c.Int("latest"), GitBase: c.String("git-base")}
	if sel.Latest > 0 && sel.GitBase != "" {
		return sel, "", usagef("use either --latest or --git-base, not both")
	}
	if sel == (lint.Selection{}) && hcl != nil {
		sel = lint.Selection{Latest: hcl.Latest, GitBase: hcl.GitBase}
	}
	switch {
	case sel.Latest > 0:
		return sel, "", nil
	case sel.GitBase != "":
		return sel, "nothing added or changed since the merge base with " + sel.GitBase, nil
	}
	ref, why := defaultBranch(c.Context, dir)
	if ref == "" {
		return sel, why, nil
	}
	sel.GitBase = ref
	return sel, "nothing added or changed since the merge base with the default branch " + ref, nil
}

// defaultBranch returns the default branch of the git checkout holding
// dir: origin/HEAD when it is set, else main, else master. Without one it
// returns "" and why.
func defaultBranch(ctx context.Context, dir string) (ref, why string) {
	git := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		return strings.TrimSpace(string(out)), err
	}
	if out, err := git("rev-parse", "--is-inside-work-tree"); err != nil || out != "true" {
		return "", dir + " is not in a git checkout, so none is new"
	}
	if out, err := git("symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD"); err == nil && out != "" {
		return out, ""
	}
	for _, b := range []string{"main", "master"} {
		if _, err := git("rev-parse", "--verify", "-q", "refs/heads/"+b+"^{commit}"); err == nil {
			return b, ""
		}
	}
	return "", "no default branch (origin/HEAD, main or master) to compare with"
}
