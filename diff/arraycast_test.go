package diff

import "testing"

func TestStableArrayCasts(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`((e)::text = ANY ((ARRAY['a'::character varying, 'b''c'::character varying])::text[]))`,
			`((e)::text = ANY ((ARRAY['a'::character varying, 'b''c'::character varying]::character varying[])::text[]))`},
		{`(x = ANY ((ARRAY['1'::character varying(3)])::text[])) AND (y = ANY ((ARRAY['q'::bpchar, 'r'::bpchar])::text[]))`,
			`(x = ANY ((ARRAY['1'::character varying(3)]::character varying(3)[])::text[])) AND (y = ANY ((ARRAY['q'::bpchar, 'r'::bpchar]::bpchar[])::text[]))`},
		// Left alone: elements of two types, non-constants, no outer cast, quoted text.
		{`(x = ANY ((ARRAY['a'::character varying, 'b'::text])::text[]))`, `(x = ANY ((ARRAY['a'::character varying, 'b'::text])::text[]))`},
		{`(x = ANY ((ARRAY[y, 'b'::character varying])::text[]))`, `(x = ANY ((ARRAY[y, 'b'::character varying])::text[]))`},
		{`(x = ANY (ARRAY['a'::text, 'b'::text]))`, `(x = ANY (ARRAY['a'::text, 'b'::text]))`},
		{`'(ARRAY[''a''::character varying])::text[]'`, `'(ARRAY[''a''::character varying])::text[]'`},
	} {
		if got := stableArrayCasts(tc.in); got != tc.want {
			t.Errorf("stableArrayCasts(%s)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}
