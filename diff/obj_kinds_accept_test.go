package diff

import (
	"testing"
)

const (
	ciCollation = `CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
`
	statsTable = `CREATE TABLE st (a int, b int, c text);
`
	tsDict = `CREATE TEXT SEARCH DICTIONARY simple_en (TEMPLATE = pg_catalog.simple, STOPWORDS = english);
`
	opFuncs = `CREATE FUNCTION f_eq(int, int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT $1 = $2';
CREATE FUNCTION f_lt(int, int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT $1 < $2';
CREATE FUNCTION f_cmp(int, int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT CASE WHEN $1 < $2 THEN -1 WHEN $1 > $2 THEN 1 ELSE 0 END';
CREATE FUNCTION f_cmp8(int, bigint) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT CASE WHEN $1 < $2 THEN -1 WHEN $1 > $2 THEN 1 ELSE 0 END';
CREATE FUNCTION f_lt8(int, bigint) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT $1 < $2';
`
	opEq = `CREATE OPERATOR === (FUNCTION = f_eq, LEFTARG = int, RIGHTARG = int, COMMUTATOR = ===, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR <<< (FUNCTION = f_lt, LEFTARG = int, RIGHTARG = int);
`
	opClass = `CREATE OPERATOR FAMILY fam USING btree;
CREATE OPERATOR CLASS cls FOR TYPE int USING btree FAMILY fam AS OPERATOR 1 <<<, OPERATOR 3 ===, FUNCTION 1 f_cmp(int, int);
`
)

// kindCases cover collations, extended statistics, text search objects,
// conversions, operators, operator families and classes, in both
// directions.
var kindCases = []objCase{
	// Collations, and columns using them.
	{name: "create collation and column", only: "pipeline", old: baseTable, new: ciCollation + `CREATE TABLE t (id int PRIMARY KEY, a int, b text COLLATE ci);`,
		want: []string{`CREATE COLLATION "public"."ci" (provider = icu, locale = 'und-u-ks-level2', deterministic = false)`, `COLLATE "public"."ci"`}},
	{name: "drop collation and column", only: "pipeline", old: ciCollation + `CREATE TABLE t (id int PRIMARY KEY, a int, b text COLLATE ci);`, new: baseTable,
		want: []string{`ALTER TABLE`, `DROP COLLATION "public"."ci"`}},
	{name: "collation in another schema", only: "pipeline", old: "CREATE SCHEMA app;\n" + baseTable,
		new: `CREATE SCHEMA app; CREATE COLLATION app.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE t (id int PRIMARY KEY, a int, b text COLLATE app.ci); CREATE TABLE u (x text COLLATE app.ci, y text COLLATE "POSIX");`,
		want: []string{`CREATE COLLATION "app"."ci"`, `COLLATE "app"."ci"`}},
	{name: "libc collation with two locales", old: "", new: `CREATE COLLATION lc (lc_collate = 'C', lc_ctype = 'C.UTF-8');
COMMENT ON COLLATION lc IS 'two locales';`,
		want: []string{`CREATE COLLATION "public"."lc" (provider = libc, lc_collate = 'C', lc_ctype = 'C.UTF-8')`, `COMMENT ON COLLATION`}},
	{name: "collation changes recreate", old: ciCollation, new: `CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level1', deterministic = false);`,
		want: []string{`DROP COLLATION "public"."ci"`, `CREATE COLLATION "public"."ci"`}},
	{name: "column collation changes", only: "pipeline", old: ciCollation + baseTable, new: ciCollation + `CREATE TABLE t (id int PRIMARY KEY, a int, b text COLLATE "C");`,
		want: []string{`COLLATE "C"`}},
	// Extended statistics.
	{name: "create statistics", old: statsTable, new: statsTable + `CREATE STATISTICS s1 (ndistinct, dependencies) ON a, b FROM st;
CREATE STATISTICS s2 ON (a + b), lower(c) FROM st;
CREATE STATISTICS s3 ON lower(c) FROM st;
ALTER STATISTICS s1 SET STATISTICS 200;
COMMENT ON STATISTICS s2 IS 'expressions';`,
		want: []string{`CREATE STATISTICS "public"."s1" (ndistinct, dependencies) ON a, b FROM "public"."st"`, `SET STATISTICS 200`}},
	{name: "drop statistics", old: statsTable + `CREATE STATISTICS s1 ON a, b FROM st;`, new: statsTable,
		want: []string{`DROP STATISTICS "public"."s1"`}},
	{name: "statistics target and kinds", old: statsTable + `CREATE STATISTICS s1 ON a, b FROM st; CREATE STATISTICS s2 (mcv) ON a, b FROM st;`,
		new:  statsTable + `CREATE STATISTICS s1 ON a, b FROM st; ALTER STATISTICS s1 SET STATISTICS 50; CREATE STATISTICS s2 (ndistinct) ON a, b FROM st;`,
		want: []string{`DROP STATISTICS "public"."s2"`, `CREATE STATISTICS "public"."s2" (ndistinct)`}, absent: []string{`DROP STATISTICS "public"."s1"`}},
	{name: "statistics on a dropped column", old: statsTable + `CREATE STATISTICS s1 ON a, b FROM st;`,
		new: `CREATE TABLE st (a int, c text); CREATE STATISTICS s1 ON a, c FROM st;`, want: []string{`CREATE STATISTICS "public"."s1"`}},
	// Text search.
	{name: "create text search objects", old: "", new: tsDict + `
CREATE TEXT SEARCH PARSER p1 (START = prsd_start, GETTOKEN = prsd_nexttoken, END = prsd_end, LEXTYPES = prsd_lextype, HEADLINE = prsd_headline);
CREATE TEXT SEARCH TEMPLATE t1 (INIT = dsimple_init, LEXIZE = dsimple_lexize);
CREATE TEXT SEARCH CONFIGURATION cfg (PARSER = p1);
ALTER TEXT SEARCH CONFIGURATION cfg ADD MAPPING FOR asciiword, word WITH simple_en, english_stem;
ALTER TEXT SEARCH CONFIGURATION cfg ADD MAPPING FOR int WITH simple;
COMMENT ON TEXT SEARCH CONFIGURATION cfg IS 'mine';
CREATE TABLE docs (id int, body text);
CREATE INDEX docs_fts ON docs USING gin (to_tsvector('public.cfg', body));`,
		want: []string{`CREATE TEXT SEARCH DICTIONARY "public"."simple_en"`, `CREATE TEXT SEARCH PARSER "public"."p1"`,
			`CREATE TEXT SEARCH CONFIGURATION "public"."cfg" (PARSER = public.p1)`, `ADD MAPPING FOR "asciiword", "word" WITH public.simple_en, pg_catalog.english_stem`,
			`CREATE INDEX`}},
	// A function body names a configuration, a collation and another
	// function as text (no dependency is recorded), and an index on that
	// function inlines it when it is built: they are created before the
	// tables.
	{name: "text search configuration and collation named in a function an index uses", old: "", new: ciCollation + `
CREATE EXTENSION unaccent;
CREATE TEXT SEARCH CONFIGURATION mb_simple (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION mb_simple ALTER MAPPING FOR word, numword, hword, numhword, hword_part, hword_numpart WITH public.unaccent, simple;
CREATE FUNCTION mb_lower(input text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ SELECT lower(input COLLATE public.ci) $$;
CREATE FUNCTION immutable_unaccent(input text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ SELECT lower(input) $$;
CREATE FUNCTION mb_simple_tsvector(input text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ SELECT to_tsvector('public.mb_simple', public.immutable_unaccent(input)) $$;
CREATE TABLE artist (name text);
CREATE INDEX artist_idx_txt ON artist USING gin (mb_simple_tsvector(name));
CREATE INDEX artist_idx_lower ON artist (mb_lower(name));`,
		want: []string{`CREATE COLLATION "public"."ci"`, `CREATE TEXT SEARCH CONFIGURATION "public"."mb_simple"`, `CREATE TABLE "public"."artist"`, `CREATE INDEX "artist_idx_txt"`}},
	{name: "drop text search objects", old: tsDict + `CREATE TEXT SEARCH CONFIGURATION cfg (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION cfg ALTER MAPPING FOR asciiword WITH simple_en;
CREATE TEXT SEARCH TEMPLATE t1 (LEXIZE = dsimple_lexize);`, new: "",
		want: []string{`DROP TEXT SEARCH CONFIGURATION "public"."cfg"`, `DROP TEXT SEARCH DICTIONARY "public"."simple_en"`}},
	{name: "text search mappings and options change in place", old: tsDict + `CREATE TEXT SEARCH CONFIGURATION cfg (COPY = pg_catalog.english);
CREATE TABLE docs (id int, body text);
CREATE INDEX docs_fts ON docs USING gin (to_tsvector('public.cfg', body));`,
		new: `CREATE TEXT SEARCH DICTIONARY simple_en (TEMPLATE = pg_catalog.simple, STOPWORDS = english, ACCEPT = false);
CREATE TEXT SEARCH CONFIGURATION cfg (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION cfg ALTER MAPPING FOR asciiword WITH simple_en;
ALTER TEXT SEARCH CONFIGURATION cfg DROP MAPPING FOR email;
CREATE TABLE docs (id int, body text);
CREATE INDEX docs_fts ON docs USING gin (to_tsvector('public.cfg', body));`,
		want:   []string{`ALTER TEXT SEARCH DICTIONARY "public"."simple_en" (stopwords = 'english', accept = 'false')`, `DROP MAPPING FOR "email"`, `ALTER MAPPING FOR "asciiword" WITH public.simple_en`},
		absent: []string{"DROP TEXT SEARCH", "DROP INDEX"}},
	{name: "text search dictionary option removed", old: `CREATE TEXT SEARCH DICTIONARY simple_en (TEMPLATE = pg_catalog.simple, STOPWORDS = english, ACCEPT = false);`,
		new: tsDict, want: []string{`ALTER TEXT SEARCH DICTIONARY "public"."simple_en" (accept, stopwords = 'english')`}},
	{name: "text search template change recreates the dictionary and its configuration", old: tsDict + `CREATE TEXT SEARCH CONFIGURATION cfg (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION cfg ALTER MAPPING FOR asciiword WITH simple_en;`,
		new: `CREATE TEXT SEARCH DICTIONARY simple_en (TEMPLATE = pg_catalog.snowball, LANGUAGE = english);
CREATE TEXT SEARCH CONFIGURATION cfg (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION cfg ALTER MAPPING FOR asciiword WITH simple_en;`,
		want: []string{`DROP TEXT SEARCH CONFIGURATION "public"."cfg"`, `DROP TEXT SEARCH DICTIONARY`, `CREATE TEXT SEARCH DICTIONARY`, `CREATE TEXT SEARCH CONFIGURATION`}},
	// Conversions.
	{name: "create conversion", old: "", new: `CREATE CONVERSION cv1 FOR 'UTF8' TO 'LATIN1' FROM utf8_to_iso8859_1; COMMENT ON CONVERSION cv1 IS 'latin';`,
		want: []string{`CREATE CONVERSION "public"."cv1" FOR 'UTF8' TO 'LATIN1' FROM utf8_to_iso8859_1`}},
	{name: "drop conversion", old: `CREATE CONVERSION cv1 FOR 'UTF8' TO 'LATIN1' FROM utf8_to_iso8859_1;`, new: "",
		want: []string{`DROP CONVERSION "public"."cv1"`}},
	{name: "conversion becomes default", old: `CREATE CONVERSION cv1 FOR 'UTF8' TO 'LATIN1' FROM utf8_to_iso8859_1;`,
		new: `CREATE DEFAULT CONVERSION cv1 FOR 'UTF8' TO 'LATIN1' FROM utf8_to_iso8859_1;`, want: []string{`DROP CONVERSION`, `CREATE DEFAULT CONVERSION`}},
	// Operators, families and classes.
	{name: "create operators and class", old: opFuncs, new: opFuncs + opEq + opClass + `
CREATE OPERATOR <<< (FUNCTION = f_lt8, LEFTARG = int, RIGHTARG = bigint);
ALTER OPERATOR FAMILY fam USING btree ADD OPERATOR 1 <<< (int, bigint), FUNCTION 1 (int, bigint) f_cmp8(int, bigint);
COMMENT ON OPERATOR === (int, int) IS 'equal';
COMMENT ON OPERATOR CLASS cls USING btree IS 'class';
CREATE TABLE ot (a int);
CREATE INDEX ot_a ON ot (a cls);`,
		want: []string{`CREATE OPERATOR FAMILY "public"."fam" USING btree`,
			`CREATE OPERATOR "public".=== (FUNCTION = public.f_eq, LEFTARG = integer, RIGHTARG = integer, COMMUTATOR = OPERATOR(public.===)`,
			`CREATE OPERATOR CLASS "public"."cls" FOR TYPE integer USING btree FAMILY public.fam AS`,
			`CREATE INDEX`}},
	{name: "drop operators and class", old: opFuncs + opEq + opClass + `CREATE TABLE ot (a int); CREATE INDEX ot_a ON ot (a cls);`, new: opFuncs,
		want: []string{`DROP TABLE`, `DROP OPERATOR CLASS "public"."cls" USING btree`, `DROP OPERATOR "public".<<< (integer, integer)`}},
	{name: "operator estimators change in place", old: opFuncs + opEq,
		new: opFuncs + `CREATE OPERATOR === (FUNCTION = f_eq, LEFTARG = int, RIGHTARG = int, COMMUTATOR = ===, HASHES, MERGES);
CREATE OPERATOR <<< (FUNCTION = f_lt, LEFTARG = int, RIGHTARG = int, RESTRICT = scalarltsel);`,
		want:   []string{`ALTER OPERATOR "public".<<< (integer, integer) SET (RESTRICT = scalarltsel)`, `ALTER OPERATOR "public".=== (integer, integer) SET (RESTRICT = NONE, JOIN = NONE)`},
		absent: []string{"DROP OPERATOR"}},
	{name: "operator function change recreates it and its class", old: opFuncs + opEq + opClass,
		new: opFuncs + `CREATE FUNCTION f_lt2(int, int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT $1 < $2';
CREATE OPERATOR === (FUNCTION = f_eq, LEFTARG = int, RIGHTARG = int, COMMUTATOR = ===, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR <<< (FUNCTION = f_lt2, LEFTARG = int, RIGHTARG = int);` + opClass,
		want: []string{`DROP OPERATOR CLASS`, `DROP OPERATOR "public".<<<`, `CREATE OPERATOR "public".<<<`, `CREATE OPERATOR CLASS`}},
	{name: "operator family members change in place", old: opFuncs + opEq + opClass + `CREATE OPERATOR <<< (FUNCTION = f_lt8, LEFTARG = int, RIGHTARG = bigint);`,
		new: opFuncs + opEq + opClass + `CREATE OPERATOR <<< (FUNCTION = f_lt8, LEFTARG = int, RIGHTARG = bigint);
ALTER OPERATOR FAMILY fam USING btree ADD OPERATOR 1 <<< (int, bigint), FUNCTION 1 (int, bigint) f_cmp8(int, bigint);`,
		want: []string{`ALTER OPERATOR FAMILY "public"."fam" USING btree ADD`}, absent: []string{"DROP OPERATOR CLASS"}},
	{name: "operator family members dropped in place", old: opFuncs + opEq + opClass + `CREATE OPERATOR <<< (FUNCTION = f_lt8, LEFTARG = int, RIGHTARG = bigint);
ALTER OPERATOR FAMILY fam USING btree ADD OPERATOR 1 <<< (int, bigint), FUNCTION 1 (int, bigint) f_cmp8(int, bigint);`,
		new:  opFuncs + opEq + opClass + `CREATE OPERATOR <<< (FUNCTION = f_lt8, LEFTARG = int, RIGHTARG = bigint);`,
		want: []string{`ALTER OPERATOR FAMILY "public"."fam" USING btree DROP`, `OPERATOR 1 (integer, bigint)`}, absent: []string{"DROP OPERATOR CLASS"}},
	{name: "default hash operator class", old: "", new: `CREATE FUNCTION hp(point) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT hashfloat8($1[0])';
CREATE OPERATOR CLASS h DEFAULT FOR TYPE point USING hash AS OPERATOR 1 ~=, FUNCTION 1 hp(point);`,
		want: []string{`CREATE OPERATOR FAMILY "public"."h" USING hash`, `CREATE OPERATOR CLASS "public"."h" DEFAULT FOR TYPE point USING hash FAMILY public.h AS`}},
}

// TestKindsAcceptance runs the kind cases through the commands' pipeline
// and through PlanObjects with Atlas's planner.
func TestKindsAcceptance(t *testing.T) {
	t.Parallel()
	for _, c := range kindCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if c.only == "atlas" {
				t.Skip("Atlas's planner only")
			}
			checkPipeline(t, c)
		})
		t.Run("atlas/"+c.name, func(t *testing.T) {
			t.Parallel()
			if c.only == "pipeline" {
				t.Skip("Atlas's planner keeps no collation schema (TestAtlasColumnCollation)")
			}
			plan, err := roundTrip(t, c.old, c.new, c.opts)
			checkCase(t, c, plan, err)
		})
	}
}

// multirangeCases cover range types' multirange types.
var multirangeCases = []objCase{
	{name: "range with its multirange name", old: "", new: `CREATE TYPE fr AS RANGE (SUBTYPE = float8, MULTIRANGE_TYPE_NAME = fr_multi);
CREATE TABLE m (id int, spans fr_multi);`,
		want: []string{`MULTIRANGE_TYPE_NAME = public.fr_multi`, `CREATE TABLE`}},
	{name: "multirange name change recreates the range", old: `CREATE TYPE fr AS RANGE (SUBTYPE = float8, MULTIRANGE_TYPE_NAME = fr_multi);`,
		new:  `CREATE TYPE fr AS RANGE (SUBTYPE = float8, MULTIRANGE_TYPE_NAME = fr_many);`,
		want: []string{`DROP TYPE public.fr`, `MULTIRANGE_TYPE_NAME = public.fr_many`}},
	{name: "range and multirange column dropped", old: `CREATE TYPE fr AS RANGE (SUBTYPE = float8, MULTIRANGE_TYPE_NAME = fr_multi);
CREATE TABLE m (id int, spans fr_multi);`, new: `CREATE TABLE m (id int);`,
		want: []string{`DROP COLUMN`, `DROP TYPE public.fr`}},
}

// TestMultirangeAcceptance runs the multirange cases through the
// commands' pipeline.
func TestMultirangeAcceptance(t *testing.T) {
	t.Parallel()
	for _, c := range multirangeCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			checkPipeline(t, c)
		})
	}
}
