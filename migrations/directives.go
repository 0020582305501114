package migrations

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// The directives schemactl knows. A file directive belongs in the comments
// before the first statement; nolint and schemactl:privileged may also
// stand right above any statement.
var knownDirectives = map[string]struct {
	fileOnly bool
	help     string
}{
	"atlas:txmode":         {true, "-- atlas:txmode none|file"},
	"atlas:nolint":         {false, "-- atlas:nolint [CODES...]"},
	"atlas:delimiter":      {true, "-- atlas:delimiter X"},
	"atlas:sum":            {true, "-- atlas:sum ignore"},
	"schemactl:privileged": {false, "-- schemactl:privileged"},
}

// checkKnown refuses a directive schemactl does not know.
func checkKnown(d Directive) error {
	key := d.Tool + ":" + d.Name
	if _, ok := knownDirectives[key]; ok {
		return nil
	}
	if key == "atlas:checkpoint" {
		return fmt.Errorf("%s: directive atlas:checkpoint (Atlas checkpoint files) is not supported by schemactl", d.Pos)
	}
	var known []string
	for k := range knownDirectives {
		if strings.HasPrefix(k, d.Tool+":") {
			known = append(known, strings.TrimPrefix(k, d.Tool+":"))
		}
	}
	slices.Sort(known)
	return fmt.Errorf("%s: unknown directive %s:%s (known %s directives: %s)", d.Pos, d.Tool, d.Name, d.Tool, strings.Join(known, ", "))
}

// directives validates the directives of a scanned file, sets the file's
// settings from them and collects the warnings about Atlas.
func (f *File) directives(sc *Script) error {
	top, atlasTop := atlasTopComments(f.Bytes)
	var txmode *Directive
	for _, d := range sc.Leading {
		if err := checkKnown(d); err != nil {
			return err
		}
		switch d.Tool + ":" + d.Name {
		case "atlas:txmode":
			if txmode != nil {
				return fmt.Errorf("%s: second atlas:txmode directive (the first is at line %d)", d.Pos, txmode.Pos.Line)
			}
			txmode = &d
			switch d.Args {
			case TxModeNone, TxModeFile:
				f.TxMode = d.Args
			case "all":
				return fmt.Errorf("%s: atlas:txmode all is not allowed in a file; use -- atlas:txmode file", d.Pos)
			default:
				return fmt.Errorf("%s: unknown atlas:txmode %q (use none or file)", d.Pos, d.Args)
			}
			f.warnTop(d, top, atlasTop)
		case "atlas:nolint":
			if !d.Separated {
				continue // it belongs to the first statement, in Atlas too
			}
			f.warnTop(d, top, atlasTop)
		case "atlas:delimiter":
			// Scan applied it. Atlas reads it only as the first line.
			if d.Pos.Line != 1 || !bytes.HasPrefix(f.Bytes, []byte("-- atlas:delimiter ")) {
				f.Warnings = append(f.Warnings, Warning{Pos: d.Pos, Msg: "Atlas ignores this atlas:delimiter directive (it reads it only as the first line, written `-- atlas:delimiter X`); schemactl honours it", Fix: "make it the first line of the file"})
			}
		case "atlas:sum":
			if d.Args != "ignore" {
				return fmt.Errorf("%s: unknown atlas:sum mode %q (only: -- atlas:sum ignore)", d.Pos, d.Args)
			}
			// atlas.sum is Atlas's, so schemactl reads this as Atlas does.
			if f.SumIgnore = atlasSumIgnored(f.Bytes); !f.SumIgnore {
				f.Warnings = append(f.Warnings, Warning{Pos: d.Pos, Msg: "atlas:sum ignore has no effect: Atlas and schemactl read it only on the first line", Fix: "make it the first line of the file"})
				continue
			}
		}
		f.Directives = append(f.Directives, d)
	}
	for _, d := range sc.Later {
		if err := checkKnown(d); err != nil {
			return err
		}
		if knownDirectives[d.Tool+":"+d.Name].fileOnly {
			return fmt.Errorf("%s: %s:%s is a file directive: move it into the comments at the top of the file, before the first statement, followed by a blank line", d.Pos, d.Tool, d.Name)
		}
	}
	return nil
}

// warnTop adds a warning when Atlas would not read d as a file directive.
// top is the number of comment lines (# or -- in column 1) that open the
// file; atlasTop is how many of them Atlas reads as file comments (all of
// them when a blank line follows, else none).
func (f *File) warnTop(d Directive, top, atlasTop int) {
	if d.Pos.Line <= atlasTop {
		return
	}
	w := Warning{Pos: d.Pos}
	switch {
	case d.Pos.Line <= top && bytes.Contains(f.Bytes, []byte("\r\n")):
		w.Msg = fmt.Sprintf("Atlas ignores this %s directive (it sees no blank line after the top comments of a file with CRLF line endings); schemactl honours it", d)
		w.Fix = "convert the file to LF line endings and insert a blank line after line " + fmt.Sprint(d.Pos.Line)
	case d.Pos.Line <= top:
		w.Msg = fmt.Sprintf("Atlas ignores this %s directive (no blank line separates it from the first statement); schemactl honours it", d)
		w.Fix = fmt.Sprintf("insert a blank line after line %d", d.Pos.Line)
	default:
		w.Msg = fmt.Sprintf("Atlas ignores this %s directive (it reads file directives only from the comment lines at the very top of the file, followed by a blank line); schemactl honours it", d)
		w.Fix = "move it to line 1 and insert a blank line after it"
	}
	f.Warnings = append(f.Warnings, w)
}

// atlasTopComments follows Atlas's rule for file directives: the lines that
// start with # or -- from the first line on are the file's comments, but
// only when a blank line (spaces and tabs allowed) or the end of the file
// follows them. It returns how many such lines open the file and how many
// of them Atlas reads as file comments (0 or all).
func atlasTopComments(src []byte) (top, atlas int) {
	rest := src
	for bytes.HasPrefix(rest, []byte("#")) || bytes.HasPrefix(rest, []byte("--")) {
		i := bytes.IndexByte(rest, '\n')
		top++
		if i < 0 {
			return top, 0 // a last comment line without a line break: Atlas reads none
		}
		rest = rest[i+1:]
	}
	if len(rest) == 0 || bytes.HasPrefix(bytes.TrimLeft(rest, " \t"), []byte("\n")) {
		return top, top
	}
	return top, 0
}

// reAtlasDirective is the shape in which Atlas recognises a directive at
// the start of a file (any printable prefix, then atlas:name args).
var reAtlasDirective = regexp.MustCompile(`^([ -~]*)atlas:(\w+)(?: +([ -~]*))*`)

// atlasSumIgnored reports whether Atlas leaves a file with this content out
// of atlas.sum: its first line holds `atlas:sum ignore`.
func atlasSumIgnored(src []byte) bool {
	m := reAtlasDirective.FindSubmatch(src)
	return m != nil && string(m[2]) == "sum" && string(m[3]) == "ignore"
}
