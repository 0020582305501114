package diff

import "github.com/schemactl/schemactl/schema"

// baseTypeGen plans base types with their I/O functions as one unit. A
// change of definition that PostgreSQL cannot make in place (anything
// but STORAGE to a non-plain strategy, or the bodies of the functions)
// drops and creates the type again; when a table uses it, the plan
// refuses, naming the type (checkTableUsers). A shell type is created
// with CREATE TYPE name; defining it keeps it, taking a definition away
// drops the type and creates the shell again.
type baseTypeGen struct{}

func (baseTypeGen) create(o schema.PgObject) []string { return o.(*schema.PgBaseType).CreateSQL() }

// drop drops the type with its I/O functions: they depend on each other,
// so only CASCADE can. Its other users are dropped before.
func (baseTypeGen) drop(o schema.PgObject) []string {
	return []string{"DROP TYPE " + o.QualifiedSQL() + " CASCADE"}
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
	if len(from.Funcs) != len(b.Funcs) {
		return nil, true
	}
	var stmts []string
	for i, f := range b.Funcs {
		if from.Funcs[i].Name != f.Name {
			return nil, true
		}
		if from.Funcs[i].Def != f.Def {
			stmts = append(stmts, f.Def)
		}
	}
	storageOnly := *from
	storageOnly.Storage, storageOnly.Funcs, storageOnly.Comment = b.Storage, nil, b.Comment
	cmp := *b
	cmp.Funcs = nil
	if storageOnly.Options() != cmp.Options() || from.Storage != b.Storage && b.Storage == "plain" {
		return nil, true
	}
	if from.Storage != b.Storage {
		stmts = append(stmts, "ALTER TYPE "+b.SQLName+" SET (STORAGE = "+b.Storage+")")
	}
	for i, f := range b.Funcs {
		stmts = append(stmts, commentChange("FUNCTION", f.Name, from.Funcs[i].Comment, f.Comment)...)
	}
	return append(stmts, commentChange("TYPE", b.SQLName, from.Comment, b.Comment)...), false
}
