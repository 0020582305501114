package diff

import (
	"strings"

	"github.com/schemactl/schemactl/internal/pgquote"
	"github.com/schemactl/schemactl/schema"
)

// triggerGen plans triggers (constraint triggers included).
type triggerGen struct{}

// enableTrigger returns the ALTER TABLE statement that gives a trigger
// its firing state.
func enableTrigger(t *schema.PgTrigger) string {
	what := map[byte]string{'O': "ENABLE", 'D': "DISABLE", 'R': "ENABLE REPLICA", 'A': "ENABLE ALWAYS"}[t.Enabled]
	return "ALTER TABLE " + t.Table + " " + what + " TRIGGER " + t.Name
}

func (triggerGen) create(o schema.PgObject) []string {
	t := o.(*schema.PgTrigger)
	stmts := []string{t.Def}
	if t.Enabled != 'O' {
		stmts = append(stmts, enableTrigger(t))
	}
	return append(stmts, commentIf("TRIGGER", t.SQLName, t.Comment)...)
}

func (triggerGen) drop(o schema.PgObject) []string {
	t := o.(*schema.PgTrigger)
	return []string{"DROP TRIGGER " + t.SQLName}
}

func (triggerGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, t := fo.(*schema.PgTrigger), to.(*schema.PgTrigger)
	var stmts []string
	if from.Def != t.Def {
		if from.Constraint || t.Constraint {
			return nil, true
		}
		stmts = append(stmts, strings.Replace(t.Def, "CREATE TRIGGER", "CREATE OR REPLACE TRIGGER", 1))
	}
	if from.Enabled != t.Enabled {
		stmts = append(stmts, enableTrigger(t))
	}
	return append(stmts, commentChange("TRIGGER", t.SQLName, from.Comment, t.Comment)...), false
}

// eventTriggerGen plans event triggers.
type eventTriggerGen struct{}

func (eventTriggerGen) create(o schema.PgObject) []string {
	e := o.(*schema.PgEventTrigger)
	s := "CREATE EVENT TRIGGER " + e.SQLName + " ON " + e.Event
	if len(e.Tags) > 0 {
		tags := make([]string, len(e.Tags))
		for i, t := range e.Tags {
			tags[i] = pgquote.Literal(t)
		}
		s += " WHEN TAG IN (" + strings.Join(tags, ", ") + ")"
	}
	s += " EXECUTE FUNCTION " + e.Function + "()"
	stmts := []string{s}
	if e.Enabled != 'O' {
		stmts = append(stmts, enableEventTrigger(e))
	}
	return append(stmts, commentIf("EVENT TRIGGER", e.SQLName, e.Comment)...)
}

func enableEventTrigger(e *schema.PgEventTrigger) string {
	what := map[byte]string{'O': "ENABLE", 'D': "DISABLE", 'R': "ENABLE REPLICA", 'A': "ENABLE ALWAYS"}[e.Enabled]
	return "ALTER EVENT TRIGGER " + e.SQLName + " " + what
}

func (eventTriggerGen) drop(o schema.PgObject) []string {
	return []string{"DROP EVENT TRIGGER " + o.QualifiedSQL()}
}

func (eventTriggerGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, e := fo.(*schema.PgEventTrigger), to.(*schema.PgEventTrigger)
	if from.Event != e.Event || from.Function != e.Function || !equalStrings(from.Tags, e.Tags) {
		return nil, true
	}
	var stmts []string
	if from.Enabled != e.Enabled {
		stmts = append(stmts, enableEventTrigger(e))
	}
	return append(stmts, commentChange("EVENT TRIGGER", e.SQLName, from.Comment, e.Comment)...), false
}
