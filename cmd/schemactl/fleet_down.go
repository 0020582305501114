package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/urfave/cli/v2"

	"github.com/schemactl/schemactl/migrations"
	"github.com/schemactl/schemactl/migrations/down"
)

// fleetDown is `migrate down` over a fleet: each target reverted as a
// single migrate down does it (checked against the directory, the plan
// proved and linted), without questions: --auto-approve or --dry-run.
func fleetDown(c *cli.Context, to down.Target) error {
	if !c.Bool("auto-approve") && !c.Bool("dry-run") {
		return usagef("migrate down over a fleet asks no questions: pass --auto-approve (or --dry-run to print each target's plan)")
	}
	f, err := openFleet(c, false)
	if err != nil {
		return err
	}
	dirs := map[string]*migrations.Dir{}
	dirOf := map[*fleetTarget]*migrations.Dir{}
	for _, t := range f.targets {
		if t.err != nil {
			continue
		}
		raw := c.String("dir")
		if !c.IsSet("dir") && t.env != nil && t.env.Dir != "" {
			raw = t.env.Dir
		}
		d, ok := dirs[raw]
		if !ok {
			path, err := migrations.DirFromURL(raw)
			if err != nil {
				return usageError{err}
			}
			if d, err = migrations.Open(path); err != nil {
				return err
			}
			dirs[raw] = d
		}
		dirOf[t] = d
	}
	p, err := readProject(c)
	if err != nil {
		return err
	}
	if err := p.openDev(); err != nil {
		return err
	}
	defer p.Close()
	f.verb = "reverted"
	if c.Bool("dry-run") {
		f.verb = "planned"
	}
	start := time.Now()
	f.bound(c.Context, func(ctx context.Context, t *fleetTarget) (*pgx.Conn, error) { return connectTarget(ctx, c, t) })
	res := f.run(c.Context, c.App.Writer, func(r *migrations.FleetResult) string {
		t := f.targets[r.Index]
		switch r.Outcome {
		case migrations.FleetSkipped:
			return r.Skipped
		case migrations.FleetFailed:
			return firstLine(r.Err.Error())
		}
		if c.Bool("dry-run") {
			return "\n    " + strings.ReplaceAll(strings.TrimSpace(t.output), "\n", "\n    ")
		}
		lines := strings.Split(strings.TrimSpace(t.output), "\n")
		return lines[len(lines)-1]
	}, func(ctx context.Context, t *fleetTarget) (string, error) {
		conn, err := connectTarget(ctx, c, t)
		if err != nil {
			return "", err
		}
		defer migrations.CloseWait(conn, closeWait)
		h, err := migrations.ResolveHistory(ctx, conn, t.cfg, t.revisions)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		app := *c.App
		app.Writer, app.ErrWriter = &b, &b
		tc := *c
		tc.App, tc.Context = &app, ctx
		err = runDown(&tc, p, &target{conn: conn, cfg: t.cfg, history: h, secret: t.cfg.Password}, dirOf[t], to)
		t.output = b.String()
		if err != nil {
			return "", err
		}
		return migrations.FleetApplied, nil
	})
	fmt.Fprintln(c.App.Writer)
	fleetSummary(c.App.Writer, "Fleet down", res, f.parallel, time.Since(start))
	return fleetExit(res)
}
