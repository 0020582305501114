package lint

import (
	"strings"
	"testing"
)

// TestLintSubscriptionNeverConnects: statements on subscriptions, in the
// replayed files and in the linted one, run on the dev database without
// connecting to the publisher. The publisher here does not exist: a
// connection attempt would fail the statement.
func TestLintSubscriptionNeverConnects(t *testing.T) {
	const conn = "host=/nonexistent/schemactl-publisher port=5432 dbname=app user=repl password=repl-secret-pw"
	files := writeDir(t, map[string]string{
		"1_sub.sql":   "-- atlas:txmode none\n\nCREATE TABLE orders (id int PRIMARY KEY);\nCREATE SUBSCRIPTION orders_sub CONNECTION '" + conn + "' PUBLICATION orders_pub;\n",
		"2_alter.sql": "-- atlas:txmode none\n\nALTER SUBSCRIPTION orders_sub CONNECTION '" + conn + " sslmode=disable';\nALTER SUBSCRIPTION orders_sub SET PUBLICATION orders_pub, more_pub;\n",
		"3_drop.sql":  "-- atlas:txmode none\n\nALTER SUBSCRIPTION orders_sub DISABLE;\nDROP SUBSCRIPTION orders_sub;\n",
	})
	for _, all := range []bool{false, true} {
		rep := lintFiles(t, files, all)
		if rep.Incomplete != "" {
			t.Fatalf("all=%v: a statement failed on the dev database: %s\n%s", all, rep.Incomplete, dump(rep))
		}
		if strings.Contains(dump(rep), "repl-secret-pw") {
			t.Errorf("all=%v: the connection's password is in a finding:\n%s", all, dump(rep))
		}
	}
}
