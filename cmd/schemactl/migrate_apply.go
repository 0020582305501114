package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/urfave/cli/v2"

	"github.com/schemactl/schemactl/migrations"
)

// Exit codes of `migrate status` beyond 0 (up to date), 1 (error) and 2
// (usage error).
const (
	exitStatusPending = 3 // files are pending
	exitStatusFailed  = 4 // the last file failed or stopped half-way
)

// migrateApplyCommands are the `migrate` subcommands that work on a
// target database: apply, status and set.
func migrateApplyCommands() []*cli.Command {
	return []*cli.Command{migrateApplyCommand(), migrateStatusCommand(), migrateSetCommand()}
}

// Flags shared by the commands that connect to the target database.
func targetFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "url", Aliases: []string{"u"}, Usage: "target database: postgres://user:pass@host:port/db (a unix socket as ?host=/dir); parts left out, or the whole URL, come from the libpq environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, PGSERVICE, ~/.pgpass); ?search_path=SCHEMA binds it to one schema"},
		&cli.StringFlag{Name: "dir", Value: "file://migrations", Usage: "migration directory (file://PATH or PATH)"},
		&cli.StringFlag{Name: "revisions-schema", Usage: "schema of the atlas_schema_revisions history table (default: the schema of ?search_path=, else atlas_schema_revisions)"},
		&cli.DurationFlag{Name: "connect-timeout", Value: migrations.DefaultConnectTimeout, Usage: "keep retrying this long while the server is starting up (0 for one attempt)"},
	}, append(serviceFlags(), retryFlags()...)...)
}

// target is an open connection to the database of --url, with its
// history table.
type target struct {
	conn    *pgx.Conn
	cfg     *pgx.ConnConfig
	history migrations.History
	secret  string
	svc     *service // the service of --env or --service, if any
}

func openTarget(c *cli.Context) (*target, error) {
	svc, err := openService(c)
	if err != nil {
		return nil, err
	}
	cfg, revisions, err := targetConfig(c, svc)
	if err != nil {
		return nil, err
	}
	t := &target{cfg: cfg, secret: cfg.Password, svc: svc}
	t.conn, err = migrations.ConnectConfig(c.Context, cfg.Copy(), connOptions(c))
	if err != nil {
		return nil, err
	}
	t.history, err = migrations.ResolveHistory(c.Context, t.conn, cfg, revisions)
	if err != nil {
		t.close()
		return nil, err
	}
	return t, nil
}

func (t *target) close() { t.conn.Close(context.Background()); t.svc.close() }

// openDir reads the --dir migration directory for apply.
func openDir(c *cli.Context) ([]*migrations.ApplyFile, error) {
	dir, err := migrateDirOf(c)
	if err != nil {
		return nil, err
	}
	path, err := migrations.DirFromURL(dir)
	if err != nil {
		return nil, usageError{err}
	}
	d, err := migrations.Open(path)
	if err != nil {
		return nil, err
	}
	return migrations.ApplyFiles(d), nil
}

func operatorVersion() string { return "schemactl " + buildVersion() }

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func migrateApplyCommand() *cli.Command {
	return &cli.Command{
		Name:      "apply",
		Usage:     "apply pending migration files to the target database, recording them in atlas_schema_revisions",
		ArgsUsage: "[N]",
		Description: `Applies the pending files of --dir in version order, at most N of them when N is given.
Each file runs in its own transaction (--tx-mode file) unless its first comments say
-- atlas:txmode none; a failed file is rolled back and recorded with its error, and a
file without a transaction resumes at its first unapplied statement. The history is
Atlas's atlas_schema_revisions table: Atlas and schemactl can take turns on a database.
Another apply on the same database waits for this one (--lock-timeout).

Exit codes: 0 applied (or nothing to apply), 1 error, 2 usage error.`,
		Flags: append(append(targetFlags(),
			&cli.StringFlag{Name: "tx-mode", Value: migrations.TxModeFile, Usage: "transaction mode: file (one per file), all (one for all files), none"},
			&cli.StringFlag{Name: "exec-order", Value: migrations.ExecOrderLinear, Usage: "files added below the last applied version: linear (refuse), linear-skip (skip them), non-linear (apply them)"},
			&cli.StringFlag{Name: "baseline", Usage: "on a database without history, record `VERSION` as applied and start after it"},
			&cli.BoolFlag{Name: "allow-dirty", Usage: "apply to a database without history even though it holds objects"},
			&cli.BoolFlag{Name: "dry-run", Usage: "print the statements that would run, change nothing"},
			&cli.StringFlag{Name: "format", Usage: "print the report as json, or through a Go template (e.g. '{{ .Current }}'; fields as in Atlas: Current, Target, Applied, Pending, Start, End, Error)"},
			&cli.DurationFlag{Name: "lock-timeout", Value: migrations.DefaultLockTimeout, Usage: "wait this long for another apply on the same database to finish"},
		), append(fleetFlags(), fleetRunFlags()...)...),
		Action: migrateApply,
	}
}

func migrateApply(c *cli.Context) error {
	args, err := positionalArgs(c)
	if err != nil {
		return err
	}
	limit := 0
	switch len(args) {
	case 0:
	case 1:
		n, err := strconv.Atoi(args[0])
		if err != nil || n < 1 {
			return usagef("invalid number of files %q: pass a positive integer, or nothing to apply all pending files", args[0])
		}
		limit = n
	default:
		return usagef("apply takes at most one argument, the number of files to apply")
	}
	switch c.String("tx-mode") {
	case migrations.TxModeFile, migrations.TxModeAll, migrations.TxModeNone:
	default:
		return usagef("invalid --tx-mode %q: want file, all or none", c.String("tx-mode"))
	}
	switch c.String("exec-order") {
	case migrations.ExecOrderLinear, migrations.ExecOrderLinearSkip, migrations.ExecOrderNonLinear:
	default:
		return usagef("invalid --exec-order %q: want linear, linear-skip or non-linear", c.String("exec-order"))
	}
	if c.String("baseline") != "" && c.Bool("allow-dirty") {
		return usagef("--baseline and --allow-dirty cannot be used together")
	}
	if ok, err := isFleet(c); err != nil || ok {
		if err != nil {
			return err
		}
		return fleetApply(c, limit)
	}
	format := c.String("format")
	tmpl, err := parseFormat(format)
	if err != nil {
		return err
	}
	files, err := openDir(c)
	if err != nil {
		return err
	}
	t, err := openTarget(c)
	if err != nil {
		return err
	}
	defer t.close()
	opts := migrations.ApplyOptions{
		History:         t.history,
		SchemaBound:     migrations.BoundSchema(t.cfg),
		TxMode:          c.String("tx-mode"),
		ExecOrder:       c.String("exec-order"),
		Baseline:        c.String("baseline"),
		AllowDirty:      c.Bool("allow-dirty"),
		DryRun:          c.Bool("dry-run"),
		DryRunOut:       c.App.Writer,
		Limit:           limit,
		LockTimeout:     c.Duration("lock-timeout"),
		OperatorVersion: operatorVersion(),
		Secrets:         []string{t.secret},
	}
	if t.svc != nil {
		opts.Secrets, opts.Privileged = append(opts.Secrets, t.svc.secrets...), t.svc.privileged(c)
	}
	if opts.LockTimeout == 0 {
		opts.LockTimeout = -1
	}
	var term *migrations.TermProgress
	switch {
	case opts.DryRun:
	case isTerminal(c.App.ErrWriter):
		term = migrations.NewTermProgress(c.App.ErrWriter)
		opts.Progress = term
	case format != "":
		// stdout carries the formatted report only
	default:
		opts.Progress = &migrations.LineProgress{W: c.App.Writer}
	}
	rep, err := migrations.Apply(c.Context, t.conn, files, opts)
	if term != nil {
		term.Close()
	}
	if opts.Progress == nil && rep != nil {
		// What apply did about statements an interrupted run left
		// started; with a progress, it printed them.
		for _, n := range rep.Notes {
			fmt.Fprintln(c.App.ErrWriter, n)
		}
	}
	if format != "" && !opts.DryRun && rep != nil {
		if ferr := writeApplyFormat(c.App.Writer, format, tmpl, newApplyView(rep, err)); ferr != nil && err == nil {
			return ferr
		}
		if err == nil {
			return nil
		}
	}
	if err != nil {
		var se *migrations.StmtError
		if errors.As(err, &se) {
			// file:line:col first on the line, for editors and CI
			// annotations; details on the following lines.
			fmt.Fprintln(c.App.ErrWriter, err)
			if hint := t.svc.permissionHint(err); hint != "" {
				fmt.Fprintln(c.App.ErrWriter, hint)
			}
			if rep.RolledBack {
				fmt.Fprintf(c.App.ErrWriter, "all %d files of this run were rolled back (--tx-mode all)\n", len(rep.Files))
			}
			return exitError{code: 1}
		}
		if format == "json" && rep != nil && !opts.DryRun {
			return jsonReported{err}
		}
		return err
	}
	if opts.DryRun {
		return nil
	}
	w := c.App.Writer
	switch {
	case rep.Baseline != "" && len(rep.Files) == 0:
		fmt.Fprintf(w, "Recorded version %s as the baseline; no migration files to execute\n", rep.Baseline)
	case len(rep.Files) == 0:
		fmt.Fprintln(w, "No migration files to execute")
	default:
		from := rep.From
		if from == "" {
			from = "an empty history"
		}
		fmt.Fprintf(w, "Migrated to version %s from %s (%d files, %d statements) in %s\n",
			rep.To, from, len(rep.Files), rep.Statements(), rep.End.Sub(rep.Start).Round(time.Millisecond))
	}
	return nil
}

func migrateStatusCommand() *cli.Command {
	return &cli.Command{
		Name:  "status",
		Usage: "show the applied version, the pending files and a failed file of the target database",
		Description: fmt.Sprintf(`Compares the history of the target database with --dir.

--format json prints the report as JSON; any other value is a Go template over it
(fields as in Atlas: .Status .Current .Next .Pending .Applied .Count .Total .Error .SQL,
plus .Failed and .OutOfOrder), with the function json.

Exit codes: 0 up to date, %d files pending, %d the last file failed or stopped half-way
(it is pending again), 1 error, 2 usage error.`, exitStatusPending, exitStatusFailed),
		Flags: append(append(targetFlags(),
			&cli.StringFlag{Name: "format", Usage: "json, or a Go template (e.g. '{{ .Current }}')"},
		), fleetFlags()...),
		Action: migrateStatus,
	}
}

func migrateStatus(c *cli.Context) error {
	args, err := positionalArgs(c)
	if err != nil {
		return err
	}
	if len(args) > 0 {
		return usagef("status takes no arguments")
	}
	if ok, err := isFleet(c); err != nil || ok {
		if err != nil {
			return err
		}
		return fleetStatus(c)
	}
	tmpl, err := parseFormat(c.String("format"))
	if err != nil {
		return err
	}
	files, err := openDir(c)
	if err != nil {
		return err
	}
	t, err := openTarget(c)
	if err != nil {
		return err
	}
	defer t.close()
	st, err := migrations.ReadStatus(c.Context, t.conn, t.history, files)
	if err != nil {
		return err
	}
	w := c.App.Writer
	switch {
	case c.String("format") == "json":
		b, err := json.MarshalIndent(st, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintln(w, string(b))
	case tmpl != nil:
		if err := tmpl.Execute(w, st); err != nil {
			return fmt.Errorf("--format: %w", err)
		}
	default:
		if err := st.WriteText(w); err != nil {
			return err
		}
	}
	switch {
	case st.Failed != "":
		return exitError{code: exitStatusFailed}
	case st.Status != migrations.StatusOK:
		return exitError{code: exitStatusPending}
	}
	return nil
}

func toJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func migrateSetCommand() *cli.Command {
	return &cli.Command{
		Name:      "set",
		Usage:     "mark the files up to VERSION as applied in the history, by hand (as Atlas's migrate set)",
		ArgsUsage: "[VERSION]",
		Description: `Edits atlas_schema_revisions so that the files of --dir up to and including VERSION
count as applied: newer revisions are removed, files between the last revision and
VERSION are recorded as set by hand, and a failed VERSION is marked resolved (and,
unlike Atlas, applied, so that apply continues after it). Without VERSION: the last
file of --dir. Use it after changing a database by hand; no SQL of the files runs.`,
		Flags: append(append(targetFlags(),
			&cli.DurationFlag{Name: "lock-timeout", Value: migrations.DefaultLockTimeout, Usage: "wait this long for an apply on the same database to finish"},
		), append(fleetFlags(), fleetRunFlags()...)...),
		Action: migrateSet,
	}
}

func migrateSet(c *cli.Context) error {
	args, err := positionalArgs(c)
	if err != nil {
		return err
	}
	if len(args) > 1 {
		return usagef("set takes one argument, the version")
	}
	version := ""
	if len(args) == 1 {
		version = args[0]
	}
	if ok, err := isFleet(c); err != nil || ok {
		if err != nil {
			return err
		}
		return fleetSet(c, version)
	}
	files, err := openDir(c)
	if err != nil {
		return err
	}
	t, err := openTarget(c)
	if err != nil {
		return err
	}
	defer t.close()
	lt := c.Duration("lock-timeout")
	if lt == 0 {
		lt = -1
	}
	res, err := migrations.SetVersion(c.Context, t.conn, t.history, files, version,
		migrations.SetOptions{LockTimeout: lt, OperatorVersion: operatorVersion()})
	if err != nil {
		return err
	}
	return res.WriteText(c.App.Writer)
}

// positionalArgs returns the positional arguments of c. Flags that follow
// them on the command line (`migrate set 3 --url ...`, as Atlas writes
// it) are already applied: run moves them first (see flagsFirst).
func positionalArgs(c *cli.Context) ([]string, error) {
	return c.Args().Slice(), nil
}
