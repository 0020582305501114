package migrations

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/internal/corpus"
)

// corpusPath returns the path of a file or directory of the shared real-world
// corpus (see internal/corpus), skipping the test
// when it is not on this machine.
func corpusPath(t testing.TB, rel string) string {
	t.Helper()
	return corpus.Require(t, filepath.FromSlash(rel))
}

func texts(stmts []Stmt) []string {
	out := make([]string, len(stmts))
	for i, s := range stmts {
		out[i] = s.Text
	}
	return out
}

func TestSplitTable(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []string
	}{
		{"simple", "SELECT 1;\nSELECT 2;\n", []string{"SELECT 1", "SELECT 2"}},
		{"no trailing delimiter", "SELECT 1;\nSELECT 2  \n\n", []string{"SELECT 1", "SELECT 2"}},
		{"empty statements", ";;\n;SELECT 1;;", []string{"SELECT 1"}},
		{"only comments", "-- a\n/* b */\n", nil},
		{"string with semicolon and quote", "INSERT INTO t VALUES ('a;''b');SELECT 2;", []string{"INSERT INTO t VALUES ('a;''b')", "SELECT 2"}},
		{"backslash in standard string", `SELECT 'a\';SELECT 2;`, []string{`SELECT 'a\'`, "SELECT 2"}},
		{"E string escapes", `SELECT E'a\';b';SELECT e'\\';SELECT 3;`, []string{`SELECT E'a\';b'`, `SELECT e'\\'`, "SELECT 3"}},
		{"identifier ending in e", `SELECT name'x;' FROM t;`, []string{`SELECT name'x;' FROM t`}},
		{"U& string", `SELECT U&'d\0061t;a';SELECT 2;`, []string{`SELECT U&'d\0061t;a'`, "SELECT 2"}},
		{"quoted identifier", `CREATE TABLE "a;""b" (x int);SELECT 1;`, []string{`CREATE TABLE "a;""b" (x int)`, "SELECT 1"}},
		{"dollar quote", "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\nSELECT 2;", []string{"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql", "SELECT 2"}},
		{"tagged dollar quote", "DO $body$ BEGIN PERFORM $$x;$$; END $body$;SELECT 2;", []string{"DO $body$ BEGIN PERFORM $$x;$$; END $body$", "SELECT 2"}},
		{"dollar in identifier is not a quote", "SELECT a$b$c, $1 FROM t;SELECT 2;", []string{"SELECT a$b$c, $1 FROM t", "SELECT 2"}},
		{"line comment with semicolon", "SELECT 1 -- x;\n+ 1;SELECT 2;", []string{"SELECT 1 -- x;\n+ 1", "SELECT 2"}},
		{"nested block comment", "SELECT /* a /* b; */ c; */ 1;SELECT 2;", []string{"SELECT /* a /* b; */ c; */ 1", "SELECT 2"}},
		{"parentheses", "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));SELECT 1;",
			[]string{"CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))", "SELECT 1"}},
		{"begin atomic", "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN x > 0 THEN 1 ELSE 2 END; SELECT 3; END;\nSELECT 4;",
			[]string{"CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN x > 0 THEN 1 ELSE 2 END; SELECT 3; END", "SELECT 4"}},
		{"create or replace procedure begin atomic", "create or replace procedure p() language sql begin atomic insert into t values (1); end;select 1;",
			[]string{"create or replace procedure p() language sql begin atomic insert into t values (1); end", "select 1"}},
		{"begin transaction is a statement", "BEGIN;\nCREATE TABLE t (a int);\nCOMMIT;", []string{"BEGIN", "CREATE TABLE t (a int)", "COMMIT"}},
		{"begin in a function with a dollar body", "CREATE FUNCTION f() RETURNS void AS $$BEGIN END$$ LANGUAGE plpgsql;SELECT 1;",
			[]string{"CREATE FUNCTION f() RETURNS void AS $$BEGIN END$$ LANGUAGE plpgsql", "SELECT 1"}},
		{"leading comments are not text", "-- c1\n/* c2 */\n  SELECT 1;", []string{"SELECT 1"}},
		{"multibyte identifiers", "CREATE DOMAIN bıgınt AS bigint;SELECT 'ü;';", []string{"CREATE DOMAIN bıgınt AS bigint", "SELECT 'ü;'"}},
		{"custom delimiter", "-- atlas:delimiter \\n\\n\nCREATE FUNCTION f() RETURNS int AS 'SELECT 1;' LANGUAGE sql;\n\nSELECT 2;\n",
			[]string{"CREATE FUNCTION f() RETURNS int AS 'SELECT 1;' LANGUAGE sql;", "SELECT 2;"}},
		{"custom delimiter word", "-- atlas:delimiter //\nSELECT 1; SELECT 2//\nSELECT '//'//", []string{"SELECT 1; SELECT 2", "SELECT '//'"}},
		{"meta commands", "\\restrict abc\nSET x = 1;\n\\unrestrict abc\n", []string{"SET x = 1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := Scan("f.sql", []byte(tc.src), SplitOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := texts(sc.Stmts); !reflect.DeepEqual(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Fatalf("statements:\n got %q\nwant %q", got, tc.want)
			}
			checkScript(t, []byte(tc.src), sc)
		})
	}
}

func TestSplitPositionsAndDirectives(t *testing.T) {
	src := "-- atlas:txmode none\n-- atlas:nolint DS103\n\n-- header\n-- atlas:nolint\nCREATE TABLE a (x int);\n  SELECT 1; -- trailing\n\n\t-- schemactl:privileged\nSELECT\n 2;"
	sc, err := Scan("dir/1_a.sql", []byte(src), SplitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Stmts) != 3 {
		t.Fatalf("got %d statements", len(sc.Stmts))
	}
	wantPos := []string{"dir/1_a.sql:6:1", "dir/1_a.sql:7:3", "dir/1_a.sql:10:1"}
	for i, st := range sc.Stmts {
		if st.Pos.String() != wantPos[i] {
			t.Errorf("stmt %d at %s, want %s", i, st.Pos, wantPos[i])
		}
	}
	lead := sc.Leading
	if len(lead) != 3 {
		t.Fatalf("leading directives: %+v", lead)
	}
	if lead[0].String() != "atlas:txmode none" || !lead[0].Separated || lead[0].Pos.Line != 1 {
		t.Errorf("directive 0: %+v", lead[0])
	}
	if lead[1].Name != "nolint" || lead[1].Args != "DS103" || !lead[1].Separated {
		t.Errorf("directive 1: %+v", lead[1])
	}
	if lead[2].Name != "nolint" || lead[2].Args != "" || lead[2].Separated || lead[2].Pos.Line != 5 {
		t.Errorf("directive 2: %+v", lead[2])
	}
	if d := sc.Stmts[0].Directives; len(d) != 1 || d[0].Name != "nolint" {
		t.Errorf("stmt 0 directives: %+v", d)
	}
	if d := sc.Stmts[1].Directives; len(d) != 0 {
		t.Errorf("stmt 1 directives: %+v", d)
	}
	if d := sc.Stmts[2].Directives; len(d) != 1 || d[0].Tool != "schemactl" || d[0].Name != "privileged" || d[0].Pos.String() != "dir/1_a.sql:9:2" {
		t.Errorf("stmt 2 directives: %+v", d)
	}
	if len(sc.Later) != 1 {
		t.Errorf("later directives: %+v", sc.Later)
	}
}

func TestSplitMeta(t *testing.T) {
	src := "\\restrict K3y\n--\n-- PostgreSQL database dump\n--\nSET a = 1;\n\\connect other\nSELECT 1;\n\\unrestrict K3y\n"
	sc, err := Scan("dump.sql", []byte(src), SplitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range sc.Meta {
		got = append(got, m.Name+"@"+m.Pos.String()+"="+m.Text)
	}
	want := []string{"restrict@dump.sql:1:1=\\restrict K3y", "connect@dump.sql:6:1=\\connect other", "unrestrict@dump.sql:8:1=\\unrestrict K3y"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("meta:\n got %q\nwant %q", got, want)
	}
	if g := texts(sc.Stmts); !reflect.DeepEqual(g, []string{"SET a = 1", "SELECT 1"}) {
		t.Fatalf("statements %q", g)
	}
	checkScript(t, []byte(src), sc)
}

func TestSplitErrors(t *testing.T) {
	cases := []struct{ src, want string }{
		{"SELECT 1;\nSELECT 'abc", "f.sql:2:8: unterminated quoted string"},
		{"SELECT \"abc", "f.sql:1:8: unterminated quoted identifier"},
		{"SELECT 1;\n  /* a /* b */", "f.sql:2:3: unterminated /* comment"},
		{"DO $x$ BEGIN END $y$;", "f.sql:1:4: unterminated dollar-quoted string $x$"},
		{"SELECT E'\\';", "f.sql:1:9: unterminated quoted string"},
		{"-- atlas:delimiter //\n-- atlas:delimiter $$\nSELECT 1", "f.sql:2:1: second atlas:delimiter directive (the first is at line 1)"},
		{"-- atlas:delimiter\nSELECT 1", "f.sql:1:1: atlas:delimiter needs a delimiter"},
	}
	for _, tc := range cases {
		_, err := Split("f.sql", []byte(tc.src))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Split(%q) = %v, want %q", tc.src, err, tc.want)
		}
	}
}

// checkScript checks the splitter's invariants: the segments cover src
// exactly and in order, each segment holds what its kind says, and the
// statements and meta-commands are the SegStmt and SegMeta segments.
func checkScript(t testing.TB, src []byte, sc *Script) {
	t.Helper()
	var joined bytes.Buffer
	prev := 0
	var stmts, metas int
	for _, seg := range sc.Segments {
		if seg.Start != prev || seg.End <= seg.Start || seg.End > len(src) {
			t.Fatalf("segment %v %d..%d after offset %d", seg.Kind, seg.Start, seg.End, prev)
		}
		prev = seg.End
		b := src[seg.Start:seg.End]
		joined.Write(b)
		switch seg.Kind {
		case SegSpace:
			if len(bytes.TrimLeft(b, " \t\r\n\f\v")) != 0 {
				t.Fatalf("space segment %q", b)
			}
		case SegComment:
			if !bytes.HasPrefix(b, []byte("--")) && !(bytes.HasPrefix(b, []byte("/*")) && bytes.HasSuffix(b, []byte("*/"))) {
				t.Fatalf("comment segment %q", b)
			}
		case SegDelim:
			if string(b) != sc.Delimiter {
				t.Fatalf("delimiter segment %q, delimiter %q", b, sc.Delimiter)
			}
		case SegStmt:
			if stmts >= len(sc.Stmts) {
				t.Fatalf("more stmt segments than statements")
			}
			st := sc.Stmts[stmts]
			if st.Start != seg.Start || st.End != seg.End || st.Text != string(b) {
				t.Fatalf("statement %d %q at %d..%d, segment %q at %d..%d", stmts, st.Text, st.Start, st.End, b, seg.Start, seg.End)
			}
			stmts++
		case SegMeta:
			if metas >= len(sc.Meta) {
				t.Fatalf("more meta segments than meta-commands")
			}
			m := sc.Meta[metas]
			if m.Start != seg.Start || m.End != seg.End || m.Text != string(b) || b[0] != '\\' {
				t.Fatalf("meta %d %q, segment %q", metas, m.Text, b)
			}
			metas++
		default:
			t.Fatalf("segment kind %v", seg.Kind)
		}
	}
	if prev != len(src) || !bytes.Equal(joined.Bytes(), src) {
		t.Fatalf("segments end at %d of %d bytes", prev, len(src))
	}
	if stmts != len(sc.Stmts) || metas != len(sc.Meta) {
		t.Fatalf("%d stmt segments for %d statements, %d meta segments for %d meta", stmts, len(sc.Stmts), metas, len(sc.Meta))
	}
	for i, st := range sc.Stmts {
		if st.Text == "" || isSpace(st.Text[0]) || isSpace(st.Text[len(st.Text)-1]) {
			t.Fatalf("statement %d %q is not trimmed", i, st.Text)
		}
		if p := posAt(st.Pos.File, lineStarts(src), st.Start); p != st.Pos {
			t.Fatalf("statement %d at %v, offset %d is %v", i, st.Pos, st.Start, p)
		}
	}
}
