package schema

import (
	"context"
	"database/sql"
	"strings"
)

// PgPublicationTable is one table of a publication.
type PgPublicationTable struct {
	// Schema and Name name the table; Table is its quoted, qualified name.
	Schema string `json:"schema"`
	Name   string `json:"name"`
	Table  string `json:"table"`
	// Columns is the column list (quoted names), nil for all columns.
	Columns []string `json:"columns"`
	// Where is the row filter as pg_get_expr prints it, "" when none.
	Where string `json:"where"`
}

// SQL renders the table as in FOR TABLE: name (columns) WHERE (filter).
func (t PgPublicationTable) SQL() string {
	s := "TABLE " + t.Table
	if len(t.Columns) > 0 {
		s += " (" + strings.Join(t.Columns, ", ") + ")"
	}
	if t.Where != "" {
		s += " WHERE (" + t.Where + ")"
	}
	return s
}

// PgPublication is a logical replication publication.
type PgPublication struct {
	PgHeader
	// AllTables is FOR ALL TABLES.
	AllTables bool
	// Tables are the tables published one by one, Schemas the quoted
	// schemas of FOR TABLES IN SCHEMA (with their unquoted names in
	// SchemaNames).
	Tables      []PgPublicationTable
	Schemas     []string
	SchemaNames []string
	// Publish lists the operations published (insert, update, delete,
	// truncate); ViaRoot is publish_via_partition_root.
	Publish []string
	ViaRoot bool
}

// Objects renders the publication's tables and schemas as in FOR ...,
// "" when it has none.
func (p *PgPublication) Objects() string {
	var parts []string
	for _, t := range p.Tables {
		parts = append(parts, t.SQL())
	}
	for _, s := range p.Schemas {
		parts = append(parts, "TABLES IN SCHEMA "+s)
	}
	return strings.Join(parts, ", ")
}

// WithSQL renders the publication's parameters.
func (p *PgPublication) WithSQL() string {
	return "publish = " + QuoteLiteral(strings.Join(p.Publish, ", ")) + ", publish_via_partition_root = " +
		map[bool]string{true: "true", false: "false"}[p.ViaRoot]
}

// CreateSQL returns the CREATE PUBLICATION statement and the comment.
func (p *PgPublication) CreateSQL() []string {
	s := "CREATE PUBLICATION " + p.SQLName
	if p.AllTables {
		s += " FOR ALL TABLES"
	} else if o := p.Objects(); o != "" {
		s += " FOR " + o
	}
	s += " WITH (" + p.WithSQL() + ")"
	return append([]string{s}, commentSQL("PUBLICATION", p.SQLName, p.Comment)...)
}

const publicationsQuery = `
SELECT p.oid::int8, p.pubname, pg_catalog.quote_ident(p.pubname), p.puballtables,
	p.pubinsert, p.pubupdate, p.pubdelete, p.pubtruncate, p.pubviaroot,
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = p.oid AND dsc.classoid = 'pg_catalog.pg_publication'::pg_catalog.regclass AND dsc.objsubid = 0), ''),
	(SELECT json_agg(json_build_object('schema', n.nspname, 'name', c.relname,
		'table', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname),
		'columns', (SELECT json_agg(pg_catalog.quote_ident(a.attname) ORDER BY k.i)
			FROM pg_catalog.unnest(r.prattrs::int2[]) WITH ORDINALITY k(n, i)
			JOIN pg_catalog.pg_attribute a ON a.attrelid = r.prrelid AND a.attnum = k.n),
		'where', COALESCE(pg_catalog.pg_get_expr(r.prqual, r.prrelid), '')) ORDER BY n.nspname, c.relname)
	 FROM pg_catalog.pg_publication_rel r JOIN pg_catalog.pg_class c ON c.oid = r.prrelid
	 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE r.prpubid = p.oid),
	(SELECT json_agg(json_build_array(n.nspname, pg_catalog.quote_ident(n.nspname)) ORDER BY n.nspname)
	 FROM pg_catalog.pg_publication_namespace pn JOIN pg_catalog.pg_namespace n ON n.oid = pn.pnnspid WHERE pn.pnpubid = p.oid),
	(SELECT json_agg(json_build_array(n.nspname, c.relname, a.attname) ORDER BY 1)
	 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_publication_rel r ON r.oid = d.objid
	 JOIN pg_catalog.pg_class c ON c.oid = d.refobjid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	 JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
	 WHERE d.classid = 'pg_catalog.pg_publication_rel'::pg_catalog.regclass AND d.refobjsubid > 0 AND r.prpubid = p.oid)
FROM pg_catalog.pg_publication p
ORDER BY 2`

func (in *objInspector) readPublications(ctx context.Context) error {
	return in.queryArgs(ctx, publicationsQuery, nil, func(rows *sql.Rows) error {
		var (
			oid                   int64
			p                     = &PgPublication{}
			name                  string
			ins, upd, del, trunc  bool
			tables, schemas, cols []byte
		)
		if err := rows.Scan(&oid, &name, &p.SQLName, &p.AllTables, &ins, &upd, &del, &trunc, &p.ViaRoot, &p.Comment, &tables, &schemas, &cols); err != nil {
			return err
		}
		for _, op := range []struct {
			on   bool
			name string
		}{{ins, "insert"}, {upd, "update"}, {del, "delete"}, {trunc, "truncate"}} {
			if op.on {
				p.Publish = append(p.Publish, op.name)
			}
		}
		if err := jsonInto(tables, &p.Tables); err != nil {
			return err
		}
		var names [][2]string
		if err := jsonInto(schemas, &names); err != nil {
			return err
		}
		for _, s := range names {
			p.SchemaNames = append(p.SchemaNames, s[0])
			p.Schemas = append(p.Schemas, s[1])
			p.DependsOn = append(p.DependsOn, PgRef{Kind: PgKindSchema, Name: s[0]})
		}
		for _, t := range p.Tables {
			p.DependsOn = append(p.DependsOn, TableRef(t.Schema, t.Name))
		}
		// The columns of column lists and row filters.
		var colRefs [][3]string
		if err := jsonInto(cols, &colRefs); err != nil {
			return err
		}
		for _, c := range colRefs {
			p.DependsOn = append(p.DependsOn, PgRef{Kind: PgKindColumn, Schema: c[0], Name: c[1], Sub: c[2]})
		}
		p.ID = PgRef{Kind: PgKindPublication, Name: name}
		in.add("pg_publication", oid, p)
		return nil
	})
}
