package pgquote

import "testing"

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{`a`: `"a"`, `we"ird`: `"we""ird"`, ``: `""`} {
		if got := Ident(in); got != want {
			t.Errorf("Ident(%q) = %s, want %s", in, got, want)
		}
	}
	for in, want := range map[string]string{`it's`: `'it''s'`, `a\b`: `E'a\\b'`, `'\`: `E'''\\'`} {
		if got := Literal(in); got != want {
			t.Errorf("Literal(%q) = %s, want %s", in, got, want)
		}
	}
}
