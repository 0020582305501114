package diff

import (
	"testing"
)

// Foreign tables that are partitions of a partitioned table, or children
// of tables they inherit from, planned with their parents.
const (
	fpParent = pgFDW + `CREATE TABLE m (id int NOT NULL, at date NOT NULL, note text DEFAULT 'n') PARTITION BY RANGE (at);
CREATE TABLE m_local PARTITION OF m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
`
	fpPart = `CREATE FOREIGN TABLE m_remote PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') SERVER s OPTIONS (table_name 'm_2024');
`
	fcParent = fileFDW + `CREATE TABLE base (id int NOT NULL, kind text DEFAULT 'b', CONSTRAINT base_id CHECK (id > 0));
CREATE TABLE other (extra int);
`
	fcChild = `CREATE FOREIGN TABLE logs (line text OPTIONS (force_not_null 'true')) INHERITS (base) SERVER files OPTIONS (filename '/dev/null', format 'csv');
`
)

var foreignInheritCases = []objCase{
	{name: "create partitioned table with a foreign partition", old: pgFDW, new: fpParent + fpPart,
		want: []string{`CREATE TABLE "public"."m"`, `CREATE FOREIGN TABLE public.m_remote PARTITION OF public.m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') SERVER s OPTIONS ("table_name" 'm_2024')`}},
	{name: "add a foreign partition", old: fpParent, new: fpParent + fpPart,
		want: []string{`CREATE FOREIGN TABLE public.m_remote PARTITION OF public.m FOR VALUES`}, absent: []string{`DROP`}},
	{name: "drop a foreign partition", old: fpParent + fpPart, new: fpParent, want: []string{`DROP FOREIGN TABLE public.m_remote`}},
	{name: "drop the partitioned table with its foreign partition", old: fpParent + fpPart, new: pgFDW,
		want: []string{`DROP FOREIGN TABLE public.m_remote`, `DROP TABLE "public"."m"`}},
	{name: "foreign partition bound changes", old: fpParent + fpPart,
		new:  fpParent + `CREATE FOREIGN TABLE m_remote PARTITION OF m FOR VALUES FROM ('2023-01-01') TO ('2025-01-01') SERVER s OPTIONS (table_name 'm_2024');`,
		want: []string{`DROP FOREIGN TABLE public.m_remote`, `CREATE FOREIGN TABLE public.m_remote PARTITION OF public.m FOR VALUES FROM ('2023-01-01')`}},
	{name: "default foreign partition with its own default, check and column options", old: fpParent,
		new: fpParent + `CREATE FOREIGN TABLE m_rest PARTITION OF m (CONSTRAINT rest_id CHECK (id < 100)) DEFAULT SERVER s;
ALTER FOREIGN TABLE m_rest ALTER COLUMN note SET DEFAULT 'r', ALTER COLUMN id OPTIONS (ADD column_name 'rid');
COMMENT ON COLUMN m_rest.note IS 'remote';`,
		want: []string{`CREATE FOREIGN TABLE public.m_rest PARTITION OF public.m (`, `CONSTRAINT rest_id CHECK ((id < 100))`, `) DEFAULT SERVER s`,
			`ALTER FOREIGN TABLE public.m_rest ALTER COLUMN id OPTIONS (ADD "column_name" 'rid'), ALTER COLUMN note SET DEFAULT 'r'::text`,
			`COMMENT ON COLUMN public.m_rest.note IS 'remote'`}},
	{name: "foreign partition default dropped", old: fpParent + fpPart, new: fpParent + fpPart + `ALTER FOREIGN TABLE m_remote ALTER COLUMN note DROP DEFAULT;`,
		want: []string{`ALTER FOREIGN TABLE public.m_remote ALTER COLUMN note DROP DEFAULT`}, absent: []string{`DROP FOREIGN TABLE`}},
	{name: "partition key column retyped under a foreign partition", old: fpParent + fpPart,
		new: pgFDW + `CREATE TABLE m (id bigint NOT NULL, at date NOT NULL, note text DEFAULT 'n') PARTITION BY RANGE (at);
CREATE TABLE m_local PARTITION OF m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
` + fpPart,
		want: []string{`DROP FOREIGN TABLE public.m_remote`, `ALTER TABLE "public"."m" ALTER COLUMN "id" TYPE bigint`, `CREATE FOREIGN TABLE public.m_remote PARTITION OF`}},
	{name: "create a table with a foreign child", old: fileFDW, new: fcParent + fcChild,
		want: []string{`CREATE TABLE "public"."base"`, `CREATE FOREIGN TABLE public.logs (`, `line text OPTIONS ("force_not_null" 'true')`, `) INHERITS (public.base) SERVER files`}},
	{name: "drop a foreign child", old: fcParent + fcChild, new: fcParent, want: []string{`DROP FOREIGN TABLE public.logs`}},
	{name: "drop the parent with its foreign child", old: fcParent + fcChild, new: fileFDW + `CREATE TABLE other (extra int);`,
		want: []string{`DROP FOREIGN TABLE public.logs`, `DROP TABLE "public"."base"`}},
	{name: "foreign child inherits one more parent", old: fcParent + fcChild,
		new:  fcParent + `CREATE FOREIGN TABLE logs (line text OPTIONS (force_not_null 'true')) INHERITS (base, other) SERVER files OPTIONS (filename '/dev/null', format 'csv');`,
		want: []string{`DROP FOREIGN TABLE public.logs`, `INHERITS (public.base, public.other) SERVER files`}},
	{name: "foreign child of a foreign table", old: fileFDW,
		new:  fileFDW + `CREATE FOREIGN TABLE zparent (id int) SERVER files OPTIONS (filename '/dev/null'); CREATE FOREIGN TABLE achild (x int) INHERITS (zparent) SERVER files OPTIONS (filename '/dev/null');`,
		want: []string{`CREATE FOREIGN TABLE public.zparent`, `CREATE FOREIGN TABLE public.achild`}},
	{name: "drop a foreign child with its foreign parent", old: fileFDW + `CREATE FOREIGN TABLE zparent (id int) SERVER files OPTIONS (filename '/dev/null'); CREATE FOREIGN TABLE achild (x int) INHERITS (zparent) SERVER files OPTIONS (filename '/dev/null');`,
		new: fileFDW, want: []string{`DROP FOREIGN TABLE public.achild`, `DROP FOREIGN TABLE public.zparent`}},
	{name: "foreign child's own default and NOT NULL", old: fcParent + fcChild,
		new:  fcParent + fcChild + `ALTER FOREIGN TABLE logs ALTER COLUMN kind SET DEFAULT 'l', ALTER COLUMN kind SET NOT NULL, ALTER COLUMN id DROP NOT NULL;`,
		want: []string{`ALTER FOREIGN TABLE public.logs ALTER COLUMN id DROP NOT NULL, ALTER COLUMN kind SET NOT NULL, ALTER COLUMN kind SET DEFAULT 'l'::text`}, absent: []string{`DROP FOREIGN TABLE`}},
	{name: "create a foreign child with its own default and NOT NULL", old: fcParent,
		new:  fcParent + fcChild + `ALTER FOREIGN TABLE logs ALTER COLUMN kind SET DEFAULT 'l', ALTER COLUMN kind SET NOT NULL, ALTER COLUMN id DROP NOT NULL;`,
		want: []string{`CREATE FOREIGN TABLE public.logs (`, `ALTER FOREIGN TABLE public.logs ALTER COLUMN id DROP NOT NULL, ALTER COLUMN kind SET DEFAULT 'l'::text, ALTER COLUMN kind SET NOT NULL`}},
}

// TestForeignPartitionAcceptance runs the cases of foreign partitions and
// children through the commands' pipeline: plan, proof, and an empty
// second diff.
func TestForeignPartitionAcceptance(t *testing.T) {
	t.Parallel()
	for _, c := range foreignInheritCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			checkPipeline(t, c)
		})
	}
}
