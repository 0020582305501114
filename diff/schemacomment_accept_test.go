package diff_test

import (
	"strings"
	"testing"
)

// schemaCommentCases: the comment of a schema both states have, including
// the public schema's initdb comment, which Atlas's differ takes as none.
var schemaCommentCases = []acceptanceCase{
	{name: "public schema without initdb's comment", old: ``, new: `COMMENT ON SCHEMA public IS NULL;`,
		want: []string{"COMMENT ON SCHEMA \"public\" IS NULL"}},
	{name: "public schema comment changed", old: `COMMENT ON SCHEMA public IS 'x';`, new: `COMMENT ON SCHEMA public IS 'y';`},
	{name: "schema comment removed", old: `CREATE SCHEMA a; COMMENT ON SCHEMA a IS 'x';`, new: `CREATE SCHEMA a;`},
}

func TestSchemaComments(t *testing.T) {
	for _, tc := range schemaCommentCases {
		for _, dir := range []string{"forward", "backward"} {
			t.Run(tc.name+"/"+dir, func(t *testing.T) {
				t.Parallel()
				old, new, want := tc.old, tc.new, tc.want
				if dir == "backward" {
					old, new, want = new, old, nil
				}
				plan := planAndProve(t, old, new, noRenames)
				if plan.Empty() {
					t.Fatalf("empty plan")
				}
				if n := strings.Count(plan.SQL(), "COMMENT ON SCHEMA"); n != 1 {
					t.Errorf("%d COMMENT ON SCHEMA statements, want 1:\n%s", n, plan.SQL())
				}
				for _, w := range want {
					if !strings.Contains(plan.SQL(), w) {
						t.Errorf("plan lacks %q:\n%s", w, plan.SQL())
					}
				}
			})
		}
	}
}
