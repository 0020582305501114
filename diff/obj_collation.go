package diff

import "github.com/schemactl/schemactl/schema"

// collationGen plans collations. A collation cannot be altered but for
// its name and owner: any other change recreates it.
type collationGen struct{}

func (collationGen) create(o schema.PgObject) []string { return o.(*schema.PgCollation).CreateSQL() }

func (collationGen) drop(o schema.PgObject) []string {
	return []string{"DROP COLLATION " + o.QualifiedSQL()}
}

func (collationGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, c := fo.(*schema.PgCollation), to.(*schema.PgCollation)
	if !from.SameDefinition(c) {
		return nil, true
	}
	return commentChange("COLLATION", c.SQLName, from.Comment, c.Comment), false
}
