package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/schemactl/schemactl/internal/pgurl"
	"github.com/schemactl/schemactl/migrations"
	"github.com/schemactl/schemactl/schema"
)

func checkCommand() *cli.Command {
	return &cli.Command{
		Name:  "check",
		Usage: "check that the migration directory is intact, replays, and matches the desired state",
		Description: `For CI. In order:
  1. the directory matches its atlas.sum (an edited, added or removed file fails),
     and every pin block of --env holds its hash (a stale one is printed as
     file:line with the value found and the one expected, and check fails);
  2. every file replays on a dev database (a failing statement is file:line:col);
  3. lint (schemactl migrate lint) finds no error in the new files: by
     default those added or changed since the merge base with the default
     branch (origin/HEAD, else main, else master), none outside a git
     checkout; --latest N, --git-base REF or the env's lint block
     (latest = N, git { base = REF }) choose others;
  4. the replayed directory equals the desired state --to (default: the env's
     src): if not, the statements that would bring it in sync are printed and
     the exit code is 1 (run schemactl migrate diff to write them).
With --git-base REF, nothing is checked when neither the desired-state files
nor the directory changed since the merge base with REF ("nothing changed").

` + stateURLs,
		Flags: append(stateFlags(),
			&cli.StringFlag{Name: "dir", Usage: "migration directory (file://PATH or PATH; default: the env's migration dir, else file://migrations)"},
			&cli.StringSliceFlag{Name: "to", Usage: "the desired state (`URL`)"},
			&cli.StringFlag{Name: "git-base", Usage: "skip when nothing changed since the merge base with git `REF`; lint the files added or changed since then"},
			&cli.IntFlag{Name: "latest", Usage: "lint the last `N` files (instead of those new since the default branch)"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "output: text, markdown (one report for a pull-request comment, written at the end), or a Go template ('{{ .Verdict }}')"},
		),
		Action: check,
	}
}

// checkRun is the state of one check run, passed from step to step.
type checkRun struct {
	p    *project
	dir  string
	to   *schema.Source
	d    *migrations.Dir
	cur  *schema.Loaded
	want *schema.Loaded
	// md collects the report of --format markdown; nil for text.
	md *checkReport
	// stalePins counts the pins of --env that do not hold the hash.
	stalePins int
}

// checkStep is one step of check; a step that finds a problem returns an
// error (exitError{code: 1} when it printed the problem itself). Steps run
// in order: lint would go after replay, before the comparison.
type checkStep struct {
	name string
	run  func(c *cli.Context, r *checkRun) error
}

var checkSteps = []checkStep{
	{"integrity", checkIntegrity},
	{"pins", checkPins},
	{"replay", checkReplay},
	{"lint", checkLint},
	{"desired state", checkInSync},
}

func check(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("check takes no arguments")
	}
	p, err := openProject(c)
	if err != nil {
		return err
	}
	defer p.Close()
	r := &checkRun{p: p}
	switch f := c.String("format"); {
	case f == "text":
	case f == "markdown":
		r.md = &checkReport{}
	case isTemplate(f):
		r.md = &checkReport{}
		if r.md.tmpl, err = parseTemplate(f, nil); err != nil {
			return err
		}
	default:
		return usagef("--format %q: use one of %s, or a Go template ('{{ .Verdict }}')", f, strings.Join(checkFormats, ", "))
	}
	if r.dir, err = p.migrationDir(); err != nil {
		return err
	}
	if r.to, err = p.source("to", true); err != nil {
		return err
	}
	if ref := c.String("git-base"); ref != "" {
		changed, base, err := changedSince(c.Context, ref, r.dir, r.to)
		if err != nil {
			return err
		}
		if !changed {
			msg := fmt.Sprintf("nothing changed since %s (merge base %s): neither %s nor the desired state", ref, shortHash(base), r.dir)
			if r.md != nil {
				r.md.dir, r.md.to, r.md.note = r.dir, r.to.Redacted(), msg
				return r.md.write(c.App.Writer)
			}
			fmt.Fprintln(c.App.Writer, msg)
			return nil
		}
	}
	defer closeAll(c.Context, r.cur, r.want)
	if r.md != nil {
		if err := checkMarkdown(c, r); err != nil {
			return err
		}
		return r.pinsError()
	}
	for _, s := range checkSteps {
		if err := s.run(c, r); err != nil {
			return err
		}
	}
	return r.pinsError()
}

// checkMarkdown runs the steps for --format markdown: a step that fails
// is recorded, and the steps after it run when they can (lint findings do
// not stop the comparison with the desired state); the report is written
// at the end.
func checkMarkdown(c *cli.Context, r *checkRun) error {
	r.md.dir, r.md.to = r.dir, r.to.Redacted()
	var first error
	for _, s := range checkSteps {
		err := s.run(c, r)
		if err == nil {
			continue
		}
		var ee exitError
		msg := err.Error()
		if errors.As(err, &ee) && ee.msg != "" {
			msg = ee.msg
		}
		r.md.record(s.name, true, pgurl.Redact(msg))
		if first == nil {
			first = err
		}
		if s.name != "lint" {
			break
		}
	}
	if err := r.md.write(c.App.Writer); err != nil {
		return err
	}
	return first
}

func checkIntegrity(c *cli.Context, r *checkRun) error {
	d, err := migrations.Open(r.dir)
	if err != nil {
		return err
	}
	r.d = d
	for _, w := range d.Warnings() {
		fmt.Fprintf(c.App.ErrWriter, "schemactl: warning: %s\n", w)
	}
	if r.md != nil {
		r.md.files = len(d.Files)
		for _, f := range d.Files {
			r.md.stmts += len(f.Stmts)
		}
		r.md.record("integrity", false, fmt.Sprintf("atlas.sum matches the %d files", len(d.Files)))
	}
	return nil
}

func checkReplay(c *cli.Context, r *checkRun) error {
	from := &schema.Source{Kind: schema.SourceMigrations, Raw: "file://" + r.dir, Dir: r.dir}
	cur, want, err := r.p.loadPair(c.Context, from, r.to)
	if err != nil {
		return err
	}
	r.cur, r.want = cur, want
	if r.md != nil {
		r.md.record("replay", false, "every file replays on a dev database")
	}
	return nil
}

func checkInSync(c *cli.Context, r *checkRun) error {
	if err := strictUnmodelled(c.App.ErrWriter, r.want, r.cur); err != nil {
		return err
	}
	plan, err := r.p.planProved(c.Context, r.cur, r.want, nil)
	if err != nil {
		return err
	}
	n := 0
	for _, f := range r.d.Files {
		n += len(f.Stmts)
	}
	if r.md != nil {
		if plan.Empty() {
			r.md.record("desired state", false, "in sync with "+r.to.Redacted())
			return nil
		}
		r.md.missing, r.md.missingN = planText(plan), len(plan.Stmts)
		warnPlan(c.App.ErrWriter, plan)
		return exitError{code: 1, msg: fmt.Sprintf("not in sync with %s (%d statements missing)", r.to.Redacted(), len(plan.Stmts))}
	}
	if plan.Empty() {
		fmt.Fprintf(c.App.Writer, "%s: %d files, %d statements: intact, replays, in sync with %s\n", r.dir, len(r.d.Files), n, r.to.Redacted())
		return nil
	}
	fmt.Fprintf(c.App.Writer, "-- %s is not in sync with %s; these statements would bring it in sync\n-- (write them with: schemactl migrate diff):\n\n", r.dir, r.to.Redacted())
	fmt.Fprint(c.App.Writer, planText(plan))
	warnPlan(c.App.ErrWriter, plan)
	return exitError{code: 1, msg: fmt.Sprintf("%s is not in sync with the desired state (%d statements missing)", r.dir, len(plan.Stmts))}
}

// changedSince reports whether the migration directory or the desired
// state's files changed (committed, uncommitted or untracked) since the
// merge base of HEAD and ref. A state that is not files (a database) is
// always considered changed.
func changedSince(ctx context.Context, ref, dir string, to *schema.Source) (bool, string, error) {
	git := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, "git", args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
		}
		return strings.TrimSpace(string(out)), nil
	}
	root, err := git("rev-parse", "--show-toplevel")
	if err != nil {
		return false, "", err
	}
	base, err := git("merge-base", ref, "HEAD")
	if err != nil {
		return false, "", err
	}
	if to.Kind == schema.SourceDatabase {
		return true, base, nil
	}
	changed, err := git("-C", root, "diff", "--name-only", base)
	if err != nil {
		return false, "", err
	}
	untracked, err := git("-C", root, "ls-files", "--others", "--exclude-standard")
	if err != nil {
		return false, "", err
	}
	watched := []string{dir}
	watched = append(watched, to.Files...)
	if to.Dir != "" {
		watched = append(watched, to.Dir)
	}
	for i, w := range watched {
		abs, err := filepath.Abs(w)
		if err != nil {
			return false, "", err
		}
		watched[i] = abs
	}
	for _, name := range strings.Fields(changed + "\n" + untracked) {
		p := filepath.Join(root, name)
		for _, w := range watched {
			if p == w || strings.HasPrefix(p, w+string(filepath.Separator)) {
				return true, base, nil
			}
		}
	}
	return false, base, nil
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
