package diff

import (
	"sort"
	"strings"

	"github.com/schemactl/schemactl/schema"
)

// aclItem is one granted privilege: grantee, privilege, grant option.
type aclItem struct {
	grantee, priv string
	grantable     bool
}

func parseACL(items []string) map[[2]string]aclItem {
	m := map[[2]string]aclItem{}
	for _, it := range items {
		g, p, _ := strings.Cut(it, "=")
		a := aclItem{grantee: g, priv: strings.TrimSuffix(p, "*"), grantable: strings.HasSuffix(p, "*")}
		m[[2]string{a.grantee, a.priv}] = a
	}
	return m
}

// aclChanges returns the GRANT and REVOKE statements turning the items
// from into to. grant and revoke format one statement from the privilege
// (with column list if any) and the grantee.
func aclChanges(from, to []string, grant, revoke func(priv, grantee string) string) []string {
	f, t := parseACL(from), parseACL(to)
	keys := map[[2]string]bool{}
	for k := range f {
		keys[k] = true
	}
	for k := range t {
		keys[k] = true
	}
	sorted := make([][2]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i][0] != sorted[j][0] {
			return sorted[i][0] < sorted[j][0]
		}
		return sorted[i][1] < sorted[j][1]
	})
	var stmts []string
	for _, k := range sorted {
		a, inF := f[k]
		b, inT := t[k]
		switch {
		case inT && (!inF || !a.grantable && b.grantable):
			s := grant(b.priv, b.grantee)
			if b.grantable {
				s += " WITH GRANT OPTION"
			}
			stmts = append(stmts, s)
		case inF && !inT:
			stmts = append(stmts, revoke(a.priv, a.grantee))
		case a.grantable && !b.grantable:
			stmts = append(stmts, revoke("GRANT OPTION FOR "+a.priv, a.grantee))
		}
	}
	return stmts
}

// privilegesGen plans GRANTs on one object.
type privilegesGen struct{}

func privStmts(p *schema.PgPrivileges, from, to []string) []string {
	col := ""
	if p.Column != "" {
		col = " (" + p.Column + ")"
	}
	return aclChanges(from, to,
		func(priv, g string) string { return "GRANT " + priv + col + " ON " + p.Target + " TO " + g },
		func(priv, g string) string { return "REVOKE " + priv + col + " ON " + p.Target + " FROM " + g })
}

func (privilegesGen) create(o schema.PgObject) []string {
	p := o.(*schema.PgPrivileges)
	return privStmts(p, p.Default, p.Items)
}

func (privilegesGen) drop(o schema.PgObject) []string {
	p := o.(*schema.PgPrivileges)
	return privStmts(p, p.Items, p.Default)
}

func (privilegesGen) alter(fo, to schema.PgObject) ([]string, bool) {
	return privStmts(to.(*schema.PgPrivileges), fo.(*schema.PgPrivileges).Items, to.(*schema.PgPrivileges).Items), false
}

// defaultPrivilegesGen plans ALTER DEFAULT PRIVILEGES.
type defaultPrivilegesGen struct{}

func defPrivStmts(d *schema.PgDefaultPrivileges, from, to []string) []string {
	pre := "ALTER DEFAULT PRIVILEGES " + d.SQLName + " "
	return aclChanges(from, to,
		func(priv, g string) string { return pre + "GRANT " + priv + " ON " + d.On + " TO " + g },
		func(priv, g string) string { return pre + "REVOKE " + priv + " ON " + d.On + " FROM " + g })
}

func (defaultPrivilegesGen) create(o schema.PgObject) []string {
	d := o.(*schema.PgDefaultPrivileges)
	return defPrivStmts(d, d.Default, d.Items)
}

func (defaultPrivilegesGen) drop(o schema.PgObject) []string {
	d := o.(*schema.PgDefaultPrivileges)
	return defPrivStmts(d, d.Items, d.Default)
}

func (defaultPrivilegesGen) alter(fo, to schema.PgObject) ([]string, bool) {
	return defPrivStmts(to.(*schema.PgDefaultPrivileges), fo.(*schema.PgDefaultPrivileges).Items, to.(*schema.PgDefaultPrivileges).Items), false
}
