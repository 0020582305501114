package schema_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/diff"
	"github.com/schemactl/schemactl/schema"
)

// hclKindsDDL has an object of every kind of obj_hcl_kinds.go.
const hclKindsDDL = `
CREATE SCHEMA app;
CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE COLLATION app.lc (lc_collate = 'C', lc_ctype = 'C.UTF-8');
COMMENT ON COLLATION ci IS 'case-insensitive';
CREATE TYPE myint;
CREATE FUNCTION myint_in(cstring) RETURNS myint LANGUAGE internal IMMUTABLE STRICT AS 'int4in';
CREATE FUNCTION myint_out(myint) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'int4out';
COMMENT ON FUNCTION myint_out(myint) IS 'out';
CREATE TYPE myint (INPUT = myint_in, OUTPUT = myint_out, INTERNALLENGTH = 4, PASSEDBYVALUE, DEFAULT = '7', DELIMITER = ';');
COMMENT ON TYPE myint IS 'an int';
CREATE TYPE app.later;
COMMENT ON TYPE app.later IS 'a shell';
CREATE TABLE t (id int, m myint, a int, b int, name text COLLATE ci, code text COLLATE app.lc, body text);
CREATE STATISTICS st_ab (ndistinct, dependencies) ON a, b FROM t;
CREATE STATISTICS app.st_expr ON (a + b), lower(name) FROM t;
ALTER STATISTICS st_ab SET STATISTICS 300;
CREATE TEXT SEARCH DICTIONARY simple_en (TEMPLATE = pg_catalog.simple, STOPWORDS = english, ACCEPT = false);
CREATE TEXT SEARCH PARSER prs (START = prsd_start, GETTOKEN = prsd_nexttoken, END = prsd_end, LEXTYPES = prsd_lextype);
CREATE TEXT SEARCH TEMPLATE tmpl (LEXIZE = dsimple_lexize);
CREATE TEXT SEARCH CONFIGURATION cfg (PARSER = prs);
ALTER TEXT SEARCH CONFIGURATION cfg ADD MAPPING FOR asciiword, word WITH simple_en, english_stem;
COMMENT ON TEXT SEARCH CONFIGURATION cfg IS 'mine';
CREATE INDEX t_fts ON t USING gin (to_tsvector('public.cfg', body));
CREATE CONVERSION cv FOR 'UTF8' TO 'LATIN1' FROM utf8_to_iso8859_1;
CREATE FUNCTION f_eq(int, int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT $1 = $2';
CREATE FUNCTION f_lt(int, int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT $1 < $2';
CREATE FUNCTION f_cmp(int, int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT CASE WHEN $1 < $2 THEN -1 WHEN $1 > $2 THEN 1 ELSE 0 END';
CREATE OPERATOR === (FUNCTION = f_eq, LEFTARG = int, RIGHTARG = int, COMMUTATOR = ===, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR <<< (FUNCTION = f_lt, LEFTARG = int, RIGHTARG = int);
COMMENT ON OPERATOR <<< (int, int) IS 'less';
CREATE OPERATOR FAMILY fam USING btree;
CREATE OPERATOR CLASS cls FOR TYPE int USING btree FAMILY fam AS OPERATOR 1 <<<, OPERATOR 3 ===, FUNCTION 1 f_cmp(int, int);
CREATE INDEX t_a ON t (a cls);
`

// TestKindsHCLRoundTrip writes collations, statistics, text search
// objects, conversions and operators as HCL, loads the HCL back and
// requires the same state.
func TestKindsHCLRoundTrip(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"schema.sql": hclKindsDDL})
	want := mustLoad(t, "file://"+filepath.Join(dir, "schema.sql"), schema.LoadOptions{Scope: schema.Scope{Schemas: []string{"public", "app"}}})
	atlasHCL, full := stateHCL(t, want)
	text := string(full)
	for _, block := range []string{`collation "ci"`, `collation "lc"`, `statistics "st_ab"`, `statistics "st_expr"`,
		`text_search_configuration "cfg"`, `text_search_dictionary "simple_en"`, `text_search_parser "prs"`,
		`text_search_template "tmpl"`, `conversion "cv"`, `operator "==="`, `operator_family "fam"`, `operator_class "cls"`, `base_type "myint"`, `base_type "later"`, `shell   = true`} {
		if !strings.Contains(text, block) {
			t.Errorf("HCL lacks %s", block)
		}
	}
	if left := schema.NotInHCL(want.State); len(left) != 0 {
		t.Errorf("not in HCL: %v", left)
	}
	path := filepath.Join(dir, "schema.hcl")
	if err := os.WriteFile(path, full, 0o644); err != nil {
		t.Fatal(err)
	}
	got := mustLoad(t, "file://"+path, schema.LoadOptions{Scope: schema.Scope{Schemas: []string{"public", "app"}}})
	if g, w := len(schema.Objects(got.Realm)), len(schema.Objects(want.Realm)); g != w || w < 15 {
		t.Errorf("objects: got %d, want %d", g, w)
	}
	diffs, err := diff.Differences(got.State, want.State)
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) > 0 {
		t.Fatalf("differences after the HCL round trip:\n%s\nHCL:\n%s", strings.Join(diffs, "\n"), text)
	}
	if testing.Verbose() {
		t.Logf("HCL:\n%s", full[len(atlasHCL):])
	}
}
