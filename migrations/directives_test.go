package migrations

import (
	"strings"
	"testing"
)

func TestFileDirectives(t *testing.T) {
	cases := []struct {
		name    string
		src     string
		txmode  string
		warning string // "" for none
	}{
		{"atlas form", "-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY i ON t (a);\n", TxModeNone, ""},
		{"kratos form", "-- atlas:txmode none\nCREATE INDEX CONCURRENTLY i ON t (a);\n", TxModeNone,
			"f.sql:1:1: Atlas ignores this atlas:txmode none directive (no blank line separates it from the first statement); schemactl honours it; fix: insert a blank line after line 1"},
		{"comment below the directive", "-- atlas:txmode none\n-- This index replaces x\nDROP INDEX x;\n", TxModeNone,
			"f.sql:1:1: Atlas ignores this atlas:txmode none directive (no blank line separates it from the first statement); schemactl honours it; fix: insert a blank line after line 1"},
		{"below a header block", "-- header\n\n-- atlas:txmode none\n\nSELECT 1;\n", TxModeNone,
			"f.sql:3:1: Atlas ignores this atlas:txmode none directive (it reads file directives only from the comment lines at the very top of the file, followed by a blank line); schemactl honours it; fix: move it to line 1 and insert a blank line after it"},
		{"indented", "  -- atlas:txmode none\n\nSELECT 1;\n", TxModeNone,
			"f.sql:1:3: Atlas ignores this atlas:txmode none directive (it reads file directives only from the comment lines at the very top of the file, followed by a blank line); schemactl honours it; fix: move it to line 1 and insert a blank line after it"},
		{"crlf", "-- atlas:txmode none\r\n\r\nSELECT 1;\r\n", TxModeNone,
			"f.sql:1:1: Atlas ignores this atlas:txmode none directive (it sees no blank line after the top comments of a file with CRLF line endings); schemactl honours it; fix: convert the file to LF line endings and insert a blank line after line 1"},
		{"txmode file", "-- atlas:txmode file\n\nSELECT 1;\n", TxModeFile, ""},
		{"default", "SELECT 1;\n", TxModeFile, ""},
		{"file nolint", "-- atlas:nolint DS103\n\nSELECT 1;\n", TxModeFile, ""},
		{"statement nolint", "-- atlas:nolint DS103\nSELECT 1;\n", TxModeFile, ""},
		{"nolint not at the top", "-- header\n\n-- atlas:nolint\n\nSELECT 1;\n", TxModeFile,
			"f.sql:3:1: Atlas ignores this atlas:nolint directive (it reads file directives only from the comment lines at the very top of the file, followed by a blank line); schemactl honours it; fix: move it to line 1 and insert a blank line after it"},
		{"delimiter on line 1", "-- atlas:delimiter //\nSELECT 1//\n", TxModeFile, ""},
		{"delimiter on line 2", "-- x\n-- atlas:delimiter //\nSELECT 1//\n", TxModeFile,
			"f.sql:2:1: Atlas ignores this atlas:delimiter directive (it reads it only as the first line, written `-- atlas:delimiter X`); schemactl honours it; fix: make it the first line of the file"},
		{"sum ignore on line 2", "-- x\n-- atlas:sum ignore\nSELECT 1;\n", TxModeFile,
			"f.sql:2:1: atlas:sum ignore has no effect: Atlas and schemactl read it only on the first line; fix: make it the first line of the file"},
		{"privileged", "-- schemactl:privileged\nCREATE EXTENSION x;\n", TxModeFile, ""},
		{"restrict lines", "\\restrict abc\nSELECT 1;\n", TxModeFile,
			"f.sql:1:1: psql line \\restrict is skipped by schemactl but Atlas sends it to the server and fails; fix: delete the line"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ParseFile("f.sql", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			if f.TxMode != tc.txmode {
				t.Errorf("txmode %q, want %q", f.TxMode, tc.txmode)
			}
			var ws []string
			for _, w := range f.Warnings {
				ws = append(ws, w.String())
			}
			if got := strings.Join(ws, "\n"); got != tc.warning {
				t.Errorf("warnings:\n%s\nwant:\n%s", got, tc.warning)
			}
		})
	}
	f, _ := ParseFile("f.sql", []byte("-- atlas:nolint DS103 MF101\n\n-- atlas:nolint destructive\nDROP TABLE t;\n"))
	if ds := f.Directive("atlas", "nolint"); len(ds) != 1 || ds[0].Args != "DS103 MF101" {
		t.Errorf("file nolint: %+v", ds)
	}
	if ds := f.Stmts[0].Directives; len(ds) != 1 || ds[0].Args != "destructive" {
		t.Errorf("statement nolint: %+v", ds)
	}
}

func TestDirectiveErrors(t *testing.T) {
	for src, want := range map[string]string{
		"SELECT 1;\n-- atlas:nolnt\nSELECT 2;\n":                      "f.sql:2:1: unknown directive atlas:nolnt (known atlas directives: delimiter, nolint, sum, txmode)",
		"-- atlas:txmod none\n\nSELECT 1;":                            "f.sql:1:1: unknown directive atlas:txmod (known atlas directives: delimiter, nolint, sum, txmode)",
		"  -- schemactl:superuser\nSELECT 1;":                         "f.sql:1:3: unknown directive schemactl:superuser (known schemactl directives: privileged)",
		"-- atlas:checkpoint v1\n\nSELECT 1;":                         "f.sql:1:1: directive atlas:checkpoint (Atlas checkpoint files) is not supported by schemactl",
		"-- atlas:txmode all\n\nSELECT 1;":                            "f.sql:1:1: atlas:txmode all is not allowed in a file; use -- atlas:txmode file",
		"-- atlas:txmode never\n\nSELECT 1;":                          "f.sql:1:1: unknown atlas:txmode \"never\" (use none or file)",
		"-- atlas:txmode none\n-- atlas:txmode file\nSELECT 1;":       "f.sql:2:1: second atlas:txmode directive (the first is at line 1)",
		"SELECT 1;\n\n-- atlas:txmode none\nCREATE INDEX i ON t (a);": "f.sql:3:1: atlas:txmode is a file directive: move it into the comments at the top of the file, before the first statement, followed by a blank line",
		"-- atlas:sum skip\nSELECT 1;":                                "f.sql:1:1: unknown atlas:sum mode \"skip\" (only: -- atlas:sum ignore)",
		"SELECT 1;\n\\connect other\nSELECT 2;":                       "f.sql:2:1: psql meta-command \\connect is not SQL and cannot run in a migration file",
		"SELECT 'x;\n":                                                "f.sql:1:8: unterminated quoted string",
	} {
		_, err := ParseFile("f.sql", []byte(src))
		if err == nil || err.Error() != want {
			t.Errorf("ParseFile(%q):\n got %v\nwant %s", src, err, want)
		}
	}
}

// TestKratosDirectives: the 10 kratos files with `-- atlas:txmode none`
// right above their first statement run without a transaction in
// schemactl, and each gets the warning that Atlas would not honour it.
func TestKratosDirectives(t *testing.T) {
	dir := copyDir(t, corpusPath(t, "kratos/migrations"))
	if err := WriteSum(dir); err != nil {
		t.Fatal(err)
	}
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	none := 0
	for _, f := range d.Files {
		if f.TxMode == TxModeNone {
			none++
		}
	}
	ws := d.Warnings()
	if none != 10 || len(ws) != 10 {
		t.Fatalf("%d files without transaction, %d warnings", none, len(ws))
	}
	for _, w := range ws {
		if w.Pos.Line != 1 || w.Fix != "insert a blank line after line 1" {
			t.Errorf("warning %s", w)
		}
	}
}
