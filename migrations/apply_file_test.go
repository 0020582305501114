package migrations

import (
	"crypto/sha256"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"ariga.io/atlas/sql/postgres"

	"github.com/schemactl/schemactl/internal/corpus"
)

// atlasPartialHashes computes partial_hashes the way Atlas's executor
// does, with Atlas's own PostgreSQL statement scanner.
func atlasPartialHashes(t *testing.T, src []byte) []string {
	t.Helper()
	stmts, err := (*postgres.Driver)(nil).ScanStmts(string(src))
	if err != nil {
		t.Fatalf("atlas scanner: %v", err)
	}
	h := sha256.New()
	sums := make([]string, len(stmts))
	for i, st := range stmts {
		h.Write([]byte(st.Text))
		sums[i] = base64.StdEncoding.EncodeToString(h.Sum(nil))
	}
	return sums
}

// TestPartialHashesMatchAtlas checks that the statement hashes stored for
// a partly applied file are the ones Atlas computes, on the kratos
// migrations and on statements with comments and odd endings.
func TestPartialHashesMatchAtlas(t *testing.T) {
	srcs := map[string][]byte{
		"comments.sql":   []byte("-- head\nCREATE TABLE a (id int) -- trailing\n;\n/* block */ INSERT INTO a VALUES (1)  ;  \n\n"),
		"noend.sql":      []byte("CREATE TABLE a (id int);\nSELECT 1"),
		"dollar.sql":     []byte("CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\nDO $x$ BEGIN PERFORM 1; END $x$;\n"),
		"strings.sql":    []byte("INSERT INTO t VALUES ('a;b', 'c'';d', \"x;y\");\nSELECT 2;\n"),
		"crlf.sql":       []byte("CREATE TABLE a (id int);\r\nCREATE TABLE b (id int);\r\n"),
		"txmodenone.sql": []byte("-- atlas:txmode none\nCREATE INDEX CONCURRENTLY i ON t (a);\n"),
	}
	paths, err := filepath.Glob(filepath.Join(corpus.Require(t, "kratos", "migrations"), "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Log("kratos corpus not found; checking the built-in cases only")
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		srcs[filepath.Base(p)] = b
	}
	for name, src := range srcs {
		f, err := ParseFile(name, src)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := NewApplyFile(f, "").partialHashes()
		want := atlasPartialHashes(t, src)
		if len(got) != len(want) {
			t.Errorf("%s: %d statements, Atlas finds %d", name, len(got), len(want))
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: statement %d: hash %s, Atlas %s (text %q)", name, i+1, got[i], want[i], f.Stmts[i].Text)
				break
			}
		}
	}
}
