package erd

import (
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Mermaid writes the diagram as a Mermaid erDiagram: an entity per table
// or view with its columns ("type name PK, FK, UK" and the comment), a
// relationship per foreign key with its cardinality (|| or |o on the
// referenced side, o{ or o| on the referencing side; a solid line when
// the key is part of the referencing table's primary key). Views,
// materialized views, partitioned and foreign tables say what they are in
// their label. A compared diagram colours the added, changed and dropped
// entities with classes and says how each column changed in its comment.
func Mermaid(w io.Writer, d *Diagram) error {
	var b strings.Builder
	b.WriteString("erDiagram\n")
	ids := entityIDs(d)
	if len(d.Entities) == 0 {
		if d.Compared {
			b.WriteString("    %% no changes\n")
		} else {
			b.WriteString("    %% no tables\n")
		}
	}
	qualify := d.schemas() > 1
	for _, e := range d.Entities {
		id := ids[e.Name]
		label := e.Name.Name
		if qualify {
			label = e.Name.String()
		}
		if notes := entityNotes(e, d.Compared); len(notes) > 0 {
			label += " (" + strings.Join(notes, ", ") + ")"
		}
		b.WriteString("    " + id)
		if label != id {
			b.WriteString(`["` + mermaidText(label) + `"]`)
		}
		b.WriteString(" {\n")
		for _, a := range e.Attrs {
			name := mermaidWord(a.Name)
			if kw[strings.ToLower(name)] {
				name += "_"
			}
			fmt.Fprintf(&b, "        %s %s", mermaidType(a.Type), name)
			var keys []string
			for _, k := range []struct {
				on bool
				s  string
			}{{a.PK, "PK"}, {a.FK, "FK"}, {a.UK, "UK"}} {
				if k.on {
					keys = append(keys, k.s)
				}
			}
			if len(keys) > 0 {
				b.WriteString(" " + strings.Join(keys, ", "))
			}
			var comment []string
			if name != a.Name {
				comment = append(comment, a.Name)
			}
			if d.Compared {
				if a.Change != Unchanged {
					c := string(a.Change)
					if a.Note != "" {
						c += ": " + a.Note
					}
					comment = append(comment, c)
				}
			} else if a.Comment != "" {
				comment = append(comment, a.Comment)
			}
			if len(comment) > 0 {
				b.WriteString(` "` + mermaidText(strings.Join(comment, "; ")) + `"`)
			}
			b.WriteString("\n")
		}
		b.WriteString("    }\n")
	}
	for _, r := range d.Relations {
		parent, child := "||", "o{"
		if r.Optional {
			parent = "|o"
		}
		if r.OneToOne {
			child = "o|"
		}
		line := ".."
		if r.Identifying {
			line = "--"
		}
		label := relationLabel(r)
		if r.OnPartitions {
			label += " (on partitions)"
		}
		if d.Compared && r.Change != Unchanged {
			label += " (" + string(r.Change) + ")"
		}
		fmt.Fprintf(&b, "    %s %s%s%s %s : \"%s\"\n", ids[r.Parent], parent, line, child, ids[r.Child], mermaidText(label))
	}
	if d.Compared {
		byChange := map[Change][]string{}
		for _, e := range d.Entities {
			if e.Change != Unchanged {
				byChange[e.Change] = append(byChange[e.Change], ids[e.Name])
			}
		}
		for _, c := range []struct {
			ch    Change
			style string
		}{
			{Added, "fill:#d1f5d3,stroke:#1a7f37"},
			{Changed, "fill:#fff1c2,stroke:#9a6700"},
			{Dropped, "fill:#ffd8d3,stroke:#cf222e"},
		} {
			if len(byChange[c.ch]) == 0 {
				continue
			}
			fmt.Fprintf(&b, "    classDef %s %s\n", c.ch, c.style)
			fmt.Fprintf(&b, "    class %s %s\n", strings.Join(byChange[c.ch], ","), c.ch)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// entityNotes says what an entity is beyond a table, and how it changed.
func entityNotes(e *Entity, compared bool) []string {
	var notes []string
	switch e.Kind {
	case KindView, KindMatView, KindForeign:
		notes = append(notes, string(e.Kind))
	case KindPartitioned:
		p := "partitioned"
		if e.PartitionKey != "" {
			p += " by " + e.PartitionKey
		}
		if e.Partitions > 0 {
			p += fmt.Sprintf(", %d partition%s", e.Partitions, plural(e.Partitions))
		}
		notes = append(notes, p)
	}
	if len(e.Inherits) > 0 {
		var ps []string
		for _, p := range e.Inherits {
			ps = append(ps, p.Name)
		}
		notes = append(notes, "inherits "+strings.Join(ps, ", "))
	}
	if compared && e.Change != Unchanged {
		notes = append(notes, string(e.Change))
	}
	if compared && e.was != "" {
		notes = append(notes, "renamed from "+e.was)
	}
	return notes
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// relationLabel names a relationship by its columns, with the referenced
// ones when their names differ.
func relationLabel(r *Relation) string {
	l := strings.Join(r.Columns, ", ")
	if strings.Join(r.RefColumns, ", ") != l {
		l += " → " + strings.Join(r.RefColumns, ", ")
	}
	return l
}

// kw are the words Mermaid's erDiagram reads as keywords, not names.
var kw = map[string]bool{
	"pk": true, "fk": true, "uk": true, "erdiagram": true, "style": true, "classdef": true, "class": true,
	"direction": true, "subgraph": true, "end": true, "one": true, "many": true, "to": true, "only": true,
	"zero": true, "optionally": true, "u": true, "acctitle": true, "accdescr": true,
}

var (
	reNotID   = regexp.MustCompile(`[^A-Za-z0-9_\-\x{80}-\x{10FFFF}]`)
	reNotWord = regexp.MustCompile(`[^A-Za-z0-9_\-\[\]().,*\x{C0}-\x{FFFF}]`)
)

// mermaidType makes a type one word of an attribute line: PostgreSQL's
// long type names in their short form, then as mermaidWord.
func mermaidType(s string) string { return mermaidWord(shortTypeName(s)) }

// mermaidWord makes a name one word of an attribute line: spaces and the
// characters Mermaid does not take become "_".
func mermaidWord(s string) string {
	s = reNotWord.ReplaceAllString(s, "_")
	if s == "" || !(s[0] == '_' || s[0] == '*' || s[0] >= 0x80 || (s[0]|0x20 >= 'a' && s[0]|0x20 <= 'z')) {
		s = "_" + s
	}
	return s
}

var reLongType = regexp.MustCompile(`^(timestamp|time)(\(\d+\))? with(out)? time zone`)

// shortTypeName writes the types whose SQL names have spaces by their
// PostgreSQL aliases (timestamptz, varchar, ...).
func shortTypeName(t string) string {
	if m := reLongType.FindStringSubmatchIndex(t); m != nil {
		base, mod := t[m[2]:m[3]], ""
		if m[4] >= 0 {
			mod = t[m[4]:m[5]]
		}
		if m[6] < 0 {
			base += "tz"
		}
		return base + mod + t[m[1]:]
	}
	for _, p := range [][2]string{
		{"character varying", "varchar"}, {"character", "char"}, {"bit varying", "varbit"},
		{"double precision", "float8"},
	} {
		if strings.HasPrefix(t, p[0]) {
			return p[1] + t[len(p[0]):]
		}
	}
	return t
}

// mermaidText makes text fit between the double quotes of a label or
// comment.
func mermaidText(s string) string {
	return strings.NewReplacer(`"`, "'", "\n", " ", "\r", " ").Replace(s)
}

// entityIDs gives each entity a Mermaid name: its table name (schema_name
// when several schemas are drawn), with the characters Mermaid does not
// take as "_", made unique.
func entityIDs(d *Diagram) map[Name]string {
	qualify := d.schemas() > 1
	ids := map[Name]string{}
	used := map[string]bool{}
	for _, e := range d.Entities {
		base := e.Name.Name
		if qualify {
			base = e.Name.Schema + "_" + e.Name.Name
		}
		base = reNotID.ReplaceAllString(base, "_")
		if base == "" || kw[strings.ToLower(base)] || (base[0] >= '0' && base[0] <= '9') {
			base = "t_" + base
		}
		id := base
		for i := 2; used[strings.ToLower(id)]; i++ {
			id = fmt.Sprintf("%s_%d", base, i)
		}
		used[strings.ToLower(id)] = true
		ids[e.Name] = id
	}
	return ids
}
