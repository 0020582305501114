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
}

// Directive is one `-- atlas:name args` (or `-- schemactl:name args`) comment.
type Directive struct {
	Name string // e.g. "txmode", "nolint", "delimiter", "sum"
	Args string // e.g. "none"
	Pos  Pos
	// Separated is true when a blank line follows the directive's comment
	// block, the only form Atlas honours for file directives.
	Separated bool
}
