package schema

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// PgStatistics is an extended statistics object (CREATE STATISTICS).
type PgStatistics struct {
	PgHeader
	// Table is the table the statistics are on.
	Table QName
	// Columns are the columns and expressions, as PostgreSQL prints them
	// (pg_get_statisticsobjdef_columns): "a, b" or "(a + b), lower(c)".
	Columns string
	// Kinds are the statistics kinds (ndistinct, dependencies, mcv);
	// empty for the statistics of a single expression.
	Kinds []string
	// Def is PostgreSQL's rendering of the object (pg_get_statisticsobjdef);
	// two objects with the same Def are the same.
	Def string
	// Target is the statistics target set by ALTER STATISTICS, -1 when
	// none.
	Target int64
}

const statisticsQuery = `
SELECT s.oid::int8, n.nspname, s.stxname, tn.nspname, c.relname,
	pg_catalog.pg_get_statisticsobjdef_columns(s.oid),
	pg_catalog.array_to_string(ARRAY(SELECT CASE k WHEN 'd' THEN 'ndistinct' WHEN 'f' THEN 'dependencies' WHEN 'm' THEN 'mcv' END
		FROM pg_catalog.unnest(s.stxkind) k WHERE k <> 'e'), ','),
	pg_catalog.pg_get_statisticsobjdef(s.oid), COALESCE(s.stxstattarget, -1)::int8,
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = s.oid AND dsc.classoid = 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_statistic_ext s
JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace
JOIN pg_catalog.pg_class c ON c.oid = s.stxrelid
JOIN pg_catalog.pg_namespace tn ON tn.oid = c.relnamespace
WHERE n.nspname = ANY($1) AND %s
ORDER BY 2, 3`

func (in *objInspector) readStatistics(ctx context.Context) error {
	return in.query(ctx, fmt.Sprintf(statisticsQuery, notExtMember("pg_statistic_ext", "s.oid")), func(rows *sql.Rows) error {
		var (
			oid                     int64
			s                       = &PgStatistics{}
			schemaName, name, kinds string
		)
		if err := rows.Scan(&oid, &schemaName, &name, &s.Table.Schema, &s.Table.Name, &s.Columns, &kinds,
			&s.Def, &s.Target, &s.Comment); err != nil {
			return err
		}
		if kinds != "" {
			s.Kinds = strings.Split(kinds, ",")
		}
		s.setName(schemaName, name)
		in.add("pg_statistic_ext", oid, s)
		return nil
	})
}

func (s *PgStatistics) setName(schemaName, name string) {
	s.ID = PgRef{Kind: PgKindStatistics, Schema: schemaName, Name: name}
	s.SQLName = QName{Schema: schemaName, Name: name}.String()
}

// CreateSQL returns the statements that create the statistics object,
// its target and its comment.
func (s *PgStatistics) CreateSQL() []string {
	stmt := "CREATE STATISTICS " + s.SQLName
	if len(s.Kinds) > 0 {
		stmt += " (" + strings.Join(s.Kinds, ", ") + ")"
	}
	stmt += " ON " + s.Columns + " FROM " + s.Table.String()
	stmts := []string{stmt}
	if s.Target >= 0 {
		stmts = append(stmts, fmt.Sprintf("ALTER STATISTICS %s SET STATISTICS %d", s.SQLName, s.Target))
	}
	return withComment(stmts, "STATISTICS", s.SQLName, s.Comment)
}

func (s *PgStatistics) hclType() string { return "statistics" }

func (s *PgStatistics) hclFields() []kindField {
	return []kindField{
		{name: "on", tbl: &s.Table}, {name: "columns", s: &s.Columns}, {name: "kinds", ss: &s.Kinds},
		{name: "target", n: &s.Target, ndef: -1},
	}
}
