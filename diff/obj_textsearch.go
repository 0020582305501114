package diff

import (
	"sort"
	"strings"

	"github.com/schemactl/schemactl/internal/pgquote"
	"github.com/schemactl/schemactl/schema"
)

// tsConfigGen plans text search configurations: a new parser recreates
// the configuration; mappings are added, altered and dropped in place.
type tsConfigGen struct{}

func (tsConfigGen) create(o schema.PgObject) []string { return o.(*schema.PgTSConfig).CreateSQL() }

func (tsConfigGen) drop(o schema.PgObject) []string {
	return []string{"DROP TEXT SEARCH CONFIGURATION " + o.QualifiedSQL()}
}

func (tsConfigGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, c := fo.(*schema.PgTSConfig), to.(*schema.PgTSConfig)
	if from.Parser != c.Parser {
		return nil, true
	}
	var dropped []string
	added, changed := map[string]bool{}, map[string]bool{}
	for tok := range from.Mappings {
		if _, ok := c.Mappings[tok]; !ok {
			dropped = append(dropped, pgquote.Ident(tok))
		}
	}
	for tok, dicts := range c.Mappings {
		old, ok := from.Mappings[tok]
		switch {
		case !ok:
			added[tok] = true
		case !equalStrings(old, dicts):
			changed[tok] = true
		}
	}
	var stmts []string
	if len(dropped) > 0 {
		sort.Strings(dropped)
		stmts = append(stmts, "ALTER TEXT SEARCH CONFIGURATION "+c.SQLName+" DROP MAPPING FOR "+strings.Join(dropped, ", "))
	}
	if len(changed) > 0 {
		stmts = append(stmts, c.MappingSQL("ALTER", schema.MappingGroups(c.Mappings, changed))...)
	}
	if len(added) > 0 {
		stmts = append(stmts, c.MappingSQL("ADD", schema.MappingGroups(c.Mappings, added))...)
	}
	return append(stmts, commentChange("TEXT SEARCH CONFIGURATION", c.SQLName, from.Comment, c.Comment)...), false
}

// tsDictGen plans text search dictionaries: a new template recreates the
// dictionary; options change in place.
type tsDictGen struct{}

func (tsDictGen) create(o schema.PgObject) []string { return o.(*schema.PgTSDict).CreateSQL() }

func (tsDictGen) drop(o schema.PgObject) []string {
	return []string{"DROP TEXT SEARCH DICTIONARY " + o.QualifiedSQL()}
}

func (tsDictGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, d := fo.(*schema.PgTSDict), to.(*schema.PgTSDict)
	if from.Template != d.Template {
		return nil, true
	}
	var stmts []string
	if from.Options != d.Options {
		// An option named without a value is removed.
		var opts []string
		keep := map[string]bool{}
		for _, n := range d.OptionNames() {
			keep[n] = true
		}
		for _, n := range from.OptionNames() {
			if !keep[n] {
				opts = append(opts, n)
			}
		}
		if d.Options != "" {
			opts = append(opts, d.Options)
		}
		stmts = append(stmts, "ALTER TEXT SEARCH DICTIONARY "+d.SQLName+" ("+strings.Join(opts, ", ")+")")
	}
	return append(stmts, commentChange("TEXT SEARCH DICTIONARY", d.SQLName, from.Comment, d.Comment)...), false
}

// tsParserGen plans text search parsers; any change but the comment
// recreates them.
type tsParserGen struct{}

func (tsParserGen) create(o schema.PgObject) []string { return o.(*schema.PgTSParser).CreateSQL() }

func (tsParserGen) drop(o schema.PgObject) []string {
	return []string{"DROP TEXT SEARCH PARSER " + o.QualifiedSQL()}
}

func (tsParserGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, p := fo.(*schema.PgTSParser), to.(*schema.PgTSParser)
	if from.Start != p.Start || from.GetToken != p.GetToken || from.End != p.End || from.LexTypes != p.LexTypes || from.Headline != p.Headline {
		return nil, true
	}
	return commentChange("TEXT SEARCH PARSER", p.SQLName, from.Comment, p.Comment), false
}

// tsTemplateGen plans text search templates; any change but the comment
// recreates them.
type tsTemplateGen struct{}

func (tsTemplateGen) create(o schema.PgObject) []string { return o.(*schema.PgTSTemplate).CreateSQL() }

func (tsTemplateGen) drop(o schema.PgObject) []string {
	return []string{"DROP TEXT SEARCH TEMPLATE " + o.QualifiedSQL()}
}

func (tsTemplateGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, t := fo.(*schema.PgTSTemplate), to.(*schema.PgTSTemplate)
	if from.Init != t.Init || from.Lexize != t.Lexize {
		return nil, true
	}
	return commentChange("TEXT SEARCH TEMPLATE", t.SQLName, from.Comment, t.Comment), false
}
