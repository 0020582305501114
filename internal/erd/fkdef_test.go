package erd

import (
	"reflect"
	"testing"
)

func TestParseForeignKey(t *testing.T) {
	for _, tc := range []struct {
		def           string
		cols, refCols []string
		actions       string
	}{
		{"FOREIGN KEY (customer_id) REFERENCES public.customer(customer_id) ON UPDATE CASCADE ON DELETE RESTRICT",
			[]string{"customer_id"}, []string{"customer_id"}, "ON UPDATE CASCADE ON DELETE RESTRICT"},
		{`FOREIGN KEY (a, "B ""x"", y") REFERENCES "s.(1)"."T"(id, "Z") MATCH FULL`,
			[]string{"a", `B "x", y`}, []string{"id", "Z"}, "MATCH FULL"},
		{"FOREIGN KEY (a) REFERENCES t(b)", []string{"a"}, []string{"b"}, ""},
	} {
		cols, refCols, err := parseForeignKey(tc.def)
		if err != nil || !reflect.DeepEqual(cols, tc.cols) || !reflect.DeepEqual(refCols, tc.refCols) {
			t.Errorf("%s: %q %q %v", tc.def, cols, refCols, err)
		}
		if got := fkActions(tc.def); got != tc.actions {
			t.Errorf("%s: actions %q", tc.def, got)
		}
	}
	for _, bad := range []string{"CHECK (a > 0)", "FOREIGN KEY (a REFERENCES t(b)", "FOREIGN KEY (a, b) REFERENCES t(c)", `FOREIGN KEY ("a) REFERENCES t(b)`, "FOREIGN KEY () REFERENCES t(b)"} {
		if _, _, err := parseForeignKey(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestMermaidWords(t *testing.T) {
	for in, want := range map[string]string{
		"timestamp with time zone":       "timestamptz",
		"timestamp(3) without time zone": "timestamp(3)",
		"time with time zone[]":          "timetz[]",
		"character varying(20)":          "varchar(20)",
		"double precision":               "float8",
		"numeric(10,2)":                  "numeric(10,2)",
		"other.my type":                  "other.my_type",
	} {
		if got := mermaidType(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
	if got := mermaidWord("1st col"); got != "_1st_col" {
		t.Errorf("1st col: %q", got)
	}
}
