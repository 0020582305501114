package erd

import (
	"fmt"
	"io"
	"strings"
)

// Colours of the dot output.
const (
	dotLine         = "#57606a"
	dotHeader       = "#ddf4ff"
	dotViewHeader   = "#eaeef2"
	dotAddedFill    = "#d1f5d3"
	dotAddedRow     = "#e6ffec"
	dotAddedLine    = "#1a7f37"
	dotChangedFill  = "#fff1c2"
	dotChangedRow   = "#fff8c5"
	dotChangedLine  = "#9a6700"
	dotDroppedFill  = "#ffd8d3"
	dotDroppedRow   = "#ffebe9"
	dotDroppedLine  = "#cf222e"
	dotReadsLine    = "#8c959f"
	dotFont         = "Helvetica"
	dotNoteFontSize = "8"
)

// Dot writes the diagram as a Graphviz digraph: a node per entity, its
// HTML-like label a table of the columns (keys, name, type), and an edge
// per foreign key from the referencing column to the referenced one, in
// crow's-foot notation (a crow for many, a bar for one, a circle for
// optional). Views point at what they read with dotted edges. A compared
// diagram fills added, changed and dropped entities and columns green,
// yellow and red, strikes dropped columns through, writes how a column
// changed under its type, and has a legend.
func Dot(w io.Writer, d *Diagram) error {
	var b strings.Builder
	b.WriteString("digraph erd {\n")
	fmt.Fprintf(&b, "  graph [rankdir=LR, fontname=%q, fontsize=10, nodesep=0.4, ranksep=0.9, bgcolor=\"white\"];\n", dotFont)
	fmt.Fprintf(&b, "  node [shape=plain, fontname=%q, fontsize=10];\n", dotFont)
	fmt.Fprintf(&b, "  edge [fontname=%q, fontsize=9, color=%q, dir=both];\n", dotFont, dotLine)
	if len(d.Entities) == 0 {
		if d.Compared {
			b.WriteString("  label=\"no changes\";\n")
		} else {
			b.WriteString("  label=\"no tables\";\n")
		}
	}
	qualify := d.schemas() > 1
	ports := map[Name]map[string]string{}
	for _, e := range d.Entities {
		ports[e.Name] = map[string]string{}
		for i, a := range e.Attrs {
			ports[e.Name][a.Name] = fmt.Sprintf("c%d", i+1)
		}
		dotEntity(&b, e, d.Compared, qualify)
	}
	for _, r := range d.Relations {
		tail, head := "crowodot", "teetee"
		if r.OneToOne {
			tail = "teeodot"
		}
		if r.Optional {
			head = "teeodot"
		}
		attrs := []string{"arrowtail=" + tail, "arrowhead=" + head}
		if r.OnPartitions {
			attrs = append(attrs, `tooltip="`+dotEscape(r.Name+" (on partitions)")+`"`)
		} else if r.Name != "" {
			attrs = append(attrs, `tooltip="`+dotEscape(r.Name)+`"`)
		}
		if d.Compared {
			switch r.Change {
			case Added:
				attrs = append(attrs, "color=\""+dotAddedLine+"\"", "penwidth=2")
			case Changed:
				attrs = append(attrs, "color=\""+dotChangedLine+"\"", "penwidth=2")
			case Dropped:
				attrs = append(attrs, "color=\""+dotDroppedLine+"\"", "penwidth=2", "style=dashed")
			}
		}
		from := dotNode(r.Child)
		// Left to right: from the east side of the referencing row to the
		// west side of the referenced one.
		if p := ports[r.Child][first(r.Columns)]; p != "" {
			from += ":" + p + "e:e"
		}
		to := dotNode(r.Parent)
		if p := ports[r.Parent][first(r.RefColumns)]; p != "" {
			to += ":" + p + "w:w"
		}
		fmt.Fprintf(&b, "  %s -> %s [%s];\n", from, to, strings.Join(attrs, ", "))
	}
	in := map[Name]bool{}
	for _, e := range d.Entities {
		in[e.Name] = true
	}
	for _, e := range d.Entities {
		for _, r := range e.Reads {
			if in[r] {
				fmt.Fprintf(&b, "  %s -> %s [style=dotted, color=%q, dir=forward, arrowhead=vee];\n", dotNode(e.Name), dotNode(r), dotReadsLine)
			}
		}
		for _, p := range e.Inherits {
			if in[p] {
				fmt.Fprintf(&b, "  %s -> %s [dir=forward, arrowhead=onormal];\n", dotNode(e.Name), dotNode(p))
			}
		}
	}
	if d.Compared && len(d.Entities) > 0 {
		fmt.Fprintf(&b, "  legend [label=<<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" CELLPADDING=\"4\" COLOR=%q>"+
			"<TR><TD BGCOLOR=%q>added</TD><TD BGCOLOR=%q>changed</TD><TD BGCOLOR=%q>dropped</TD></TR></TABLE>>];\n",
			dotLine, dotAddedFill, dotChangedFill, dotDroppedFill)
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func dotNode(n Name) string { return `"` + dotEscape(n.String()) + `"` }

// dotEscape escapes a double-quoted dot string.
func dotEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

// html escapes text of an HTML-like label.
func html(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\n", " ").Replace(s)
}

func dotEntity(b *strings.Builder, e *Entity, compared, qualify bool) {
	header := dotHeader
	if e.Kind == KindView || e.Kind == KindMatView {
		header = dotViewHeader
	}
	if compared {
		if f := changeFill(e.Change); f != "" {
			header = f
		}
	}
	name := e.Name.Name
	if qualify {
		name = e.Name.String()
	}
	fmt.Fprintf(b, "  %s [label=<<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" CELLPADDING=\"4\" COLOR=%q>\n", dotNode(e.Name), dotLine)
	fmt.Fprintf(b, "    <TR><TD COLSPAN=\"3\" BGCOLOR=%q><B>%s</B>", header, html(name))
	if notes := entityNotes(e, compared); len(notes) > 0 {
		fmt.Fprintf(b, "<BR/><FONT POINT-SIZE=%q>%s</FONT>", dotNoteFontSize, html(strings.Join(notes, ", ")))
	}
	b.WriteString("</TD></TR>\n")
	for i, a := range e.Attrs {
		var keys []string
		for _, k := range []struct {
			on bool
			s  string
		}{{a.PK, "PK"}, {a.FK, "FK"}, {a.UK, "UK"}} {
			if k.on {
				keys = append(keys, k.s)
			}
		}
		bg := ""
		if compared {
			if f := changeRow(a.Change); f != "" {
				bg = fmt.Sprintf(" BGCOLOR=%q", f)
			}
		}
		colName, typ := html(a.Name), html(shortTypeName(a.Type))
		if a.NotNull {
			colName = "<B>" + colName + "</B>"
		}
		if compared && a.Change == Dropped {
			colName, typ = "<S>"+colName+"</S>", "<S>"+typ+"</S>"
		}
		if compared && a.Note != "" {
			typ += fmt.Sprintf("<BR/><FONT POINT-SIZE=%q>%s</FONT>", dotNoteFontSize, html(a.Note))
		}
		keyCell := html(strings.Join(keys, " "))
		if keyCell == "" {
			keyCell = " "
		}
		fmt.Fprintf(b, "    <TR><TD ALIGN=\"LEFT\" PORT=\"c%dw\"%s>%s</TD><TD ALIGN=\"LEFT\"%s>%s</TD><TD ALIGN=\"LEFT\" BALIGN=\"LEFT\" PORT=\"c%de\"%s>%s</TD></TR>\n",
			i+1, bg, keyCell, bg, colName, i+1, bg, typ)
	}
	if len(e.Attrs) == 0 {
		b.WriteString("    <TR><TD COLSPAN=\"3\"><I>no columns</I></TD></TR>\n")
	}
	b.WriteString("  </TABLE>>];\n")
}

func changeFill(c Change) string {
	switch c {
	case Added:
		return dotAddedFill
	case Changed:
		return dotChangedFill
	case Dropped:
		return dotDroppedFill
	}
	return ""
}

func changeRow(c Change) string {
	switch c {
	case Added:
		return dotAddedRow
	case Changed:
		return dotChangedRow
	case Dropped:
		return dotDroppedRow
	}
	return ""
}
