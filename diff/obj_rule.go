package diff

import (
	"strings"

	"github.com/schemactl/schemactl/schema"
)

// ruleGen plans rewrite rules, compared on pg_get_ruledef.
type ruleGen struct{}

func (ruleGen) create(o schema.PgObject) []string { return o.(*schema.PgRule).CreateSQL(false) }

func (ruleGen) drop(o schema.PgObject) []string { return []string{"DROP RULE " + o.QualifiedSQL()} }

func (ruleGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, r := fo.(*schema.PgRule), to.(*schema.PgRule)
	var stmts []string
	if from.Def != r.Def {
		stmts = append(stmts, strings.Replace(r.Def, "CREATE RULE", "CREATE OR REPLACE RULE", 1))
	}
	if from.Enabled != r.Enabled {
		stmts = append(stmts, r.EnableSQL())
	}
	return append(stmts, commentChange("RULE", r.SQLName, from.Comment, r.Comment)...), false
}
