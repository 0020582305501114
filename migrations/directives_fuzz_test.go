package migrations

import (
	"bytes"
	"regexp"
	"testing"
)

// rePositioned is the start of every error ParseFile returns.
var rePositioned = regexp.MustCompile(`^m/1_a\.sql:[1-9][0-9]*:[1-9][0-9]*: `)

// FuzzParseFile checks directive parsing (and the file checks around it)
// on any file: ParseFile never panics, every error starts with the file's
// file:line:col, and a file it accepts has a transaction mode and a
// delimiter it knows, statements that are the bytes their offsets say, and
// directive, statement and warning positions inside the file.
func FuzzParseFile(f *testing.F) {
	for _, s := range []string{
		"-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY i ON t (a);\n",
		"-- atlas:txmode none\nCREATE INDEX CONCURRENTLY i ON t (a);\n",
		"-- atlas:txmode file\n-- atlas:txmode none\n\nSELECT 1;\n",
		"-- atlas:txmode bogus\n\nSELECT 1;\n",
		"-- atlas:sum ignore\nSELECT 1;\n",
		"-- atlas:delimiter -- end\nSELECT 1 -- end\n",
		"-- atlas:delimiter \\n\\n\nSELECT 1;\n\nSELECT 2;\n",
		"-- atlas:nolint PG101 DS103\nALTER TABLE t DROP COLUMN c;\n",
		"-- atlas:nolint\n\nDROP TABLE t;\n",
		"SELECT 1;\n-- atlas:nolint MF101\nDROP TABLE t;\n",
		"-- schemactl:privileged\nCREATE EXTENSION pgcrypto;\n",
		"-- atlas:checkpoint\n\nSELECT 1;\n",
		"-- atlas:unknown x\n\nSELECT 1;\n",
		"-- schemactl:txmode none\n\nSELECT 1;\n",
		"\\restrict k\nSELECT 1;\n\\unrestrict k\n",
		"\\connect db\nSELECT 1;\n",
		"SELECT 'é';\n",
		"SELECT '\xe9';\n",
		"SELECT 1;\x00",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := ParseFile("m/1_a.sql", src)
		if err != nil {
			if !rePositioned.MatchString(err.Error()) {
				t.Fatalf("error without file:line:col: %q", err)
			}
			return
		}
		if file.TxMode != TxModeFile && file.TxMode != TxModeNone {
			t.Fatalf("txmode %q", file.TxMode)
		}
		if file.Delimiter == "" {
			t.Fatal("empty delimiter")
		}
		lines := bytes.Count(src, []byte("\n")) + 1
		inside := func(what string, p Pos) {
			if p.File != "m/1_a.sql" || p.Line < 1 || p.Line > lines || p.Col < 1 {
				t.Fatalf("%s at %v, outside the file (%d lines)", what, p, lines)
			}
		}
		for _, d := range file.Directives {
			inside("directive "+d.String(), d.Pos)
		}
		for _, w := range file.Warnings {
			inside("warning "+w.Msg, w.Pos)
		}
		for i, st := range file.Stmts {
			inside("statement", st.Pos)
			if st.Start < 0 || st.End > len(src) || st.Start > st.End || string(src[st.Start:st.End]) != st.Text {
				t.Fatalf("statement %d: [%d:%d] is not its text %q", i, st.Start, st.End, st.Text)
			}
			for _, d := range st.Directives {
				inside("statement directive "+d.String(), d.Pos)
			}
		}
	})
}
