package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/schemactl/schemactl/internal/pgurl"
	"github.com/schemactl/schemactl/lint"
	"github.com/schemactl/schemactl/migrations"
	"github.com/schemactl/schemactl/migrations/down"
)

func migrateDownCommand() *cli.Command {
	return &cli.Command{
		Name:      "down",
		Usage:     "revert the last N applied migration files (default 1), or down to --to-version, without down files",
		ArgsUsage: "[N]",
		Description: `Computes the revert from the migration directory itself: replays --dir up to
the target version on a dev database (--dev-url), inspects the database
--url, and refuses when the database is not at the state the directory's
applied files produce (naming each difference), when a file after the target
is half-applied or failed, when the history names a file the directory lacks,
or when the target is below a baseline. Then it plans the change from the
database's state to the target state, proves the plan on a dev database,
lints it (locks, data loss), prints it, and asks (--auto-approve skips the
question; without a terminal it is required). The plan and the removal of
the reverted rows of atlas_schema_revisions run in one transaction (a plan
that cannot run in one runs statement by statement, the rows removed after
it). A plan that drops a table holding rows, or a column holding values, is
refused without --allow-data-loss. --dry-run prints the plan and stops.
--to-version 0 reverts every file. Afterwards the database is compared with
the directory replayed to the target.`,
		Flags: append(append(targetFlags(),
			&cli.StringFlag{Name: "to-version", Usage: "revert down to `VERSION` (the last version kept; 0 for none)"},
			&cli.BoolFlag{Name: "dry-run", Usage: "print the plan, change nothing"},
			&cli.BoolFlag{Name: "auto-approve", Usage: "apply without asking"},
			&cli.BoolFlag{Name: "allow-data-loss", Usage: "revert even when dropped tables or columns hold data"},
			&cli.DurationFlag{Name: "lock-timeout", Value: migrations.DefaultLockTimeout, Usage: "wait this long for another migration on the same database to finish"},
			devBaselineFlag(),
			renameFlag(),
		), append(fleetFlags(), fleetRunFlags()...)...),
		Action: migrateDown,
	}
}

// downTarget reads N or --to-version.
func downTarget(c *cli.Context) (down.Target, error) {
	args, err := positionalArgs(c)
	if err != nil {
		return down.Target{}, err
	}
	v := c.String("to-version")
	switch {
	case len(args) > 1:
		return down.Target{}, usagef("migrate down takes at most one argument, the number of files to revert")
	case len(args) == 1 && v != "":
		return down.Target{}, usagef("give the number of files to revert or --to-version, not both")
	case len(args) == 1:
		n, err := strconv.Atoi(args[0])
		if err != nil || n < 1 {
			return down.Target{}, usagef("invalid number of files %q: pass a positive integer", args[0])
		}
		return down.Target{Count: n}, nil
	case v != "":
		return down.Target{Version: v}, nil
	}
	return down.Target{Count: 1}, nil
}

func migrateDown(c *cli.Context) error {
	target, err := downTarget(c)
	if err != nil {
		return err
	}
	if ok, err := isFleet(c); err != nil || ok {
		if err != nil {
			return err
		}
		return fleetDown(c, target)
	}
	raw, err := migrateDirOf(c)
	if err != nil {
		return err
	}
	path, err := migrations.DirFromURL(raw)
	if err != nil {
		return usageError{err}
	}
	d, err := migrations.Open(path)
	if err != nil {
		return err
	}
	p, err := readProject(c)
	if err != nil {
		return err
	}
	if err := p.openDev(); err != nil {
		return err
	}
	defer p.Close()
	t, err := openTarget(c)
	if err != nil {
		return err
	}
	defer t.close()
	err = runDown(c, p, t, d, target)
	return pgurl.RedactError(err, t.secret)
}

func runDown(c *cli.Context, p *project, t *target, d *migrations.Dir, target down.Target) error {
	ctx := c.Context
	plan, err := down.Prepare(ctx, t.conn, t.cfg, d, target, down.Options{Load: p.load, History: t.history, Renames: p.renames})
	if err != nil {
		return err
	}
	defer plan.Close(ctx)
	w := c.App.Writer
	names := make([]string, len(plan.Reverted))
	for i, r := range plan.Reverted {
		names[i] = r.Version
		if r.Description != "" {
			names[i] += "_" + r.Description
		}
	}
	fmt.Fprintf(w, "-- Reverting %d file(s), version %s back to %s: %s\n", len(plan.Reverted), plan.Current, plan.Target, strings.Join(names, ", "))
	if plan.Plan.Empty() {
		fmt.Fprintln(w, "-- No schema change: the reverted files changed nothing schemactl inspects; only their history rows are removed.")
	} else {
		fmt.Fprint(w, plan.Content)
		warnPlan(c.App.ErrWriter, plan.Plan)
	}
	if plan.Lint != nil && len(plan.Lint.Findings) > 0 {
		fmt.Fprintf(c.App.ErrWriter, "lint of the revert plan (%s is the plan above):\n", down.FileName)
		if err := lint.Write(c.App.ErrWriter, plan.Lint, "text", lint.FormatOptions{}); err != nil {
			return err
		}
	}
	if len(plan.DataLoss) > 0 {
		verdict := "refused without --allow-data-loss"
		if c.Bool("allow-data-loss") {
			verdict = "allowed by --allow-data-loss"
		}
		fmt.Fprintf(c.App.ErrWriter, "schemactl: the revert drops data (%s):\n  %s\n", verdict, strings.Join(plan.DataLoss, "\n  "))
	}
	if c.Bool("dry-run") {
		return nil
	}
	if len(plan.DataLoss) > 0 && !c.Bool("allow-data-loss") {
		return exitError{code: 1, msg: "not reverted: the plan would lose data (pass --allow-data-loss to revert anyway)"}
	}
	if !c.Bool("auto-approve") {
		ok, err := approve(c)
		if err != nil {
			return err
		}
		if !ok {
			return exitError{code: 1, msg: "not reverted"}
		}
	}
	timeout := c.Duration("lock-timeout")
	if timeout == 0 {
		timeout = -1
	}
	if err := plan.Apply(ctx, t.conn, t.cfg, down.ApplyOptions{LockTimeout: timeout, AllowDataLoss: c.Bool("allow-data-loss")}); err != nil {
		return err
	}
	fmt.Fprintf(w, "reverted %d file(s): the database is at version %s (%d statement(s))\n", len(plan.Reverted), plan.Target, len(plan.Plan.Stmts))
	return nil
}
