package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/schemactl/schemactl/migrations"
)

// migrateDirCommands are the commands that work on the migration directory
// itself: new, hash and validate.
func migrateDirCommands() []*cli.Command {
	return []*cli.Command{migrateNewCommand(), migrateHashCommand(), migrateValidateCommand()}
}

// migrateDirFlags are --dir, as Atlas spells it, and --config and --env,
// whose env block may name the directory.
func migrateDirFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "dir", Usage: "migration directory (file://PATH or PATH; default: the env's migration dir, else file://migrations)"},
		configFlag(),
		envFlag(),
	}
}

// migrateDirPath returns the directory that --dir names, else the env's
// migration dir, else migrations.
func migrateDirPath(c *cli.Context) (string, error) {
	p, err := readProject(c)
	if err != nil {
		return "", err
	}
	return p.migrationDir()
}

func migrateNewCommand() *cli.Command {
	return &cli.Command{
		Name:      "new",
		Usage:     "create an empty migration file <UTC yyyymmddhhmmss>_<name>.sql and update atlas.sum",
		ArgsUsage: "[name]",
		Description: `Creates an empty migration file in --dir (the directory is created if needed),
named after the current UTC time; if that version is not greater than every
version in the directory (two files within one second), the next free one is
taken. atlas.sum and the pin blocks of --env are updated. The directory must
match its atlas.sum first.`,
		Flags: migrateDirFlags(),
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return usagef("migrate new takes at most one name, got %d arguments", c.NArg())
			}
			proj, err := readProject(c)
			if err != nil {
				return err
			}
			dir, err := proj.writableMigrationDir()
			if err != nil {
				return err
			}
			if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					return err
				}
			}
			p, err := migrations.NewFile(dir, c.Args().First(), nil, time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintln(c.App.Writer, p)
			return updatePins(c, dir)
		},
	}
}

func migrateHashCommand() *cli.Command {
	return &cli.Command{
		Name:  "hash",
		Usage: "rewrite atlas.sum from the files of the migration directory",
		Description: `Computes atlas.sum for the .sql files of --dir exactly as Atlas does and
writes it, then writes the directory's hash into every pin block of --env.
Run it after an intended change to a migration file. --print only prints
the hash (the first line of atlas.sum without "h1:", the value pins hold by
default) and writes nothing.`,
		Flags: append(migrateDirFlags(), &cli.BoolFlag{Name: "print", Usage: "print the directory's hash, write nothing"}),
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("migrate hash takes no arguments")
			}
			dir, err := migrateDirPath(c)
			if err != nil {
				return err
			}
			if c.Bool("print") {
				digest, err := dirDigest(dir)
				if err != nil {
					return err
				}
				fmt.Fprintln(c.App.Writer, digest)
				return nil
			}
			if err := migrations.WriteSum(dir); err != nil {
				return err
			}
			return updatePins(c, dir)
		},
	}
}

func migrateValidateCommand() *cli.Command {
	return &cli.Command{
		Name:  "validate",
		Usage: "check the migration directory against atlas.sum and replay it on a dev database",
		Description: `Checks --dir against its atlas.sum, reads every file (statements and
directives), refuses a file that runs in a transaction but holds a statement
PostgreSQL refuses there (CREATE INDEX CONCURRENTLY, VACUUM, ...; fix: start
the file with -- atlas:txmode none and a blank line), then runs all files in
order on a fresh database of the dev server (--dev-url) after the dev
baseline (--dev-baseline), each in a transaction unless it says
-- atlas:txmode none. The first failing statement is reported as
file:line:col. Places where Atlas would read a file differently (such as a
txmode directive with no blank line after it) are printed as warnings.
--env brings the env's migration dir, dev database and dev baseline.`,
		Flags:  append(migrateDirFlags(), devBaselineFlag()),
		Action: migrateValidate,
	}
}

func migrateValidate(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("migrate validate takes no arguments")
	}
	p, err := readProject(c)
	if err != nil {
		return err
	}
	dir, err := p.migrationDir()
	if err != nil {
		return err
	}
	d, err := migrations.Open(dir)
	if err != nil {
		return err
	}
	for _, w := range d.Warnings() {
		fmt.Fprintf(c.App.ErrWriter, "schemactl: warning: %s\n", w)
	}
	// Before the dev server is needed (ValidateDir checks again).
	if err := migrations.CheckTxBlocks(d.Files); err != nil {
		return err
	}
	if err := p.openDev(); err != nil {
		return err
	}
	defer p.Close()
	if err := migrations.ValidateDirWith(c.Context, p.dev, d, migrations.ValidateOptions{Prepare: p.baselinePrepare()}); err != nil {
		return err
	}
	n := 0
	for _, f := range d.Files {
		n += len(f.Stmts)
	}
	fmt.Fprintf(c.App.Writer, "%s: %d files, %d statements: valid\n", dir, len(d.Files), n)
	return nil
}
