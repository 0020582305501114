package schema

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
)

// PgViewColumn is an output column of a view.
type PgViewColumn struct {
	Name    string `json:"name"`
	Type    string `json:"type"` // format_type
	Comment string `json:"comment"`
	// Default is the column's default (ALTER VIEW ... SET DEFAULT), as
	// pg_get_expr prints it; "" for none.
	Default string `json:"default,omitempty"`
}

// PgView is a view or a materialized view.
type PgView struct {
	PgHeader
	// Materialized is set for materialized views.
	Materialized bool
	// Def is the view's query as pg_get_viewdef prints it.
	Def string
	// Columns are the output columns, in order.
	Columns []PgViewColumn
	// Options are the reloptions other than check_option, e.g.
	// "security_barrier=true".
	Options []string
	// CheckOption is "", "LOCAL" or "CASCADED".
	CheckOption string
	// Indexes are the indexes of a materialized view.
	Indexes []PgIndexDef
	// WithData is false for a materialized view created WITH NO DATA.
	WithData bool
	// AccessMethod is the table access method of a materialized view when
	// it is not heap.
	AccessMethod string
	// SelfReference is set for a view whose query reads the view itself
	// (made by CREATE OR REPLACE VIEW over a first definition): it can
	// only be created in two steps.
	SelfReference bool
}

// PgIndexDef is an index as pg_get_indexdef prints it.
type PgIndexDef struct {
	Name    string `json:"name"`
	Def     string `json:"def"`
	Comment string `json:"comment"`
}

// viewsQuery reads views and materialized views. A view reads itself when
// its rule's range tables (the query's, its subqueries' and its CTEs')
// name the view: pg_depend cannot tell, since before PostgreSQL 16 every
// view's rule has the view as its first two entries (OLD and NEW), which
// the stored rule keeps and pg_depend records as a dependency on the view.
// The rule's node tree prints each such entry as ":relid <oid> ".
const viewsQuery = `
SELECT c.oid::int8, n.nspname, c.relname, c.relkind = 'm',
	pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname),
	pg_catalog.pg_get_viewdef(c.oid),
	COALESCE(pg_catalog.array_to_json(c.reloptions)::text, '[]'),
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = c.oid AND dsc.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dsc.objsubid = 0), ''),
	c.relispopulated,
	COALESCE((SELECT am.amname FROM pg_catalog.pg_am am WHERE am.oid = c.relam AND am.amname <> 'heap'), ''),
	(SELECT json_agg(json_build_object('name', a.attname, 'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
		'comment', COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = c.oid AND dsc.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dsc.objsubid = a.attnum), ''),
		'default', COALESCE(pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), '')) ORDER BY a.attnum)
	 FROM pg_catalog.pg_attribute a
	 LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
	 WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
	(SELECT json_agg(json_build_object('name', ic.relname, 'def', pg_catalog.pg_get_indexdef(i.indexrelid),
		'comment', COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = ic.oid AND dsc.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dsc.objsubid = 0), '')) ORDER BY ic.relname)
	 FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = c.oid),
	c.relkind = 'v' AND COALESCE((SELECT (length(q.action) - length(replace(q.action, q.rte, ''))) / length(q.rte)
		FROM (SELECT rw.ev_action::text AS action, ':relid ' || c.oid::text || ' ' AS rte
			FROM pg_catalog.pg_rewrite rw WHERE rw.ev_class = c.oid AND rw.rulename = '_RETURN') q), 0) >
		CASE WHEN pg_catalog.current_setting('server_version_num')::int < 160000 THEN 2 ELSE 0 END
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND n.nspname = ANY($1) AND ` + `%s
ORDER BY 2, 3`

func (in *objInspector) readViews(ctx context.Context) error {
	return in.query(ctx, fmt.Sprintf(viewsQuery, notExtMember("pg_class", "c.oid")), func(rows *sql.Rows) error {
		var (
			oid                        int64
			v                          = &PgView{}
			schemaName, name, opts, am string
			cols, idxs                 []byte
		)
		if err := rows.Scan(&oid, &schemaName, &name, &v.Materialized, &v.SQLName, &v.Def, &opts,
			&v.Comment, &v.WithData, &am, &cols, &idxs, &v.SelfReference); err != nil {
			return err
		}
		v.AccessMethod = am
		kind := PgKindView
		if v.Materialized {
			kind = PgKindMatView
		}
		v.ID = PgRef{Kind: kind, Schema: schemaName, Name: name}
		var options []string
		if err := jsonInto([]byte(opts), &options); err != nil {
			return err
		}
		for _, o := range options {
			if k, val, ok := strings.Cut(o, "="); ok && k == "check_option" {
				v.CheckOption = strings.ToUpper(val)
				continue
			}
			v.Options = append(v.Options, o)
		}
		if err := jsonInto(cols, &v.Columns); err != nil {
			return err
		}
		if err := jsonInto(idxs, &v.Indexes); err != nil {
			return err
		}
		// Storage parameters are a set (reloptions.go).
		sort.Strings(v.Options)
		for i := range v.Indexes {
			v.Indexes[i].Def = sortIndexOptions(v.Indexes[i].Def)
		}
		in.add("pg_class", oid, v)
		return nil
	})
}
