package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportRefuses checks that what cannot be carried is an error naming
// the file (and the line where there is one), and that nothing is written.
func TestImportRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, format string
		files        map[string]string
		want         []string
	}{
		{"goose go migration", FormatGoose, map[string]string{
			"00001_users.sql":    "-- +goose Up\n" + sqlUsers,
			"00002_backfill.go":  "package migrations\n",
			"migrations_test.go": "package migrations\n",
		}, []string{"00002_backfill.go", "Go migration"}},
		{"goose without up", FormatGoose, map[string]string{"1_x.sql": sqlUsers}, []string{"1_x.sql", "no -- +goose Up"}},
		{"goose envsub", FormatGoose, map[string]string{"1_x.sql": "-- +goose ENVSUB ON\n-- +goose Up\nCREATE ROLE ${ROLE};\n"}, []string{"1_x.sql:1", "ENVSUB"}},
		{"goose unclosed block", FormatGoose, map[string]string{"1_x.sql": "-- +goose Up\n-- +goose StatementBegin\n" + sqlFunc}, []string{"1_x.sql", "without StatementEnd"}},
		{"popx fizz", FormatPopx, map[string]string{
			"1_users.postgres.up.sql": sqlUsers,
			"2_posts.up.fizz":         "create_table(\"posts\") {}\n",
		}, []string{"2_posts.up.fizz", "fizz"}},
		{"popx template", FormatPopx, map[string]string{"1_users.up.sql": "CREATE TABLE {{ identifier .Parameters.t }} (id int);\n"}, []string{"1_users.up.sql:1", "template"}},
		{"popx bad name", FormatPopx, map[string]string{"1_users.sql": sqlUsers}, []string{"1_users.sql", "not a popx migration name"}},
		{"flyway placeholder", FormatFlyway, map[string]string{
			"V1__users.sql": sqlUsers,
			"V2__role.sql":  "-- grant\nGRANT SELECT ON users TO ${app_role};\n",
		}, []string{"V2__role.sql:2:26", "${app_role}"}},
		{"flyway java", FormatFlyway, map[string]string{"V1__users.sql": sqlUsers, "db/V2__Backfill.java": "class V2__Backfill {}\n"}, []string{"V2__Backfill.java", "java migration"}},
		{"flyway callback", FormatFlyway, map[string]string{"V1__users.sql": sqlUsers, "afterMigrate.sql": "ANALYZE;\n"}, []string{"afterMigrate.sql", "callback"}},
		{"flyway duplicate", FormatFlyway, map[string]string{"V1__users.sql": sqlUsers, "V1.0__again.sql": sqlUsers}, []string{"V1__users.sql", "V1.0__again.sql", "version 1"}},
		{"flyway conf", FormatFlyway, map[string]string{"V1__users.sql": sqlUsers, "V1__users.sql.conf": "mixed=true\n"}, []string{"V1__users.sql.conf:1", "mixed"}},
		{"dbmate without up", FormatDBMate, map[string]string{"1_x.sql": sqlUsers}, []string{"1_x.sql:1", "before -- migrate:up"}},
		{"diesel without up.sql", FormatDiesel, map[string]string{"2024-01-01-000000_x/down.sql": "SELECT 1;\n"}, []string{"2024-01-01-000000_x", "up.sql"}},
		{"diesel metadata", FormatDiesel, map[string]string{"1_x/up.sql": sqlUsers, "1_x/metadata.toml": "foo = 1\n"}, []string{"metadata.toml:1", "run_in_transaction"}},
		{"sqitch mid transaction", FormatSqitch, map[string]string{
			"sqitch.plan":  "%project=p\nx 2024-01-01T00:00:00Z A <a@b> # x\n",
			"deploy/x.sql": "BEGIN;\n" + sqlUsers + "COMMIT;\nBEGIN;\n" + sqlPosts + "COMMIT;\n",
		}, []string{"deploy/x.sql:3:1", "COMMIT"}},
		{"sqitch missing script", FormatSqitch, map[string]string{"sqitch.plan": "%project=p\n\nx 2024-01-01T00:00:00Z A <a@b> # x\n"}, []string{"sqitch.plan:3", "deploy/x.sql"}},
		{"sqitch psql command", FormatSqitch, map[string]string{
			"sqitch.plan":  "x 2024-01-01T00:00:00Z A <a@b> # x\n",
			"deploy/x.sql": "\\set ON_ERROR_STOP 1\n" + sqlUsers,
		}, []string{"deploy/x.sql", "meta-command"}},
		{"golang-migrate duplicate", FormatGolangMigrate, map[string]string{"1_a.up.sql": sqlUsers, "01_b.up.sql": sqlPosts}, []string{"1_a.up.sql", "version 1"}},
		{"unknown format", "liquibase", map[string]string{"x.sql": sqlUsers}, []string{"unknown source format", "liquibase"}},
		{"empty", FormatGoose, map[string]string{"README": "x"}, []string{"no goose migration"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := writeTree(t, tc.files)
			dst := filepath.Join(t.TempDir(), "out")
			_, err := Import(src, tc.format, dst)
			if err == nil {
				t.Fatal("import succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if _, err := os.Stat(dst); !os.IsNotExist(err) {
				t.Errorf("target directory was created: %v", err)
			}
		})
	}
}

// TestImportTargetMustBeEmpty checks that an import never writes into a
// directory holding migration files or an atlas.sum, and that other files
// do not count.
func TestImportTargetMustBeEmpty(t *testing.T) {
	src := writeTree(t, map[string]string{"1_users.up.sql": sqlUsers})
	for _, existing := range []string{"20240101000000_old.sql", "atlas.sum"} {
		dst := writeTree(t, map[string]string{existing: "-- old\n"})
		_, err := Import(src, FormatGolangMigrate, dst)
		if err == nil || !strings.Contains(err.Error(), existing) || !strings.Contains(err.Error(), "empty directory") {
			t.Errorf("with %s: error %v", existing, err)
		}
		if got := readTree(t, dst); len(got) > 1 || (existing != "atlas.sum" && got[existing] != "-- old\n") {
			t.Errorf("with %s: target changed: %v", existing, got)
		}
	}
	dst := writeTree(t, map[string]string{"atlas.hcl": "env {}\n"})
	if _, err := Import(src, FormatGolangMigrate, dst); err != nil {
		t.Fatalf("a directory with only atlas.hcl: %v", err)
	}
	sameTree(t, readTree(t, dst), map[string]string{"atlas.hcl": "env {}\n", "1_users.sql": sqlUsers})
}

func TestParseURL(t *testing.T) {
	for in, want := range map[string][2]string{
		"file://db/migrations?format=golang-migrate": {"db/migrations", "golang-migrate"},
		"file:///abs/dir?format=goose":               {"/abs/dir", "goose"},
		"file://migrations":                          {"migrations", ""},
		"plain/path":                                 {"plain/path", ""},
	} {
		p, f, err := ParseURL(in)
		if err != nil || p != want[0] || f != want[1] {
			t.Errorf("ParseURL(%q) = %q, %q, %v; want %q, %q", in, p, f, err, want[0], want[1])
		}
	}
	if _, _, err := ParseURL("mysql://x"); err == nil {
		t.Error("mysql:// accepted")
	}
}
