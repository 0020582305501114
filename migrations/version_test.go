package migrations

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func timeAt(v string) time.Time {
	t, err := time.Parse(VersionFormat, v)
	if err != nil {
		panic(err)
	}
	return t
}

func TestNextVersion(t *testing.T) {
	now := timeAt("20250601120000")
	for _, tc := range []struct {
		existing []string
		want     string
	}{
		{nil, "20250601120000"},
		{[]string{"20250101000000"}, "20250601120000"},
		{[]string{"20250601120000"}, "20250601120001"},                   // same second
		{[]string{"20250601115959", "20250601120005"}, "20250601120006"}, // clock behind
		{[]string{"20241031094100000002"}, "20250601120000"},             // kratos-style long versions
		{[]string{"20250601120000000001"}, "20250601120000000002"},       // now is a prefix of the newest
		{[]string{"1", "2", "98"}, "99"},                                 // small numbers sort after the time
		{[]string{"30000000000000"}, "30000000000001"},                   // a timestamp in the future
	} {
		got, err := NextVersion(tc.existing, now)
		if err != nil || got != tc.want {
			t.Errorf("NextVersion(%v) = %q, %v; want %q", tc.existing, got, err, tc.want)
		}
	}
	if _, err := NextVersion([]string{"1", "99"}, now); err == nil {
		t.Errorf("no version fits after all nines, but no error")
	}
}

func TestNewFile(t *testing.T) {
	dir := t.TempDir()
	now := timeAt("20250601120000")
	var paths []string
	for i := 0; i < 3; i++ { // three files within one second
		p, err := NewFile(dir, "add_users", nil, now)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, filepath.Base(p))
	}
	want := []string{"20250601120000_add_users.sql", "20250601120001_add_users.sql", "20250601120002_add_users.sql"}
	if strings.Join(paths, " ") != strings.Join(want, " ") {
		t.Fatalf("files %v, want %v", paths, want)
	}
	p, err := NewFile(dir, "", nil, now)
	if err != nil || filepath.Base(p) != "20250601120003.sql" {
		t.Fatalf("unnamed: %v %v", p, err)
	}
	if b, _ := os.ReadFile(p); len(b) != 0 {
		t.Fatalf("new file is not empty: %q", b)
	}
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Files) != 4 {
		t.Fatalf("%d files", len(d.Files))
	}
	if _, err := NewFile(dir, "../evil", nil, now); err == nil {
		t.Fatal("a name with a path separator was accepted")
	}
}
