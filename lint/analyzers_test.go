package lint

import (
	"strings"
	"testing"
)

// analyzerCase lints file 2 (lint) after replaying file 1 (base) and
// checks that code is reported (or, with absent, that it is not).
type analyzerCase struct {
	name   string
	base   string
	lint   string
	code   string
	absent bool
}

const baseTables = `CREATE TABLE t (id int PRIMARY KEY, v varchar(10), n numeric(10,2), w int, s text);
CREATE TABLE u (id bigint PRIMARY KEY, t_id int);
CREATE INDEX t_w_idx ON t (w);
CREATE TYPE mood AS ENUM ('happy', 'sad', 'ok');
CREATE TABLE m (id int, v mood);
CREATE SCHEMA extra;
CREATE TABLE extra.x (id int);
INSERT INTO t VALUES (1, 'a', 1.5, 2, 's');
INSERT INTO u VALUES (1, 1);
INSERT INTO m VALUES (1, 'sad');
`

var analyzerCases = []analyzerCase{
	// PG101 / PG102 / PG103: indexes and CONCURRENTLY.
	{name: "create index on existing table", lint: `CREATE INDEX t_v_idx ON t (v);`, code: "PG101"},
	{name: "create index on table of the same file", lint: "CREATE TABLE t2 (id int);\nCREATE INDEX t2_idx ON t2 (id);", code: "PG101", absent: true},
	{name: "create index concurrently", lint: "-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_v_idx ON t (v);", code: "PG101", absent: true},
	{name: "create index if not exists that exists", lint: `CREATE INDEX IF NOT EXISTS t_w_idx ON t (w);`, code: "PG101", absent: true},
	{name: "drop index", lint: `DROP INDEX t_w_idx;`, code: "PG102"},
	{name: "drop index concurrently", lint: "-- atlas:txmode none\n\nDROP INDEX CONCURRENTLY IF EXISTS t_w_idx;", code: "PG102", absent: true},
	{name: "drop index of table of the same file", lint: "CREATE TABLE t2 (id int);\nCREATE INDEX t2_idx ON t2 (id);\nDROP INDEX t2_idx;", code: "PG102", absent: true},
	{name: "concurrently in transaction", lint: `CREATE INDEX CONCURRENTLY t_v_idx ON t (v);`, code: "PG103"},
	{name: "vacuum in transaction", lint: `VACUUM t;`, code: "PG103"},
	{name: "create database in transaction (not run on the dev server)", lint: "CREATE TABLE t2 (id int);\nCREATE DATABASE schemactl_lint_must_not_exist;\nALTER SYSTEM SET work_mem = '1GB';", code: "PG103"},
	{name: "concurrently with txmode none", lint: "-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_v_idx ON t (v);", code: "PG103", absent: true},
	// PG104: enum value used in the transaction that added it.
	{name: "new enum value used in same transaction", lint: "ALTER TYPE mood ADD VALUE 'angry';\nINSERT INTO m VALUES (2, 'angry');", code: "PG104"},
	{name: "new enum value in non-transactional file", lint: "-- atlas:txmode none\n\nALTER TYPE mood ADD VALUE IF NOT EXISTS 'angry';\nINSERT INTO m VALUES (2, 'angry');", code: "PG104", absent: true},
	// PG110-PG113: constraints.
	{name: "foreign key validated", lint: `ALTER TABLE u ADD CONSTRAINT u_t_fk FOREIGN KEY (t_id) REFERENCES t (id);`, code: "PG110"},
	{name: "foreign key not valid", lint: "ALTER TABLE u ADD CONSTRAINT u_t_fk FOREIGN KEY (t_id) REFERENCES t (id) NOT VALID;\nALTER TABLE u VALIDATE CONSTRAINT u_t_fk;", code: "PG110", absent: true},
	{name: "foreign key on table of the same file", lint: "CREATE TABLE v (t_id int);\nALTER TABLE v ADD CONSTRAINT v_fk FOREIGN KEY (t_id) REFERENCES t (id);", code: "PG110", absent: true},
	{name: "check validated", lint: `ALTER TABLE t ADD CONSTRAINT t_w_check CHECK (w > 0);`, code: "PG111"},
	{name: "check not valid", lint: `ALTER TABLE t ADD CONSTRAINT t_w_check CHECK (w > 0) NOT VALID;`, code: "PG111", absent: true},
	{name: "set not null scans", lint: `ALTER TABLE t ALTER COLUMN w SET NOT NULL;`, code: "PG112"},
	{name: "set not null after validated check", lint: "ALTER TABLE t ADD CONSTRAINT w_nn CHECK (w IS NOT NULL) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT w_nn;\nALTER TABLE t ALTER COLUMN w SET NOT NULL;", code: "PG112", absent: true},
	{name: "unique without index", lint: `ALTER TABLE t ADD CONSTRAINT t_v_key UNIQUE (v);`, code: "PG113"},
	{name: "unique using index", base: "CREATE UNIQUE INDEX t_v_uidx ON t (v);", lint: `ALTER TABLE t ADD CONSTRAINT t_v_key UNIQUE USING INDEX t_v_uidx;`, code: "PG113", absent: true},
	{name: "primary key on table of the same file", lint: "CREATE TABLE t2 (id int);\nALTER TABLE t2 ADD PRIMARY KEY (id);", code: "PG113", absent: true},
	// PG120-PG125: rewrites.
	{name: "type change rewrites", lint: `ALTER TABLE t ALTER COLUMN w TYPE bigint;`, code: "PG120"},
	{name: "varchar widened is binary-coercible", lint: `ALTER TABLE t ALTER COLUMN v TYPE varchar(20);`, code: "PG120", absent: true},
	{name: "varchar to text is binary-coercible", lint: `ALTER TABLE t ALTER COLUMN v TYPE text;`, code: "PG120", absent: true},
	{name: "numeric precision increase is binary-coercible", lint: `ALTER TABLE t ALTER COLUMN n TYPE numeric(12,2);`, code: "PG120", absent: true},
	{name: "numeric scale change rewrites", lint: `ALTER TABLE t ALTER COLUMN n TYPE numeric(12,4);`, code: "PG120"},
	{name: "volatile default", lint: `ALTER TABLE t ADD COLUMN r float8 DEFAULT random();`, code: "PG121"},
	{name: "constant default", lint: `ALTER TABLE t ADD COLUMN c int DEFAULT 4;`, code: "PG121", absent: true},
	{name: "stored generated column", lint: `ALTER TABLE t ADD COLUMN g int GENERATED ALWAYS AS (w * 2) STORED;`, code: "PG122"},
	{name: "stored generated column on new table", lint: "CREATE TABLE t2 (w int);\nALTER TABLE t2 ADD COLUMN g int GENERATED ALWAYS AS (w * 2) STORED;", code: "PG122", absent: true},
	{name: "set unlogged", lint: `ALTER TABLE u SET UNLOGGED;`, code: "PG123"},
	{name: "set unlogged on new table", lint: "CREATE TABLE t2 (id int);\nALTER TABLE t2 SET UNLOGGED;", code: "PG123", absent: true},
	{name: "cluster", lint: `CLUSTER t USING t_pkey;`, code: "PG124"},
	{name: "vacuum full", lint: "-- atlas:txmode none\n\nVACUUM FULL t;", code: "PG124"},
	{name: "plain vacuum", lint: "-- atlas:txmode none\n\nVACUUM t;", code: "PG124", absent: true},
	{name: "serial column rewrites", lint: `ALTER TABLE t ADD COLUMN seq serial;`, code: "PG125"},
	{name: "nullable column does not rewrite", lint: `ALTER TABLE t ADD COLUMN x int;`, code: "PG125", absent: true},
	// PG130: lock_timeout.
	{name: "access exclusive without lock_timeout", lint: `ALTER TABLE t ADD COLUMN x int;`, code: "PG130"},
	{name: "access exclusive with lock_timeout", lint: "SET lock_timeout = '2s';\nALTER TABLE t ADD COLUMN x int;", code: "PG130", absent: true},
	{name: "access exclusive on new table", lint: "CREATE TABLE t2 (id int);\nALTER TABLE t2 ADD COLUMN x int;", code: "PG130", absent: true},
	// PG201-PG204: breaking changes.
	{name: "drop not null", base: "ALTER TABLE t ALTER COLUMN s SET NOT NULL;", lint: `ALTER TABLE t ALTER COLUMN s DROP NOT NULL;`, code: "PG201"},
	{name: "drop not null on new table", lint: "CREATE TABLE t2 (id int NOT NULL);\nALTER TABLE t2 ALTER COLUMN id DROP NOT NULL;", code: "PG201", absent: true},
	{name: "truncate", lint: `TRUNCATE u;`, code: "PG202"},
	{name: "truncate new table", lint: "CREATE TABLE t2 (id int);\nTRUNCATE t2;", code: "PG202", absent: true},
	{name: "enum value removed", lint: "ALTER TYPE mood RENAME TO mood_old;\nCREATE TYPE mood AS ENUM ('happy', 'sad');\nALTER TABLE m ALTER COLUMN v TYPE mood USING v::text::mood;\nDROP TYPE mood_old;", code: "PG203"},
	{name: "enum recreated with all values", lint: "ALTER TYPE mood RENAME TO mood_old;\nCREATE TYPE mood AS ENUM ('happy', 'sad', 'ok', 'angry');\nALTER TABLE m ALTER COLUMN v TYPE mood USING v::text::mood;\nDROP TYPE mood_old;", code: "PG203", absent: true},
	{name: "enum value renamed", lint: `ALTER TYPE mood RENAME VALUE 'ok' TO 'fine';`, code: "PG204"},
	{name: "schema renamed", lint: `ALTER SCHEMA extra RENAME TO more;`, code: "PG204"},
	{name: "enum value added", lint: `ALTER TYPE mood ADD VALUE 'angry';`, code: "PG204", absent: true},
	// PG301-PG305: style and non-transactional files.
	{name: "serial primary key", lint: `CREATE TABLE t2 (id serial PRIMARY KEY);`, code: "PG301"},
	{name: "integer primary key constraint", lint: `CREATE TABLE t2 (id integer, PRIMARY KEY (id));`, code: "PG301"},
	{name: "integer primary key added the pg_dump way", lint: "CREATE TABLE t2 (id integer NOT NULL);\nALTER TABLE ONLY t2 ADD CONSTRAINT t2_pkey PRIMARY KEY (id);", code: "PG301"},
	{name: "bigint primary key added later", lint: "CREATE TABLE t2 (id bigint NOT NULL);\nALTER TABLE ONLY t2 ADD CONSTRAINT t2_pkey PRIMARY KEY (id);", code: "PG301", absent: true},
	{name: "bigint identity primary key", lint: `CREATE TABLE t2 (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);`, code: "PG301", absent: true},
	{name: "timestamp", lint: `CREATE TABLE t2 (at timestamp);`, code: "PG302"},
	{name: "timestamptz", lint: `CREATE TABLE t2 (at timestamptz);`, code: "PG302", absent: true},
	{name: "char", lint: `CREATE TABLE t2 (c char(3));`, code: "PG303"},
	{name: "text", lint: `CREATE TABLE t2 (c text);`, code: "PG303", absent: true},
	{name: "not idempotent without transaction", lint: "-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY t_v_idx ON t (v);", code: "PG304"},
	{name: "idempotent without transaction", lint: "-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_v_idx ON t (v);", code: "PG304", absent: true},
	{name: "several statements without transaction", lint: "-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_v_idx ON t (v);\nDROP INDEX CONCURRENTLY IF EXISTS t_w_idx;", code: "PG305"},
	{name: "one statement without transaction", lint: "-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_v_idx ON t (v);", code: "PG305", absent: true},
	// PG401-PG403: files.
	{name: "privileged file", lint: "-- schemactl:privileged\n\nCREATE EXTENSION IF NOT EXISTS pg_trgm;", code: "PG401"},
	{name: "ordinary file", lint: `CREATE EXTENSION IF NOT EXISTS pg_trgm;`, code: "PG401", absent: true},
	{name: "directive without blank line", lint: "-- atlas:txmode none\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_v_idx ON t (v);", code: "PG402"},
	{name: "directive with blank line", lint: "-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_v_idx ON t (v);", code: "PG402", absent: true},
	{name: "failing statement", lint: `ALTER TABLE missing ADD COLUMN x int;`, code: "PG403"},
	{name: "deferred constraint failing at commit", lint: "ALTER TABLE u ADD CONSTRAINT u_t_fk FOREIGN KEY (t_id) REFERENCES t (id) DEFERRABLE INITIALLY DEFERRED;\nINSERT INTO u VALUES (2, 99);", code: "PG403"},
	{name: "empty file", lint: "-- nothing here\n", code: "PG403", absent: true},
	{name: "statement that works", lint: `ALTER TABLE t ADD COLUMN x int;`, code: "PG403", absent: true},
	// Atlas's analyzers on the observed changes.
	{name: "drop schema", lint: `DROP SCHEMA extra CASCADE;`, code: "DS101"},
	{name: "drop table", lint: `DROP TABLE u;`, code: "DS102"},
	{name: "drop table of the same file", lint: "CREATE TABLE t2 (id int);\nDROP TABLE t2;", code: "DS102", absent: true},
	{name: "table dropped and created again", lint: "DROP TABLE u;\nCREATE TABLE u (id int, at date NOT NULL) PARTITION BY RANGE (at);", code: "DS102"},
	{name: "drop column", lint: `ALTER TABLE t DROP COLUMN s;`, code: "DS103"},
	{name: "unique index on existing column", lint: `CREATE UNIQUE INDEX t_s_key ON t (s);`, code: "MF101"},
	{name: "not null column without default", lint: `ALTER TABLE t ADD COLUMN x int NOT NULL;`, code: "PG403"},
	{name: "not null column without default on empty table", base: "CREATE TABLE e (id int);", lint: `ALTER TABLE e ADD COLUMN x int NOT NULL;`, code: "MF103"},
	{name: "nullable to not null", lint: `ALTER TABLE t ALTER COLUMN w SET NOT NULL;`, code: "MF104"},
	{name: "rename table", lint: `ALTER TABLE u RENAME TO u2;`, code: "BC101"},
	{name: "rename table is not a drop", lint: `ALTER TABLE u RENAME TO u2;`, code: "DS102", absent: true},
	{name: "rename column", lint: `ALTER TABLE t RENAME COLUMN s TO s2;`, code: "BC102"},
	{name: "rename column is not a drop", lint: `ALTER TABLE t RENAME COLUMN s TO s2;`, code: "DS103", absent: true},
	{name: "drop foreign key", base: "ALTER TABLE u ADD CONSTRAINT u_t_fk FOREIGN KEY (t_id) REFERENCES t (id);", lint: `ALTER TABLE u DROP CONSTRAINT u_t_fk;`, code: "CD101"},
	// nolint.
	{name: "nolint on the statement", lint: "-- atlas:nolint PG101\nCREATE INDEX t_v_idx ON t (v);", code: "PG101", absent: true},
	{name: "nolint by analyzer name", lint: "-- atlas:nolint concurrent_index\nCREATE INDEX t_v_idx ON t (v);", code: "PG101", absent: true},
	{name: "nolint of another code", lint: "-- atlas:nolint DS103\nCREATE INDEX t_v_idx ON t (v);", code: "PG101"},
	{name: "nolint for the file", lint: "-- atlas:nolint\n\nCREATE INDEX t_v_idx ON t (v);\nDROP TABLE u;", code: "DS102", absent: true},
}

func TestAnalyzers(t *testing.T) {
	for _, c := range analyzerCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			files := writeDir(t, map[string]string{
				"1_base.sql": baseTables + c.base,
				"2_lint.sql": c.lint,
			})
			rep := lintFiles(t, files, false)
			if got := hasCode(rep, c.code); got == c.absent {
				t.Errorf("%s reported=%v, want %v; findings:\n%s", c.code, got, !c.absent, dump(rep))
			}
		})
	}
}

// PG110 names both locked tables schema-qualified, the referenced one too
// when the statement names it without its schema.
func TestForeignKeyMessageQualifiesTables(t *testing.T) {
	files := writeDir(t, map[string]string{
		"1_base.sql": baseTables,
		"2_lint.sql": "ALTER TABLE u ADD CONSTRAINT u_t_fk FOREIGN KEY (t_id) REFERENCES t (id);\nALTER TABLE extra.x ADD CONSTRAINT x_u_fk FOREIGN KEY (id) REFERENCES u;",
	})
	rep := lintFiles(t, files, false)
	var got []string
	for _, f := range rep.Findings {
		if f.Code == "PG110" {
			got = append(got, f.Message)
		}
	}
	want := []string{
		`foreign key "u_t_fk" on existing table "public.u" is validated while it locks "public.u" and "public.t"`,
		`foreign key "x_u_fk" on existing table "extra.x" is validated while it locks "extra.x" and "public.u"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("PG110 messages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
