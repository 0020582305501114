package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/urfave/cli/v2"

	"github.com/schemactl/schemactl/migrations"
)

// fleetSet is `migrate set` over a fleet.
func fleetSet(c *cli.Context, version string) error {
	f, err := openFleet(c, true)
	if err != nil {
		return err
	}
	lt := c.Duration("lock-timeout")
	if lt == 0 {
		lt = -1
	}
	f.verb = "set"
	start := time.Now()
	f.bound(c.Context, func(ctx context.Context, t *fleetTarget) (*pgx.Conn, error) { return connectTarget(ctx, c, t) })
	res := f.run(c.Context, c.App.Writer, func(r *migrations.FleetResult) string {
		t := f.targets[r.Index]
		switch r.Outcome {
		case migrations.FleetSkipped:
			return r.Skipped
		case migrations.FleetFailed:
			return firstLine(r.Err.Error())
		case migrations.FleetCurrent:
			return "history unchanged"
		}
		return fmt.Sprintf("%d revisions set, %d removed", len(t.set.Set), len(t.set.Removed))
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
		t.set, err = migrations.SetVersion(ctx, conn, h, t.files, version,
			migrations.SetOptions{LockTimeout: lt, OperatorVersion: operatorVersion()})
		if err != nil {
			return "", err
		}
		if len(t.set.Set) == 0 && len(t.set.Removed) == 0 {
			return migrations.FleetCurrent, nil
		}
		return migrations.FleetApplied, nil
	})
	fmt.Fprintln(c.App.Writer)
	fleetSummary(c.App.Writer, "Fleet set", res, f.parallel, time.Since(start))
	return fleetExit(res)
}
