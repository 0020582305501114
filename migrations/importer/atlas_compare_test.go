package importer

import (
	"slices"
	"strings"
	"testing"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/sqltool"

	"github.com/schemactl/schemactl/migrations"
)

// TestImportMatchesAtlasReaders reads the same source directories with
// Atlas's own readers for these formats (the ones behind atlas migrate
// import) and checks that the import has the same file names and the same
// statements. The one intended difference: Atlas carries no transaction
// mode, the import marks the files the tool runs outside a transaction;
// and Atlas's dbmate reader takes no statement from a block opened by
// `-- migrate:up transaction:false` (it only knows a bare -- migrate:up),
// where the import keeps them.
func TestImportMatchesAtlasReaders(t *testing.T) {
	for _, tc := range []struct {
		format string
		files  map[string]string
		open   func(string) (migrate.Dir, error)
		noTx   []string
		// atlasLoses are files of which Atlas's reader takes no statement.
		atlasLoses []string
	}{
		{FormatGolangMigrate, map[string]string{
			"1_users.up.sql":   sqlUsers + sqlPosts,
			"1_users.down.sql": "DROP TABLE posts;\nDROP TABLE users;\n",
			"2_func.up.sql":    "-- the function\n" + sqlFunc,
			"3_index.up.sql":   sqlIndex,
		}, func(p string) (migrate.Dir, error) { return sqltool.NewGolangMigrateDir(p) }, []string{"3_index.sql"}, nil},
		{FormatGoose, map[string]string{
			"00001_users.sql": "-- +goose Up\n" + sqlUsers + sqlPosts + "-- +goose StatementBegin\n" + sqlFunc + "-- +goose StatementEnd\n-- +goose Down\nDROP TABLE posts;\n",
			"00002_index.sql": "-- +goose NO TRANSACTION\n-- +goose Up\n" + sqlIndex,
		}, func(p string) (migrate.Dir, error) { return sqltool.NewGooseDir(p) }, []string{"00002_index.sql"}, nil},
		{FormatDBMate, map[string]string{
			"20240101000000_users.sql": "-- migrate:up\n" + sqlUsers + sqlPosts + sqlFunc + "-- migrate:down\nDROP TABLE posts;\n",
			"20240102000000_index.sql": "-- migrate:up transaction:false\n" + sqlIndex,
		}, func(p string) (migrate.Dir, error) { return sqltool.NewDBMateDir(p) }, []string{"20240102000000_index.sql"}, []string{"20240102000000_index.sql"}},
		{FormatFlyway, map[string]string{
			"V1__users.sql": sqlUsers + sqlPosts,
			"V2__func.sql":  sqlFunc,
			"U2__func.sql":  "DROP FUNCTION one();\n",
			"V3__index.sql": sqlIndex,
		}, func(p string) (migrate.Dir, error) { return sqltool.NewFlywayDir(p) }, []string{"3_index.sql"}, nil},
	} {
		t.Run(tc.format, func(t *testing.T) {
			src := writeTree(t, tc.files)
			dst, _ := importTree(t, src, tc.format)
			ad, err := tc.open(src)
			if err != nil {
				t.Fatal(err)
			}
			afs, err := ad.Files()
			if err != nil {
				t.Fatal(err)
			}
			d, err := migrations.Open(dst)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Files) != len(afs) {
				t.Fatalf("%d files, Atlas reads %d", len(d.Files), len(afs))
			}
			for i, af := range afs {
				f := d.Files[i]
				if want := af.Version() + "_" + af.Desc() + ".sql"; f.Name != want {
					t.Errorf("file %d: %s, Atlas names it %s", i, f.Name, want)
				}
				decls, err := af.StmtDecls()
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case slices.Contains(tc.atlasLoses, f.Name):
					if len(decls) != 0 || len(f.Stmts) == 0 {
						t.Errorf("%s: %d statements, Atlas reads %d", f.Name, len(f.Stmts), len(decls))
					}
				case len(decls) != len(f.Stmts):
					t.Errorf("%s: %d statements, Atlas reads %d", f.Name, len(f.Stmts), len(decls))
				default:
					for j, s := range decls {
						if a, g := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s.Text), ";")), strings.TrimSpace(f.Stmts[j].Text); a != g {
							t.Errorf("%s: statement %d is %q, Atlas reads %q", f.Name, j+1, g, a)
						}
					}
				}
				want := migrations.TxModeFile
				for _, n := range tc.noTx {
					if n == f.Name {
						want = migrations.TxModeNone
					}
				}
				if f.TxMode != want {
					t.Errorf("%s: txmode %s, want %s", f.Name, f.TxMode, want)
				}
			}
		})
	}
}
