package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/urfave/cli/v2"

	"github.com/schemactl/schemactl/internal/atlashcl"
	"github.com/schemactl/schemactl/internal/pgurl"
	"github.com/schemactl/schemactl/migrations"
)

// Default bounds of a fleet run without --parallel: on each server at most
// half its free connections, and at most defaultServerParallel.
const defaultServerParallel = 8

// closeWait bounds the wait for a target's server process to go when its
// connection closes (see migrations.CloseWait).
const closeWait = 5 * time.Second

// fleetFlags are the flags of the commands that run over a fleet.
func fleetFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "targets", Usage: "run over the targets of `FILE`: one database URL or libpq connection string per line (# starts a comment); --env of an env with for_each does the same"},
		&cli.IntFlag{Name: "parallel", Usage: "run at most `N` targets at once (default: the number of targets, on each server at most half its free connections and at most 8)"},
		&cli.DurationFlag{Name: "timeout", Usage: "give each target at most this long (0: no bound)"},
	}
}

// fleetRunFlags are the flags of the fleet commands that change targets.
func fleetRunFlags() []cli.Flag {
	return []cli.Flag{
		&cli.IntFlag{Name: "canary", Usage: "run the first `N` targets first, and stop if one of them fails"},
		&cli.BoolFlag{Name: "fail-fast", Usage: "start no more targets after the first failure (default: go on with the others)"},
	}
}

// fleetTarget is one target of a fleet, resolved.
type fleetTarget struct {
	name      string
	server    string
	cfg       *pgx.ConnConfig
	revisions string
	svc       *service
	env       *atlashcl.ServiceEnv
	files     []*migrations.ApplyFile
	secrets   []string
	err       error // why the target cannot run (it fails without connecting)

	// What the command did on the target.
	apply       *migrations.ApplyReport
	applyErr    error
	status      *migrations.Status
	set         *migrations.SetResult
	provisioned []string
	output      string // what a command printed for the target
}

// redact hides the target's passwords in err.
func (t *fleetTarget) redact(err error) error {
	if t.svc != nil {
		return pgurl.RedactError(err, append(append([]string{}, t.secrets...), t.svc.secrets...)...)
	}
	return pgurl.RedactError(err, t.secrets...)
}

// fleet is the targets of --targets or of an env with for_each.
type fleet struct {
	c        *cli.Context
	targets  []*fleetTarget
	parallel int
	limits   map[string]int
	down     map[string]error // servers that did not answer, by server
	verb     string           // the word of a changed target: applied (default), set, provisioned
}

// isFleet reports whether the command runs over a fleet: --targets, or
// --env naming an env with for_each.
func isFleet(c *cli.Context) (bool, error) {
	if c.String("targets") != "" {
		return true, nil
	}
	insts, err := fleetEnv(c)
	return insts != nil, err
}

// fleetEnv returns the instances of --env when it has for_each (nil when
// it has none, or without --env).
func fleetEnv(c *cli.Context) ([]atlashcl.EnvInstance, error) {
	if c.String("env") == "" {
		return nil, nil
	}
	path := strings.TrimPrefix(c.String("config"), "file://")
	if _, err := os.Stat(path); err != nil {
		return nil, usagef("--env %s: project file %s: %v", c.String("env"), path, errors.Unwrap(err))
	}
	insts, ok, err := atlashcl.LoadFleetEnv(path, c.String("env"), nil)
	if err != nil || !ok {
		return nil, err
	}
	if len(insts) == 0 {
		return nil, fmt.Errorf("env %q: for_each gives no targets", c.String("env"))
	}
	return insts, nil
}

// openFleet resolves the targets, their migration directories and the
// bounds of the run. withFiles reads each target's directory.
func openFleet(c *cli.Context, withFiles bool) (*fleet, error) {
	if c.IsSet("url") {
		return nil, usagef("--url names one target: with a fleet (--targets, or an env with for_each) each target has its own")
	}
	if c.Int("parallel") < 0 || c.Int("canary") < 0 {
		return nil, usagef("--parallel and --canary take a positive number")
	}
	f := &fleet{c: c, limits: map[string]int{}, down: map[string]error{}}
	type spec struct {
		name string
		src  migrations.ConnSource
		env  func() (*atlashcl.ServiceEnv, error)
	}
	var specs []spec
	if path := c.String("targets"); path != "" {
		lines, err := migrations.ReadTargets(path)
		if err != nil {
			return nil, err
		}
		if insts, err := fleetEnv(c); err != nil || insts != nil {
			if err != nil {
				return nil, err
			}
			return nil, usagef("--targets and env %q, which has for_each: the targets come from one or the other", c.String("env"))
		}
		for _, l := range lines {
			// Each target reads the env anew: its values are evaluated
			// lazily, and targets run concurrently.
			specs = append(specs, spec{name: pgurl.Redact(l.Conn), src: migrations.ConnSource{URL: l.Conn}, env: func() (*atlashcl.ServiceEnv, error) { return projectEnv(c) }})
		}
	} else {
		insts, err := fleetEnv(c)
		if err != nil {
			return nil, err
		}
		for _, in := range insts {
			in := in
			src := migrations.ConnSource{EnvName: fmt.Sprintf("%s[%s]", c.String("env"), in.Key)}
			specs = append(specs, spec{name: in.Key, src: src, env: func() (*atlashcl.ServiceEnv, error) { return in.Env, nil }})
		}
	}
	dirs := map[string][]*migrations.ApplyFile{}
	for _, sp := range specs {
		t := &fleetTarget{name: sp.name}
		f.targets = append(f.targets, t)
		env, err := sp.env()
		if err != nil {
			return nil, err
		}
		t.env = env
		if t.svc, err = serviceOf(c, env); err != nil {
			if errors.As(err, new(usageError)) {
				return nil, err
			}
			t.err = err
			continue
		}
		if t.cfg, t.revisions, err = resolveTarget(c, sp.src, env, t.svc); err != nil {
			t.err = err
			continue
		}
		t.secrets = []string{t.cfg.Password}
		t.server = fmt.Sprintf("%s:%d", t.cfg.Host, t.cfg.Port)
		if !withFiles {
			continue
		}
		dir := c.String("dir")
		if !c.IsSet("dir") && env != nil && env.Dir != "" {
			dir = env.Dir
		}
		files, ok := dirs[dir]
		if !ok {
			if files, err = readApplyDir(dir); err != nil {
				return nil, err
			}
			dirs[dir] = files
		}
		t.files = files
	}
	return f, nil
}

// readApplyDir reads a migration directory given as file://PATH or PATH.
func readApplyDir(dir string) ([]*migrations.ApplyFile, error) {
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

// bound works out the parallelism: it asks each server, through the
// connection probe opens, for its free connections. A server that does
// not answer is down: its targets fail without being tried one by one.
func (f *fleet) bound(ctx context.Context, probe func(ctx context.Context, t *fleetTarget) (*pgx.Conn, error)) {
	asked := f.c.Int("parallel")
	first := map[string]*fleetTarget{}
	var order []string
	for _, t := range f.targets {
		if t.err != nil {
			continue
		}
		if _, ok := first[t.server]; !ok {
			first[t.server] = t
			order = append(order, t.server)
		}
	}
	total := 0
	for _, srv := range order {
		t := first[srv]
		lim := defaultServerParallel
		conn, err := probe(ctx, t)
		if err == nil {
			var free int
			free, _, err = migrations.ServerHeadroom(ctx, conn)
			migrations.CloseWait(conn, closeWait)
			if err == nil {
				free++ // the probe's own connection is closed now
				lim = min(max(free/2, 1), defaultServerParallel)
				if asked > 0 {
					lim = max(free, 1)
				}
			}
		} else if !errors.As(err, new(*pgconn.PgError)) {
			f.down[srv] = t.redact(err)
		}
		f.limits[srv] = lim
		total += lim
	}
	switch {
	case asked > 0:
		f.parallel = asked
	default:
		f.parallel = max(total, 1)
	}
	f.parallel = max(min(f.parallel, len(f.targets)), 1)
}

// list is the fleet as migrations.RunFleet takes it.
func (f *fleet) list() []migrations.FleetTarget {
	out := make([]migrations.FleetTarget, len(f.targets))
	for i, t := range f.targets {
		out[i] = migrations.FleetTarget{Name: t.name, Server: t.server}
	}
	return out
}

// run runs op on every target, printing a line per target as it ends
// when lines is set.
func (f *fleet) run(ctx context.Context, lines io.Writer, line func(r *migrations.FleetResult) string,
	op func(ctx context.Context, t *fleetTarget) (string, error)) []*migrations.FleetResult {
	width := 0
	for _, t := range f.targets {
		width = max(width, min(len(t.name), 40))
	}
	var live *fleetLive
	if lines != nil && isTerminal(f.c.App.ErrWriter) {
		live = &fleetLive{w: f.c.App.ErrWriter, total: len(f.targets)}
	}
	opts := migrations.FleetOptions{
		Parallel: f.parallel, ServerLimit: f.limits, Timeout: f.c.Duration("timeout"),
		Canary: f.c.Int("canary"), FailFast: f.c.Bool("fail-fast"),
		Done: func(r *migrations.FleetResult) {
			if lines == nil {
				return
			}
			live.clear()
			fmt.Fprintf(lines, "%-8s %-*s  %s\n", f.outcomeWord(r.Outcome), width, r.Target.Name, line(r))
			live.count()
		},
	}
	res := migrations.RunFleet(ctx, f.list(), opts, func(ctx context.Context, i int) (string, error) {
		t := f.targets[i]
		if t.err != nil {
			return "", t.redact(t.err)
		}
		if err := f.down[t.server]; err != nil {
			return "", fmt.Errorf("server down: %w", err)
		}
		out, err := op(ctx, t)
		if err != nil {
			return out, t.redact(err)
		}
		return out, nil
	})
	live.clear()
	return res
}

func (f *fleet) outcomeWord(o string) string {
	switch {
	case o == migrations.FleetFailed:
		return "FAILED"
	case o == migrations.FleetApplied && f.verb != "":
		return f.verb
	}
	return o
}

// firstLine is the first line of s.
func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// fleetLive keeps a count of the finished targets on a terminal.
type fleetLive struct {
	w           io.Writer
	total, done int
}

func (l *fleetLive) clear() {
	if l != nil {
		fmt.Fprint(l.w, "\r\033[K")
	}
}

func (l *fleetLive) count() {
	if l != nil {
		l.done++
		fmt.Fprintf(l.w, "%d/%d targets done", l.done, l.total)
	}
}

// fleetSummary writes the counts line of a fleet run.
func fleetSummary(w io.Writer, what string, res []*migrations.FleetResult, parallel int, took time.Duration) {
	n := migrations.FleetCounts(res)
	fmt.Fprintf(w, "%s: %d targets in %s, parallel %d: %d %s, %d already current, %d failed, %d skipped\n",
		what, len(res), took.Round(time.Millisecond), parallel, n[migrations.FleetApplied], appliedWord(what), n[migrations.FleetCurrent], n[migrations.FleetFailed], n[migrations.FleetSkipped])
	var failed []*migrations.FleetResult
	for _, r := range res {
		if r.Outcome == migrations.FleetFailed {
			failed = append(failed, r)
		}
	}
	if len(failed) > 0 {
		fmt.Fprintln(w, "Failed:")
		for _, r := range failed {
			fmt.Fprintf(w, "  %s: %s\n", r.Target.Name, strings.ReplaceAll(r.Err.Error(), "\n", "\n    "))
		}
	}
	skipped := map[string]int{}
	for _, r := range res {
		if r.Outcome == migrations.FleetSkipped {
			skipped[r.Skipped]++
		}
	}
	for why, k := range skipped {
		fmt.Fprintf(w, "Skipped %d: %s\n", k, why)
	}
}

func appliedWord(what string) string {
	if what == "Fleet set" {
		return "set"
	}
	if what == "Fleet provision" {
		return "provisioned"
	}
	if what == "Fleet down" {
		return "reverted"
	}
	return "applied"
}

// fleetExit is the exit of a fleet command: 1 when a target failed or was
// skipped.
func fleetExit(res []*migrations.FleetResult) error {
	n := migrations.FleetCounts(res)
	if n[migrations.FleetFailed] > 0 || n[migrations.FleetSkipped] > 0 {
		return exitError{code: 1}
	}
	return nil
}

// connectTarget opens the connection of a fleet target.
func connectTarget(ctx context.Context, c *cli.Context, t *fleetTarget) (*pgx.Conn, error) {
	return migrations.ConnectConfig(ctx, t.cfg.Copy(), connOptions(c))
}
