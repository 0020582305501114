package pin

import (
	"strings"
	"testing"
)

// FuzzPin checks Find and Set on any file: no panic; a value found is
// replaced by the new one with every byte outside it kept, and is found
// again at the same key.
func FuzzPin(f *testing.F) {
	for _, s := range []struct{ name, src, key string }{
		{"t.yaml", cfnTemplate, "Resources.DBSchemaMigration.Properties.MigrationHash"},
		{"t.yaml", "a: 'x''y'\nb: \"q\\\"\"\n", "a"},
		{"t.yaml", "- a: [1, 2]\n- b: {c: d}\n", "1.b.c"},
		{"t.json", jsonTemplate, "Resources.DBSchemaMigration.Properties.MigrationHash"},
		{"t.json", `{"a": ["x", {"b": "\u00e9"}]}`, "a.1.b"},
		{"t.toml", tomlFile, "deploy.db.inline.hash"},
		{"t.toml", "a.b = 'c'\n[x]\ny = \"z\"\n", "x.y"},
		{".env", "K=V\n", ""},
	} {
		f.Add(s.name, []byte(s.src), s.key)
	}
	f.Fuzz(func(t *testing.T, name string, src []byte, key string) {
		pattern := ""
		if key == "" {
			pattern = "K=(.*)"
		}
		v, err := Find(name, src, key, pattern)
		if err != nil {
			if !strings.HasPrefix(err.Error(), name+":") {
				t.Fatalf("error %q does not start with the file name", err)
			}
			return
		}
		if v.Start < 0 || v.End < v.Start || v.End > len(src) {
			t.Fatalf("span %d..%d of %d bytes", v.Start, v.End, len(src))
		}
		const value = "h1:AbC+/0="
		out, err := Set(src, v, value)
		if err != nil {
			return
		}
		if string(out[:v.Start]) != string(src[:v.Start]) || string(out[len(out)-(len(src)-v.End):]) != string(src[v.End:]) {
			t.Fatalf("bytes outside the value changed:\n%q\n%q", src, out)
		}
		again, err := Find(name, out, key, pattern)
		if err != nil {
			t.Fatalf("after Set: %v\n%q", err, out)
		}
		if again.Found != value {
			t.Fatalf("after Set: found %q\n%q", again.Found, out)
		}
	})
}
