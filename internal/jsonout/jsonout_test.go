package jsonout

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// encoderOutput is what encoding/json's Encoder writes for v with the
// indentation.
func encoderOutput(t testing.TB, v any, indent string) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestEncodeMatchesEncoder(t *testing.T) {
	type inner struct {
		A []int
		B map[string]any
		C *inner
		D string `json:"d,omitempty"`
	}
	for _, v := range []any{
		nil, 1, "x", []int{}, map[string]int{}, []any{[]any{}, map[string]any{}},
		"a \"quoted\" {string} [with], punctuation: and \\ backslash\\",
		"<html> & unicode \u2028 é \x01",
		map[string]any{"k:1": []any{1, "2", nil, true, 1.5e300}, "": map[string]any{"x": []any{}}},
		inner{A: []int{1, 2}, B: map[string]any{"n": nil, "s": "}]"}, C: &inner{D: "d"}},
		[]inner{{}, {A: []int{}}},
	} {
		for _, indent := range []string{"  ", "\t", ""} {
			var b bytes.Buffer
			if err := Encode(&b, v, indent); err != nil {
				t.Fatal(err)
			}
			if want := encoderOutput(t, v, indent); b.String() != want {
				t.Errorf("Encode(%#v, %q):\n%s\nwant:\n%s", v, indent, b.String(), want)
			}
		}
	}
}

// FuzzIndent: for any JSON document, the indentation equals json.Indent's.
func FuzzIndent(f *testing.F) {
	for _, s := range []string{`{"a":[1,{"b":"c\"}"}],"d":{}}`, `[]`, `"x"`, `[[],[{}],"\\"]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var v any
		if json.Unmarshal([]byte(s), &v) != nil {
			return
		}
		compact, err := json.Marshal(v)
		if err != nil {
			return
		}
		var want bytes.Buffer
		if err := json.Indent(&want, compact, "", "  "); err != nil {
			t.Fatal(err)
		}
		if got := indentString(compact, "  "); got != want.String() {
			t.Fatalf("indent of %s:\n%s\nwant:\n%s", compact, got, want.String())
		}
	})
}

// indentString is indentTo, as a string.
func indentString(src []byte, indent string) string {
	var b strings.Builder
	w := bufio.NewWriter(&b)
	indentTo(w, src, indent)
	w.Flush()
	return b.String()
}
