package importer

import (
	"fmt"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/schemactl/schemactl/migrations"
)

// outsideTx returns the statements of src that PostgreSQL refuses to run
// inside a transaction block (CREATE INDEX CONCURRENTLY, VACUUM, ...), as
// "line N: KIND", and the number of statements. Tools that send such a
// file without BEGIN (Flyway detects them; golang-migrate sends a file as
// one query) run it outside a transaction.
func outsideTx(path string, src []byte) (found []string, n int, err error) {
	sc, err := migrations.Scan(path, src, migrations.SplitOptions{})
	if err != nil {
		return nil, 0, err
	}
	for _, st := range sc.Stmts {
		res, err := pg.Parse(st.Text)
		if err != nil {
			continue // PostgreSQL will say more when the file runs
		}
		for _, rs := range res.Stmts {
			if k := migrations.NonTxKind(rs.Stmt); k != "" {
				found = append(found, fmt.Sprintf("line %d: %s", st.Pos.Line, k))
			}
		}
	}
	return found, len(sc.Stmts), nil
}
