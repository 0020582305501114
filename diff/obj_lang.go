package diff

import "github.com/schemactl/schemactl/schema"

// languageGen plans procedural languages: CREATE OR REPLACE LANGUAGE
// changes their handlers and trust.
type languageGen struct{}

func (languageGen) create(o schema.PgObject) []string { return o.(*schema.PgLanguage).CreateSQL(false) }

func (languageGen) drop(o schema.PgObject) []string {
	return []string{"DROP LANGUAGE " + o.QualifiedSQL()}
}

func (languageGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, l := fo.(*schema.PgLanguage), to.(*schema.PgLanguage)
	var stmts []string
	if from.Trusted != l.Trusted || from.Handler != l.Handler || from.Inline != l.Inline || from.Validator != l.Validator {
		stmts = l.CreateSQL(true)
	}
	return append(stmts, commentChange("LANGUAGE", l.SQLName, from.Comment, l.Comment)...), false
}

// accessMethodGen plans access methods; a changed one is recreated.
type accessMethodGen struct{}

func (accessMethodGen) create(o schema.PgObject) []string {
	return o.(*schema.PgAccessMethod).CreateSQL()
}

func (accessMethodGen) drop(o schema.PgObject) []string {
	return []string{"DROP ACCESS METHOD " + o.QualifiedSQL()}
}

func (accessMethodGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, a := fo.(*schema.PgAccessMethod), to.(*schema.PgAccessMethod)
	if from.Type != a.Type || from.Handler != a.Handler {
		return nil, true
	}
	return commentChange("ACCESS METHOD", a.SQLName, from.Comment, a.Comment), false
}

// transformGen plans transforms: CREATE OR REPLACE TRANSFORM changes
// their functions.
type transformGen struct{}

func (transformGen) create(o schema.PgObject) []string { return o.(*schema.PgTransform).CreateSQL() }

func (transformGen) drop(o schema.PgObject) []string {
	return []string{"DROP TRANSFORM " + o.QualifiedSQL()}
}

func (transformGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, t := fo.(*schema.PgTransform), to.(*schema.PgTransform)
	var stmts []string
	if from.FromSQL != t.FromSQL || from.ToSQL != t.ToSQL {
		stmts = append(stmts, t.ReplaceSQL())
	}
	return append(stmts, commentChange("TRANSFORM", t.SQLName, from.Comment, t.Comment)...), false
}
