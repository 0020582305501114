package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/diff"
	"github.com/schemactl/schemactl/diff/summary"
	"github.com/schemactl/schemactl/internal/atlashcl"
	"github.com/schemactl/schemactl/schema"
)

// stateFlags are the flags of the commands that load schema states.
func stateFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "schema", Usage: "limit the states to these `SCHEMAS` (comma-separated; default: every user schema)"},
		&cli.StringSliceFlag{Name: "exclude", Usage: "leave out objects matching these Atlas-style `GLOBS` (schema, schema.table, schema.table.column; [type=...] selectors)"},
		&cli.BoolFlag{Name: "privileges", Usage: "plan GRANTs and default privileges too (without it they are only reported)"},
		devBaselineFlag(),
		configFlag(),
		envFlag(),
	}
}

// devBaselineFlag is the --dev-baseline flag of the commands that use a
// dev database.
func devBaselineFlag() cli.Flag {
	return &cli.StringFlag{Name: "dev-baseline", Usage: "`URL` (file://...) of SQL run in every dev database before a state: roles, extensions, schemas, tables of the previous migration tool and database settings (ALTER DATABASE name SET ...) the state uses but does not create"}
}

// configFlag is the --config flag of the commands that read --env.
func configFlag() cli.Flag {
	return &cli.StringFlag{Name: "config", Value: "file://" + defaultProjectFile, Usage: "project `FILE` whose env blocks --env reads"}
}

// envFlag is the --env flag.
func envFlag() cli.Flag {
	return &cli.StringFlag{Name: "env", Usage: "env `NAME` of the project file: its src, url, dev, schemas, exclude, dev_baseline and migration dir apply unless a flag overrides them"}
}

// renameFlag is the --rename flag of the commands that diff.
func renameFlag() cli.Flag {
	return &cli.StringSliceFlag{Name: "rename", Usage: "a rename to plan instead of drop and add: table:OLD=NEW or column:TABLE.OLD=NEW (SCHEMA. prefix allowed; repeat the flag for several)"}
}

// project is what a command reads from flags and the --env block.
type project struct {
	c       *cli.Context
	env     *atlashcl.Env
	dev     devdb.Provider
	load    schema.LoadOptions
	renames []diff.Rename
}

// openProject reads --env (if any), the scope and baseline flags, and
// opens the dev database provider. The caller must close it.
func openProject(c *cli.Context) (*project, error) {
	p, err := readProject(c)
	if err != nil {
		return nil, err
	}
	if err := p.openDev(); err != nil {
		return nil, err
	}
	return p, nil
}

// openDev opens the dev database provider that --dev-url (else
// SCHEMACTL_DEV_URL, else the env's dev) names. Close releases it.
func (p *project) openDev() error {
	dev := devURL(p.c)
	if !isSetAnywhere(p.c, "dev-url") && os.Getenv("SCHEMACTL_DEV_URL") == "" && p.env != nil && p.env.Dev.IsSet() {
		v, err := p.env.Dev.Value()
		if err != nil {
			return err
		}
		dev = v
	}
	// Opened when a command first needs a dev database: inspecting a live
	// database, applying or checking a directory's sum need none.
	var err error
	if p.dev, err = devdb.OpenLazy(p.c.Context, dev); err != nil {
		return err
	}
	p.load.Dev = p.dev
	return nil
}

// readProject reads --env (if any) and the scope and baseline flags,
// without opening a dev database.
func readProject(c *cli.Context) (*project, error) {
	p := &project{c: c}
	if name := c.String("env"); name != "" {
		path := strings.TrimPrefix(c.String("config"), "file://")
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, usagef("--env %q: project file %s does not exist", name, path)
		}
		env, err := atlashcl.LoadEnv(path, name, nil)
		if err != nil {
			return nil, err
		}
		p.env = env.WithContext(c.Context)
	}
	var err error
	if p.load.Scope.Schemas, err = p.list("schema", func(e *atlashcl.Env) atlashcl.LazyList { return e.Schemas }); err != nil {
		return nil, err
	}
	if p.load.Scope.Exclude, err = p.list("exclude", func(e *atlashcl.Env) atlashcl.LazyList { return e.Exclude }); err != nil {
		return nil, err
	}
	if p.load.Baseline, err = p.str("dev-baseline", func(e *atlashcl.Env) atlashcl.Lazy { return e.DevBaseline }, ""); err != nil {
		return nil, err
	}
	p.load.Scope.IncludePrivileges = c.Bool("privileges")
	for _, r := range c.StringSlice("rename") {
		rn, err := diff.ParseRename(r)
		if err != nil {
			return nil, usagef("--rename: %v", err)
		}
		p.renames = append(p.renames, rn)
	}
	return p, nil
}

// baselinePrepare returns the function that runs the dev baseline on a
// fresh dev database, or nil when there is none.
func (p *project) baselinePrepare() func(ctx context.Context, url string) error {
	b := p.load.Baseline
	if b == "" {
		return nil
	}
	return func(ctx context.Context, url string) error { return schema.ApplyBaseline(ctx, url, b) }
}

// Close releases the dev database provider.
func (p *project) Close() {
	if p.dev != nil {
		p.dev.Close()
	}
}

func isSetAnywhere(c *cli.Context, flag string) bool {
	for _, ctx := range c.Lineage() {
		if ctx.IsSet(flag) {
			return true
		}
	}
	return false
}

// str returns a string flag, else the env's attribute, else def.
func (p *project) str(flag string, attr func(*atlashcl.Env) atlashcl.Lazy, def string) (string, error) {
	if p.c.IsSet(flag) {
		return p.c.String(flag), nil
	}
	if p.env != nil && attr(p.env).IsSet() {
		return attr(p.env).Value()
	}
	if def == "" {
		return p.c.String(flag), nil
	}
	return def, nil
}

// list returns a list flag (comma-separated values split), else the env's
// attribute.
func (p *project) list(flag string, attr func(*atlashcl.Env) atlashcl.LazyList) ([]string, error) {
	if p.c.IsSet(flag) {
		var out []string
		for _, v := range p.c.StringSlice(flag) {
			for _, part := range strings.Split(v, ",") {
				if part = strings.TrimSpace(part); part != "" {
					out = append(out, part)
				}
			}
		}
		return out, nil
	}
	if p.env != nil && attr(p.env).IsSet() {
		return attr(p.env).Value()
	}
	return nil, nil
}

// source returns the state named by a flag, else by the env's src.
func (p *project) source(flag string, useSrc bool) (*schema.Source, error) {
	if p.c.IsSet(flag) {
		return schema.ParseSources(p.c.StringSlice(flag))
	}
	if useSrc && p.env != nil && p.env.Src.IsSet() {
		srcs, err := p.env.Src.Value()
		if err != nil {
			return nil, err
		}
		return envSources(p.env, srcs)
	}
	if useSrc && p.env != nil {
		return nil, usagef("--%s is required (env %q has no src attribute)", flag, p.env.Name)
	}
	return nil, usagef("--%s is required", flag)
}

// loadPair loads two states at the same time.
func (p *project) loadPair(ctx context.Context, from, to *schema.Source) (*schema.Loaded, *schema.Loaded, error) {
	var (
		a, b       *schema.Loaded
		errA, errB error
		done       = make(chan struct{})
	)
	go func() {
		defer close(done)
		a, errA = p.loadSource(ctx, from)
	}()
	b, errB = schema.LoadSource(ctx, to, p.load)
	<-done
	if err := errors.Join(errA, errB); err != nil {
		for _, l := range []*schema.Loaded{a, b} {
			if l != nil {
				l.Close(context.WithoutCancel(ctx))
			}
		}
		return nil, nil, err
	}
	return a, b, nil
}

// loadSource loads a state; a nil source is the empty state (a fresh dev
// database with the baseline).
func (p *project) loadSource(ctx context.Context, src *schema.Source) (*schema.Loaded, error) {
	if src == nil {
		return schema.NewEmpty(ctx, p.load)
	}
	return schema.LoadSource(ctx, src, p.load)
}

// planProved diffs from to to and proves the plan on a dev database that
// holds from: from's own dev database (which is changed), or, for a live
// database, a dev database it is first recreated in (proved as well).
//
// onPlan, when not nil, is called with the plan before its proof starts.
func (p *project) planProved(ctx context.Context, from, to *schema.Loaded, onPlan func(*diff.Plan)) (*diff.Plan, error) {
	casts := diff.DBCasts{DB: to.DB}
	start := from
	if !from.IsDev() {
		empty, err := schema.NewEmpty(ctx, p.load)
		if err != nil {
			return nil, err
		}
		defer empty.Close(context.WithoutCancel(ctx))
		copyPlan, err := diff.Diff(ctx, empty.State, from.State, diff.Options{Casts: diff.DBCasts{DB: from.DB}, DevCopy: true})
		if err != nil {
			return nil, fmt.Errorf("recreate %s on a dev database: %w", from.Source.Redacted(), err)
		}
		if err := diff.Prove(ctx, empty.DB, copyPlan, from.State, p.load.Scope); err != nil {
			return nil, fmt.Errorf("recreate %s on a dev database: %w", from.Source.Redacted(), err)
		}
		start = empty
	}
	plan, err := diff.Diff(ctx, from.State, to.State, diff.Options{Renames: p.renames, Casts: casts})
	if err != nil {
		return nil, err
	}
	if onPlan != nil {
		onPlan(plan)
	}
	if err := diff.Prove(ctx, start.DB, plan, to.State, p.load.Scope); err != nil {
		return nil, fmt.Errorf("the plan failed its proof on the dev database, nothing was written or applied: %w", err)
	}
	return plan, nil
}

// change is a plan between two loaded states, proved on a dev database.
type change struct {
	cur, want *schema.Loaded
	plan      *diff.Plan
	// summarized is the summary of the plan's first n statements, made
	// while the plan was proved (parsing every statement of a large plan
	// takes a noticeable part of a second, the proof is the server's
	// work); done is closed when it is there.
	summarized *summary.Summary
	n          int
	done       chan struct{}
}

// summarize starts the summary of plan, as it is before its proof.
func (ch *change) summarize(plan *diff.Plan) {
	before := *plan
	before.Stmts = plan.Stmts[:len(plan.Stmts):len(plan.Stmts)]
	ch.n, ch.done = len(before.Stmts), make(chan struct{})
	go func() {
		defer close(ch.done)
		ch.summarized = summary.Of(&before)
	}()
}

// summary returns the summary of the proved plan: the one made during the
// proof, unless the proof added statements to the plan.
func (ch *change) summary() *summary.Summary {
	if ch.done != nil {
		<-ch.done
		if ch.n == len(ch.plan.Stmts) {
			return ch.summarized
		}
	}
	return summary.Of(ch.plan)
}

// close releases both states (their dev databases).
func (ch *change) close(ctx context.Context) { closeAll(ctx, ch.cur, ch.want) }

// provedChange loads the states from and to at the same time, reports on
// errw what neither models, and returns the plan from one to the other,
// proved on a dev database. The caller must close the change.
func (p *project) provedChange(ctx context.Context, errw io.Writer, from, to *schema.Source) (*change, error) {
	cur, want, err := p.loadPair(ctx, from, to)
	if err != nil {
		return nil, err
	}
	ch := &change{cur: cur, want: want}
	if err := strictUnmodelled(errw, want, cur); err != nil {
		ch.close(ctx)
		return nil, err
	}
	if ch.plan, err = p.planProved(ctx, cur, want, ch.summarize); err != nil {
		ch.close(ctx)
		return nil, err
	}
	warnPlan(errw, ch.plan)
	return ch, nil
}

// strictUnmodelled fails, naming each, when the states hold objects that
// schemactl does not model: a plan would leave them out. Grants without
// --privileges are only listed on w.
func strictUnmodelled(w io.Writer, desired, current *schema.Loaded) error {
	reported, err := schema.CheckModelled(loadedState(desired), loadedState(current))
	if len(reported) > 0 {
		fmt.Fprintf(w, "schemactl: warning: %d grant(s) are not planned without --privileges:\n", len(reported))
		for _, o := range reported {
			fmt.Fprintf(w, "  %s\n", o)
		}
	}
	return err
}

func loadedState(l *schema.Loaded) *schema.State {
	if l == nil {
		return nil
	}
	return l.State
}

// warnUnmodelled prints the objects of the states that schemactl does not
// model yet, which no plan creates, changes or drops.
func warnUnmodelled(w io.Writer, desired, current *schema.Loaded) {
	seen := map[string]bool{}
	var objs []schema.Object
	if desired != nil {
		for _, o := range desired.Unmodelled() {
			seen[o.Key()] = true
			objs = append(objs, o)
		}
	}
	var onlyCurrent []schema.Object
	if current != nil {
		for _, o := range current.Unmodelled() {
			if !seen[o.Key()] {
				onlyCurrent = append(onlyCurrent, o)
			}
		}
	}
	if len(objs) > 0 {
		fmt.Fprintf(w, "schemactl: warning: %d object(s) of the desired state are not modelled by schemactl yet and are not in the plan:\n", len(objs))
		for _, o := range objs {
			fmt.Fprintf(w, "  %s\n", o)
		}
	}
	if len(onlyCurrent) > 0 {
		fmt.Fprintf(w, "schemactl: warning: %d object(s) of the current state are not modelled by schemactl yet; the plan leaves them alone:\n", len(onlyCurrent))
		for _, o := range onlyCurrent {
			fmt.Fprintf(w, "  %s\n", o)
		}
	}
}

// warnPlan prints the plan's warnings (data loss and the like).
func warnPlan(w io.Writer, plan *diff.Plan) {
	for _, m := range plan.Warnings {
		fmt.Fprintf(w, "schemactl: warning: %s\n", m)
	}
}

// closeAll closes loaded states, dropping their dev databases at the
// same time (each drop waits for the server's checkpoint).
func closeAll(ctx context.Context, ls ...*schema.Loaded) {
	var wg sync.WaitGroup
	for _, l := range ls {
		if l != nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l.Close(context.WithoutCancel(ctx))
			}()
		}
	}
	wg.Wait()
}
