package diff

import (
	"fmt"

	"github.com/schemactl/schemactl/schema"
)

// statisticsGen plans extended statistics. They are compared on
// PostgreSQL's rendering (pg_get_statisticsobjdef); only the statistics
// target and the comment can change in place.
type statisticsGen struct{}

func (statisticsGen) create(o schema.PgObject) []string { return o.(*schema.PgStatistics).CreateSQL() }

func (statisticsGen) drop(o schema.PgObject) []string {
	return []string{"DROP STATISTICS " + o.QualifiedSQL()}
}

func (statisticsGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, s := fo.(*schema.PgStatistics), to.(*schema.PgStatistics)
	if from.Def != s.Def {
		return nil, true
	}
	var stmts []string
	if from.Target != s.Target {
		stmts = append(stmts, fmt.Sprintf("ALTER STATISTICS %s SET STATISTICS %d", s.SQLName, s.Target))
	}
	return append(stmts, commentChange("STATISTICS", s.SQLName, from.Comment, s.Comment)...), false
}
