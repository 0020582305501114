package schema

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/schemactl/schemactl/internal/pgquote"
)

// PgConversion is an encoding conversion (CREATE CONVERSION).
type PgConversion struct {
	PgHeader
	// From and To are the encodings' names (UTF8, LATIN1).
	From, To string
	// Function is the conversion function.
	Function string
	// Default is set for DEFAULT conversions.
	Default bool
}

const conversionsQuery = `
SELECT c.oid::int8, n.nspname, c.conname, pg_catalog.pg_encoding_to_char(c.conforencoding),
	pg_catalog.pg_encoding_to_char(c.contoencoding), c.conproc::regproc::text, c.condefault,
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = c.oid AND dsc.classoid = 'pg_catalog.pg_conversion'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_conversion c JOIN pg_catalog.pg_namespace n ON n.oid = c.connamespace
WHERE n.nspname = ANY($1) AND %s
ORDER BY 2, 3`

func (in *objInspector) readConversions(ctx context.Context) error {
	return in.query(ctx, fmt.Sprintf(conversionsQuery, notExtMember("pg_conversion", "c.oid")), func(rows *sql.Rows) error {
		var (
			oid              int64
			c                = &PgConversion{}
			schemaName, name string
		)
		if err := rows.Scan(&oid, &schemaName, &name, &c.From, &c.To, &c.Function, &c.Default, &c.Comment); err != nil {
			return err
		}
		c.setName(schemaName, name)
		in.add("pg_conversion", oid, c)
		return nil
	})
}

func (c *PgConversion) setName(schemaName, name string) {
	c.ID = PgRef{Kind: PgKindConversion, Schema: schemaName, Name: name}
	c.SQLName = QName{Schema: schemaName, Name: name}.String()
}

// CreateSQL returns the statements that create the conversion.
func (c *PgConversion) CreateSQL() []string {
	word := "CREATE CONVERSION "
	if c.Default {
		word = "CREATE DEFAULT CONVERSION "
	}
	return withComment([]string{word + c.SQLName + " FOR " + pgquote.Literal(c.From) + " TO " + pgquote.Literal(c.To) + " FROM " + c.Function},
		"CONVERSION", c.SQLName, c.Comment)
}

func (c *PgConversion) hclType() string { return "conversion" }

func (c *PgConversion) hclFields() []kindField {
	return []kindField{{name: "for", s: &c.From}, {name: "to", s: &c.To}, {name: "function", s: &c.Function},
		{name: "default", b: &c.Default}}
}
