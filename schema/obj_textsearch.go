package schema

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
)

// PgTSConfig is a text search configuration with its token mappings.
type PgTSConfig struct {
	PgHeader
	// Parser is the qualified parser.
	Parser string
	// Mappings map each token type alias to its dictionaries, in order.
	Mappings map[string][]string
}

// PgTSDict is a text search dictionary.
type PgTSDict struct {
	PgHeader
	// Template is the qualified template.
	Template string
	// Options are the template's options as PostgreSQL prints them
	// (stopwords = 'english', accept = 'false').
	Options string
}

// PgTSParser is a text search parser.
type PgTSParser struct {
	PgHeader
	// Start, GetToken, End, LexTypes and Headline are the parser's
	// functions (Headline "" when none).
	Start, GetToken, End, LexTypes, Headline string
}

// PgTSTemplate is a text search template.
type PgTSTemplate struct {
	PgHeader
	// Init ("" when none) and Lexize are the template's functions.
	Init, Lexize string
}

const qualName = `pg_catalog.quote_ident(%s.nspname) || '.' || pg_catalog.quote_ident(%s)`

var tsConfigsQuery = `
SELECT c.oid::int8, n.nspname, c.cfgname, ` + fmt.Sprintf(qualName, "pn", "p.prsname") + `,
	(SELECT json_object_agg(m.alias, m.dicts) FROM (
		SELECT tt.alias, json_agg(` + fmt.Sprintf(qualName, "dn", "d.dictname") + ` ORDER BY cm.mapseqno) AS dicts
		FROM pg_catalog.pg_ts_config_map cm
		JOIN pg_catalog.ts_token_type(c.cfgparser) tt ON tt.tokid = cm.maptokentype
		JOIN pg_catalog.pg_ts_dict d ON d.oid = cm.mapdict
		JOIN pg_catalog.pg_namespace dn ON dn.oid = d.dictnamespace
		WHERE cm.mapcfg = c.oid GROUP BY tt.alias) m),
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = c.oid AND dsc.classoid = 'pg_catalog.pg_ts_config'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_ts_config c
JOIN pg_catalog.pg_namespace n ON n.oid = c.cfgnamespace
JOIN pg_catalog.pg_ts_parser p ON p.oid = c.cfgparser
JOIN pg_catalog.pg_namespace pn ON pn.oid = p.prsnamespace
WHERE n.nspname = ANY($1) AND %s
ORDER BY 2, 3`

var tsDictsQuery = `
SELECT d.oid::int8, n.nspname, d.dictname, ` + fmt.Sprintf(qualName, "tn", "t.tmplname") + `, COALESCE(d.dictinitoption, ''),
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = d.oid AND dsc.classoid = 'pg_catalog.pg_ts_dict'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_ts_dict d
JOIN pg_catalog.pg_namespace n ON n.oid = d.dictnamespace
JOIN pg_catalog.pg_ts_template t ON t.oid = d.dicttemplate
JOIN pg_catalog.pg_namespace tn ON tn.oid = t.tmplnamespace
WHERE n.nspname = ANY($1) AND %s
ORDER BY 2, 3`

const tsParsersQuery = `
SELECT p.oid::int8, n.nspname, p.prsname, p.prsstart::regproc::text, p.prstoken::regproc::text, p.prsend::regproc::text,
	p.prslextype::regproc::text, COALESCE(NULLIF(p.prsheadline, 0)::regproc::text, ''),
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = p.oid AND dsc.classoid = 'pg_catalog.pg_ts_parser'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_ts_parser p JOIN pg_catalog.pg_namespace n ON n.oid = p.prsnamespace
WHERE n.nspname = ANY($1) AND %s
ORDER BY 2, 3`

const tsTemplatesQuery = `
SELECT t.oid::int8, n.nspname, t.tmplname, COALESCE(NULLIF(t.tmplinit, 0)::regproc::text, ''), t.tmpllexize::regproc::text,
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = t.oid AND dsc.classoid = 'pg_catalog.pg_ts_template'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_ts_template t JOIN pg_catalog.pg_namespace n ON n.oid = t.tmplnamespace
WHERE n.nspname = ANY($1) AND %s
ORDER BY 2, 3`

func (in *objInspector) readTextSearch(ctx context.Context) error {
	var oid int64
	var schemaName, name string
	err := in.query(ctx, fmt.Sprintf(tsParsersQuery, notExtMember("pg_ts_parser", "p.oid")), func(rows *sql.Rows) error {
		p := &PgTSParser{}
		if err := rows.Scan(&oid, &schemaName, &name, &p.Start, &p.GetToken, &p.End, &p.LexTypes, &p.Headline, &p.Comment); err != nil {
			return err
		}
		p.setName(schemaName, name)
		in.add("pg_ts_parser", oid, p)
		return nil
	})
	if err != nil {
		return fmt.Errorf("parsers: %w", err)
	}
	err = in.query(ctx, fmt.Sprintf(tsTemplatesQuery, notExtMember("pg_ts_template", "t.oid")), func(rows *sql.Rows) error {
		t := &PgTSTemplate{}
		if err := rows.Scan(&oid, &schemaName, &name, &t.Init, &t.Lexize, &t.Comment); err != nil {
			return err
		}
		t.setName(schemaName, name)
		in.add("pg_ts_template", oid, t)
		return nil
	})
	if err != nil {
		return fmt.Errorf("templates: %w", err)
	}
	err = in.query(ctx, fmt.Sprintf(tsDictsQuery, notExtMember("pg_ts_dict", "d.oid")), func(rows *sql.Rows) error {
		d := &PgTSDict{}
		if err := rows.Scan(&oid, &schemaName, &name, &d.Template, &d.Options, &d.Comment); err != nil {
			return err
		}
		d.setName(schemaName, name)
		in.add("pg_ts_dict", oid, d)
		return nil
	})
	if err != nil {
		return fmt.Errorf("dictionaries: %w", err)
	}
	err = in.query(ctx, fmt.Sprintf(tsConfigsQuery, notExtMember("pg_ts_config", "c.oid")), func(rows *sql.Rows) error {
		c := &PgTSConfig{}
		var maps []byte
		if err := rows.Scan(&oid, &schemaName, &name, &c.Parser, &maps, &c.Comment); err != nil {
			return err
		}
		if err := jsonInto(maps, &c.Mappings); err != nil {
			return err
		}
		c.setName(schemaName, name)
		in.add("pg_ts_config", oid, c)
		return nil
	})
	if err != nil {
		return fmt.Errorf("configurations: %w", err)
	}
	return nil
}

func (c *PgTSConfig) setName(schemaName, name string) {
	c.ID = PgRef{Kind: PgKindTSConfig, Schema: schemaName, Name: name}
	c.SQLName = QName{Schema: schemaName, Name: name}.String()
}

func (d *PgTSDict) setName(schemaName, name string) {
	d.ID = PgRef{Kind: PgKindTSDict, Schema: schemaName, Name: name}
	d.SQLName = QName{Schema: schemaName, Name: name}.String()
}

func (p *PgTSParser) setName(schemaName, name string) {
	p.ID = PgRef{Kind: PgKindTSParser, Schema: schemaName, Name: name}
	p.SQLName = QName{Schema: schemaName, Name: name}.String()
}

func (t *PgTSTemplate) setName(schemaName, name string) {
	t.ID = PgRef{Kind: PgKindTSTemplate, Schema: schemaName, Name: name}
	t.SQLName = QName{Schema: schemaName, Name: name}.String()
}

// CreateSQL returns the statements that create the configuration (empty,
// on its parser), add its mappings and set its comment.
func (c *PgTSConfig) CreateSQL() []string {
	stmts := []string{"CREATE TEXT SEARCH CONFIGURATION " + c.SQLName + " (PARSER = " + c.Parser + ")"}
	stmts = append(stmts, c.MappingSQL("ADD", MappingGroups(c.Mappings, nil))...)
	return withComment(stmts, "TEXT SEARCH CONFIGURATION", c.SQLName, c.Comment)
}

// MappingSQL returns one ALTER TEXT SEARCH CONFIGURATION statement per
// group of token types that map to the same dictionaries: verb is ADD or
// ALTER.
func (c *PgTSConfig) MappingSQL(verb string, groups [][]string) []string {
	var out []string
	for _, g := range groups {
		out = append(out, "ALTER TEXT SEARCH CONFIGURATION "+c.SQLName+" "+verb+" MAPPING FOR "+
			strings.Join(quoteAll(g), ", ")+" WITH "+strings.Join(c.Mappings[g[0]], ", "))
	}
	return out
}

// MappingGroups groups the token types of m (those in only when only is
// not nil) that map to the same dictionaries, in a stable order.
func MappingGroups(m map[string][]string, only map[string]bool) [][]string {
	byDicts := map[string][]string{}
	for tok, dicts := range m {
		if only == nil || only[tok] {
			k := strings.Join(dicts, ",")
			byDicts[k] = append(byDicts[k], tok)
		}
	}
	keys := make([]string, 0, len(byDicts))
	for k := range byDicts {
		sort.Strings(byDicts[k])
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([][]string, len(keys))
	for i, k := range keys {
		out[i] = byDicts[k]
	}
	return out
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = QuoteIdent(n)
	}
	return out
}

// CreateSQL returns the statements that create the dictionary.
func (d *PgTSDict) CreateSQL() []string {
	opts := "TEMPLATE = " + d.Template
	if d.Options != "" {
		opts += ", " + d.Options
	}
	return withComment([]string{"CREATE TEXT SEARCH DICTIONARY " + d.SQLName + " (" + opts + ")"}, "TEXT SEARCH DICTIONARY", d.SQLName, d.Comment)
}

// OptionNames returns the names of the dictionary's options, lower-case.
func (d *PgTSDict) OptionNames() []string {
	var out []string
	for _, o := range splitOptions(d.Options) {
		if i := strings.Index(o, "="); i > 0 {
			out = append(out, strings.ToLower(strings.TrimSpace(o[:i])))
		}
	}
	return out
}

// splitOptions splits "a = 'x, y', b = 'z'" at the commas outside quotes.
func splitOptions(s string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range s {
		switch {
		case r == '\'':
			quoted = !quoted
		case r == ',' && !quoted:
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
			continue
		}
		cur.WriteRune(r)
	}
	if t := strings.TrimSpace(cur.String()); t != "" {
		out = append(out, t)
	}
	return out
}

// CreateSQL returns the statements that create the parser.
func (p *PgTSParser) CreateSQL() []string {
	opts := "START = " + p.Start + ", GETTOKEN = " + p.GetToken + ", END = " + p.End + ", LEXTYPES = " + p.LexTypes
	if p.Headline != "" {
		opts += ", HEADLINE = " + p.Headline
	}
	return withComment([]string{"CREATE TEXT SEARCH PARSER " + p.SQLName + " (" + opts + ")"}, "TEXT SEARCH PARSER", p.SQLName, p.Comment)
}

// CreateSQL returns the statements that create the template.
func (t *PgTSTemplate) CreateSQL() []string {
	opts := "LEXIZE = " + t.Lexize
	if t.Init != "" {
		opts = "INIT = " + t.Init + ", " + opts
	}
	return withComment([]string{"CREATE TEXT SEARCH TEMPLATE " + t.SQLName + " (" + opts + ")"}, "TEXT SEARCH TEMPLATE", t.SQLName, t.Comment)
}

func (c *PgTSConfig) hclType() string { return "text_search_configuration" }

func (c *PgTSConfig) hclFields() []kindField {
	return []kindField{{name: "parser", s: &c.Parser}, {name: "mappings", m: &c.Mappings}}
}

func (d *PgTSDict) hclType() string { return "text_search_dictionary" }

func (d *PgTSDict) hclFields() []kindField {
	return []kindField{{name: "template", s: &d.Template}, {name: "options", s: &d.Options}}
}

func (p *PgTSParser) hclType() string { return "text_search_parser" }

func (p *PgTSParser) hclFields() []kindField {
	return []kindField{{name: "start", s: &p.Start}, {name: "gettoken", s: &p.GetToken}, {name: "end", s: &p.End},
		{name: "lextypes", s: &p.LexTypes}, {name: "headline", s: &p.Headline}}
}

func (t *PgTSTemplate) hclType() string { return "text_search_template" }

func (t *PgTSTemplate) hclFields() []kindField {
	return []kindField{{name: "init", s: &t.Init}, {name: "lexize", s: &t.Lexize}}
}
