package diff_test

import (
	"strings"
	"testing"

	"github.com/schemactl/schemactl/diff"
)

// Partitioned tables used by the cases below.
const (
	evTable  = `CREATE TABLE ev (id int NOT NULL, at date NOT NULL, p int, v text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);`
	ev1      = `CREATE TABLE ev_1 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');`
	ev2      = `CREATE TABLE ev_2 PARTITION OF ev FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');`
	evParent = `CREATE TABLE par (id int PRIMARY KEY);`
	evWhole  = evParent + evTable + ev1 + ev2
	evPlain  = `CREATE TABLE evn (id int NOT NULL, at date NOT NULL, v text) PARTITION BY RANGE (at);`
	evPlain1 = `CREATE TABLE evn_1 PARTITION OF evn FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');`
	evPlain2 = `CREATE TABLE evm (id int, at date NOT NULL, v text) PARTITION BY RANGE (at);`
)

// partKeyCases cover keys, indexes and foreign keys around partitions,
// indexes that become keys, tables that become partitioned, sequences
// whose owner goes and keys changed under a foreign key.
var partKeyCases = []acceptanceCase{
	// Foreign keys to and from partitioned tables and partitions.
	{name: "new foreign key to a partition",
		new: evWhole + `CREATE TABLE r (id int, at date, FOREIGN KEY (id, at) REFERENCES ev_1);`},
	{name: "new foreign key on a partitioned table",
		new: evParent + `CREATE TABLE ev (id int NOT NULL, at date NOT NULL, p int REFERENCES par, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);` + ev1 + ev2},
	{name: "new foreign key to a partitioned table",
		new: evWhole + `CREATE TABLE r (id int, at date, CONSTRAINT r_ev FOREIGN KEY (id, at) REFERENCES ev);`},
	{name: "foreign key added to a partitioned table",
		old: evWhole, new: evWhole + `ALTER TABLE ev ADD CONSTRAINT ev_par FOREIGN KEY (p) REFERENCES par;`,
		want: []string{`ADD CONSTRAINT "ev_par" FOREIGN KEY`}},
	{name: "foreign key dropped from a partitioned table",
		old: evWhole + `ALTER TABLE ev ADD CONSTRAINT ev_par FOREIGN KEY (p) REFERENCES par;`, new: evWhole},
	{name: "foreign key to a partitioned table added",
		old: evWhole + `CREATE TABLE r (id int, at date);`,
		new: evWhole + `CREATE TABLE r (id int, at date, CONSTRAINT r_ev FOREIGN KEY (id, at) REFERENCES ev ON DELETE CASCADE);`},
	{name: "foreign key to a partitioned table dropped",
		old: evWhole + `CREATE TABLE r (id int, at date, CONSTRAINT r_ev FOREIGN KEY (id, at) REFERENCES ev);`,
		new: evWhole + `CREATE TABLE r (id int, at date);`},
	{name: "foreign key to a partitioned table changed",
		old: evWhole + `CREATE TABLE r (id int, at date, CONSTRAINT r_ev FOREIGN KEY (id, at) REFERENCES ev);`,
		new: evWhole + `CREATE TABLE r (id int, at date, CONSTRAINT r_ev FOREIGN KEY (id, at) REFERENCES ev ON DELETE CASCADE);`},
	{name: "partition referenced by a foreign key dropped",
		old: evWhole + `CREATE TABLE r (id int, at date, CONSTRAINT r_ev1 FOREIGN KEY (id, at) REFERENCES ev_1);`,
		new: evParent + evTable + ev2 + `CREATE TABLE r (id int, at date);`},
	{name: "partition of its own foreign key to another partition",
		new: evWhole + `ALTER TABLE ev_2 ADD CONSTRAINT ev_2_ev_1 FOREIGN KEY (p, at) REFERENCES ev_1 (id, at);`},
	{name: "partition added under a foreign key of the parent",
		old: evParent + `CREATE TABLE ev (id int NOT NULL, at date NOT NULL, p int CONSTRAINT ev_par REFERENCES par, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);` + ev1,
		new: evParent + `CREATE TABLE ev (id int NOT NULL, at date NOT NULL, p int CONSTRAINT ev_par REFERENCES par, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);` + ev1 + ev2},

	{name: "new foreign key between partitioned tables",
		new: evWhole + `CREATE TABLE ev_note (id int NOT NULL, at date NOT NULL, n text, FOREIGN KEY (id, at) REFERENCES ev) PARTITION BY RANGE (at);
			CREATE TABLE ev_note_1 PARTITION OF ev_note FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');`},
	{name: "partition added under a foreign key to the parent",
		old: evParent + evTable + ev1 + `CREATE TABLE r (id int, at date, CONSTRAINT r_ev FOREIGN KEY (id, at) REFERENCES ev);`,
		new: evWhole + `CREATE TABLE r (id int, at date, CONSTRAINT r_ev FOREIGN KEY (id, at) REFERENCES ev);`},
	{name: "partition bound changed under foreign keys",
		old: evParent + `CREATE TABLE ev (id int NOT NULL, at date NOT NULL, p int CONSTRAINT ev_par REFERENCES par, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);` + ev1 +
			`CREATE TABLE r (id int, at date, CONSTRAINT r_ev FOREIGN KEY (id, at) REFERENCES ev);`,
		new: evParent + `CREATE TABLE ev (id int NOT NULL, at date NOT NULL, p int CONSTRAINT ev_par REFERENCES par, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);` +
			`CREATE TABLE ev_1 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-06-01');` +
			`CREATE TABLE r (id int, at date, CONSTRAINT r_ev FOREIGN KEY (id, at) REFERENCES ev);`,
		want: []string{"DETACH PARTITION"}},
	{name: "partitioned table referencing itself",
		new: `CREATE TABLE tree (id int NOT NULL, at date NOT NULL, parent int, parent_at date, PRIMARY KEY (id, at), FOREIGN KEY (parent, parent_at) REFERENCES tree) PARTITION BY RANGE (at);
			CREATE TABLE tree_1 PARTITION OF tree FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');`},
	{name: "foreign key to a sub-partition",
		new: `CREATE TABLE m (id int NOT NULL, at date NOT NULL, region text NOT NULL, PRIMARY KEY (id, at, region)) PARTITION BY RANGE (at);
			CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY LIST (region);
			CREATE TABLE m_2024_eu PARTITION OF m_2024 FOR VALUES IN ('eu');
			CREATE TABLE r (id int, at date, region text, FOREIGN KEY (id, at, region) REFERENCES m_2024_eu);`},
	{name: "foreign key with a comment on a partitioned table",
		new: evWhole + `ALTER TABLE ev ADD CONSTRAINT ev_par FOREIGN KEY (p) REFERENCES par; COMMENT ON CONSTRAINT ev_par ON ev IS 'the parent';`},

	// Indexes that become keys, and the reverse.
	{name: "unique index becomes primary key",
		old:  `CREATE TABLE t (id int NOT NULL, v text); CREATE UNIQUE INDEX t_pkey ON t (id);`,
		new:  `CREATE TABLE t (id int PRIMARY KEY, v text);`,
		want: []string{"PRIMARY KEY USING INDEX"}, notWant: []string{"DROP INDEX"}},
	{name: "unique index becomes unique constraint, kept",
		old:  `CREATE TABLE t (a int); CREATE UNIQUE INDEX t_a_key ON t (a);`,
		new:  `CREATE TABLE t (a int CONSTRAINT t_a_key UNIQUE);`,
		want: []string{"UNIQUE USING INDEX"}, notWant: []string{"DROP INDEX"}},
	{name: "primary key becomes unique index",
		old: `CREATE TABLE t (id int PRIMARY KEY, v text);`,
		new: `CREATE TABLE t (id int NOT NULL, v text); CREATE UNIQUE INDEX t_pkey ON t (id);`},
	{name: "primary key becomes unique constraint",
		old: `CREATE TABLE t (id int CONSTRAINT t_k PRIMARY KEY);`,
		new: `CREATE TABLE t (id int NOT NULL CONSTRAINT t_k UNIQUE);`},
	{name: "unique index of another name becomes primary key",
		old: `CREATE TABLE t (id int NOT NULL); CREATE UNIQUE INDEX t_id ON t (id);`,
		new: `CREATE TABLE t (id int PRIMARY KEY);`},
	{name: "unique index becomes primary key on a partitioned table",
		old:  `CREATE TABLE ev (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at); CREATE UNIQUE INDEX ev_pkey ON ev (id, at);` + ev1,
		new:  `CREATE TABLE ev (id int NOT NULL, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);` + ev1,
		want: []string{"DROP INDEX"}, notWant: []string{"USING INDEX"}},
	{name: "primary key becomes unique index on a partitioned table",
		old: `CREATE TABLE ev (id int NOT NULL, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);` + ev1,
		new: `CREATE TABLE ev (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at); CREATE UNIQUE INDEX ev_pkey ON ev (id, at);` + ev1},

	// Indexes and constraints of partitions versus their parent's.
	{name: "parent index created on only and attached",
		new: evWhole + `CREATE INDEX ev_v ON ONLY ev (v); CREATE INDEX ev_1_by_v ON ev_1 (v); CREATE INDEX ev_2_by_v ON ev_2 (v);
			ALTER INDEX ev_v ATTACH PARTITION ev_1_by_v; ALTER INDEX ev_v ATTACH PARTITION ev_2_by_v;`},
	{name: "partition index attached to a new parent index",
		old: evWhole + `CREATE INDEX ev_1_by_v ON ev_1 (v);`,
		new: evWhole + `CREATE INDEX ev_v ON ONLY ev (v); CREATE INDEX ev_1_by_v ON ev_1 (v); CREATE INDEX ev_2_by_v ON ev_2 (v);
			ALTER INDEX ev_v ATTACH PARTITION ev_1_by_v; ALTER INDEX ev_v ATTACH PARTITION ev_2_by_v;`},
	{name: "parent index dropped, the partition keeps one of its own",
		old: evWhole + `CREATE INDEX ev_v ON ev (v);`,
		new: evWhole + `CREATE INDEX ev_1_v_idx ON ev_1 (v);`},
	{name: "local index beside the parent's",
		old: evWhole + `CREATE INDEX ev_v ON ev (v);`,
		new: evWhole + `CREATE INDEX ev_v ON ev (v); CREATE INDEX ev_1_v_desc ON ev_1 (v DESC); CREATE UNIQUE INDEX ev_2_v_key ON ev_2 (v, id);`},
	{name: "partition unique constraint becomes the parent's",
		old: evWhole + `ALTER TABLE ev_1 ADD CONSTRAINT ev_1_v_at_key UNIQUE (v, at);`,
		new: evWhole + `ALTER TABLE ev ADD CONSTRAINT ev_v_at_key UNIQUE (v, at);`},
	{name: "partition unique constraint of another name becomes the parent's",
		old: evWhole + `ALTER TABLE ev_1 ADD CONSTRAINT ev_1_uniq UNIQUE (v, at); CREATE INDEX ev_2_v_local ON ev_2 (v);`,
		new: evWhole + `ALTER TABLE ev ADD CONSTRAINT ev_v_at_key UNIQUE (v, at); CREATE INDEX ev_v ON ev (v);`},
	{name: "parent unique constraint becomes the partition's",
		old: evWhole + `ALTER TABLE ev ADD CONSTRAINT ev_v_at_key UNIQUE (v, at);`,
		new: evWhole + `ALTER TABLE ev_1 ADD CONSTRAINT ev_1_v_at_key UNIQUE (v, at);`},
	{name: "partition check becomes the parent's",
		old: evWhole + `ALTER TABLE ev_1 ADD CONSTRAINT v_short CHECK (length(v) < 100);`,
		new: evWhole + `ALTER TABLE ev ADD CONSTRAINT v_short CHECK (length(v) < 100);`},
	{name: "parent check becomes the partition's",
		old: evWhole + `ALTER TABLE ev ADD CONSTRAINT v_short CHECK (length(v) < 100);`,
		new: evWhole + `ALTER TABLE ev_1 ADD CONSTRAINT v_short CHECK (length(v) < 100);`},
	{name: "partition primary key becomes the parent's",
		old: `CREATE TABLE ev (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);` + ev1 + `ALTER TABLE ev_1 ADD CONSTRAINT ev_1_pkey PRIMARY KEY (id, at);`,
		new: `CREATE TABLE ev (id int NOT NULL, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);` + ev1},
	{name: "partition check of its own beside the parent's",
		old: evWhole + `ALTER TABLE ev ADD CONSTRAINT v_short CHECK (length(v) < 100);`,
		new: evWhole + `ALTER TABLE ev ADD CONSTRAINT v_short CHECK (length(v) < 100); ALTER TABLE ev_1 ADD CONSTRAINT ev_1_id CHECK (id > 0);`},

	// Tables that become partitioned, or stop being.
	{name: "table becomes partitioned",
		old:  `CREATE TABLE ev (id int NOT NULL, at date NOT NULL, PRIMARY KEY (id, at));`,
		new:  `CREATE TABLE ev (id int NOT NULL, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);` + ev1,
		want: []string{`DROP TABLE "public"."ev"`, "PARTITION BY RANGE", "rows are lost"}},
	{name: "partitioned table becomes plain",
		old:  `CREATE TABLE ev (id int NOT NULL, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);` + ev1 + ev2,
		new:  `CREATE TABLE ev (id int NOT NULL, at date NOT NULL, PRIMARY KEY (id, at));`,
		want: []string{`DROP TABLE "public"."ev"`, "rows are lost"}},
	{name: "partition key changed",
		old: `CREATE TABLE ev (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);` + ev1,
		new: `CREATE TABLE ev (id int NOT NULL, at date NOT NULL) PARTITION BY HASH (id); CREATE TABLE ev_h0 PARTITION OF ev FOR VALUES WITH (MODULUS 2, REMAINDER 0); CREATE TABLE ev_h1 PARTITION OF ev FOR VALUES WITH (MODULUS 2, REMAINDER 1);`},
	{name: "table becomes partitioned under a foreign key",
		old: `CREATE TABLE ev (id int NOT NULL, at date NOT NULL, PRIMARY KEY (id, at)); CREATE TABLE r (id int, at date, CONSTRAINT r_ev FOREIGN KEY (id, at) REFERENCES ev);`,
		new: `CREATE TABLE ev (id int NOT NULL, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);` + ev1 + `CREATE TABLE r (id int, at date, CONSTRAINT r_ev FOREIGN KEY (id, at) REFERENCES ev);`},
	{name: "partitioned table with a foreign key becomes plain",
		old: evParent + `CREATE TABLE ev (id int NOT NULL, at date NOT NULL, p int CONSTRAINT ev_par REFERENCES par) PARTITION BY RANGE (at);` + ev1,
		new: evParent + `CREATE TABLE ev (id int NOT NULL, at date NOT NULL, p int CONSTRAINT ev_par REFERENCES par);`},

	{name: "partitioned table with a serial, an identity and storage becomes plain",
		old:  `CREATE TABLE ev (id serial, n int GENERATED ALWAYS AS IDENTITY (START WITH 7), at date NOT NULL, v text) PARTITION BY RANGE (at); CREATE INDEX ev_v ON ev (v); COMMENT ON TABLE ev IS 'events';` + ev1,
		new:  `CREATE TABLE ev (id serial, n int GENERATED ALWAYS AS IDENTITY (START WITH 7), at date NOT NULL, v text) WITH (fillfactor = 80); CREATE INDEX ev_v ON ev (v); COMMENT ON TABLE ev IS 'events';`,
		want: []string{"OWNED BY NONE", "rows are lost"}},
	{name: "table becomes partitioned under foreign keys both ways",
		old: evParent + `CREATE TABLE ev (id int NOT NULL, at date NOT NULL, p int CONSTRAINT ev_par REFERENCES par, PRIMARY KEY (id, at));
			CREATE TABLE r (id int, at date, CONSTRAINT r_ev FOREIGN KEY (id, at) REFERENCES ev ON DELETE CASCADE);`,
		new: evParent + `CREATE TABLE ev (id int NOT NULL, at date NOT NULL, p int CONSTRAINT ev_par REFERENCES par, PRIMARY KEY (id, at)) PARTITION BY LIST (at);
			CREATE TABLE ev_d PARTITION OF ev DEFAULT;
			CREATE TABLE r (id int, at date, CONSTRAINT r_ev FOREIGN KEY (id, at) REFERENCES ev ON DELETE CASCADE);`},
	{name: "table under a view becomes partitioned",
		old: `CREATE TABLE ev (id int, at date NOT NULL); CREATE VIEW recent AS SELECT id FROM ev WHERE at > '2024-01-01';`,
		new: `CREATE TABLE ev (id int, at date NOT NULL) PARTITION BY RANGE (at); CREATE VIEW recent AS SELECT id FROM ev WHERE at > '2024-01-01';` + ev1},

	// Sequences whose owner goes.
	{name: "serial column dropped, its sequence kept",
		old:  `CREATE TABLE t (id serial, v int);`,
		new:  `CREATE SEQUENCE t_id_seq; CREATE TABLE t (v int);`,
		want: []string{"OWNED BY NONE"}},
	{name: "owning table dropped, its sequence kept",
		old: `CREATE TABLE t (id serial, v int); CREATE TABLE u (a int);`,
		new: `CREATE SEQUENCE t_id_seq; CREATE TABLE u (a int DEFAULT nextval('t_id_seq'));`},
	{name: "sequence owner moves to a new table",
		old: `CREATE TABLE t (id serial, v int);`,
		new: `CREATE SEQUENCE t_id_seq; CREATE TABLE u (id int NOT NULL DEFAULT nextval('t_id_seq')); ALTER SEQUENCE t_id_seq OWNED BY u.id;`},
	{name: "sequence gains an owner",
		old: `CREATE SEQUENCE s; CREATE TABLE t (id int DEFAULT nextval('s'));`,
		new: `CREATE SEQUENCE s; CREATE TABLE t (id int DEFAULT nextval('s')); ALTER SEQUENCE s OWNED BY t.id;`},

	// Columns dropped from a partitioned table (attnum gaps).
	{name: "partitioned table with dropped columns gains a column",
		old: `CREATE TABLE ev (a int, b int, at date NOT NULL) PARTITION BY RANGE (at); ALTER TABLE ev DROP COLUMN a;` + ev1,
		new: `CREATE TABLE ev (b int, at date NOT NULL, c text) PARTITION BY RANGE (at);` + ev1},
	{name: "columns dropped before the partition key",
		old:  `CREATE TABLE ev (a int, b int, at date NOT NULL) PARTITION BY RANGE (at);` + ev1,
		new:  `CREATE TABLE ev (a int, b int, at date NOT NULL) PARTITION BY RANGE (at); ALTER TABLE ev DROP COLUMN a; ALTER TABLE ev DROP COLUMN b;` + ev1,
		want: []string{`DROP COLUMN "a"`}},
	{name: "partition key after dropped columns changes",
		old: `CREATE TABLE ev (a int, id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at); ALTER TABLE ev DROP COLUMN a;` + ev1,
		new: `CREATE TABLE ev (a int, id int NOT NULL, at date NOT NULL) PARTITION BY HASH (id); ALTER TABLE ev DROP COLUMN a; CREATE TABLE ev_h PARTITION OF ev FOR VALUES WITH (MODULUS 1, REMAINDER 0);`},

	// The names of a partition's indexes for its parent's indexes:
	// PostgreSQL names the ones it creates itself, the plan renames them.
	{name: "partition's own index attached by the parent's new index keeps its name",
		old:  evTable + ev1,
		new:  evTable + ev1 + `CREATE INDEX ev_1_by_v ON ev_1 (v); CREATE INDEX ev_v ON ev (v);`,
		want: []string{`ALTER INDEX "public"."ev_1_v_idx" RENAME TO "ev_1_by_v"`}},
	{name: "new partition's index for a new parent index has its own name",
		old:  evTable + ev1,
		new:  evTable + ev1 + ev2 + `CREATE INDEX ev_2_p ON ev_2 (p); CREATE INDEX ev_p ON ev (p);`,
		want: []string{`ALTER INDEX "public"."ev_2_p_idx" RENAME TO "ev_2_p"`}},
	{name: "partition's index for the parent's index renamed",
		old:  evTable + ev1 + `CREATE INDEX ev_v ON ev (v);`,
		new:  evTable + ev1 + `CREATE INDEX ev_v ON ev (v); ALTER INDEX ev_1_v_idx RENAME TO ev_1_v;`,
		want: []string{`ALTER INDEX "public"."ev_1_v_idx" RENAME TO "ev_1_v"`}},
	{name: "partition's primary key index with its own name on a new table",
		new:  evTable + ev1 + `ALTER INDEX ev_1_pkey RENAME TO ev_1_key;`,
		want: []string{`ALTER INDEX "public"."ev_1_pkey" RENAME TO "ev_1_key"`}},
	{name: "partition's expression index with its own name",
		new:  evTable + ev1 + `CREATE INDEX ev_1_lower ON ev_1 (lower(v), id) INCLUDE (p); CREATE INDEX ev_lower ON ev (lower(v), id) INCLUDE (p);`,
		want: []string{`ALTER INDEX "public"."ev_1_lower_id_p_idx" RENAME TO "ev_1_lower"`}},
	{name: "partition's index named by PostgreSQL around a taken name",
		new:     `CREATE TABLE ev_1_v_idx (a int);` + evTable + `CREATE INDEX ev_v ON ev (v);` + ev1,
		notWant: []string{"RENAME"}},
	{name: "partition's indexes named by PostgreSQL in the other order",
		new: evTable + ev1 + `CREATE INDEX ev_v_a ON ev (v); CREATE INDEX ev_v_b ON ev (v) WHERE p > 0;
			ALTER INDEX ev_1_v_idx RENAME TO ev_1_tmp; ALTER INDEX ev_1_v_idx1 RENAME TO ev_1_v_idx; ALTER INDEX ev_1_tmp RENAME TO ev_1_v_idx1;`,
		want: []string{`RENAME TO "ev_1_v_idx1"`, `RENAME TO "ev_1_v_idx"`}},
	{name: "partition's indexes named by PostgreSQL in the other order, changed",
		old: evTable + ev1 + `CREATE INDEX ev_v_a ON ev (v); CREATE INDEX ev_v_b ON ev (v) WHERE p > 0;`,
		new: evTable + ev1 + `CREATE INDEX ev_v_a ON ev (v); CREATE INDEX ev_v_b ON ev (v) WHERE p > 0;
			ALTER INDEX ev_1_v_idx RENAME TO ev_1_tmp; ALTER INDEX ev_1_v_idx1 RENAME TO ev_1_v_idx; ALTER INDEX ev_1_tmp RENAME TO ev_1_v_idx1;`},
	{name: "long partition name in the index PostgreSQL names",
		new:  evTable + `CREATE TABLE ev_with_a_partition_name_long_enough_to_be_cut_in_index_names PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01'); CREATE INDEX ev_v ON ev (v, p); ALTER INDEX ev_with_a_partition_name_long_enough_to_be_cut_in_index_v_p_idx RENAME TO ev_long_v; ALTER INDEX ev_with_a_partition_name_long_enough_to_be_cut_in_index_na_pkey RENAME TO ev_long_pkey;`,
		want: []string{`"ev_with_a_partition_name_long_enough_to_be_cut_in_index_v_p_idx" RENAME TO "ev_long_v"`, `"ev_with_a_partition_name_long_enough_to_be_cut_in_index_na_pkey" RENAME TO "ev_long_pkey"`}},

	// A partition's own key whose index is its part of the parent's
	// unique index.
	{name: "partition's own primary key on its index for the parent's unique index",
		old:  evPlain + evPlain1,
		new:  evPlain + evPlain1 + `ALTER TABLE evn_1 ADD CONSTRAINT evn_1_pk PRIMARY KEY (id, at); CREATE UNIQUE INDEX evn_u ON evn (id, at);`,
		want: []string{`ADD CONSTRAINT "evn_1_pk" PRIMARY KEY USING INDEX "evn_1_pk"`}},
	{name: "new partition's own unique constraint on its index for the parent's unique index",
		new:  evPlain + evPlain1 + `ALTER TABLE evn_1 ADD CONSTRAINT evn_1_uq UNIQUE (v, at) DEFERRABLE; CREATE UNIQUE INDEX evn_u ON evn (v, at);`,
		want: []string{`ADD CONSTRAINT "evn_1_uq" UNIQUE USING INDEX "evn_1_uq" DEFERRABLE`}},

	// A partition's own keys dropped or taking an index of their own.
	{name: "partition's own primary key dropped with the NOT NULL it gave",
		old: evPlain2 + `CREATE TABLE evm_1 PARTITION OF evm (CONSTRAINT evm_1_pk PRIMARY KEY (id, at)) FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');`,
		new: evPlain2 + `CREATE TABLE evm_1 PARTITION OF evm FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');`},
	{name: "partition's own unique index becomes its primary key",
		old:  evPlain + evPlain1 + `CREATE UNIQUE INDEX evn_1_pk ON evn_1 (id, at);`,
		new:  evPlain + evPlain1 + `ALTER TABLE evn_1 ADD CONSTRAINT evn_1_pk PRIMARY KEY (id, at);`,
		want: []string{`ADD CONSTRAINT "evn_1_pk" PRIMARY KEY USING INDEX "evn_1_pk"`}, notWant: []string{"DROP INDEX"}},
	{name: "partition's own unique index becomes its unique constraint",
		old:  evPlain + evPlain1 + `CREATE UNIQUE INDEX evn_1_v ON evn_1 (v, id);`,
		new:  evPlain + evPlain1 + `ALTER TABLE evn_1 ADD CONSTRAINT evn_1_v UNIQUE (v, id);`,
		want: []string{`ADD CONSTRAINT "evn_1_v" UNIQUE USING INDEX "evn_1_v"`}, notWant: []string{"DROP INDEX"}},

	// Keys changed under another table's foreign key.
	{name: "referenced column type changed",
		old: `CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int CONSTRAINT c_p REFERENCES p);`,
		new: `CREATE TABLE p (id bigint PRIMARY KEY); CREATE TABLE c (p bigint CONSTRAINT c_p REFERENCES p);`},
	{name: "referenced column type changed, the referencing column's kept",
		old: `CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int CONSTRAINT c_p REFERENCES p);`,
		new: `CREATE TABLE p (id bigint PRIMARY KEY); CREATE TABLE c (p int CONSTRAINT c_p REFERENCES p);`},
	{name: "referenced unique constraint becomes a unique index",
		old: `CREATE TABLE p (code text CONSTRAINT p_code_key UNIQUE); CREATE TABLE c (code text CONSTRAINT c_code REFERENCES p (code));`,
		new: `CREATE TABLE p (code text); CREATE UNIQUE INDEX p_code_key ON p (code); CREATE TABLE c (code text CONSTRAINT c_code REFERENCES p (code));`},
	{name: "referenced primary key widened",
		old: `CREATE TABLE p (a int, b int NOT NULL, CONSTRAINT p_pk PRIMARY KEY (a)); CREATE TABLE c (a int CONSTRAINT c_a REFERENCES p (a));`,
		new: `CREATE TABLE p (a int NOT NULL, b int NOT NULL, CONSTRAINT p_pk PRIMARY KEY (a, b), CONSTRAINT p_a UNIQUE (a)); CREATE TABLE c (a int CONSTRAINT c_a REFERENCES p (a));`},
	{name: "referenced unique index predicate changed",
		old: `CREATE TABLE p (code text); CREATE UNIQUE INDEX p_code ON p (code); CREATE TABLE c (code text CONSTRAINT c_code REFERENCES p (code));`,
		new: `CREATE TABLE p (code text); CREATE UNIQUE INDEX p_code ON p (code) INCLUDE (code); CREATE TABLE c (code text CONSTRAINT c_code REFERENCES p (code));`},
	{name: "referenced unique index becomes a unique constraint",
		old:  `CREATE TABLE p (code text); CREATE UNIQUE INDEX p_code_key ON p (code); CREATE TABLE c (code text CONSTRAINT c_code REFERENCES p (code));`,
		new:  `CREATE TABLE p (code text CONSTRAINT p_code_key UNIQUE); CREATE TABLE c (code text CONSTRAINT c_code REFERENCES p (code));`,
		want: []string{"UNIQUE USING INDEX"}},
	{name: "referenced primary key becomes a unique index",
		old: `CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int CONSTRAINT c_p REFERENCES p (id));`,
		new: `CREATE TABLE p (id int NOT NULL); CREATE UNIQUE INDEX p_id ON p (id); CREATE TABLE c (p int CONSTRAINT c_p REFERENCES p (id));`},
	{name: "referenced table dropped with its foreign key",
		old: `CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int CONSTRAINT c_p REFERENCES p);`,
		new: `CREATE TABLE c (p int);`},
}

func TestAcceptancePartKeys(t *testing.T) {
	for _, tc := range partKeyCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			plan := planAndProve(t, tc.old, tc.new, diff.Options{})
			sql := plan.SQL()
			if tc.old != tc.new && plan.Empty() {
				t.Fatalf("empty plan")
			}
			for _, w := range tc.want {
				if !strings.Contains(sql, w) {
					t.Errorf("plan lacks %q:\n%s", w, sql)
				}
			}
			if strings.Contains(sql, "rows are lost") && !strings.Contains(strings.Join(plan.Warnings, "\n"), "rows are lost") {
				t.Errorf("a plan that loses rows has no warning saying so: %q", plan.Warnings)
			}
			for _, w := range tc.notWant {
				if strings.Contains(sql, w) {
					t.Errorf("plan has %q:\n%s", w, sql)
				}
			}
		})
	}
}
