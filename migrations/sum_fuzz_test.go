package migrations

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"ariga.io/atlas/sql/migrate"

	"github.com/schemactl/schemactl/internal/srcpos"
)

// FuzzSumFile checks the atlas.sum reader on any sum file and any
// migration file: Verify never panics and fails only with an
// IntegrityError (or the text check's error for a file that is not
// text); when it accepts a sum, that sum says what the files hash to.
// And the write/read round trip: after WriteSum, Verify accepts the
// directory, and atlas.sum reads back to the same bytes.
func FuzzSumFile(f *testing.F) {
	good := "h1:vnjepTRgNyxUIqLQW5AERyOdkApBX8Oww4FcIJoejAs=\n1_a.sql h1:vnjepTRgNyxUIqLQW5AERyOdkApBX8Oww4FcIJoejAs=\n"
	for _, s := range [][2]string{
		{good, "CREATE TABLE a (id int);\n"},
		{"", "SELECT 1;"},
		{"h1:\n", ""},
		{"h1:x=\n1_a.sql\n", "-- atlas:sum ignore\nSELECT 1;"},
		{"<<<<<<< HEAD\n" + good + "=======\n>>>>>>> b\n", "SELECT 1;"},
		{"h1:abc\n1_a.sql h1:abc\n2_b.sql h1:def\n", "SELECT 1;"},
		{"1_a.sql h1:abc\n", "SELECT '\xe9';"},
	} {
		f.Add([]byte(s[0]), []byte(s[1]))
	}
	if b, err := os.ReadFile(filepath.Join("testdata", "atlas", SumFileName)); err == nil {
		f.Add(b, []byte("CREATE TABLE a (id int);\n"))
	}
	f.Fuzz(func(t *testing.T, sum, content []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "1_a.sql"), content, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, SumFileName), sum, 0o644); err != nil {
			t.Fatal(err)
		}
		text := srcpos.CheckText("x", content) == nil
		err := Verify(dir)
		var ie *IntegrityError
		var se *srcpos.Error
		switch {
		case err == nil && !text:
			t.Fatal("a file that is not text was accepted")
		case err == nil:
			want, herr := Hash(dir)
			if herr != nil {
				t.Fatal(herr)
			}
			var got, exp migrate.HashFile
			if uerr := got.UnmarshalText(sum); uerr != nil {
				t.Fatalf("accepted a sum that does not read: %v", uerr)
			}
			if uerr := exp.UnmarshalText(want); uerr != nil {
				t.Fatal(uerr)
			}
			if got.Sum() != exp.Sum() || len(got) != len(exp) {
				t.Fatalf("accepted sum %q, the files hash to %q", sum, want)
			}
		case errors.As(err, &se):
			if text {
				t.Fatalf("text refused: %v", err)
			}
			return
		case !errors.As(err, &ie):
			t.Fatalf("error of type %T: %v", err, err)
		}
		// Round trip.
		if err := WriteSum(dir); err != nil {
			t.Fatal(err)
		}
		if err := Verify(dir); err != nil {
			t.Fatalf("after WriteSum: %v", err)
		}
		written, err := os.ReadFile(filepath.Join(dir, SumFileName))
		if err != nil {
			t.Fatal(err)
		}
		var hf migrate.HashFile
		if err := hf.UnmarshalText(written); err != nil {
			t.Fatalf("written sum does not read: %v", err)
		}
		again, err := hf.MarshalText()
		if err != nil || !bytes.Equal(again, written) {
			t.Fatalf("sum %q reads back as %q (%v)", written, again, err)
		}
	})
}
