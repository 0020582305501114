package migrations

import (
	"strings"
	"testing"

	pg "github.com/pganalyze/pg_query_go/v6"
)

func TestNonTxKind(t *testing.T) {
	for sql, want := range map[string]string{
		"CREATE INDEX CONCURRENTLY i ON t (a)":               "CREATE INDEX CONCURRENTLY",
		"CREATE INDEX i ON t (a)":                            "",
		"DROP INDEX CONCURRENTLY IF EXISTS i":                "DROP INDEX CONCURRENTLY",
		"REINDEX (CONCURRENTLY) TABLE t":                     "REINDEX CONCURRENTLY",
		"REINDEX (CONCURRENTLY false) TABLE t":               "",
		"REINDEX SCHEMA s":                                   "REINDEX SCHEMA",
		"REINDEX TABLE t":                                    "",
		"VACUUM t":                                           "VACUUM",
		"ANALYZE t":                                          "",
		"CLUSTER":                                            "CLUSTER without a table",
		"CLUSTER t USING i":                                  "",
		"ALTER TABLE p DETACH PARTITION c CONCURRENTLY":      "DETACH PARTITION CONCURRENTLY",
		"ALTER TABLE p DETACH PARTITION c":                   "",
		"CREATE DATABASE d":                                  "CREATE DATABASE",
		"ALTER DATABASE d SET TABLESPACE s":                  "ALTER DATABASE SET TABLESPACE",
		"ALTER DATABASE d CONNECTION LIMIT 3":                "",
		"ALTER SYSTEM SET work_mem = '8MB'":                  "ALTER SYSTEM",
		"DISCARD ALL":                                        "DISCARD ALL",
		"DISCARD PLANS":                                      "",
		"COMMIT PREPARED 'x'":                                "COMMIT PREPARED",
		"CREATE SUBSCRIPTION s CONNECTION 'c' PUBLICATION p": "CREATE SUBSCRIPTION",
		"CREATE SUBSCRIPTION s CONNECTION 'c' PUBLICATION p WITH (create_slot = false)": "",
		"CALL p()":                   "",
		"DROP SUBSCRIPTION s":        "",
		"ALTER TYPE e ADD VALUE 'x'": "",
	} {
		res, err := pg.Parse(sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		if got := NonTxKind(res.Stmts[0].Stmt); got != want {
			t.Errorf("%s: %q, want %q", sql, got, want)
		}
		// Every named statement holds one of the words that let
		// txBlockErrors skip the parse of the others.
		if want != "" && txBlockErrors([]Stmt{{Text: sql}}, false) == nil {
			t.Errorf("%s: txBlockErrors skips it", sql)
		}
	}
}

func TestCheckTxBlocks(t *testing.T) {
	f := func(name, src string) *File {
		fs, err := ParseFile(name, []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return fs
	}
	files := []*File{
		f("1_a.sql", "CREATE TABLE a (x int);\nVACUUM a;\n"),
		f("2_b.sql", "-- atlas:txmode none\n\nVACUUM a;\n"),
		f("3_c.sql", "SELECT 1;\n  create index concurrently a_x on a (x);\n"),
	}
	err := CheckTxBlocks(files)
	if err == nil {
		t.Fatal("no error")
	}
	want := "1_a.sql:2:1: VACUUM cannot run inside a transaction block, and the file runs in one; fix: " + TxBlockFix + "\n" +
		"3_c.sql:2:3: CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and the file runs in one; fix: " + TxBlockFix
	if err.Error() != want {
		t.Fatalf("got\n%s\nwant\n%s", err, want)
	}
	if !strings.Contains(err.Error(), "`-- atlas:txmode none` followed by a blank line") {
		t.Fatal(err)
	}
	if err := CheckTxBlocks(files[1:2]); err != nil {
		t.Fatal(err)
	}
}
