package importer

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/internal/corpus"
	"github.com/schemactl/schemactl/migrations"
)

// TestImportKratosPopx rebuilds the kratos history in its upstream popx
// layout from the corpus (each file as <version>_<name>.postgres.up.sql or
// dialect-neutral <version>_<name>.up.sql, the ten files that run outside
// a transaction as .autocommit files, plus files for other dialects and
// down files), imports it, and compares with the corpus directory.
func TestImportKratosPopx(t *testing.T) {
	dir := corpus.Require(t, "kratos", "migrations")
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	want := map[string]string{}
	put := func(name, content string) {
		if err := os.WriteFile(filepath.Join(src, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	directive := "-- atlas:txmode none\n"
	autocommit := 0
	for i, e := range es {
		n := e.Name()
		if !strings.HasSuffix(n, ".sql") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		base := strings.TrimSuffix(n, ".sql")
		body := string(b)
		suffix := ".up.sql"
		if rest, ok := strings.CutPrefix(body, directive); ok {
			// popx runs .autocommit files outside a transaction; Atlas reads
			// the directive only when a blank line follows it.
			body, suffix = rest, ".autocommit.up.sql"
			want[n] = NoTxHeader + strings.TrimLeft(rest, "\n")
			autocommit++
		} else {
			want[n] = body
		}
		// Most files are PostgreSQL's own, some dialect-neutral.
		dialect := ".postgres"
		if i%3 == 0 {
			dialect = ""
		} else {
			// A dialect-neutral file that the PostgreSQL one overrides.
			put(base+suffix, "SELECT 'not for postgres';\n")
		}
		put(base+dialect+suffix, body)
		put(base+".mysql"+suffix, "SELECT 'mysql';\n")
		if i%2 == 0 {
			put(base+".sqlite3.up.sql", "SELECT 'sqlite';\n")
		}
		put(base+dialect+".down.sql", "-- down\n")
	}
	if autocommit != 10 {
		t.Fatalf("the corpus has %d files marked atlas:txmode none, want 10", autocommit)
	}
	// A version for another dialect only, and a fizz file.
	put("20150100000002000000_mysql_only.mysql.up.sql", "SELECT 1;\n")
	put("20150100000002000000_mysql_only.mysql.down.sql", "SELECT 1;\n")

	dst, rep := importTree(t, src, FormatPopx)
	got := readTree(t, dst)
	if len(got) != len(want) {
		t.Errorf("imported %d files, the corpus has %d", len(got), len(want))
	}
	sameTree(t, got, want)
	if rep.NoTx != 10 || rep.Padded {
		t.Errorf("report: notx %d, padded %v", rep.NoTx, rep.Padded)
	}
	// The imported directory opens with no warning, where the corpus's
	// directives (no blank line after them) draw one each from schemactl.
	d, err := migrations.Open(dst)
	if err != nil {
		t.Fatal(err)
	}
	if ws := d.Warnings(); len(ws) != 0 {
		t.Errorf("warnings: %v", ws)
	}
	none := 0
	for _, f := range d.Files {
		if f.TxMode == migrations.TxModeNone {
			none++
		}
	}
	if none != 10 {
		t.Errorf("%d files run outside a transaction, want 10", none)
	}
	if err := migrations.ValidateDir(context.Background(), devdb.ProviderForTest(t), d); err != nil {
		t.Errorf("validate the imported history: %v", err)
	}
	// Every other file is byte for byte the corpus file.
	same := 0
	for n, w := range want {
		if b, _ := os.ReadFile(filepath.Join(dir, n)); bytes.Equal(b, []byte(w)) {
			same++
		}
	}
	if same != len(want)-10 {
		t.Errorf("%d files equal the corpus, want %d", same, len(want)-10)
	}
	t.Logf("%d files imported, %d outside a transaction, %d source files skipped", len(got), rep.NoTx, len(rep.Skipped))
}
