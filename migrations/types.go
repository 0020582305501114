package migrations

import "fmt"

// Pos is a position in a migration file: 1-based line and column (column
// counts bytes).
type Pos struct {
	File string
	Line int
	Col  int
}

// String formats the position as file:line:col.
func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// Stmt is one statement of a migration file.
type Stmt struct {
	// Text is the statement as written, without the trailing delimiter and
	// without leading whitespace and comments.
	Text string
	// Pos is where Text starts.
	Pos Pos
	// Directives are the `-- atlas:` directives in the comments right above
	// the statement (e.g. nolint).
	Directives []Directive
	// Start and End are the byte offsets of Text in the source:
	// Text == string(src[Start:End]).
	Start, End int
}

// Directive is one `-- atlas:name args` (or `-- schemactl:name args`) comment.
type Directive struct {
	// Tool is the namespace before the colon: "atlas" or "schemactl".
	Tool string
	Name string // e.g. "txmode", "nolint", "delimiter", "sum"
	Args string // e.g. "none"
	Pos  Pos
	// Separated is true when a blank line follows the directive's comment
	// block, the only form Atlas honours for file directives.
	Separated bool
}

// String formats the directive as it is written, e.g. "atlas:txmode none".
func (d Directive) String() string {
	if d.Args == "" {
		return d.Tool + ":" + d.Name
	}
	return d.Tool + ":" + d.Name + " " + d.Args
}

// MetaCommand is a psql meta-command line (a line starting with a
// backslash outside any statement, such as the `\restrict KEY` and
// `\unrestrict KEY` lines that recent pg_dump versions write). It is not
// SQL: a loader must skip it or refuse it.
type MetaCommand struct {
	// Text is the whole command without the line break, e.g. `\restrict abc`.
	Text string
	// Name is the command word without the backslash, e.g. "restrict".
	Name string
	Pos  Pos
	// Start and End are the byte offsets of Text in the source.
	Start, End int
}
