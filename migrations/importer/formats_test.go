package importer

import (
	"path/filepath"
	"strings"
	"testing"
)

// The SQL the tests share: a table, a function whose body holds
// semicolons, and an index that only runs outside a transaction.
const (
	sqlUsers = "CREATE TABLE users (id int PRIMARY KEY, email text);\n"
	sqlFunc  = "CREATE FUNCTION one() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$;\n"
	sqlPosts = "CREATE TABLE posts (id int PRIMARY KEY, user_id int REFERENCES users);\n"
	sqlIndex = "CREATE INDEX CONCURRENTLY posts_user_idx ON posts (user_id);\n"
	noTx     = "-- atlas:txmode none\n\n"
)

func TestImportGolangMigrate(t *testing.T) {
	src := writeTree(t, map[string]string{
		"1_users.up.sql":    sqlUsers,
		"1_users.down.sql":  "DROP TABLE users;\n",
		"2_posts.up.sql":    sqlPosts + sqlFunc,
		"2_posts.down.sql":  "DROP FUNCTION one();\nDROP TABLE posts;\n",
		"10_index.up.sql":   "\n" + sqlIndex + "\n\n",
		"10_index.down.sql": "DROP INDEX posts_user_idx;\n",
		"README.md":         "not a migration\n",
	})
	dst, rep := importTree(t, src, FormatGolangMigrate)
	// golang-migrate runs 1, 2, 10: the versions are padded so that the
	// names sort the same way.
	sameTree(t, readTree(t, dst), map[string]string{
		"01_users.sql": sqlUsers,
		"02_posts.sql": sqlPosts + sqlFunc,
		"10_index.sql": noTx + sqlIndex,
	})
	if !rep.Padded || rep.NoTx != 1 || rep.DownsDropped != 3 || len(rep.Skipped) != 1 {
		t.Errorf("report: padded %v, notx %d, downs %d, skipped %v", rep.Padded, rep.NoTx, rep.DownsDropped, rep.Skipped)
	}
	checkAppliesLikeReplay(t, dst, []piece{{sqlUsers, true}, {sqlPosts + sqlFunc, true}, {sqlIndex, false}})
}

func TestImportGoose(t *testing.T) {
	src := writeTree(t, map[string]string{
		"00001_users.sql": "-- a header goose ignores\n-- +goose Up\n" + sqlUsers + sqlPosts +
			"-- +goose StatementBegin\n" + sqlFunc + "-- +goose StatementEnd\n\n-- +goose Down\n-- +goose StatementBegin\nDROP FUNCTION one();\n-- +goose StatementEnd\nDROP TABLE posts;\nDROP TABLE users;\n",
		"00002_index.sql": "-- +goose NO TRANSACTION\n-- +goose Up\n" + sqlIndex + "\n-- +goose Down\nDROP INDEX CONCURRENTLY posts_user_idx;\n",
		"00003_email.sql": "-- +goose Up\nALTER TABLE users ADD COLUMN name text;\n",
	})
	dst, rep := importTree(t, src, FormatGoose)
	sameTree(t, readTree(t, dst), map[string]string{
		"00001_users.sql": sqlUsers + sqlPosts + sqlFunc,
		"00002_index.sql": noTx + sqlIndex,
		"00003_email.sql": "ALTER TABLE users ADD COLUMN name text;\n",
	})
	if rep.Padded || rep.NoTx != 1 || rep.DownsDropped != 2 {
		t.Errorf("report: padded %v, notx %d, downs %d", rep.Padded, rep.NoTx, rep.DownsDropped)
	}
	checkAppliesLikeReplay(t, dst, []piece{{sqlUsers + sqlPosts + sqlFunc, true}, {sqlIndex, false}, {"ALTER TABLE users ADD COLUMN name text;\n", true}})
}

func TestImportDBMate(t *testing.T) {
	src := writeTree(t, map[string]string{
		"20240101000000_users.sql": "-- migrate:up\n" + sqlUsers + sqlPosts + sqlFunc + "\n-- migrate:down\nDROP TABLE posts;\nDROP TABLE users;\n",
		"20240102000000_index.sql": "-- migrate:up transaction:false\n" + sqlIndex + "\n-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY posts_user_idx;\n",
		"20240103000000_name.sql":  "-- migrate:up\nALTER TABLE users ADD COLUMN name text;\n",
	})
	dst, rep := importTree(t, src, FormatDBMate)
	sameTree(t, readTree(t, dst), map[string]string{
		"20240101000000_users.sql": sqlUsers + sqlPosts + sqlFunc,
		"20240102000000_index.sql": noTx + sqlIndex,
		"20240103000000_name.sql":  "ALTER TABLE users ADD COLUMN name text;\n",
	})
	if rep.NoTx != 1 || rep.DownsDropped != 2 {
		t.Errorf("report: notx %d, downs %d", rep.NoTx, rep.DownsDropped)
	}
	checkAppliesLikeReplay(t, dst, []piece{{sqlUsers + sqlPosts + sqlFunc, true}, {sqlIndex, false}, {"ALTER TABLE users ADD COLUMN name text;\n", true}})
}

func TestImportFlyway(t *testing.T) {
	const (
		email = "ALTER TABLE users ADD COLUMN name text;\n"
		later = "ALTER TABLE users ADD COLUMN later int;\n"
		two   = "ALTER TABLE users ADD COLUMN two int;\n"
		conf  = "CREATE TABLE audit (id int);\nINSERT INTO audit VALUES (1);\n"
		view  = "CREATE OR REPLACE VIEW user_names AS SELECT id, name FROM users;\n"
		agg   = "CREATE OR REPLACE VIEW a_count AS SELECT count(*) FROM users;\n"
	)
	src := writeTree(t, map[string]string{
		"V1__users.sql":          sqlUsers + sqlPosts + sqlFunc,
		"V1.1__name.sql":         email,
		"U1.1__name.sql":         "ALTER TABLE users DROP COLUMN name;\n",
		"V1.10__later.sql":       later,
		"V1_2__two.sql":          two,
		"V2__index.sql":          sqlIndex,
		"sub/V3__audit.sql":      conf,
		"sub/V3__audit.sql.conf": "# runs on its own\nexecuteInTransaction=false\n",
		"R__user_names.sql":      view,
		"R__a_count.sql":         agg,
		"notes.txt":              "ignored\n",
	})
	dst, rep := importTree(t, src, FormatFlyway)
	// Flyway runs 1, 1.1, 1.2, 1.10, 2, 3, then the repeatable scripts by
	// description; the versions are padded to keep that order.
	sameTree(t, readTree(t, dst), map[string]string{
		"1.00_users.sql":      sqlUsers + sqlPosts + sqlFunc,
		"1.01_name.sql":       email,
		"1.02_two.sql":        two,
		"1.10_later.sql":      later,
		"2.00_index.sql":      noTx + sqlIndex,
		"3.00_audit.sql":      noTx + conf,
		"4.00_a_count.sql":    agg,
		"5.00_user_names.sql": view,
	})
	if !rep.Padded || rep.NoTx != 2 || rep.DownsDropped != 1 {
		t.Errorf("report: padded %v, notx %d, downs %d", rep.Padded, rep.NoTx, rep.DownsDropped)
	}
	checkAppliesLikeReplay(t, dst, []piece{{sqlUsers + sqlPosts + sqlFunc, true}, {email, true}, {two, true}, {later, true}, {sqlIndex, false}, {conf, false}, {agg, true}, {view, true}})
}

func TestImportFlywayBaseline(t *testing.T) {
	src := writeTree(t, map[string]string{
		"V1__users.sql": sqlUsers,
		"V2__posts.sql": sqlPosts,
		"B2__base.sql":  sqlUsers + sqlPosts,
		"V3__func.sql":  sqlFunc,
	})
	dst, rep := importTree(t, src, FormatFlyway)
	sameTree(t, readTree(t, dst), map[string]string{
		"2_base.sql": sqlUsers + sqlPosts,
		"3_func.sql": sqlFunc,
	})
	if len(rep.Skipped) != 2 {
		t.Errorf("skipped: %v", rep.Skipped)
	}
}

func TestImportDiesel(t *testing.T) {
	const setup = "CREATE FUNCTION diesel_set_updated_at() RETURNS trigger AS $$\nBEGIN\n  NEW.updated_at := current_timestamp;\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\n"
	src := writeTree(t, map[string]string{
		"00000000000000_diesel_initial_setup/up.sql":   setup,
		"00000000000000_diesel_initial_setup/down.sql": "DROP FUNCTION diesel_set_updated_at();\n",
		"2024-01-01-000000_users/up.sql":               sqlUsers + sqlPosts,
		"2024-01-01-000000_users/down.sql":             "DROP TABLE posts;\nDROP TABLE users;\n",
		"2024-01-02-000000_index/up.sql":               sqlIndex,
		"2024-01-02-000000_index/down.sql":             "DROP INDEX posts_user_idx;\n",
		"2024-01-02-000000_index/metadata.toml":        "# an index built without locking\nrun_in_transaction = false\n",
		"2024-01-03-000000_func/up.sql":                sqlFunc,
		"2024-01-03-000000_func/metadata.toml":         "run_in_transaction = true\n",
		".keep":                                        "",
	})
	dst, rep := importTree(t, src, FormatDiesel)
	sameTree(t, readTree(t, dst), map[string]string{
		"00000000000000_diesel_initial_setup.sql": setup,
		"20240101000000_users.sql":                sqlUsers + sqlPosts,
		"20240102000000_index.sql":                noTx + sqlIndex,
		"20240103000000_func.sql":                 sqlFunc,
	})
	if rep.NoTx != 1 || rep.DownsDropped != 3 {
		t.Errorf("report: notx %d, downs %d", rep.NoTx, rep.DownsDropped)
	}
	checkAppliesLikeReplay(t, dst, []piece{{setup, true}, {sqlUsers + sqlPosts, true}, {sqlIndex, false}, {sqlFunc, true}})
}

func TestImportSqitch(t *testing.T) {
	const (
		schema = "-- Deploy flipr:appschema to pg\n\nBEGIN;\n\nCREATE SCHEMA flipr;\n\nCOMMIT;\n"
		usersA = "-- Deploy flipr:users to pg\n-- requires: appschema\n\nBEGIN;\n\nCREATE TABLE flipr.users (id int PRIMARY KEY);\n\nCOMMIT;\n"
		index  = "-- Deploy flipr:users_idx to pg\n\nCREATE INDEX CONCURRENTLY users_id_idx ON flipr.users (id);\n"
		usersB = "BEGIN;\nALTER TABLE flipr.users ADD COLUMN email text;\nCOMMIT;\n"
	)
	src := writeTree(t, map[string]string{
		"sqitch.conf": "[core]\n\tengine = pg\n",
		"sqitch.plan": "%syntax-version=1.0.0\n%project=flipr\n%uri=https://example.com/flipr/\n\n" +
			"appschema 2024-01-01T10:00:00Z Ann <ann@example.com> # the schema\n" +
			"users [appschema] 2024-01-02T10:00:00Z Ann <ann@example.com> # users\n" +
			"@v1.0 2024-01-03T10:00:00Z Ann <ann@example.com> # first release\n\n" +
			"users_idx [users] 2024-01-04T10:00:00Z Ann <ann@example.com> # an index\n" +
			"users [users@v1.0] 2024-01-05T10:00:00Z Ann <ann@example.com> # users get an email\n",
		"deploy/appschema.sql":  schema,
		"deploy/users@v1.0.sql": usersA,
		"deploy/users_idx.sql":  index,
		"deploy/users.sql":      usersB,
		"revert/appschema.sql":  "DROP SCHEMA flipr;\n",
		"revert/users@v1.0.sql": "DROP TABLE flipr.users;\n",
		"revert/users.sql":      "ALTER TABLE flipr.users DROP COLUMN email;\n",
		"verify/appschema.sql":  "SELECT 1/count(*) FROM pg_namespace WHERE nspname = 'flipr';\n",
	})
	dst, rep := importTree(t, src, FormatSqitch)
	sameTree(t, readTree(t, dst), map[string]string{
		"001_appschema.sql": "-- Deploy flipr:appschema to pg\n\n\nCREATE SCHEMA flipr;\n",
		"002_users.sql":     "-- Deploy flipr:users to pg\n-- requires: appschema\n\n\nCREATE TABLE flipr.users (id int PRIMARY KEY);\n",
		"003_users_idx.sql": noTx + index,
		"004_users.sql":     "ALTER TABLE flipr.users ADD COLUMN email text;\n",
	})
	if rep.NoTx != 1 || rep.DownsDropped != 3 {
		t.Errorf("report: notx %d, downs %d", rep.NoTx, rep.DownsDropped)
	}
	// psql runs the scripts as Sqitch does: their own BEGIN and COMMIT.
	checkAppliesLikeReplay(t, dst, []piece{{schema, false}, {usersA, false}, {index, false}, {usersB, false}})
}

func TestImportPopx(t *testing.T) {
	src := writeTree(t, map[string]string{
		"1_users.postgres.up.sql":     sqlUsers,
		"1_users.up.sql":              "SELECT not_for_postgres;\n",
		"1_users.mysql.up.sql":        "CREATE TABLE users (id INT) ENGINE=InnoDB;\n",
		"1_users.down.sql":            "DROP TABLE users;\n",
		"2_posts.up.sql":              sqlPosts + sqlFunc,
		"2_posts.sqlite3.up.sql":      "CREATE TABLE posts (id INTEGER);\n",
		"2_posts.cockroach.up.sql":    "CREATE TABLE posts (id INT8);\n",
		"2_posts.down.sql":            "DROP TABLE posts;\n",
		"3_index.autocommit.up.sql":   "-- atlas:txmode none\n" + sqlIndex,
		"3_index.autocommit.down.sql": "DROP INDEX CONCURRENTLY posts_user_idx;\n",
		"4_only.mysql.up.sql":         "ALTER TABLE users ENGINE=InnoDB;\n",
	})
	dst, rep := importTree(t, src, FormatPopx)
	sameTree(t, readTree(t, dst), map[string]string{
		"1_users.sql": sqlUsers,
		"2_posts.sql": sqlPosts + sqlFunc,
		"3_index.sql": noTx + sqlIndex,
	})
	if rep.NoTx != 1 || rep.DownsDropped != 3 || len(rep.Skipped) != 5 {
		t.Errorf("report: notx %d, downs %d, skipped %v", rep.NoTx, rep.DownsDropped, rep.Skipped)
	}
	checkAppliesLikeReplay(t, dst, []piece{{sqlUsers, true}, {sqlPosts + sqlFunc, true}, {sqlIndex, false}})
}

func TestImportAtlas(t *testing.T) {
	files := map[string]string{
		"20240101000000_users.sql": sqlUsers + sqlPosts + sqlFunc,
		"20240102000000_index.sql": noTx + sqlIndex,
	}
	src := writeTree(t, files)
	dst, _ := importTree(t, src, FormatAtlas)
	sameTree(t, readTree(t, dst), files)
	checkAppliesLikeReplay(t, dst, []piece{{sqlUsers + sqlPosts + sqlFunc, true}, {sqlIndex, false}})

	// The same directory as source and target: only atlas.sum is written.
	if _, err := Import(src, FormatAtlas, src); err != nil {
		t.Fatal(err)
	}
	sameTree(t, readTree(t, src), files)
	if _, err := Import(src, FormatAtlas, src); err == nil {
		t.Error("a second in-place import succeeded")
	}
}

// TestImportPrisma reads a Prisma Migrate directory as prisma migrate dev
// writes it: migration_lock.toml, one <timestamp>_<name>/migration.sql
// per migration in name order; a script whose one statement cannot run in
// a transaction runs without one.
func TestImportPrisma(t *testing.T) {
	const (
		initSQL = "-- CreateTable\nCREATE TABLE \"User\" (\n    \"id\" SERIAL NOT NULL,\n    \"email\" TEXT NOT NULL,\n\n    CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\")\n);\n\n" +
			"-- CreateTable\nCREATE TABLE \"Post\" (\n    \"id\" SERIAL NOT NULL,\n    \"authorId\" INTEGER NOT NULL,\n\n    CONSTRAINT \"Post_pkey\" PRIMARY KEY (\"id\")\n);\n\n" +
			"-- CreateIndex\nCREATE UNIQUE INDEX \"User_email_key\" ON \"User\"(\"email\");\n\n" +
			"-- AddForeignKey\nALTER TABLE \"Post\" ADD CONSTRAINT \"Post_authorId_fkey\" FOREIGN KEY (\"authorId\") REFERENCES \"User\"(\"id\") ON DELETE RESTRICT ON UPDATE CASCADE;\n"
		indexSQL = "CREATE INDEX CONCURRENTLY \"Post_authorId_idx\" ON \"Post\"(\"authorId\");\n"
		alterSQL = "-- AlterTable\nALTER TABLE \"User\" ADD COLUMN     \"name\" TEXT;\n"
	)
	src := writeTree(t, map[string]string{
		"migration_lock.toml":                            "# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = \"postgresql\"\n",
		"20240101000000_init/migration.sql":              initSQL,
		"20240102000000_post_author_index/migration.sql": indexSQL,
		"20240103000000_user_name/migration.sql":         alterSQL,
		"20240103000000_user_name/README.md":             "why the column\n",
	})
	dst, rep := importTree(t, src, FormatPrisma)
	sameTree(t, readTree(t, dst), map[string]string{
		"20240101000000_init.sql":              initSQL,
		"20240102000000_post_author_index.sql": noTx + indexSQL,
		"20240103000000_user_name.sql":         alterSQL,
	})
	if rep.NoTx != 1 || len(rep.Skipped) != 1 || !strings.Contains(rep.Skipped[0], "README.md") {
		t.Errorf("report: notx %d, skipped %v", rep.NoTx, rep.Skipped)
	}
	checkAppliesLikeReplay(t, dst, []piece{{initSQL, true}, {indexSQL, false}, {alterSQL, true}})

	mysql := writeTree(t, map[string]string{
		"migration_lock.toml":               "provider = \"mysql\"\n",
		"20240101000000_init/migration.sql": "CREATE TABLE `User` (`id` INTEGER NOT NULL AUTO_INCREMENT, PRIMARY KEY (`id`));\n",
	})
	if _, err := Import(mysql, FormatPrisma, filepath.Join(t.TempDir(), "m")); err == nil || !strings.Contains(err.Error(), "migration_lock.toml:1: the migrations were written for provider \"mysql\"") {
		t.Errorf("a MySQL history: %v", err)
	}
}
