package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/schemactl/schemactl/diff"
	"github.com/schemactl/schemactl/internal/erd"
	"github.com/schemactl/schemactl/schema"
)

// isPicture reports whether a --format value is a diagram: mermaid (a
// Mermaid erDiagram) or dot (Graphviz).
func isPicture(format string) bool { return format == "mermaid" || format == "dot" }

// pictureFlags are the flags that cut a diagram down to part of a schema
// (--schema and --exclude limit the states themselves).
func pictureFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "around", Usage: "with --format mermaid or dot: draw only the `TABLE`s named (or schema.table) and what is within --depth foreign keys of them"},
		&cli.IntFlag{Name: "depth", Value: 1, Usage: "with --around (and for schema diff, around what changed): how many foreign keys away to draw (`N`, 0: only those)"},
	}
}

// writeStatePicture draws a state in a picture format.
func writeStatePicture(c *cli.Context, w io.Writer, st *schema.State, format string) error {
	d, err := erd.Build(st)
	if err != nil {
		return err
	}
	if d, err = around(c, d, nil); err != nil {
		return err
	}
	return writePicture(w, d, format)
}

// diffWriter returns the writer of schema diff's --format: a plan format
// (plan_format.go) or a picture of the change.
func diffWriter(c *cli.Context) (planWriter, error) {
	format := c.String("format")
	if isPicture(format) {
		return func(w io.Writer, ch *change) error {
			return writeChangePicture(c, w, ch.cur.State, ch.want.State, format)
		}, nil
	}
	if _, err := planFormat(format); err != nil {
		return nil, usagef("--format %q: use one of %s, mermaid, dot", format, strings.Join(planFormats, ", "))
	}
	return planFormat(format)
}

// writeChangePicture draws the change from one state to another: what is
// added, changed and dropped, and by default the tables within --depth
// foreign keys of it (all of it and its neighbourhood with --around).
func writeChangePicture(c *cli.Context, w io.Writer, from, to *schema.State, format string) error {
	a, err := erd.Build(from)
	if err != nil {
		return err
	}
	b, err := erd.Build(to)
	if err != nil {
		return err
	}
	d := erd.Compare(a, b)
	// The planner renamed what --rename names in the first state.
	renames, err := pictureRenames(c, d)
	if err != nil {
		return err
	}
	d.MarkRenamed(renames)
	if d, err = around(c, d, d.Changes()); err != nil {
		return err
	}
	return writePicture(w, d, format)
}

// pictureRenames reads --rename as erd.Renamed: the names after every
// rename (they apply in order: a column rename after a table rename names
// the table by its new name, and a later rename of the table moves it).
func pictureRenames(c *cli.Context, d *erd.Diagram) ([]erd.Renamed, error) {
	var out []erd.Renamed
	for _, raw := range c.StringSlice("rename") {
		r, err := diff.ParseRename(raw)
		if err != nil {
			return nil, usagef("--rename: %v", err)
		}
		if r.Kind == "table" {
			orig := r.Table
			for i := range out {
				o := &out[i]
				if o.Table.Name == r.Table && (r.Schema == "" || o.Table.Schema == r.Schema) {
					if o.Column == "" {
						orig = o.OldTable
					}
					o.Table.Name = r.To
				}
			}
			out = append(out, erd.Renamed{Table: erd.Name{Schema: r.Schema, Name: r.To}, OldTable: orig})
			continue
		}
		out = append(out, erd.Renamed{Table: erd.Name{Schema: r.Schema, Name: r.Table}, Column: r.To, OldColumn: r.From})
	}
	// A rename without a schema is of the only schema that has the table.
	for i := range out {
		if out[i].Table.Schema == "" {
			n, err := d.Lookup(out[i].Table.Name)
			if err != nil {
				return nil, fmt.Errorf("rename: %w", err)
			}
			out[i].Table = n
		}
	}
	return out, nil
}

// around applies --around and --depth; without --around, a non-nil
// centres (the changes of a diff) is the centre.
func around(c *cli.Context, d *erd.Diagram, centres []erd.Name) (*erd.Diagram, error) {
	depth := c.Int("depth")
	if depth < 0 {
		return nil, usagef("--depth %d: want 0 or more", depth)
	}
	names := c.StringSlice("around")
	if len(names) == 0 && centres == nil {
		if c.IsSet("depth") {
			return nil, usagef("--depth needs --around")
		}
		return d, nil
	}
	if len(names) > 0 {
		centres = nil
		for _, n := range names {
			name, err := d.Lookup(n)
			if err != nil {
				return nil, usagef("--around: %v", err)
			}
			centres = append(centres, name)
		}
	}
	return d.Around(centres, depth), nil
}

func writePicture(w io.Writer, d *erd.Diagram, format string) error {
	switch format {
	case "mermaid":
		return erd.Mermaid(w, d)
	case "dot":
		return erd.Dot(w, d)
	}
	return fmt.Errorf("unknown picture format %q", format)
}
