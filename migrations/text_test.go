package migrations

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/internal/srcpos"
)

// A file that is not UTF-8 text is refused by every way of reading a
// directory, with its position and byte offset, and atlas.sum is left as
// it was.
func TestNonTextFileRefused(t *testing.T) {
	for name, content := range map[string]string{
		"latin1": "CREATE TABLE b (x text);\nSELECT 'caf\xe9';\n",
		"nul":    "CREATE TABLE b (x text);\nSELECT 1;\x00\x00\n",
		"utf16":  "\xff\xfeC\x00R\x00",
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeDir(t, map[string]string{"1_a.sql": "CREATE TABLE a (id int);\n"})
			if err := WriteSum(dir); err != nil {
				t.Fatal(err)
			}
			sum, _ := os.ReadFile(filepath.Join(dir, SumFileName))
			if err := os.WriteFile(filepath.Join(dir, "2_b.sql"), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			for op, f := range map[string]func() error{
				"WriteSum": func() error { return WriteSum(dir) },
				"Verify":   func() error { return Verify(dir) },
				"Open":     func() error { _, err := Open(dir); return err },
				"ParseFile": func() error {
					_, err := ParseFile(filepath.Join(dir, "2_b.sql"), []byte(content))
					return err
				},
			} {
				err := f()
				var se *srcpos.Error
				if !errors.As(err, &se) || se.File != filepath.Join(dir, "2_b.sql") || se.Offset < 0 {
					t.Fatalf("%s: got %v", op, err)
				}
				if !strings.Contains(err.Error(), "byte offset") || hasAnyByte(err.Error(), 0x00, 0xe9, 0xff, 0xfe) || strings.ContainsRune(err.Error(), 0xfffd) {
					t.Fatalf("%s: message %q", op, err)
				}
			}
			if after, _ := os.ReadFile(filepath.Join(dir, SumFileName)); string(after) != string(sum) {
				t.Fatalf("atlas.sum changed:\n%s", after)
			}
		})
	}
}

// hasAnyByte tells whether s holds one of the bytes b (byte-wise, unlike
// strings.ContainsAny, which reads its set as runes).
func hasAnyByte(s string, b ...byte) bool {
	for _, c := range b {
		if strings.IndexByte(s, c) >= 0 {
			return true
		}
	}
	return false
}
