package diff

import (
	"strings"

	"github.com/schemactl/schemactl/schema"
)

// operatorGen plans operators. The selectivity estimators change in place
// (ALTER OPERATOR ... SET); any other change recreates the operator.
type operatorGen struct{}

func (operatorGen) create(o schema.PgObject) []string { return o.(*schema.PgOperator).CreateSQL() }

func (operatorGen) drop(o schema.PgObject) []string {
	return []string{"DROP OPERATOR " + o.(*schema.PgOperator).Signature()}
}

func (operatorGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, o := fo.(*schema.PgOperator), to.(*schema.PgOperator)
	if from.Function != o.Function || from.Commutator != o.Commutator || from.Negator != o.Negator ||
		from.Hashes != o.Hashes || from.Merges != o.Merges {
		return nil, true
	}
	var stmts []string
	var set []string
	for _, x := range []struct{ name, from, to string }{{"RESTRICT", from.Restrict, o.Restrict}, {"JOIN", from.Join, o.Join}} {
		if x.from != x.to {
			v := x.to
			if v == "" {
				v = "NONE"
			}
			set = append(set, x.name+" = "+v)
		}
	}
	if len(set) > 0 {
		stmts = append(stmts, "ALTER OPERATOR "+o.Signature()+" SET ("+strings.Join(set, ", ")+")")
	}
	return append(stmts, commentChange("OPERATOR", o.Signature(), from.Comment, o.Comment)...), false
}

// opFamilyGen plans operator families: loose members are added and
// dropped in place.
type opFamilyGen struct{}

func (opFamilyGen) create(o schema.PgObject) []string { return o.(*schema.PgOpFamily).CreateSQL() }

func (opFamilyGen) drop(o schema.PgObject) []string {
	return []string{"DROP OPERATOR FAMILY " + o.(*schema.PgOpFamily).Target()}
}

func (opFamilyGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, f := fo.(*schema.PgOpFamily), to.(*schema.PgOpFamily)
	if from.Method != f.Method {
		return nil, true
	}
	have, want := map[string]bool{}, map[string]bool{}
	for _, m := range from.Members {
		have[m] = true
	}
	for _, m := range f.Members {
		want[m] = true
	}
	var drop, add []string
	for _, m := range from.Members {
		if !want[m] {
			d := from.DropForms[m]
			if d == "" {
				return nil, true
			}
			drop = append(drop, d)
		}
	}
	for _, m := range f.Members {
		if !have[m] {
			add = append(add, m)
		}
	}
	var stmts []string
	if len(drop) > 0 {
		stmts = append(stmts, "ALTER OPERATOR FAMILY "+f.Target()+" DROP\n    "+strings.Join(drop, ",\n    "))
	}
	if len(add) > 0 {
		stmts = append(stmts, "ALTER OPERATOR FAMILY "+f.Target()+" ADD\n    "+strings.Join(add, ",\n    "))
	}
	return append(stmts, commentChange("OPERATOR FAMILY", f.Target(), from.Comment, f.Comment)...), false
}

// opClassGen plans operator classes, which cannot be altered but for
// their name and owner: any other change recreates them.
type opClassGen struct{}

func (opClassGen) create(o schema.PgObject) []string { return o.(*schema.PgOpClass).CreateSQL() }

func (opClassGen) drop(o schema.PgObject) []string {
	return []string{"DROP OPERATOR CLASS " + o.(*schema.PgOpClass).Target()}
}

func (opClassGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, c := fo.(*schema.PgOpClass), to.(*schema.PgOpClass)
	if !from.SameDefinition(c) {
		return nil, true
	}
	return commentChange("OPERATOR CLASS", c.Target(), from.Comment, c.Comment), false
}
