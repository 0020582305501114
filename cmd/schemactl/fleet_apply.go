package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/urfave/cli/v2"

	"github.com/schemactl/schemactl/migrations"
)

// fleetApply is `migrate apply` over a fleet: each target as a single
// apply does it (its own lock, history and crash-safe resume), several at
// once, a line per target as it ends, then the summary.
func fleetApply(c *cli.Context, limit int) error {
	if c.Bool("dry-run") {
		return usagef("--dry-run works on one target: give it --url")
	}
	format := c.String("format")
	if format != "" && format != "json" {
		return usagef("a fleet apply prints text or --format json")
	}
	f, err := openFleet(c, true)
	if err != nil {
		return err
	}
	ctx := c.Context
	start := time.Now()
	f.bound(ctx, func(ctx context.Context, t *fleetTarget) (*pgx.Conn, error) { return connectTarget(ctx, c, t) })
	var lines io.Writer = c.App.Writer
	if format == "json" {
		lines = nil
	}
	res := f.run(ctx, lines, func(r *migrations.FleetResult) string { return applyLine(f.targets[r.Index], r) },
		func(ctx context.Context, t *fleetTarget) (string, error) { return applyTarget(ctx, c, t, limit) })
	took := time.Since(start)
	if format == "json" {
		if err := writeFleetJSON(c.App.Writer, f, res, took); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(c.App.Writer)
		fleetSummary(c.App.Writer, "Fleet apply", res, f.parallel, took)
	}
	return fleetExit(res)
}

// applyTarget applies the pending files of one target.
func applyTarget(ctx context.Context, c *cli.Context, t *fleetTarget, limit int) (string, error) {
	conn, err := connectTarget(ctx, c, t)
	if err != nil {
		return "", err
	}
	defer migrations.CloseWait(conn, closeWait)
	defer t.svc.close()
	h, err := migrations.ResolveHistory(ctx, conn, t.cfg, t.revisions)
	if err != nil {
		return "", err
	}
	opts := migrations.ApplyOptions{
		History:         h,
		SchemaBound:     migrations.BoundSchema(t.cfg),
		TxMode:          c.String("tx-mode"),
		ExecOrder:       c.String("exec-order"),
		Baseline:        c.String("baseline"),
		AllowDirty:      c.Bool("allow-dirty"),
		Limit:           limit,
		LockTimeout:     c.Duration("lock-timeout"),
		OperatorVersion: operatorVersion(),
		Secrets:         t.secrets,
	}
	if t.svc != nil {
		opts.Secrets, opts.Privileged = append(opts.Secrets, t.svc.secrets...), t.svc.privileged(c)
	}
	if opts.LockTimeout == 0 {
		opts.LockTimeout = -1
	}
	rep, err := migrations.Apply(ctx, conn, t.files, opts)
	t.apply, t.applyErr = rep, err
	if err != nil {
		if hint := t.svc.permissionHint(err); hint != "" {
			err = fmt.Errorf("%w\n%s", err, hint)
		}
		return "", err
	}
	if len(rep.Files) == 0 && rep.Baseline == "" {
		return migrations.FleetCurrent, nil
	}
	return migrations.FleetApplied, nil
}

// applyLine is the line of a target that ended.
func applyLine(t *fleetTarget, r *migrations.FleetResult) string {
	took := r.Duration.Round(time.Millisecond)
	switch r.Outcome {
	case migrations.FleetSkipped:
		return r.Skipped
	case migrations.FleetFailed:
		return firstLine(r.Err.Error())
	}
	rep := t.apply
	if r.Outcome == migrations.FleetCurrent {
		at := rep.From
		if at == "" {
			at = "an empty history (no migration files)"
		}
		return fmt.Sprintf("at %s  %s", at, took)
	}
	from := rep.From
	if from == "" {
		from = "an empty history"
	}
	to := rep.To
	if len(rep.Files) == 0 {
		to = rep.Baseline + " (baseline)"
	}
	return fmt.Sprintf("%d %s (%d statements) to %s from %s  %s", len(rep.Files), plural(len(rep.Files), "file"), rep.Statements(), to, from, took)
}

// fleetJSON is what a fleet command prints with --format json.
type fleetJSON struct {
	Targets []fleetTargetJSON `json:"Targets"`
	Summary fleetSummaryJSON  `json:"Summary"`
}

type fleetTargetJSON struct {
	Name string `json:"Name"`
	// Status is applied, current, failed or skipped.
	Status  string     `json:"Status"`
	Error   *errorJSON `json:"Error,omitempty"`
	Skipped string     `json:"Skipped,omitempty"`
	Start   *time.Time `json:"Start,omitempty"`
	// Duration is in milliseconds.
	Duration float64    `json:"DurationMs"`
	Report   *applyView `json:"Report,omitempty"`
}

type fleetSummaryJSON struct {
	Targets  int     `json:"Targets"`
	Applied  int     `json:"Applied"`
	Current  int     `json:"Current"`
	Failed   int     `json:"Failed"`
	Skipped  int     `json:"Skipped"`
	Parallel int     `json:"Parallel"`
	Duration float64 `json:"DurationMs"`
}

func writeFleetJSON(w io.Writer, f *fleet, res []*migrations.FleetResult, took time.Duration) error {
	out := fleetJSON{Targets: []fleetTargetJSON{}}
	for _, r := range res {
		tj := fleetTargetJSON{Name: r.Target.Name, Status: r.Outcome, Skipped: r.Skipped, Duration: ms(r.Duration)}
		if !r.Start.IsZero() {
			st := r.Start
			tj.Start = &st
		}
		if r.Err != nil {
			tj.Error = newErrorJSON(r.Err)
		}
		if t := f.targets[r.Index]; t.apply != nil {
			v := newApplyView(t.apply, t.applyErr)
			v.Err = nil
			tj.Report = &v
		}
		out.Targets = append(out.Targets, tj)
	}
	n := migrations.FleetCounts(res)
	out.Summary = fleetSummaryJSON{Targets: len(res), Applied: n[migrations.FleetApplied], Current: n[migrations.FleetCurrent],
		Failed: n[migrations.FleetFailed], Skipped: n[migrations.FleetSkipped], Parallel: f.parallel, Duration: ms(took)}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
