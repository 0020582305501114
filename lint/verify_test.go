package lint

import (
	"context"
	"fmt"
	"testing"

	"ariga.io/atlas/sql/schema"

	"github.com/schemactl/schemactl/devdb"
)

// TestScopedInspectionComplete runs the kratos history and checks after
// every statement that the realm kept by scoped inspection equals a full
// inspection of the dev database.
func TestScopedInspectionComplete(t *testing.T) {
	files := kratosFiles(t)
	ctx := context.Background()
	e, err := openEngine(ctx, devdb.ForTest(t))
	if err != nil {
		t.Fatal(err)
	}
	defer e.close()
	e.verify = func(r *stmtRun, missed schema.Changes, err error) {
		t.Errorf("%s: scoped inspection missed %d changes (%v): %s", r.Stmt.Pos, len(missed), err, describe(missed))
	}
	if err := e.begin(ctx); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		fr, err := e.runFile(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if fr.Failed {
			t.Fatalf("%s failed", f.Path)
		}
	}
}

func describe(cs schema.Changes) string {
	s := ""
	for _, c := range cs {
		switch c := c.(type) {
		case *schema.ModifyTable:
			s += fmt.Sprintf("[modify %s:", c.T.Name)
			for _, mc := range c.Changes {
				s += fmt.Sprintf(" %T", mc)
			}
			s += "]"
		case *schema.AddTable:
			s += " add " + c.T.Name
		case *schema.DropTable:
			s += " drop " + c.T.Name
		default:
			s += fmt.Sprintf(" %T", c)
		}
	}
	return s
}
