package diff_test

import (
	"strings"
	"testing"

	"github.com/schemactl/schemactl/diff"
)

const (
	inhParent = `CREATE TABLE base (id int NOT NULL, at timestamptz DEFAULT now(), CONSTRAINT id_positive CHECK (id > 0), CONSTRAINT only_base CHECK (id < 1000000) NO INHERIT);`
	inhOther  = `CREATE TABLE tagged (tag text NOT NULL DEFAULT 'x', CONSTRAINT tag_short CHECK (length(tag) < 20));`
	inhChild  = `CREATE TABLE child (extra text, CONSTRAINT extra_set CHECK (extra <> '')) INHERITS (base);`
)

// inheritCases cover table inheritance: several parents, NO INHERIT
// checks, relationships added and removed, parents changed under their
// children.
var inheritCases = []acceptanceCase{
	{name: "new child table", new: inhParent + inhChild, want: []string{"INHERITS"}},
	{name: "new child created before its parent by name",
		new:  `CREATE TABLE zparent (id int NOT NULL, v text); CREATE TABLE achild (w int) INHERITS (zparent);`,
		want: []string{"INHERITS"}},
	{name: "new child of several parents with columns of its own",
		new: inhParent + inhOther + `CREATE TABLE child (extra text, id int NOT NULL) INHERITS (base, tagged); ALTER TABLE child ALTER COLUMN at SET DEFAULT '2024-01-01'; CREATE INDEX child_tag ON child (tag);`},
	{name: "new child with a primary key and a comment on an inherited column",
		new: inhParent + `CREATE TABLE child (PRIMARY KEY (id)) INHERITS (base); COMMENT ON COLUMN child.at IS 'when';`},
	{name: "child added to an existing parent", old: inhParent, new: inhParent + inhChild},
	{name: "child dropped", old: inhParent + inhChild, new: inhParent},
	{name: "parent and child dropped", old: inhParent + inhChild, new: ``},
	{name: "parent dropped, child kept as a table of its own",
		old:  inhParent + inhChild,
		new:  `CREATE TABLE child (id int NOT NULL, at timestamptz DEFAULT now(), extra text, CONSTRAINT id_positive CHECK (id > 0), CONSTRAINT extra_set CHECK (extra <> ''));`,
		want: []string{"NO INHERIT"}},
	{name: "existing table starts inheriting",
		old:  inhParent + `CREATE TABLE child (id int NOT NULL, extra text);`,
		new:  inhParent + inhChild,
		want: []string{"INHERIT \"public\".\"base\""}},
	{name: "child stops inheriting from one of two parents",
		old:  inhParent + inhOther + `CREATE TABLE child () INHERITS (base, tagged);`,
		new:  inhParent + inhOther + `CREATE TABLE child (tag text NOT NULL DEFAULT 'x', CONSTRAINT tag_short CHECK (length(tag) < 20)) INHERITS (base);`,
		want: []string{"NO INHERIT \"public\".\"tagged\""}},
	{name: "column added to a parent with a child",
		old: inhParent + inhChild,
		new: strings.Replace(inhParent, "at timestamptz DEFAULT now(),", "at timestamptz DEFAULT now(), note text,", 1) + inhChild},
	{name: "column dropped from a parent with a child",
		old: inhParent + inhChild,
		new: strings.Replace(inhParent, "at timestamptz DEFAULT now(),", "", 1) + inhChild},
	{name: "parent column type and default changed under a child",
		old: inhParent + inhChild,
		new: strings.Replace(inhParent, "id int NOT NULL, at timestamptz DEFAULT now()", "id bigint NOT NULL, at timestamptz DEFAULT '2000-01-01'", 1) + inhChild},
	{name: "check added to a parent with a child",
		old: inhParent + inhChild,
		new: inhParent + inhChild + `ALTER TABLE base ADD CONSTRAINT at_set CHECK (at IS NOT NULL);`},
	{name: "check dropped from a parent with a child",
		old: inhParent + inhChild,
		new: strings.Replace(inhParent, "CONSTRAINT id_positive CHECK (id > 0), ", "", 1) + inhChild},
	{name: "child's own default on an inherited column",
		old: inhParent + inhChild,
		new: inhParent + inhChild + `ALTER TABLE ONLY child ALTER COLUMN at SET DEFAULT '2024-01-01';`},
	{name: "column dropped from a parent, kept by its child",
		old:  inhParent + inhChild,
		new:  strings.Replace(inhParent, "at timestamptz DEFAULT now(),", "", 1) + `CREATE TABLE child (extra text, at timestamptz DEFAULT now(), CONSTRAINT extra_set CHECK (extra <> '')) INHERITS (base);`,
		want: []string{"NO INHERIT", "INHERIT \"public\".\"base\""}},
	{name: "check dropped from a parent, kept by its child",
		old: inhParent + inhChild,
		new: strings.Replace(inhParent, "CONSTRAINT id_positive CHECK (id > 0), ", "", 1) + `CREATE TABLE child (extra text, CONSTRAINT extra_set CHECK (extra <> ''), CONSTRAINT id_positive CHECK (id > 0)) INHERITS (base);`},
	{name: "grandchild",
		new: inhParent + inhChild + `CREATE TABLE grandchild (deep bool) INHERITS (child);`},
}

func TestAcceptanceInheritance(t *testing.T) {
	for _, tc := range inheritCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			plan := planAndProve(t, tc.old, tc.new, diff.Options{})
			sql := plan.SQL()
			if plan.Empty() {
				t.Fatalf("empty plan")
			}
			for _, w := range tc.want {
				if !strings.Contains(sql, w) {
					t.Errorf("plan lacks %q:\n%s", w, sql)
				}
			}
		})
	}
}
