package diff

import (
	"slices"
	"strings"

	"github.com/schemactl/schemactl/schema"
)

// baseTypeGen plans base types with their I/O functions as one unit.
// ALTER TYPE ... SET changes the support functions other than input and
// output (RECEIVE, SEND, TYPMOD_IN, TYPMOD_OUT, ANALYZE, SUBSCRIPT) and
// STORAGE to a non-plain strategy in place; CREATE OR REPLACE FUNCTION
// changes the functions' bodies. Any other change of definition drops and
// creates the type again; when a table uses it, the plan refuses, naming
// the type (checkTableUsers). A shell type is created with CREATE TYPE
// name; defining it keeps it, taking a definition away drops the type and
// creates the shell again.
type baseTypeGen struct{}

func (baseTypeGen) create(o schema.PgObject) []string { return o.(*schema.PgBaseType).CreateSQL() }

// drop drops the type with its I/O functions: they depend on each other,
// so only CASCADE can. Its other users are dropped before.
func (baseTypeGen) drop(o schema.PgObject) []string {
	return []string{"DROP TYPE " + o.QualifiedSQL() + " CASCADE"}
}

// baseTypeSettable lists the properties of a base type that ALTER TYPE
// ... SET changes, with the option that sets each.
func baseTypeSettable(b *schema.PgBaseType) []struct {
	option string
	value  *string
} {
	return []struct {
		option string
		value  *string
	}{
		{"RECEIVE", &b.Receive}, {"SEND", &b.Send}, {"TYPMOD_IN", &b.TypmodIn}, {"TYPMOD_OUT", &b.TypmodOut},
		{"ANALYZE", &b.Analyze}, {"SUBSCRIPT", &b.Subscript}, {"STORAGE", &b.Storage},
	}
}

func (baseTypeGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, b := fo.(*schema.PgBaseType), to.(*schema.PgBaseType)
	switch {
	case from.Shell && b.Shell:
		return commentChange("TYPE", b.SQLName, from.Comment, b.Comment), false
	case from.Shell:
		// The shell gets its functions and its definition.
		stmts := b.CreateSQL()[1:]
		if from.Comment != "" && b.Comment == "" {
			stmts = append(stmts, commentOn("TYPE", b.SQLName, ""))
		}
		return stmts, false
	case b.Shell:
		return nil, true
	}
	// What ALTER TYPE cannot change must be equal.
	fixed, cmp := *from, *b
	fixed.Funcs, fixed.Comment, cmp.Funcs = nil, b.Comment, nil
	fromSet, toSet := baseTypeSettable(&fixed), baseTypeSettable(b)
	var set []string
	for i, p := range toSet {
		if *fromSet[i].value == *p.value {
			continue
		}
		v := *p.value
		switch {
		case p.option == "STORAGE" && v == "plain":
			// PostgreSQL only changes the storage of a TOAST-able type.
			return nil, true
		case v == "":
			v = "NONE"
		}
		set = append(set, p.option+" = "+v)
		*fromSet[i].value = *p.value
	}
	if fixed.Options() != cmp.Options() {
		return nil, true
	}
	old := map[string]schema.PgTypeFunc{}
	for _, f := range from.Funcs {
		old[f.Name] = f
	}
	kept := map[string]bool{}
	var stmts, comments []string
	// New functions take or return the type, which exists: they are
	// created before the type is set to use them.
	for _, f := range b.Funcs {
		o, ok := old[f.Name]
		kept[f.Name] = ok
		if !ok || o.Def != f.Def {
			stmts = append(stmts, strings.TrimRight(f.Def, "\n"))
		}
		comments = append(comments, commentChange("FUNCTION", f.Name, o.Comment, f.Comment)...)
	}
	if len(set) > 0 {
		stmts = append(stmts, "ALTER TYPE "+b.SQLName+" SET ("+strings.Join(set, ", ")+")")
	}
	// Functions the type no longer uses are dropped once it does not.
	for _, f := range from.Funcs {
		if !kept[f.Name] {
			stmts = append(stmts, "DROP FUNCTION "+f.Name)
		}
	}
	stmts = append(stmts, comments...)
	return append(stmts, commentChange("TYPE", b.SQLName, from.Comment, b.Comment)...), false
}

// adoptTypeFuncs puts into the base types of side the functions of their
// own of side that the same type of other has among its I/O functions: a
// receive or send function that ALTER TYPE ... SET takes up or leaves is
// one function on both sides, neither dropped nor created but kept by the
// type's plan. The types are copied, not changed.
func adoptTypeFuncs(side, other map[string]schema.PgObject) {
	funcs := map[string]string{}
	for k, o := range side {
		if f, ok := o.(*schema.PgFunction); ok {
			funcs[f.SQLName] = k
		}
	}
	for k, o := range other {
		ob, ok := o.(*schema.PgBaseType)
		sb, ok2 := side[k].(*schema.PgBaseType)
		if !ok || !ok2 {
			continue
		}
		var adopted []schema.PgTypeFunc
		for _, tf := range ob.Funcs {
			fk, ok := funcs[tf.Name]
			if !ok || slices.ContainsFunc(sb.Funcs, func(f schema.PgTypeFunc) bool { return f.Name == tf.Name }) {
				continue
			}
			f := side[fk].(*schema.PgFunction)
			adopted = append(adopted, schema.PgTypeFunc{Name: f.SQLName, Def: f.Def, Comment: f.Comment})
			delete(side, fk)
			delete(funcs, tf.Name)
		}
		if len(adopted) > 0 {
			c := *sb
			c.Funcs = append(slices.Clone(sb.Funcs), adopted...)
			slices.SortFunc(c.Funcs, func(x, y schema.PgTypeFunc) int { return strings.Compare(x.Name, y.Name) })
			side[k] = &c
		}
	}
}
