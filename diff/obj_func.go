package diff

import (
	"strings"

	"github.com/schemactl/schemactl/schema"
)

// funcGen plans functions, procedures and aggregates.
type funcGen struct{}

func funcWord(f *schema.PgFunction) string {
	switch f.Kind {
	case 'p':
		return "PROCEDURE"
	case 'a':
		return "AGGREGATE"
	}
	return "FUNCTION"
}

func (funcGen) create(o schema.PgObject) []string {
	f := o.(*schema.PgFunction)
	return append([]string{strings.TrimSpace(f.Def)}, commentIf(funcWord(f), f.SQLName, f.Comment)...)
}

func (funcGen) drop(o schema.PgObject) []string {
	f := o.(*schema.PgFunction)
	return []string{"DROP " + funcWord(f) + " " + f.SQLName}
}

func (funcGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, f := fo.(*schema.PgFunction), to.(*schema.PgFunction)
	var stmts []string
	if from.Def != f.Def {
		// CREATE OR REPLACE keeps the function (and what uses it) when the
		// kind, the result type and the argument names and modes stay.
		if from.Kind != f.Kind || f.Kind == 'a' || from.Result != f.Result || from.Args != f.Args {
			return nil, true
		}
		stmts = append(stmts, strings.TrimSpace(f.Def))
	}
	return append(stmts, commentChange(funcWord(f), f.SQLName, from.Comment, f.Comment)...), false
}
