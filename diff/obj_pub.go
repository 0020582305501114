package diff

import (
	"strings"

	"github.com/schemactl/schemactl/schema"
)

// publicationGen plans publications.
type publicationGen struct{}

func (publicationGen) create(o schema.PgObject) []string {
	return o.(*schema.PgPublication).CreateSQL()
}

func (publicationGen) drop(o schema.PgObject) []string {
	return []string{"DROP PUBLICATION " + o.QualifiedSQL()}
}

func (publicationGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, p := fo.(*schema.PgPublication), to.(*schema.PgPublication)
	if from.AllTables != p.AllTables {
		return nil, true
	}
	var stmts []string
	if from.Objects() != p.Objects() {
		if o := p.Objects(); o != "" {
			stmts = append(stmts, "ALTER PUBLICATION "+p.SQLName+" SET "+o)
		} else {
			var parts []string
			for _, t := range from.Tables {
				parts = append(parts, "TABLE "+t.Table)
			}
			for _, s := range from.Schemas {
				parts = append(parts, "TABLES IN SCHEMA "+s)
			}
			stmts = append(stmts, "ALTER PUBLICATION "+p.SQLName+" DROP "+strings.Join(parts, ", "))
		}
	}
	if from.WithSQL() != p.WithSQL() {
		stmts = append(stmts, "ALTER PUBLICATION "+p.SQLName+" SET ("+p.WithSQL()+")")
	}
	return append(stmts, commentChange("PUBLICATION", p.SQLName, from.Comment, p.Comment)...), false
}
