package lint

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"reflect"
	"strings"
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
	// The figures docs/lint.md gives for kratos: a change to the engine
	// must not change what it finds.
	want := map[string]int{"BC101": 11, "BC102": 7, "DS102": 5, "DS103": 12, "MF101": 14, "MF104": 9,
		"PG101": 146, "PG102": 97, "PG110": 24, "PG111": 1, "PG112": 9, "PG120": 2,
		"PG130": 245, "PG201": 27, "PG302": 97, "PG303": 2, "PG304": 2, "PG305": 4,
		"PG402": 10}
	if got := rep.Counts(); !reflect.DeepEqual(got, want) {
		t.Errorf("summary.codes = %v, want %v", got, want)
	}
	errs, warns := rep.Summary()
	withErr := map[string]bool{}
	for _, f := range rep.Findings {
		if f.Severity == Error {
			withErr[f.Pos.File] = true
		}
	}
	if errs != 296 || warns != 428 || len(withErr) != 124 {
		t.Errorf("%d errors, %d warnings, %d files with an error; want 296, 428, 124", errs, warns, len(withErr))
	}
	// The markdown report of the whole history stays under GitHub's limit
	// and says what it leaves out.
	var md bytes.Buffer
	if err := WriteMarkdown(&md, rep, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	if md.Len() > MarkdownLimit || !strings.Contains(md.String(), "more files with findings not shown") {
		t.Errorf("markdown of the kratos history: %d bytes (limit %d), lacks the line on files left out", md.Len(), MarkdownLimit)
	}
	// Shared between three sessions, the run finds the same.
	sameReport(t, rep, sharedRun(t, files, nil, 120, 260), 120, 260)
	for _, f := range rep.Findings {
		if os.Getenv("LINT_VERBOSE") != "" {
			t.Logf("%s %s %s %s | %s", f.Pos, f.Code, f.Severity, f.Message, f.Stmt)
		}
	}
}
