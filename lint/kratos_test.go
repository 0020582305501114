package lint

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/schemactl/schemactl/devdb"
)

func TestKratos(t *testing.T) {
	files := kratosFiles(t)
	url := devdb.ForTest(t)
	start := time.Now()
	rep, err := Run(context.Background(), url, files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("lint of %d files: %v", len(files), time.Since(start))
	b, _ := json.MarshalIndent(rep.Counts(), "", "  ")
	t.Logf("counts: %s", b)
	if rep.Incomplete != "" {
		t.Errorf("incomplete at %s", rep.Incomplete)
	}
	for _, f := range rep.Findings {
		if os.Getenv("LINT_VERBOSE") != "" {
			t.Logf("%s %s %s %s | %s", f.Pos, f.Code, f.Severity, f.Message, f.Stmt)
		}
	}
}
