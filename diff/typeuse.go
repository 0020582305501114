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
	sch, name, ok := typeQName(typ)
	if !ok {
		return nil
	}
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

// typeQName returns the schema and name of a schema-qualified type name
// as format_type writes it.
func typeQName(typ string) (sch, name string, ok bool) {
	tree, err := pg.Parse("SELECT NULL::" + typ)
	if err != nil || len(tree.Stmts) != 1 {
		return "", "", false
	}
	sel := tree.Stmts[0].Stmt.GetSelectStmt()
	if sel == nil || len(sel.TargetList) != 1 {
		return "", "", false
	}
	cast := sel.TargetList[0].GetResTarget().GetVal().GetTypeCast()
	if cast == nil || cast.TypeName == nil || len(cast.TypeName.Names) != 2 {
		return "", "", false
	}
	return cast.TypeName.Names[0].GetString_().GetSval(), cast.TypeName.Names[1].GetString_().GetSval(), true
}

// rowTypeOf reports whether a type name is the row type of a table of r.
func rowTypeOf(r *atlas.Realm, typ string) bool {
	sch, name, ok := typeQName(typ)
	if !ok || r == nil {
		return false
	}
	s, ok := r.Schema(sch)
	if !ok {
		return false
	}
	_, ok = s.Table(name)
	return ok
}
