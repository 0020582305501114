package migrations

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyDir copies the regular files of src into a new temporary directory.
func copyDir(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// TestSumGolden pins the bytes of atlas.sum for a small directory. The
// expected value was computed outside Go (Python's hashlib) from Atlas's
// algorithm as read in ariga.io/atlas/sql/migrate (NewHashFile, Sum,
// MarshalText):
//
//   - files are taken in file-name order;
//   - ONE running SHA-256 is fed, for each file, its name and then its
//     content; the file's entry is base64(std, padded) of the running
//     digest after its content (the state is not reset between files);
//   - a file whose first line holds `atlas:sum ignore` feeds only its name
//     and gets no entry;
//   - the first line is "h1:" + base64(SHA-256 of name1 + hash1 + name2 +
//     hash2 ...) over the entries, where hashN is the base64 text;
//   - then one line per entry: "<name> h1:<hash>\n".
//
// In Python: h = sha256(); for n, c in files: h.update(n); if not ignored:
// h.update(c); entries.append((n, b64(h.copy().digest()))).
func TestSumGolden(t *testing.T) {
	dir := writeDir(t, map[string]string{
		"1_init.sql":    "CREATE TABLE t (a int);\n",
		"2_ignored.sql": "-- atlas:sum ignore\nSELECT 1;\n",
		"3_more.sql":    "ALTER TABLE t ADD b int;\n",
	})
	const want = "h1:R0jfo7yGc/3ntph2Rf4fPEK//W/5SBYjjDmLuUQf2+s=\n" +
		"1_init.sql h1:bYLvnQk6xNJHWmBeahc4vR1PaNZIWEcIBqxZsVF+9i0=\n" +
		"3_more.sql h1:vIEwuPoihItM8osIcauwrtCZ2ZoO3U9DAl5RW0nCCc8=\n"
	got, err := Hash(dir)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("atlas.sum:\n%s\nwant:\n%s", got, want)
	}
	if err := WriteSum(dir); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, SumFileName))
	if string(b) != want {
		t.Fatalf("written atlas.sum:\n%s", b)
	}
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Files[1].SumIgnore || d.Files[0].SumIgnore {
		t.Fatalf("SumIgnore: %v %v", d.Files[0].SumIgnore, d.Files[1].SumIgnore)
	}
	// An ignored file may change without breaking the sum.
	os.WriteFile(filepath.Join(dir, "2_ignored.sql"), []byte("-- atlas:sum ignore\nSELECT 2;\n"), 0o644)
	if err := Verify(dir); err != nil {
		t.Fatalf("edit of an ignored file: %v", err)
	}
}

// TestAtlasFormatDir reads a directory written in Atlas's format (file
// names, comments and directives as `atlas migrate diff` writes them, and
// the atlas.sum Atlas computes): its sum matches byte for byte.
func TestAtlasFormatDir(t *testing.T) {
	want, err := os.ReadFile("testdata/atlas/atlas.sum")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Hash("testdata/atlas")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("atlas.sum differs:\n%s\nwant:\n%s", got, want)
	}
	d, err := Open("testdata/atlas")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(d.Files); n != 3 {
		t.Fatalf("%d files", n)
	}
	if ws := d.Warnings(); len(ws) != 0 {
		t.Fatalf("warnings for a file Atlas wrote: %v", ws)
	}
	if m := d.Files[2].TxMode; m != TxModeNone {
		t.Fatalf("txmode %q", m)
	}
	if f := d.Files[1]; f.Version != "20250101100500" || f.Desc != "add_status" || len(f.Stmts) != 5 {
		t.Fatalf("file %s: version %q desc %q, %d statements", f.Name, f.Version, f.Desc, len(f.Stmts))
	}
}

func TestIntegrity(t *testing.T) {
	base := map[string]string{
		"1_a.sql": "CREATE TABLE a (x int);\n",
		"2_b.sql": "CREATE TABLE b (x int);\n",
		"3_c.sql": "CREATE TABLE c (x int);\n",
	}
	fix := "; if this is intended, run: schemactl migrate hash --dir file://"
	cases := []struct {
		name   string
		change func(dir string)
		file   string
		reason string
	}{
		{"edited", func(dir string) {
			os.WriteFile(filepath.Join(dir, "2_b.sql"), []byte("CREATE TABLE b (y int);\n"), 0o644)
		}, "2_b.sql", "edited"},
		{"added in the middle", func(dir string) { os.WriteFile(filepath.Join(dir, "2a_x.sql"), []byte("SELECT 1;\n"), 0o644) }, "2a_x.sql", "added"},
		{"added at the end", func(dir string) { os.WriteFile(filepath.Join(dir, "4_d.sql"), []byte("SELECT 1;\n"), 0o644) }, "4_d.sql", "added"},
		{"removed", func(dir string) { os.Remove(filepath.Join(dir, "3_c.sql")) }, "3_c.sql", "removed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeDir(t, base)
			if err := WriteSum(dir); err != nil {
				t.Fatal(err)
			}
			if _, err := Open(dir); err != nil {
				t.Fatalf("fresh sum: %v", err)
			}
			tc.change(dir)
			_, err := Open(dir)
			want := filepath.Join(dir, tc.file) + ": " + tc.reason + " since atlas.sum was written (migration files must not change once applied)" + fix + dir
			if err == nil || err.Error() != want {
				t.Fatalf("got  %v\nwant %s", err, want)
			}
			var ie *IntegrityError
			if !errors.As(err, &ie) || ie.Reason != tc.reason || ie.File != tc.file {
				t.Fatalf("error %#v", err)
			}
			if _, err := NewFile(dir, "next", nil, timeAt("20300101000000")); err == nil || err.Error() != want {
				t.Fatalf("migrate new on a changed directory: %v", err)
			}
			if err := WriteSum(dir); err != nil {
				t.Fatal(err)
			}
			if _, err := Open(dir); err != nil {
				t.Fatalf("after hash: %v", err)
			}
		})
	}
}

func TestIntegritySumFile(t *testing.T) {
	dir := writeDir(t, map[string]string{"1_a.sql": "SELECT 1;\n", "2_b.sql": "SELECT 2;\n"})
	_, err := Open(dir)
	want := filepath.Join(dir, "atlas.sum") + ": missing, but the directory has 2 .sql files; to create it, run: schemactl migrate hash --dir file://" + dir
	if err == nil || err.Error() != want {
		t.Fatalf("missing sum: %v", err)
	}
	if err := WriteSum(dir); err != nil {
		t.Fatal(err)
	}
	sum := filepath.Join(dir, SumFileName)
	b, _ := os.ReadFile(sum)
	os.WriteFile(sum, []byte(strings.Replace(string(b), "2_b.sql", "2_c.sql", 1)), 0o644)
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "atlas.sum: its first line does not match the lines below it") {
		t.Fatalf("damaged sum: %v", err)
	}
	os.WriteFile(sum, append(b, "<<<<<<< HEAD\n"...), 0o644)
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "atlas.sum: a line is not <file> h1:<hash>") {
		t.Fatalf("conflicted sum: %v", err)
	}
	empty := t.TempDir()
	if d, err := Open(empty); err != nil || len(d.Files) != 0 {
		t.Fatalf("empty directory: %v", err)
	}
	if _, err := Open(filepath.Join(empty, "nope")); err == nil || !strings.Contains(err.Error(), "no such file or directory") {
		t.Fatalf("missing directory: %v", err)
	}
}

func TestVersionOrder(t *testing.T) {
	for _, tc := range []struct {
		files map[string]string
		want  string
	}{
		{map[string]string{"1_a.sql": "", "1_b.sql": ""}, "1_b.sql: version 1 is also the version of 1_a.sql; each file needs its own version"},
		{map[string]string{"1_a.sql": "", "10_b.sql": ""}, "1_a.sql: its name sorts after 10_b.sql but its version 1 is lower than 10"},
		{map[string]string{"_a.sql": ""}, "_a.sql: a migration file name must be <version>_<description>.sql"},
		{map[string]string{"1_a.down.sql": "", "1_a.up.sql": ""}, "1_a.up.sql: version 1 is also the version of 1_a.down.sql: this looks like a golang-migrate directory"},
	} {
		dir := writeDir(t, tc.files)
		if err := WriteSum(dir); err != nil {
			t.Fatal(err)
		}
		_, err := Open(dir)
		if err == nil || !strings.HasPrefix(err.Error(), filepath.Join(dir, tc.want)) {
			t.Errorf("got %v, want %s", err, tc.want)
		}
	}
}

func TestDirFromURL(t *testing.T) {
	for in, want := range map[string]string{
		"file://migrations":              "migrations",
		"file:///abs/dir":                "/abs/dir",
		"file://a/b?format=atlas":        "a/b",
		"plain/path":                     "plain/path",
		"file://x?format=golang-migrate": "error",
		"atlas://name":                   "error",
	} {
		got, err := DirFromURL(in)
		if err != nil {
			got = "error"
		}
		if got != want {
			t.Errorf("DirFromURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
