package diff

import (
	pg "github.com/pganalyze/pg_query_go/v6"

	atlas "ariga.io/atlas/sql/schema"

	"github.com/schemactl/schemactl/schema"
)

// typeUses returns the objects of package schema (composite, range and
// other types modelled as objects) that a type name, as format_type
// writes it (test.point_2d, "My Type"[]), refers to: a statement using the
// type must come after their creation.
func typeUses(r *atlas.Realm, typ string) []schema.PgRef {
	tree, err := pg.Parse("SELECT NULL::" + typ)
	if err != nil || len(tree.Stmts) != 1 {
		return nil
	}
	sel := tree.Stmts[0].Stmt.GetSelectStmt()
	if sel == nil || len(sel.TargetList) != 1 {
		return nil
	}
	cast := sel.TargetList[0].GetResTarget().GetVal().GetTypeCast()
	if cast == nil || cast.TypeName == nil || len(cast.TypeName.Names) != 2 {
		return nil
	}
	sch, name := cast.TypeName.Names[0].GetString_().GetSval(), cast.TypeName.Names[1].GetString_().GetSval()
	var out []schema.PgRef
	for _, o := range schema.Objects(r) {
		ref := o.Ref()
		if ref.Schema == sch && ref.Name == name && isTypeKind(ref.Kind) {
			out = append(out, ref)
		}
	}
	return out
}

func isTypeKind(k schema.PgKind) bool {
	switch k {
	case schema.PgKindComposite, schema.PgKindRange, schema.PgKindEnum, schema.PgKindDomain:
		return true
	}
	return false
}
