package diff

import "github.com/schemactl/schemactl/schema"

// conversionGen plans encoding conversions; any change but the comment
// recreates them.
type conversionGen struct{}

func (conversionGen) create(o schema.PgObject) []string { return o.(*schema.PgConversion).CreateSQL() }

func (conversionGen) drop(o schema.PgObject) []string {
	return []string{"DROP CONVERSION " + o.QualifiedSQL()}
}

func (conversionGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, c := fo.(*schema.PgConversion), to.(*schema.PgConversion)
	if from.From != c.From || from.To != c.To || from.Function != c.Function || from.Default != c.Default {
		return nil, true
	}
	return commentChange("CONVERSION", c.SQLName, from.Comment, c.Comment), false
}
