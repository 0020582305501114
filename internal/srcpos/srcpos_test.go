package srcpos

import (
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

func TestCheckText(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      string // "" for clean text
		line, col int
		off       int
	}{
		{name: "ascii", src: "SELECT 1;\n"},
		{name: "utf8", src: "SELECT 'é€😀';\n"},
		{name: "empty", src: ""},
		{name: "latin1", src: "SELECT 1;\nSELECT 'caf\xe9';\n", want: "not valid UTF-8 at byte offset 21", line: 2, col: 12, off: 21},
		{name: "after multibyte", src: "-- é\n  é\xff", want: "not valid UTF-8 at byte offset 10", line: 2, col: 5, off: 10},
		{name: "nul", src: "SELECT 1;\x00", want: "NUL byte at byte offset 9", line: 1, col: 10, off: 9},
		{name: "utf16", src: "\xff\xfeS\x00", want: "not valid UTF-8 at byte offset 0", line: 1, col: 1, off: 0},
		{name: "truncated rune", src: "a\xe2\x82", want: "not valid UTF-8 at byte offset 1", line: 1, col: 2, off: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckText("dir/f.sql", []byte(tc.src))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("want no error, got %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("want *Error, got %v", err)
			}
			if e.File != "dir/f.sql" || e.Line != tc.line || e.Col != tc.col || e.Offset != tc.off || !strings.Contains(e.Error(), tc.want) {
				t.Fatalf("got %+v (%v), want %d:%d offset %d %q", e, e, tc.line, tc.col, tc.off, tc.want)
			}
			if !strings.HasPrefix(e.Error(), "dir/f.sql:") {
				t.Fatalf("message %q does not start with the file", e.Error())
			}
			for _, r := range e.Error() {
				if r == 0 || r == 0xfffd || r > 0x7e {
					t.Fatalf("message echoes a byte of the file: %q", e.Error())
				}
			}
		})
	}
}

func TestHCLDiagnostics(t *testing.T) {
	_, diags := hclsyntax.ParseConfig([]byte("a = 1\nb = \n"), "x.hcl", hcl.InitialPos)
	err := HCL(diags)
	var e *Error
	if !errors.As(err, &e) || e.File != "x.hcl" || e.Line != 2 || e.Col != 5 {
		t.Fatalf("got %v (%+v)", err, e)
	}
	if !strings.HasPrefix(err.Error(), "x.hcl:2:5: Invalid expression: ") {
		t.Fatalf("not file:line:col: %q", err)
	}
	two := hcl.Diagnostics{
		{Severity: hcl.DiagError, Summary: "first", Subject: &hcl.Range{Filename: "a.hcl", Start: hcl.Pos{Line: 3, Column: 5, Byte: 20}}},
		{Severity: hcl.DiagWarning, Summary: "warning only"},
		{Severity: hcl.DiagError, Summary: "second", Detail: "more.", Subject: &hcl.Range{Filename: "b.hcl", Start: hcl.Pos{Line: 1, Column: 2}}},
	}
	if got, want := HCL(two).Error(), "a.hcl:3:5: first; b.hcl:1:2: second: more"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if HCL(hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "w"}}) != nil {
		t.Fatal("warnings only: want nil")
	}
}
