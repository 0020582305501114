package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"ariga.io/atlas/sql/postgres"
	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"github.com/schemactl/schemactl/diff"
	"github.com/schemactl/schemactl/internal/jsonout"
	"github.com/schemactl/schemactl/schema"
)

// schemaCommand groups the desired-state commands on whole schemas.
func schemaCommand() *cli.Command {
	return &cli.Command{
		Name:  "schema",
		Usage: "desired-state schema commands: inspect, diff, apply, fmt",
		Subcommands: []*cli.Command{
			schemaInspectCommand(),
			schemaDiffCommand(),
			schemaApplyCommand(),
			schemaFmtCommand(),
		},
	}
}

const stateURLs = `A state is a URL, as in Atlas: file://schema.sql (a SQL file), file://schema/
(every .sql file of a directory, in lexical order), file://schema/*.sql (a
glob), file://schema.hcl (HCL in Atlas's schema language; several files
merge), file://migrations (a migration directory with an atlas.sum, replayed),
or postgres://... (a live database, only read). Files and directories are
loaded into a fresh dev database (--dev-url) and inspected there.`

func schemaInspectCommand() *cli.Command {
	return &cli.Command{
		Name:  "inspect",
		Usage: "print a state as SQL, HCL, JSON or an ER diagram",
		Description: `Loads the state --url names and prints it: --format sql (the statements that
create it from an empty database, proved on a dev database), hcl (Atlas's
schema language, for what Atlas models), json (every modelled object), or
an ER diagram: mermaid (a Mermaid erDiagram) or dot (Graphviz); --around
TABLE --depth N draws only the tables within N foreign keys of TABLE.
Objects schemactl does not model yet are listed on stderr.

` + stateURLs,
		Flags: append(append(stateFlags(),
			&cli.StringFlag{Name: "url", Usage: "the state to inspect (`URL`)"},
			&cli.StringFlag{Name: "format", Value: "sql", Usage: "output: sql, hcl, json, mermaid or dot (ER diagrams), or a Go template ('{{ range .Realm.Schemas }}{{ .Name }}{{ end }}')"},
		), pictureFlags()...),
		Action: schemaInspect,
	}
}

func schemaInspect(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("schema inspect takes no arguments")
	}
	format := c.String("format")
	var tmpl *template.Template
	if isTemplate(format) {
		t, err := parseTemplate(format, inspectTemplateFuncs())
		if err != nil {
			return err
		}
		tmpl = t
	} else if format != "sql" && format != "hcl" && format != "json" && !isPicture(format) {
		return usagef("--format %q: use sql, hcl, json, mermaid or dot, or a Go template ('{{ sql . }}')", format)
	}
	p, err := openProject(c)
	if err != nil {
		return err
	}
	defer p.Close()
	src, err := p.urlSource("url")
	if err != nil {
		return err
	}
	ctx := c.Context
	st, err := schema.LoadSource(ctx, src, p.load)
	if err != nil {
		return err
	}
	defer closeAll(ctx, st)
	warnUnmodelled(c.App.ErrWriter, st, nil)
	if tmpl != nil {
		data := &InspectTemplate{Realm: st.Realm, state: st, sql: func() (string, error) { return inspectSQL(ctx, p, st) }}
		return execTemplate(c.App.Writer, tmpl, data)
	}
	if isPicture(format) {
		return writeStatePicture(c, c.App.Writer, st.State, format)
	}
	switch format {
	case "hcl":
		if left := notInHCL(st.State); len(left) > 0 {
			fmt.Fprintf(c.App.ErrWriter, "schemactl: warning: %d object(s) cannot be written in Atlas's HCL and are left out of it:\n", len(left))
			for _, o := range left {
				fmt.Fprintf(c.App.ErrWriter, "  %s\n", o)
			}
		}
		b, err := postgres.MarshalHCL.MarshalSpec(st.Realm)
		if err != nil {
			return fmt.Errorf("format as HCL: %w", err)
		}
		if b, err = schema.AddObjectsHCL(b, st.State); err != nil {
			return fmt.Errorf("format as HCL: %w", err)
		}
		_, err = c.App.Writer.Write(b)
		return err
	case "json":
		return jsonout.Encode(c.App.Writer, st.Catalog, "  ")
	}
	out, err := inspectSQL(ctx, p, st)
	if err != nil {
		return err
	}
	_, err = io.WriteString(c.App.Writer, out)
	return err
}

// inspectSQL returns the statements that create st from an empty
// database, proved on a dev database (--format sql).
func inspectSQL(ctx context.Context, p *project, st *schema.Loaded) (string, error) {
	empty, err := schema.NewEmpty(ctx, p.load)
	if err != nil {
		return "", err
	}
	defer closeAll(ctx, empty)
	plan, err := diff.Diff(ctx, empty.State, st.State, diff.Options{Casts: diff.DBCasts{DB: st.DB}})
	if err != nil {
		return "", err
	}
	if err := diff.Prove(ctx, empty.DB, plan, st.State, p.load.Scope); err != nil {
		return "", err
	}
	return planText(plan), nil
}

// notInHCL lists what a state has beyond what the HCL written expresses:
// the objects schema.MarshalObjectsHCL cannot write.
func notInHCL(st *schema.State) []string { return schema.NotInHCL(st) }

// urlSource returns the state of a URL flag (--url), else the env's url.
func (p *project) urlSource(flag string) (*schema.Source, error) {
	if p.c.IsSet(flag) {
		return schema.ParseSource(p.c.String(flag))
	}
	if p.env != nil && p.env.URL.IsSet() {
		u, err := p.env.URL.Value()
		if err != nil {
			return nil, err
		}
		return schema.ParseSource(u)
	}
	return nil, usagef("--%s is required", flag)
}

// planText formats a plan for output: its statements, or a comment saying
// there is nothing to do.
func planText(plan *diff.Plan) string {
	if plan.Empty() {
		return "-- no changes\n"
	}
	s := plan.SQL()
	if !plan.Transactional {
		s = "-- atlas:txmode none\n\n" + s
	}
	return s
}

func schemaDiffCommand() *cli.Command {
	return &cli.Command{
		Name:  "diff",
		Usage: "print the statements that take one state to another",
		Description: `Loads --from and --to, plans the change and proves it on a dev database
(the plan applied to --from must give --to, object by object), then prints it.
"-- no changes" when the states are the same. Renames are never guessed: use
--rename table:OLD=NEW or --rename column:TABLE.OLD=NEW. --format mermaid or
dot draws the change instead: the added, changed and dropped tables and
columns coloured, with the tables within --depth foreign keys of them.

` + stateURLs,
		Flags: append(append(stateFlags(),
			&cli.StringSliceFlag{Name: "from", Usage: "the current state (`URL`)"},
			&cli.StringSliceFlag{Name: "to", Usage: "the desired state (`URL`; several for SQL or HCL files)"},
			renameFlag(),
			&cli.StringFlag{Name: "format", Value: "sql", Usage: "output: sql, markdown (what the plan does by object, its hazards, the statements), json, or an ER diagram of the change: mermaid or dot"},
		), pictureFlags()...),
		Action: schemaDiff,
	}
}

func schemaDiff(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("schema diff takes no arguments")
	}
	write, err := diffWriter(c)
	if err != nil {
		return err
	}
	p, err := openProject(c)
	if err != nil {
		return err
	}
	defer p.Close()
	from, err := p.source("from", false)
	if err != nil {
		return err
	}
	to, err := p.source("to", true)
	if err != nil {
		return err
	}
	ch, err := p.provedChange(c.Context, c.App.ErrWriter, from, to)
	if err != nil {
		return err
	}
	defer ch.close(c.Context)
	return write(c.App.Writer, ch)
}

func schemaApplyCommand() *cli.Command {
	return &cli.Command{
		Name:  "apply",
		Usage: "bring a live database to the desired state",
		Description: `Inspects the database --url (postgres://...), plans the change to --to and
proves it on a dev database that holds a copy of the current state, prints
the plan, asks for approval on a terminal (--auto-approve skips the
question; without a terminal it is required) and applies it in one
transaction (statement by statement when the plan cannot run in one).
--dry-run prints the plan and stops. Afterwards the database is inspected
again and compared with the desired state.

` + stateURLs,
		Flags: append(stateFlags(),
			&cli.StringFlag{Name: "url", Usage: "the database to change (postgres://`URL`)"},
			&cli.StringSliceFlag{Name: "to", Usage: "the desired state (`URL`)"},
			&cli.BoolFlag{Name: "auto-approve", Usage: "apply without asking"},
			&cli.BoolFlag{Name: "dry-run", Usage: "print the plan, change nothing"},
			renameFlag(),
		),
		Action: schemaApply,
	}
}

func schemaApply(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("schema apply takes no arguments")
	}
	p, err := openProject(c)
	if err != nil {
		return err
	}
	defer p.Close()
	target, err := p.urlSource("url")
	if err != nil {
		return err
	}
	if target.Kind != schema.SourceDatabase {
		return usagef("--url must be a database (postgres://...), not %s", target.Kind)
	}
	to, err := p.source("to", true)
	if err != nil {
		return err
	}
	ctx := c.Context
	ch, err := p.provedChange(ctx, c.App.ErrWriter, target, to)
	if err != nil {
		return err
	}
	defer ch.close(ctx)
	plan, cur, want := ch.plan, ch.cur, ch.want
	if plan.Empty() {
		fmt.Fprintln(c.App.Writer, "no changes: the database is in the desired state")
		return nil
	}
	fmt.Fprint(c.App.Writer, planText(plan))
	if c.Bool("dry-run") {
		return nil
	}
	if !c.Bool("auto-approve") {
		ok, err := approve(c)
		if err != nil {
			return err
		}
		if !ok {
			return exitError{code: 1, msg: "not applied"}
		}
	}
	if err := diff.Apply(ctx, cur.DB, plan); err != nil {
		return err
	}
	after, err := schema.InspectDB(ctx, cur.DB, p.load.Scope)
	if err != nil {
		return fmt.Errorf("applied, but the database could not be inspected afterwards: %w", err)
	}
	left, err := diff.Differences(after, want.State)
	if err != nil {
		return err
	}
	if len(left) > 0 {
		return fmt.Errorf("applied, but the database differs from the desired state:\n  %s", strings.Join(left, "\n  "))
	}
	fmt.Fprintf(c.App.Writer, "applied %d statement(s)\n", len(plan.Stmts))
	return nil
}

// ttyInput reports whether f is a terminal one can type on (a character
// device such as /dev/null is not).
func ttyInput(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// approve asks on the terminal whether to apply the plan.
func approve(c *cli.Context) (bool, error) {
	in, ok := c.App.Reader.(*os.File)
	if c.App.Reader == nil {
		in, ok = os.Stdin, true
	}
	if !ok || !ttyInput(in) {
		return false, usagef("not a terminal: pass --auto-approve to apply without asking (or --dry-run)")
	}
	fmt.Fprint(c.App.ErrWriter, "Apply these statements? [y/N] ")
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && err != io.EOF {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

func schemaFmtCommand() *cli.Command {
	return &cli.Command{
		Name:      "fmt",
		Usage:     "format HCL schema files in place",
		ArgsUsage: "[path ...]",
		Description: `Formats the .hcl files named (directories: the .hcl files in them; default:
the current directory) the canonical HCL way and prints the files changed.
A syntax error is reported as file:line:col and changes nothing.`,
		Action: schemaFmt,
	}
}

func schemaFmt(c *cli.Context) error {
	paths := c.Args().Slice()
	if len(paths) == 0 {
		paths = []string{"."}
	}
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(p, "*.hcl"))
		if err != nil {
			return err
		}
		files = append(files, matches...)
	}
	sort.Strings(files)
	formatted := map[string][]byte{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		out, err := schema.FormatHCL(f, src)
		if err != nil {
			return err
		}
		if !bytes.Equal(src, out) {
			formatted[f] = out
		}
	}
	for _, f := range files {
		if out, ok := formatted[f]; ok {
			if err := os.WriteFile(f, out, 0o644); err != nil {
				return err
			}
			fmt.Fprintln(c.App.Writer, f)
		}
	}
	return nil
}
