// Command schemactl manages PostgreSQL schemas: desired state in SQL or HCL,
// versioned migration files compatible with Atlas, lint and apply.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/schemactl/schemactl/internal/pgurl"
	"github.com/schemactl/schemactl/migrations"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

func main() {
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// tuneGC lets the heap grow to five times what is live before the
// garbage collector runs (GOGC=400), within a soft limit of 1 GiB: a
// command holds a schema's inspection, plan and output at once, mostly
// alive until it ends, and with Go's default the collector took a fifth
// of the CPU time of inspecting 1,500 tables. GOGC and GOMEMLIMIT, when
// set, are the user's choice.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1 << 30)
	}
}

// usageError marks an error in how the command was called (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// exitError carries a specific exit code with an optional message.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

// run executes the CLI and returns the process exit code: 0 on success, 1
// on failure, 2 on a usage error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	args, leaf := flagsFirst(app, args)
	// With --format json, an error is also a JSON object on stdout.
	jsonOut := wantsJSON(leaf, args)
	err := app.RunContext(ctx, args)
	if err == nil {
		return 0
	}
	var jr jsonReported
	if jsonOut && !errors.As(err, &jr) {
		var ee exitError
		if !errors.As(err, &ee) || ee.msg != "" {
			writeErrorJSON(stdout, err)
		}
	}
	var ee exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, "schemactl: "+oneLine(pgurl.Redact(ee.msg)))
		}
		return ee.code
	}
	if ctx.Err() != nil {
		// A signal cancelled the command: say so rather than only what
		// the cancellation broke (the dev server is stopped by now).
		fmt.Fprintln(stderr, "schemactl: interrupted: "+oneLine(pgurl.Redact(err.Error())))
		return 1
	}
	fmt.Fprintln(stderr, "schemactl: "+oneLine(pgurl.Redact(err.Error())))
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

func newApp(stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:                 "schemactl",
		Usage:                "PostgreSQL schema management: desired state, versioned migrations, lint, apply",
		Version:              buildVersion(),
		Writer:               stdout,
		ErrWriter:            stderr,
		EnableBashCompletion: true,
		HideVersion:          true,
		Flags: []cli.Flag{
			&cli.StringFlag{
				Name:    "dev-url",
				Usage:   "dev database: empty for the embedded local one, postgres://... for scratch databases on a server, docker://postgres/15 for a container",
				EnvVars: []string{"SCHEMACTL_DEV_URL"},
			},
		},
		Commands: []*cli.Command{
			versionCommand(),
			devCommand(),
			migrateCommand(),
			provisionCommand(),
			initCommand(),
			schemaCommand(),
			checkCommand(),
		},
		ExitErrHandler: func(*cli.Context, error) {}, // run() reports errors
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageError{err}
		},
		Action: unknownCommand,
	}
	for _, cmd := range app.Commands {
		setUsageErrors(cmd)
		addDevURLFlag(cmd, cmd.Name)
		addBaselineHint(cmd, cmd.Name)
	}
	return app
}

// noDevURL lists the commands that never use a dev database.
var noDevURL = map[string]bool{"version": true, "dev start": true, "dev stop": true, "dev status": true, "init": true, "provision": true, "schema fmt": true, "migrate new": true, "migrate hash": true, "migrate set": true, "migrate apply": true, "migrate status": true}

// addDevURLFlag gives every command that uses a dev database its own
// --dev-url flag, so that it may follow the subcommand as in Atlas
// (`migrate validate --dev-url ...`) as well as precede it.
func addDevURLFlag(cmd *cli.Command, path string) {
	if len(cmd.Subcommands) > 0 {
		for _, sub := range cmd.Subcommands {
			addDevURLFlag(sub, path+" "+sub.Name)
		}
		return
	}
	if noDevURL[path] {
		return
	}
	for _, f := range cmd.Flags {
		for _, n := range f.Names() {
			if n == "dev-url" {
				return
			}
		}
	}
	cmd.Flags = append(cmd.Flags, &cli.StringFlag{Name: "dev-url", Usage: "dev database (see schemactl --help)"})
}

// addBaselineHint makes every command that uses a dev database add, to an
// error of a statement that failed there for want of an object the
// directory never creates, the hint that a dev baseline provides it.
func addBaselineHint(cmd *cli.Command, path string) {
	if len(cmd.Subcommands) > 0 {
		for _, sub := range cmd.Subcommands {
			addBaselineHint(sub, path+" "+sub.Name)
		}
		return
	}
	if noDevURL[path] || cmd.Action == nil {
		return
	}
	action := cmd.Action
	cmd.Action = func(c *cli.Context) error {
		err := action(c)
		if hint := migrations.BaselineHint(err); hint != "" {
			return fmt.Errorf("%w; hint: %s", err, hint)
		}
		return err
	}
}

// devURL returns the --dev-url value given after the subcommand or before
// it, else SCHEMACTL_DEV_URL.
func devURL(c *cli.Context) string {
	for _, ctx := range c.Lineage() {
		if ctx.IsSet("dev-url") {
			return ctx.String("dev-url")
		}
	}
	return os.Getenv("SCHEMACTL_DEV_URL")
}

// setUsageErrors makes flag errors of every subcommand exit with code 2.
func setUsageErrors(cmd *cli.Command) {
	cmd.OnUsageError = func(_ *cli.Context, err error, _ bool) error { return usageError{err} }
	if cmd.Action == nil && len(cmd.Subcommands) > 0 {
		cmd.Action = unknownCommand
	}
	for _, sub := range cmd.Subcommands {
		setUsageErrors(sub)
	}
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the schemactl version",
		Action: func(c *cli.Context) error {
			fmt.Fprintf(c.App.Writer, "schemactl %s\n", buildVersion())
			return nil
		},
	}
}

// unknownCommand is the action of the program and of command groups: with
// no argument it shows help, with one it is a usage error.
func unknownCommand(c *cli.Context) error {
	if c.Args().Present() {
		return usagef("unknown command %q; see %s --help", c.Args().First(), c.Command.HelpName)
	}
	return cli.ShowSubcommandHelp(c)
}

// oneLine folds a multi-line error message (pgx reports one line per address
// tried) into one line, dropping repeated parts.
func oneLine(msg string) string {
	lines := strings.Split(strings.TrimSpace(msg), "\n")
	seen := map[string]bool{}
	parts := lines[:0]
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" || seen[l] {
			continue
		}
		seen[l] = true
		parts = append(parts, l)
	}
	return strings.Join(parts, " ")
}
