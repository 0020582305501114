package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/urfave/cli/v2"

	"github.com/schemactl/schemactl/migrations"
)

// fleetProvision is `provision` over the services of an env with for_each:
// each instance's service block, provisioned as a single provision does.
func fleetProvision(c *cli.Context) error {
	if c.String("targets") != "" {
		return usagef("provision sets up services: give it an env with for_each and a service block (--env), not --targets")
	}
	f, err := openFleet(c, false)
	if err != nil {
		return err
	}
	admin := map[*fleetTarget]*pgx.ConnConfig{}
	for _, t := range f.targets {
		if t.err != nil {
			continue
		}
		if t.svc == nil {
			t.err = fmt.Errorf("env %q has no service block", c.String("env"))
			continue
		}
		cfg, _, _, err := t.svc.adminConfig(c)
		if err != nil {
			t.err = err
			continue
		}
		admin[t] = cfg
		t.server = fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)
	}
	f.verb = "provisioned"
	start := time.Now()
	f.bound(c.Context, func(ctx context.Context, t *fleetTarget) (*pgx.Conn, error) {
		cfg := admin[t].Copy()
		cfg.Database = "postgres"
		return migrations.ConnectConfig(ctx, cfg, connOptions(c))
	})
	res := f.run(c.Context, c.App.Writer, func(r *migrations.FleetResult) string {
		t := f.targets[r.Index]
		switch r.Outcome {
		case migrations.FleetSkipped:
			return r.Skipped
		case migrations.FleetFailed:
			return firstLine(r.Err.Error())
		}
		return strings.Join(t.provisioned, "\n    ")
	}, func(ctx context.Context, t *fleetTarget) (string, error) {
		var b strings.Builder
		tc := *c // the same command, with the target's context (its --timeout)
		tc.Context = ctx
		changes, err := provisionService(&tc, t.svc, &b)
		t.provisioned = strings.Split(strings.TrimSpace(b.String()), "\n")
		if err != nil {
			return "", err
		}
		if changes == 0 {
			return migrations.FleetCurrent, nil
		}
		return migrations.FleetApplied, nil
	})
	fmt.Fprintln(c.App.Writer)
	fleetSummary(c.App.Writer, "Fleet provision", res, f.parallel, time.Since(start))
	return fleetExit(res)
}
