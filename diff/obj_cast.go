package diff

import "github.com/schemactl/schemactl/schema"

// castGen plans casts. PostgreSQL has no ALTER CAST: a changed cast is
// dropped and created again.
type castGen struct{}

func (castGen) create(o schema.PgObject) []string { return o.(*schema.PgCast).CreateSQL() }

func (castGen) drop(o schema.PgObject) []string { return []string{"DROP CAST " + o.QualifiedSQL()} }

func (castGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, c := fo.(*schema.PgCast), to.(*schema.PgCast)
	if from.Method != c.Method || from.Function != c.Function || from.Context != c.Context {
		return nil, true
	}
	return commentChange("CAST", c.SQLName, from.Comment, c.Comment), false
}
