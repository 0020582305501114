package diff

import (
	"fmt"
	"strings"

	"github.com/schemactl/schemactl/internal/pgquote"
	"github.com/schemactl/schemactl/schema"
)

// optionsAlter returns the OPTIONS (ADD ..., SET ..., DROP ...) clause
// that turns the options from into to, "" when they hold the same
// options (in any order).
func optionsAlter(from, to []string) string {
	old := map[string]string{}
	for _, o := range from {
		k, v := schema.SplitOption(o)
		old[k] = v
	}
	var parts []string
	seen := map[string]bool{}
	for _, o := range to {
		k, v := schema.SplitOption(o)
		seen[k] = true
		ov, ok := old[k]
		switch {
		case !ok:
			parts = append(parts, "ADD "+pgquote.Ident(k)+" "+pgquote.Literal(v))
		case ov != v:
			parts = append(parts, "SET "+pgquote.Ident(k)+" "+pgquote.Literal(v))
		}
	}
	for _, o := range from {
		if k, _ := schema.SplitOption(o); !seen[k] {
			parts = append(parts, "DROP "+pgquote.Ident(k))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "OPTIONS (" + strings.Join(parts, ", ") + ")"
}

// foreignWrapperGen plans foreign-data wrappers.
type foreignWrapperGen struct{}

func (foreignWrapperGen) create(o schema.PgObject) []string {
	return o.(*schema.PgForeignWrapper).CreateSQL()
}

func (foreignWrapperGen) drop(o schema.PgObject) []string {
	return []string{"DROP FOREIGN DATA WRAPPER " + o.QualifiedSQL()}
}

func (foreignWrapperGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, w := fo.(*schema.PgForeignWrapper), to.(*schema.PgForeignWrapper)
	var parts []string
	if from.Handler != w.Handler {
		if w.Handler == "" {
			parts = append(parts, "NO HANDLER")
		} else {
			parts = append(parts, "HANDLER "+w.Handler)
		}
	}
	if from.Validator != w.Validator {
		if w.Validator == "" {
			parts = append(parts, "NO VALIDATOR")
		} else {
			parts = append(parts, "VALIDATOR "+w.Validator)
		}
	}
	if o := optionsAlter(from.Options, w.Options); o != "" {
		parts = append(parts, o)
	}
	var stmts []string
	if len(parts) > 0 {
		stmts = append(stmts, "ALTER FOREIGN DATA WRAPPER "+w.SQLName+" "+strings.Join(parts, " "))
	}
	return append(stmts, commentChange("FOREIGN DATA WRAPPER", w.SQLName, from.Comment, w.Comment)...), false
}

// foreignServerGen plans foreign servers.
type foreignServerGen struct{}

func (foreignServerGen) create(o schema.PgObject) []string {
	return o.(*schema.PgForeignServer).CreateSQL()
}

func (foreignServerGen) drop(o schema.PgObject) []string {
	return []string{"DROP SERVER " + o.QualifiedSQL()}
}

func (foreignServerGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, s := fo.(*schema.PgForeignServer), to.(*schema.PgForeignServer)
	if from.Type != s.Type || from.Wrapper != s.Wrapper {
		return nil, true
	}
	var parts []string
	if from.Version != s.Version {
		if s.Version == "" {
			parts = append(parts, "VERSION NULL")
		} else {
			parts = append(parts, "VERSION "+pgquote.Literal(s.Version))
		}
	}
	if o := optionsAlter(from.Options, s.Options); o != "" {
		parts = append(parts, o)
	}
	var stmts []string
	if len(parts) > 0 {
		stmts = append(stmts, "ALTER SERVER "+s.SQLName+" "+strings.Join(parts, " "))
	}
	return append(stmts, commentChange("SERVER", s.SQLName, from.Comment, s.Comment)...), false
}

// userMappingGen plans user mappings. Passwords are never written into a
// plan: checkSecrets stops a plan that would have to set one.
type userMappingGen struct{}

func (userMappingGen) create(o schema.PgObject) []string {
	return o.(*schema.PgUserMapping).CreateSQL()
}

func (userMappingGen) drop(o schema.PgObject) []string {
	return []string{"DROP USER MAPPING " + o.QualifiedSQL()}
}

func (userMappingGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, u := fo.(*schema.PgUserMapping), to.(*schema.PgUserMapping)
	if u.PasswordHash != "" && from.PasswordHash != u.PasswordHash {
		// A difference that no plan can make (checkSecrets).
		return nil, true
	}
	fromOpts, toOpts := from.Options, u.Options
	if from.PasswordHash != "" && u.PasswordHash == "" {
		// Dropping the password prints no secret.
		fromOpts = append(append([]string(nil), fromOpts...), "password=")
	}
	if o := optionsAlter(fromOpts, toOpts); o != "" {
		return []string{"ALTER USER MAPPING " + u.SQLName + " " + o}, false
	}
	return nil, false
}

// checkSecrets fails when a plan would have to set the password of a user
// mapping: a plan is printed and stored, a password never is. The
// difference is found on the hashes of the passwords (PasswordHash).
func checkSecrets(actions []*objAction) error {
	var msgs []string
	for _, a := range actions {
		u, ok := a.to.(*schema.PgUserMapping)
		if !ok || u.PasswordHash == "" {
			continue
		}
		from, _ := a.from.(*schema.PgUserMapping)
		switch {
		case from == nil:
			msgs = append(msgs, fmt.Sprintf("user mapping %s must be created with a password option", u.SQLName))
		case from.PasswordHash != u.PasswordHash:
			verb := "SET"
			if from.PasswordHash == "" {
				verb = "ADD"
			}
			msgs = append(msgs, fmt.Sprintf("the password option of user mapping %s differs (ALTER USER MAPPING %s OPTIONS (%s password '...'))", u.SQLName, u.SQLName, verb))
		case a.recreate:
			msgs = append(msgs, fmt.Sprintf("user mapping %s must be created again (what it depends on is), with its password option", u.SQLName))
		}
	}
	if len(msgs) > 0 {
		return fmt.Errorf("plan: %s: schemactl writes no password into a plan; set it on the target database yourself, then plan again", strings.Join(msgs, "; "))
	}
	return nil
}

// foreignTableGen plans foreign tables. They hold no data of their own:
// a change of server, columns, checks, partition bound or parents
// recreates the table; options, defaults, NOT NULL and comments are
// altered. A partition or child is created after its parents (it depends
// on them) and dropped before them.
type foreignTableGen struct{}

func (foreignTableGen) create(o schema.PgObject) []string {
	return o.(*schema.PgForeignTable).CreateSQL()
}

func (foreignTableGen) drop(o schema.PgObject) []string {
	return []string{"DROP FOREIGN TABLE " + o.QualifiedSQL()}
}

func (foreignTableGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, f := fo.(*schema.PgForeignTable), to.(*schema.PgForeignTable)
	if from.Server != f.Server || len(from.Columns) != len(f.Columns) || !equalStrings(from.Checks, f.Checks) ||
		from.PartitionOf != f.PartitionOf || from.Bound != f.Bound || !equalStrings(from.Inherits, f.Inherits) {
		return nil, true
	}
	var parts, comments []string
	for i, c := range f.Columns {
		fc := from.Columns[i]
		if fc.Name != c.Name || fc.Type != c.Type || fc.Collation != c.Collation || fc.Inherited != c.Inherited {
			return nil, true
		}
		col := "ALTER COLUMN " + c.Name
		if o := optionsAlter(fc.Options, c.Options); o != "" {
			parts = append(parts, col+" "+o)
		}
		if fc.NotNull != c.NotNull {
			parts = append(parts, col+map[bool]string{true: " SET NOT NULL", false: " DROP NOT NULL"}[c.NotNull])
		}
		if fc.Default != c.Default {
			if c.Default == "" {
				parts = append(parts, col+" DROP DEFAULT")
			} else {
				parts = append(parts, col+" SET DEFAULT "+c.Default)
			}
		}
		comments = append(comments, commentChange("COLUMN", f.SQLName+"."+c.Name, fc.Comment, c.Comment)...)
	}
	if o := optionsAlter(from.Options, f.Options); o != "" {
		parts = append(parts, o)
	}
	var stmts []string
	if len(parts) > 0 {
		stmts = append(stmts, "ALTER FOREIGN TABLE "+f.SQLName+" "+strings.Join(parts, ", "))
	}
	stmts = append(stmts, commentChange("FOREIGN TABLE", f.SQLName, from.Comment, f.Comment)...)
	return append(stmts, comments...), false
}
