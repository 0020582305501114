package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/schemactl/schemactl/migrations/importer"
)

func migrateImportCommand() *cli.Command {
	return &cli.Command{
		Name:  "import",
		Usage: "convert a migration history written for another tool into an Atlas directory with atlas.sum",
		Description: `Reads --from in the format given by its ?format= (or --dir-format), one
of ` + strings.Join(importer.Formats, ", ") + `,
and writes --to: one <version>_<name>.sql file per migration, in the order the source tool runs them on PostgreSQL, then
atlas.sum. Down parts are left out (an Atlas directory has no down files).
A migration the source tool runs outside a transaction starts with
-- atlas:txmode none and a blank line. Versions are kept, padded with zeros
only where their names would otherwise sort in another order. --to must
hold no .sql file and no atlas.sum (it is created when missing); with
format atlas and --to the same directory, only atlas.sum is written.
Anything that cannot be carried (a Go, Java or fizz migration, a Flyway
placeholder or callback, a popx template) is an error naming the file,
and nothing is written.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "from", Usage: "source directory, file://PATH?format=FORMAT"},
			&cli.StringFlag{Name: "to", Value: "file://migrations", Usage: "target Atlas directory (file://PATH or PATH)"},
			&cli.StringFlag{Name: "dir-format", Usage: "source format when --from has no ?format= (" + strings.Join(importer.Formats, ", ") + ")"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "list the source files the source tool itself leaves out"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("migrate import takes no arguments")
			}
			if c.String("from") == "" {
				return usagef("migrate import needs --from file://PATH?format=FORMAT")
			}
			src, format, err := importer.ParseURL(c.String("from"))
			if err != nil {
				return usagef("--from: %v", err)
			}
			if f := c.String("dir-format"); f != "" {
				if format != "" && format != f {
					return usagef("--from says format %s but --dir-format says %s", format, f)
				}
				format = f
			}
			if format == "" {
				return usagef("--from: give the source format as file://PATH?format=FORMAT or --dir-format (one of %s)", strings.Join(importer.Formats, ", "))
			}
			dst, toFormat, err := importer.ParseURL(c.String("to"))
			if err != nil {
				return usagef("--to: %v", err)
			}
			if toFormat != "" && toFormat != importer.FormatAtlas {
				return usagef("--to: the target is an Atlas directory; format %s is not written", toFormat)
			}
			rep, err := importer.Import(src, format, dst)
			if err != nil {
				return err
			}
			if c.Bool("verbose") {
				for _, s := range rep.Skipped {
					fmt.Fprintf(c.App.ErrWriter, "schemactl: left out %s\n", s)
				}
			}
			fmt.Fprintf(c.App.Writer, "%s: %s from %s (%s)", dst, count(len(rep.Files), "file"), src, format)
			if rep.NoTx > 0 {
				fmt.Fprintf(c.App.Writer, ", %d with -- atlas:txmode none", rep.NoTx)
			}
			if rep.Padded {
				fmt.Fprint(c.App.Writer, ", versions padded with zeros to keep their order")
			}
			fmt.Fprintln(c.App.Writer)
			if rep.DownsDropped > 0 {
				fmt.Fprintf(c.App.Writer, "%s left out (an Atlas directory has no down files)\n", count(rep.DownsDropped, "down part"))
			}
			if n := len(rep.Skipped); n > 0 && !c.Bool("verbose") {
				fmt.Fprintf(c.App.Writer, "%s the source tool ignores on PostgreSQL left out (--verbose lists them)\n", count(n, "source file"))
			}
			return nil
		},
	}
}

// count says "1 file" or "3 files".
func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
