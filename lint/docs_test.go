package lint

import (
	"os"
	"strings"
	"testing"
)

// TestDocsListEveryCode keeps docs/lint.md in step with the analyzers.
func TestDocsListEveryCode(t *testing.T) {
	b, err := os.ReadFile("../docs/lint.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, c := range Checks() {
		if !strings.Contains(doc, "| "+c.Code+" | "+c.Analyzer+" | "+c.Severity.String()+" |") {
			t.Errorf("docs/lint.md lacks the row of %s (%s, %s)", c.Code, c.Analyzer, c.Severity)
		}
	}
	for code := range atlasInfo {
		if !strings.Contains(doc, "| "+code+" | ") {
			t.Errorf("docs/lint.md lacks %s", code)
		}
	}
}
