package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ariga.io/atlas/sql/migrate"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/migrations"
)

// TestMigrateDiffDown: --down writes the revert beside the new file in the
// down/ subdirectory, which neither Atlas's directory reader nor atlas.sum
// sees; the down file run on the new state gives the old state back.
func TestMigrateDiffDown(t *testing.T) {
	dir := writeTemp(t, map[string]string{
		"migrations/1_init.sql": "CREATE TABLE users (id int PRIMARY KEY, name text);\n",
		"schema.sql": "CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL, email text);\n" +
			"CREATE INDEX users_email_idx ON users (email);\n" +
			"CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users (id));\n",
	})
	mdir := filepath.Join(dir, "migrations")
	if err := migrations.WriteSum(mdir); err != nil {
		t.Fatal(err)
	}
	dev := devdb.ForTest(t)
	code, out, stderr := runCLI(t, "migrate", "diff", "add_orders", "--down", "--dir", "file://"+mdir, "--to", "file://"+filepath.Join(dir, "schema.sql"), "--dev-url", dev)
	if code != 0 {
		t.Fatalf("diff --down: %d %s", code, stderr)
	}
	lines := strings.Fields(out)
	if len(lines) != 2 || filepath.Dir(lines[1]) != filepath.Join(mdir, "down") || filepath.Base(lines[1]) != strings.TrimSuffix(filepath.Base(lines[0]), ".sql")+".down.sql" {
		t.Fatalf("output %q", out)
	}
	downSQL, err := os.ReadFile(lines[1])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`DROP TABLE "public"."orders";`, `DROP COLUMN "email"`, `ALTER COLUMN "name" DROP NOT NULL`} {
		if !strings.Contains(string(downSQL), want) {
			t.Fatalf("down file lacks %q:\n%s", want, downSQL)
		}
	}
	// Atlas's reader and atlas.sum see the two migration files only.
	local, err := migrate.NewLocalDir(mdir)
	if err != nil {
		t.Fatal(err)
	}
	files, err := local.Files()
	if err != nil || len(files) != 2 {
		t.Fatalf("Atlas reads %d files (%v)", len(files), err)
	}
	if err := migrate.Validate(local); err != nil {
		t.Fatalf("Atlas's atlas.sum check: %v", err)
	}
	sum, _ := os.ReadFile(filepath.Join(mdir, migrations.SumFileName))
	if strings.Contains(string(sum), "down") {
		t.Fatalf("atlas.sum lists the down file:\n%s", sum)
	}
	d, err := migrations.Open(mdir)
	if err != nil || len(d.Files) != 2 {
		t.Fatalf("schemactl reads %v: %v", d, err)
	}
	if code, _, stderr := runCLI(t, "check", "--dir", "file://"+mdir, "--to", "file://"+filepath.Join(dir, "schema.sql"), "--dev-url", dev); code != 0 {
		t.Fatalf("check: %s", stderr)
	}

	// The down file run on the new state gives the old one.
	target := devdb.ForTest(t)
	if err := migrations.Replay(context.Background(), target, d.Files...); err != nil {
		t.Fatal(err)
	}
	f, err := migrations.ParseFile(lines[1], downSQL)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrations.Replay(context.Background(), target, f); err != nil {
		t.Fatal(err)
	}
	assertSameDump(t, "down file", schemaDump(t, pgBinDir(t), target), replayDump(t, d, 1))
}
