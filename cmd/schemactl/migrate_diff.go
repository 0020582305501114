package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/schemactl/schemactl/diff"
	"github.com/schemactl/schemactl/migrations"
	"github.com/schemactl/schemactl/schema"
)

func migrateDiffCommand() *cli.Command {
	return &cli.Command{
		Name:      "diff",
		Usage:     "write the migration that takes the directory's state to the desired state",
		ArgsUsage: "[name]",
		Description: `Replays --dir on a dev database, loads the desired state --to (default: the
env's src), plans the difference and proves it (the plan applied to the
replayed directory must give the desired state, object by object). Then it
writes one new file <version>_<name>.sql, with a version greater than every
version in the directory, and updates atlas.sum. When the directory is in
sync, it prints "no changes" and writes nothing. --edit opens $EDITOR on the
new file before atlas.sum is written. After writing, it prints on stderr
what the migration does, by object, with the hazards of each step (data
loss, rewrite, lock level and how long it is held). --dry-run prints the
plan instead of writing it: --format sql, markdown (the summary and the
statements, for a pull request) or json. --down also writes the revert of
the new file, planned from the desired state back to the directory's and
proved on a dev database, as down/<version>_<name>.down.sql inside the
directory: Atlas reads every *.sql file at the top of a migration directory
as a migration (a .down.sql beside the files would be applied as one), and
neither Atlas nor schemactl reads a subdirectory or lists it in atlas.sum.
The pin blocks of --env then get the directory's hash (also when nothing
changed). Renames are never guessed: use
--rename table:OLD=NEW or --rename column:TABLE.OLD=NEW.

` + stateURLs,
		Flags: append(stateFlags(),
			&cli.StringFlag{Name: "dir", Usage: "migration directory (file://PATH or PATH; default: the env's migration dir, else file://migrations)"},
			&cli.StringSliceFlag{Name: "to", Usage: "the desired state (`URL`; several for SQL or HCL files)"},
			&cli.BoolFlag{Name: "edit", Usage: "open $EDITOR on the new file before atlas.sum is written"},
			&cli.BoolFlag{Name: "dry-run", Usage: "print the plan (see --format), write nothing"},
			&cli.StringFlag{Name: "format", Value: "sql", Usage: "with --dry-run: sql, markdown or json"},
			&cli.BoolFlag{Name: "down", Usage: "also write the file that reverts it, down/<version>_<name>.down.sql in the directory (proved, for review)"},
			renameFlag(),
		),
		Action: migrateDiff,
	}
}

// migrationDir returns the directory of --dir, else the env's, else
// ./migrations.
func (p *project) migrationDir() (string, error) {
	raw := "file://migrations"
	switch {
	case p.c.IsSet("dir"):
		raw = p.c.String("dir")
	case p.env != nil && p.env.Migration.Dir.IsSet():
		v, err := p.env.Migration.Dir.Value()
		if err != nil {
			return "", err
		}
		raw = v
	}
	dir, err := migrations.DirFromURL(raw)
	if err != nil {
		return "", usagef("--dir: %v", err)
	}
	return dir, nil
}

// dirSource is the state of a migration directory; nil (the empty state)
// for a directory that does not exist or holds no file yet.
func dirSource(dir string) (*schema.Source, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if !e.IsDir() && (strings.HasSuffix(e.Name(), ".sql") || e.Name() == migrations.SumFileName) {
			return &schema.Source{Kind: schema.SourceMigrations, Raw: "file://" + dir, Dir: dir}, nil
		}
	}
	return nil, nil
}

func migrateDiff(c *cli.Context) error {
	args, err := positionalArgs(c)
	if err != nil {
		return err
	}
	if len(args) > 1 {
		return usagef("migrate diff takes at most one name, got %d arguments", len(args))
	}
	name := ""
	if len(args) == 1 {
		name = args[0]
	}
	if strings.ContainsAny(name, `/\ `+"\x00") {
		return usagef("migration name %q: use letters, digits and underscores", name)
	}
	write, err := planFormat(c.String("format"))
	if err != nil {
		return err
	}
	if c.IsSet("format") && !c.Bool("dry-run") {
		return usagef("--format goes with --dry-run (migrate diff writes the migration file)")
	}
	p, err := openProject(c)
	if err != nil {
		return err
	}
	defer p.Close()
	dir, err := p.writableMigrationDir()
	if err != nil {
		return err
	}
	to, err := p.source("to", true)
	if err != nil {
		return err
	}
	from, err := dirSource(dir)
	if err != nil {
		return err
	}
	ch, err := p.provedChange(c.Context, c.App.ErrWriter, from, to)
	if err != nil {
		return err
	}
	defer ch.close(c.Context)
	plan := ch.plan
	if c.Bool("dry-run") {
		return write(c.App.Writer, ch)
	}
	if plan.Empty() {
		fmt.Fprintln(c.App.Writer, "no changes: the migration directory is in sync with the desired state")
		return updatePins(c, dir)
	}
	path, err := writeMigration(c, dir, name, migrationContent(plan, to))
	if err != nil {
		return err
	}
	fmt.Fprintln(c.App.Writer, path)
	// The path alone goes to stdout, for scripts; the summary is for the
	// person who runs the command.
	if err := ch.summary().Text(c.App.ErrWriter); err != nil {
		return err
	}
	if c.Bool("down") {
		downPath, err := writeDownFile(c, p, ch, path)
		if err != nil {
			return err
		}
		fmt.Fprintln(c.App.Writer, downPath)
	}
	return updatePins(c, dir)
}

// migrationContent is the text of a generated migration file: a header,
// then one statement per paragraph, each after a comment saying what it
// does. It holds no timestamp, so the same change gives the same file.
func migrationContent(plan *diff.Plan, to *schema.Source) string {
	var b strings.Builder
	if !plan.Transactional {
		// A blank line after the directive: the only form Atlas honours.
		b.WriteString("-- atlas:txmode none\n\n")
	}
	fmt.Fprintf(&b, "-- Generated by schemactl migrate diff: the changes to %s.\n\n", to.Redacted())
	b.WriteString(plan.SQL())
	return b.String()
}

// writeMigration writes the new migration file into dir with a version
// greater than every existing one, lets the user edit it with --edit,
// then writes atlas.sum.
func writeMigration(c *cli.Context, dir, name, content string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	var edit func(string) error
	if c.Bool("edit") {
		edit = func(path string) error { return runEditor(c, path) }
	}
	return migrations.NewFileEdit(dir, name, []byte(content), time.Now(), edit)
}

// runEditor opens $VISUAL or $EDITOR (vi by default) on path.
func runEditor(c *cli.Context, path string) error {
	editor := os.Getenv("VISUAL")
	if editor == "" {
		editor = os.Getenv("EDITOR")
	}
	if editor == "" {
		editor = "vi"
	}
	args := strings.Fields(editor)
	cmd := exec.CommandContext(c.Context, args[0], append(args[1:], path)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("editor %s: %v", editor, err)
	}
	return nil
}
