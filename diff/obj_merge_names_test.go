package diff

import (
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/schema"
)

// nameIndex.find finds exactly the names strings.Contains finds.
func TestNameIndexFindsWhatContainsFinds(t *testing.T) {
	var names []touchName
	add := func(kind schema.PgKind, s, n string) {
		q := schema.QName{Schema: s, Name: n}.String()
		if kind == schema.PgKindSchema {
			q = "SCHEMA " + schema.QuoteIdent(s)
		}
		names = append(names, touchName{schema.PgRef{Kind: kind, Schema: s, Name: n}, q})
	}
	add(schema.PgKindSchema, "public", "")
	add(schema.PgKindSchema, "Sales", "")
	for _, n := range []string{"t1", "t10", "t", `we"ird`, "S", "Sx", `"`, "ü"} {
		add(schema.PgKindTable, "public", n)
		add(schema.PgKindSequence, "Sales", n+"_seq")
	}
	naive := func(text string) []int {
		var out []int
		for i, n := range names {
			if strings.Contains(text, n.quoted) {
				out = append(out, i)
			}
		}
		return out
	}
	idx := newNameIndex(names)
	texts := []string{
		`CREATE TABLE "public"."t10" (id int)`,
		`ALTER TABLE "public"."t1" ADD COLUMN x int DEFAULT nextval('"Sales"."t1_seq"'::regclass)`,
		`COMMENT ON TABLE "public"."t" IS 'a lone " quote, then "public"."we""ird"'`,
		`CREATE SCHEMA "Sales"; DROP SCHEMA "public"`,
		`SELECT 'SSS"public"."S""public"."Sx"' FROM "public".""""`,
		`nothing here`,
		``,
	}
	r := rand.New(rand.NewSource(1))
	pieces := []string{`"`, `.`, `S`, `SCHEMA `, ` `, `'`, `""`}
	for _, n := range names {
		pieces = append(pieces, n.quoted, n.quoted[:len(n.quoted)/2], n.quoted[len(n.quoted)/2:])
	}
	for range 2000 {
		var b strings.Builder
		for range r.Intn(12) {
			b.WriteString(pieces[r.Intn(len(pieces))])
		}
		texts = append(texts, b.String())
	}
	for _, text := range texts {
		got, want := idx.find(text), naive(text)
		if len(got) == 0 && len(want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("find(%q) = %v, strings.Contains finds %v", text, got, want)
		}
	}
}
