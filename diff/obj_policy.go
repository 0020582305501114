package diff

import (
	"strings"

	"github.com/schemactl/schemactl/internal/pgquote"
	"github.com/schemactl/schemactl/schema"
)

// extensionGen plans extensions.
type extensionGen struct{}

func (extensionGen) create(o schema.PgObject) []string {
	x := o.(*schema.PgExtension)
	return append([]string{"CREATE EXTENSION IF NOT EXISTS " + x.Name + " WITH SCHEMA " + x.SchemaName + " VERSION " + pgquote.Literal(x.Version)},
		commentIf("EXTENSION", x.Name, x.Comment)...)
}

func (extensionGen) drop(o schema.PgObject) []string {
	return []string{"DROP EXTENSION " + o.QualifiedSQL()}
}

func (extensionGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, x := fo.(*schema.PgExtension), to.(*schema.PgExtension)
	var stmts []string
	if from.SchemaName != x.SchemaName {
		stmts = append(stmts, "ALTER EXTENSION "+x.Name+" SET SCHEMA "+x.SchemaName)
	}
	if from.Version != x.Version {
		stmts = append(stmts, "ALTER EXTENSION "+x.Name+" UPDATE TO "+pgquote.Literal(x.Version))
	}
	return append(stmts, commentChange("EXTENSION", x.Name, from.Comment, x.Comment)...), false
}

// policyGen plans row level security policies.
type policyGen struct{}

func (policyGen) create(o schema.PgObject) []string {
	p := o.(*schema.PgPolicy)
	as := "PERMISSIVE"
	if !p.Permissive {
		as = "RESTRICTIVE"
	}
	s := "CREATE POLICY " + p.SQLName + " AS " + as + " FOR " + p.Command + " TO " + strings.Join(p.Roles, ", ")
	if p.Using != "" {
		s += " USING (" + p.Using + ")"
	}
	if p.WithCheck != "" {
		s += " WITH CHECK (" + p.WithCheck + ")"
	}
	return append([]string{s}, commentIf("POLICY", p.SQLName, p.Comment)...)
}

func (policyGen) drop(o schema.PgObject) []string {
	return []string{"DROP POLICY " + o.QualifiedSQL()}
}

func (policyGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, p := fo.(*schema.PgPolicy), to.(*schema.PgPolicy)
	if from.Permissive != p.Permissive || from.Command != p.Command || from.Using != p.Using ||
		from.WithCheck != p.WithCheck {
		return nil, true
	}
	var stmts []string
	if !equalStrings(from.Roles, p.Roles) {
		stmts = append(stmts, "ALTER POLICY "+p.SQLName+" TO "+strings.Join(p.Roles, ", "))
	}
	return append(stmts, commentChange("POLICY", p.SQLName, from.Comment, p.Comment)...), false
}

// rowSecurityGen plans the ENABLE and FORCE ROW LEVEL SECURITY flags.
type rowSecurityGen struct{}

func rlsStmts(name string, fromEnabled, fromForced, enabled, forced bool) []string {
	var stmts []string
	if fromEnabled != enabled {
		if enabled {
			stmts = append(stmts, "ALTER TABLE "+name+" ENABLE ROW LEVEL SECURITY")
		} else {
			stmts = append(stmts, "ALTER TABLE "+name+" DISABLE ROW LEVEL SECURITY")
		}
	}
	if fromForced != forced {
		if forced {
			stmts = append(stmts, "ALTER TABLE "+name+" FORCE ROW LEVEL SECURITY")
		} else {
			stmts = append(stmts, "ALTER TABLE "+name+" NO FORCE ROW LEVEL SECURITY")
		}
	}
	return stmts
}

func (rowSecurityGen) create(o schema.PgObject) []string {
	r := o.(*schema.PgRowSecurity)
	return rlsStmts(r.SQLName, false, false, r.Enabled, r.Forced)
}

func (rowSecurityGen) drop(o schema.PgObject) []string {
	r := o.(*schema.PgRowSecurity)
	return rlsStmts(r.SQLName, r.Enabled, r.Forced, false, false)
}

func (rowSecurityGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, r := fo.(*schema.PgRowSecurity), to.(*schema.PgRowSecurity)
	return rlsStmts(r.SQLName, from.Enabled, from.Forced, r.Enabled, r.Forced), false
}
