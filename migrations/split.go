package migrations

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// SegmentKind tells what a Segment of a scanned file holds.
type SegmentKind uint8

// The kinds of Segment. The segments of a file cover it exactly, in order.
const (
	SegSpace   SegmentKind = iota + 1 // whitespace between statements
	SegComment                        // a -- or /* */ comment between statements
	SegStmt                           // statement text (Stmt.Text)
	SegDelim                          // the delimiter ending a statement, or an empty statement
	SegMeta                           // a psql meta-command line (MetaCommand.Text)
)

// String names the kind.
func (k SegmentKind) String() string {
	switch k {
	case SegSpace:
		return "space"
	case SegComment:
		return "comment"
	case SegStmt:
		return "stmt"
	case SegDelim:
		return "delim"
	case SegMeta:
		return "meta"
	}
	return fmt.Sprintf("SegmentKind(%d)", uint8(k))
}

// Segment is a byte range [Start, End) of a scanned file.
type Segment struct {
	Kind       SegmentKind
	Start, End int
}

// Script is a scanned SQL file: its statements, the psql meta-command
// lines between them, and the exact segmentation of its bytes.
type Script struct {
	// Stmts are the SQL statements in file order.
	Stmts []Stmt
	// Meta are the psql meta-command lines found between statements.
	Meta []MetaCommand
	// Segments cover the source exactly: concatenating src[Start:End] of
	// every segment gives the source back.
	Segments []Segment
	// Leading are the directives in the comments before the first
	// statement: the candidates for file directives.
	Leading []Directive
	// Later are the directives in comments after the first statement
	// began (each is also in the Directives of the statement it precedes,
	// unless a blank line separates them).
	Later []Directive
	// Delimiter is the statement delimiter used (";" by default).
	Delimiter string
}

// SplitOptions controls Scan.
type SplitOptions struct {
	// Delimiter ends statements. Empty means: the value of an
	// `-- atlas:delimiter X` directive in the file's leading comments
	// (with \n, \r and \t unescaped, as Atlas does), else ";".
	Delimiter string
}

// DefaultDelimiter ends PostgreSQL statements unless a file says otherwise.
const DefaultDelimiter = ";"

// Split splits a PostgreSQL file into its statements, honouring an
// `-- atlas:delimiter X` directive in the file's leading comments. psql
// meta-command lines are left out; use Scan to see them. file names the
// file in positions and errors.
func Split(file string, src []byte) ([]Stmt, error) {
	s, err := Scan(file, src, SplitOptions{})
	if err != nil {
		return nil, err
	}
	return s.Stmts, nil
}

// Scan splits src like psql does: on delimiters outside string literals,
// quoted identifiers, dollar-quoted bodies, comments (nested /* */ too),
// parentheses and SQL-standard `BEGIN ATOMIC ... END` function bodies.
// A custom delimiter (SplitOptions or `-- atlas:delimiter`) replaces ";".
// Syntax errors that prevent splitting (an unterminated quote or comment)
// are reported as file:line:col.
func Scan(file string, src []byte, opts SplitOptions) (*Script, error) {
	s := &scanner{file: file, src: src, lines: lineStarts(src)}
	delim := opts.Delimiter
	if delim == "" {
		d, err := s.leadingDelimiter()
		if err != nil {
			return nil, err
		}
		delim = d
	}
	if delim == "" {
		delim = DefaultDelimiter
	}
	s.delim = []byte(delim)
	s.custom = delim != DefaultDelimiter
	s.out = &Script{Delimiter: delim}
	if err := s.run(); err != nil {
		return nil, err
	}
	return s.out, nil
}

// UnescapeDelimiter turns the \n, \r and \t escapes of an
// `-- atlas:delimiter` argument into the characters they stand for.
func UnescapeDelimiter(arg string) string {
	return strings.NewReplacer(`\n`, "\n", `\r`, "\r", `\t`, "\t").Replace(arg)
}

type scanner struct {
	file   string
	src    []byte
	lines  []int // offsets where lines start
	delim  []byte
	custom bool
	out    *Script

	started bool        // a statement was seen
	block   []Directive // directives of the current contiguous comment block
}

// lineStarts returns the offsets at which the lines of src start.
func lineStarts(src []byte) []int {
	ls := make([]int, 1, 1+bytes.Count(src, []byte{'\n'}))
	for i, c := range src {
		if c == '\n' {
			ls = append(ls, i+1)
		}
	}
	return ls
}

// pos converts a byte offset into a file:line:col position.
func (s *scanner) pos(off int) Pos {
	return posAt(s.file, s.lines, off)
}

func posAt(file string, lines []int, off int) Pos {
	l := sort.Search(len(lines), func(i int) bool { return lines[i] > off }) - 1
	if l < 0 {
		l = 0
	}
	return Pos{File: file, Line: l + 1, Col: off - lines[l] + 1}
}

func (s *scanner) errorf(off int, format string, args ...any) error {
	return fmt.Errorf("%s: %s", s.pos(off), fmt.Sprintf(format, args...))
}

// leadingDelimiter finds an `-- atlas:delimiter X` directive among the
// blank, comment and meta-command lines that open the file.
func (s *scanner) leadingDelimiter() (string, error) {
	var found *Directive
lines:
	for l, start := range s.lines {
		end := len(s.src)
		if l+1 < len(s.lines) {
			end = s.lines[l+1]
		}
		line := strings.TrimSpace(string(s.src[start:end]))
		switch {
		case line == "" || strings.HasPrefix(line, `\`):
			continue
		case !strings.HasPrefix(line, "--"):
			break lines
		}
		col := strings.Index(string(s.src[start:end]), "--")
		d, ok := parseDirective(line, posAt(s.file, s.lines, start+col))
		if !ok || d.Tool != "atlas" || d.Name != "delimiter" {
			continue
		}
		if found != nil {
			return "", fmt.Errorf("%s: second atlas:delimiter directive (the first is at line %d)", d.Pos, found.Pos.Line)
		}
		if d.Args == "" {
			return "", fmt.Errorf("%s: atlas:delimiter needs a delimiter, e.g. -- atlas:delimiter \\n\\n", d.Pos)
		}
		found = &d
	}
	if found == nil {
		return "", nil
	}
	return UnescapeDelimiter(found.Args), nil
}

// parseDirective reads a `-- atlas:name args` or `-- schemactl:name args`
// comment line (without its line break).
func parseDirective(comment string, pos Pos) (Directive, bool) {
	body := strings.TrimLeft(strings.TrimPrefix(comment, "--"), " \t")
	var tool string
	switch {
	case strings.HasPrefix(body, "atlas:"):
		tool = "atlas"
	case strings.HasPrefix(body, "schemactl:"):
		tool = "schemactl"
	default:
		return Directive{}, false
	}
	body = strings.TrimRight(body[len(tool)+1:], " \t\r")
	name, args := body, ""
	if i := strings.IndexAny(body, " \t"); i >= 0 {
		name, args = body[:i], strings.TrimSpace(body[i+1:])
	}
	return Directive{Tool: tool, Name: name, Args: args, Pos: pos}, true
}

func (s *scanner) add(kind SegmentKind, start, end int) {
	if start >= end {
		return
	}
	segs := s.out.Segments
	if n := len(segs); n > 0 && kind == SegSpace && segs[n-1].Kind == SegSpace && segs[n-1].End == start {
		segs[n-1].End = end
		return
	}
	s.out.Segments = append(segs, Segment{Kind: kind, Start: start, End: end})
}

// run scans the whole source: the gaps between statements (whitespace,
// comments, meta-commands, empty statements) and the statements.
func (s *scanner) run() error {
	src, n := s.src, len(s.src)
	newlines := 0 // line breaks since the last comment in this gap
	for i := 0; i < n; {
		c := src[i]
		switch {
		case isSpace(c):
			j := i
			for j < n && isSpace(src[j]) {
				if src[j] == '\n' {
					if newlines++; newlines == 2 {
						s.endBlock(true)
					}
				}
				j++
			}
			s.add(SegSpace, i, j)
			i = j
		case c == '-' && i+1 < n && src[i+1] == '-':
			j := lineEnd(src, i)
			if d, ok := parseDirective(string(src[i:j]), s.pos(i)); ok {
				s.block = append(s.block, d)
			}
			s.add(SegComment, i, j)
			newlines = 0
			i = j
		case c == '/' && i+1 < n && src[i+1] == '*':
			j, err := s.skipBlockComment(i)
			if err != nil {
				return err
			}
			s.add(SegComment, i, j)
			newlines = 0
			i = j
		case c == '\\':
			j := lineEnd(src, i)
			text := strings.TrimRight(string(src[i:j]), " \t\r")
			name := strings.TrimPrefix(strings.Fields(text)[0], `\`)
			s.out.Meta = append(s.out.Meta, MetaCommand{Text: text, Name: name, Pos: s.pos(i), Start: i, End: i + len(text)})
			s.add(SegMeta, i, i+len(text))
			s.add(SegSpace, i+len(text), j)
			s.endBlock(true)
			newlines = 0
			i = j
		case bytes.HasPrefix(src[i:], s.delim):
			s.add(SegDelim, i, i+len(s.delim))
			s.endBlock(true)
			i += len(s.delim)
		default:
			end, next, err := s.scanStmt(i)
			if err != nil {
				return err
			}
			textEnd := end
			for textEnd > i && isSpace(src[textEnd-1]) {
				textEnd--
			}
			st := Stmt{Text: string(src[i:textEnd]), Pos: s.pos(i), Start: i, End: textEnd}
			st.Directives = s.block
			s.record(s.block)
			s.block = nil
			s.started = true
			s.out.Stmts = append(s.out.Stmts, st)
			s.add(SegStmt, i, textEnd)
			s.add(SegSpace, textEnd, end)
			s.add(SegDelim, end, next)
			newlines = 0
			i = next
		}
	}
	s.endBlock(true)
	return nil
}

// endBlock closes the current comment block; its directives are not
// attached to a statement (a blank line, the end of the file or something
// other than a statement follows them).
func (s *scanner) endBlock(separated bool) {
	for i := range s.block {
		s.block[i].Separated = separated
	}
	s.record(s.block)
	s.block = nil
}

func (s *scanner) record(ds []Directive) {
	if s.started {
		s.out.Later = append(s.out.Later, ds...)
	} else {
		s.out.Leading = append(s.out.Leading, ds...)
	}
}

// lineEnd returns the offset of the line break ending the line that holds
// offset i, or len(src).
func lineEnd(src []byte, i int) int {
	if j := bytes.IndexByte(src[i:], '\n'); j >= 0 {
		return i + j
	}
	return len(src)
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
