package migrations

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/schemactl/schemactl/internal/corpus"
)

// FuzzSplit checks on any input that Scan does not panic and, when it
// succeeds, that its segments put back together give the input (the
// skipped text between statements included), that every segment holds
// what its kind says, and that a statement scanned again on its own, with
// its delimiter, comes back unchanged (when a delimiter ended it). The seed corpus holds the table
// cases, every kratos migration and the pagila dump.
func FuzzSplit(f *testing.F) {
	seeds := []string{
		"SELECT 1;\nSELECT 2",
		"-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY i ON t (a);",
		"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; END;",
		"DO $t$ BEGIN RAISE NOTICE $$;$$; END $t$;",
		"SELECT E'\\';', U&'\\0061', \"q\"\"\", /* /* */ */ 1; -- x",
		"-- atlas:delimiter \\n\\n\nSELECT 1;\n\nSELECT 2;",
		"\\restrict k\nSET a = 1;\n\\unrestrict k\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	root, _ := corpus.Dir() // without the corpus, the built-in seeds only
	files, _ := filepath.Glob(filepath.Join(root, "kratos", "migrations", "*.sql"))
	files = append(files, filepath.Join(root, "pagila", "schema.sql"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		sc, err := Scan("fuzz.sql", src, SplitOptions{})
		if err != nil {
			return
		}
		checkScript(t, src, sc)
		for i, st := range delimited(sc) {
			again, err := Scan("again.sql", []byte(st.Text+"\n"+sc.Delimiter), SplitOptions{Delimiter: sc.Delimiter})
			if err != nil {
				t.Fatalf("statement %d %q: %v", i, st.Text, err)
			}
			if len(again.Stmts) != 1 || again.Stmts[0].Text != st.Text {
				t.Fatalf("statement %d %q scans again as %q", i, st.Text, texts(again.Stmts))
			}
		}
	})
}

// delimited returns the statements of sc that a delimiter ends.
func delimited(sc *Script) []Stmt {
	var out []Stmt
	k := 0
	for i, seg := range sc.Segments {
		if seg.Kind != SegStmt {
			continue
		}
		j := i + 1
		for j < len(sc.Segments) && sc.Segments[j].Kind == SegSpace {
			j++
		}
		if j < len(sc.Segments) && sc.Segments[j].Kind == SegDelim {
			out = append(out, sc.Stmts[k])
		}
		k++
	}
	return out
}
