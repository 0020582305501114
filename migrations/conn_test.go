package migrations

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/internal/pgquote"
)

// socketOf returns the socket directory, port and database of a devdb URL.
func socketOf(t *testing.T, u string) (dir string, port uint16, db string) {
	t.Helper()
	cfg, err := pgx.ParseConfig(u)
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Host, cfg.Port, cfg.Database
}

func currentDB(t *testing.T, conn *pgx.Conn) string {
	t.Helper()
	return queryString(t, conn, `SELECT current_database() || ' ' || current_user`)
}

// clearPGEnv unsets the libpq variables for the test.
func clearPGEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "PG") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	t.Setenv("HOME", t.TempDir()) // no ~/.pgpass of the machine
}

func TestConnectFromEnvironment(t *testing.T) {
	ctx := context.Background()
	sock, port, db := socketOf(t, devdb.ForTest(t))
	clearPGEnv(t)
	t.Setenv("PGHOST", sock)
	t.Setenv("PGPORT", fmt.Sprint(port))
	t.Setenv("PGUSER", "postgres")
	t.Setenv("PGDATABASE", db)
	t.Setenv("PGSSLMODE", "disable")

	// No URL at all: the environment alone.
	conn, err := Connect(ctx, "", ConnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := currentDB(t, conn); got != db+" postgres" {
		t.Fatalf("connected to %s", got)
	}
	conn.Close(ctx)

	// A partial URL: the database from the URL, the rest from the
	// environment.
	other := devdb.ForTest(t)
	_, _, otherDB := socketOf(t, other)
	conn, err = Connect(ctx, "postgres:///"+otherDB, ConnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := currentDB(t, conn); got != otherDB+" postgres" {
		t.Fatalf("connected to %s", got)
	}
	conn.Close(ctx)

	// postgresql:// and keyword/value strings work too.
	for _, u := range []string{"postgresql:///" + db, "dbname=" + db} {
		conn, err := Connect(ctx, u, ConnOptions{})
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		if got := currentDB(t, conn); got != db+" postgres" {
			t.Fatalf("%s: connected to %s", u, got)
		}
		conn.Close(ctx)
	}

	// A service file (PGSERVICE + PGSERVICEFILE) names everything.
	os.Unsetenv("PGHOST")
	os.Unsetenv("PGPORT")
	os.Unsetenv("PGDATABASE")
	svc := filepath.Join(t.TempDir(), "pg_service.conf")
	if err := os.WriteFile(svc, []byte(fmt.Sprintf("[app]\nhost=%s\nport=%d\ndbname=%s\nuser=postgres\nsslmode=disable\n", sock, port, otherDB)), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PGSERVICEFILE", svc)
	t.Setenv("PGSERVICE", "app")
	conn, err = Connect(ctx, "", ConnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := currentDB(t, conn); got != otherDB+" postgres" {
		t.Fatalf("service: connected to %s", got)
	}
	conn.Close(ctx)
}

func TestConnectRejectsOtherSchemes(t *testing.T) {
	for _, u := range []string{"mysql://root:pw@localhost/db", "sqlite://file.db", "just-a-name"} {
		_, err := ParseConnConfig(u)
		if err == nil {
			t.Errorf("%s: accepted", u)
			continue
		}
		if strings.Contains(err.Error(), "pw@") {
			t.Errorf("%s: error repeats the URL: %v", u, err)
		}
	}
}

// TestConnectRetriesWhileServerStarts points Connect at a socket directory
// where the server's socket appears only later, as when the server is
// still starting.
func TestConnectRetriesWhileServerStarts(t *testing.T) {
	ctx := context.Background()
	sock, port, db := socketOf(t, devdb.ForTest(t))
	later := t.TempDir()
	u := fmt.Sprintf("postgres://postgres@/%s?host=%s&port=%d&sslmode=disable", db, url.QueryEscape(later), port)
	go func() {
		time.Sleep(300 * time.Millisecond)
		name := fmt.Sprintf(".s.PGSQL.%d", port)
		_ = os.Symlink(filepath.Join(sock, name), filepath.Join(later, name))
	}()
	start := time.Now()
	conn, err := Connect(ctx, u, ConnOptions{ConnectTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Fatalf("connected after %s, before the socket existed", d)
	}

	// Without a server, it gives up at the timeout.
	empty := t.TempDir()
	start = time.Now()
	_, err = Connect(ctx, fmt.Sprintf("postgres://postgres@/db?host=%s&sslmode=disable", url.QueryEscape(empty)), ConnOptions{ConnectTimeout: 400 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "gave up after") {
		t.Fatalf("want a give-up error, got %v", err)
	}
	if d := time.Since(start); d < 300*time.Millisecond || d > 3*time.Second {
		t.Fatalf("gave up after %s", d)
	}
}

func TestConnectDoesNotRetryWrongSettings(t *testing.T) {
	ctx := context.Background()
	u := devdb.ForTest(t)
	bad := strings.Replace(u, "/schemactl_", "/nosuchdb_", 1)
	start := time.Now()
	_, err := Connect(ctx, bad, ConnOptions{ConnectTimeout: 5 * time.Second})
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "3D000" {
		t.Fatalf("want database does not exist, got %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("retried a wrong database name for %s", d)
	}
}

// TestPasswordNeverShown runs a private server that checks passwords on
// its unix socket, and a role with a password: connections with the
// password in the URL, in PGPASSWORD and in a password file work, and the
// password appears in no error and nowhere in the history.
func TestPasswordNeverShown(t *testing.T) {
	ctx := context.Background()
	// The server runs as another user: the hba file must be readable
	// along its whole path, which t.TempDir() is not.
	hbaDir, err := os.MkdirTemp("", "schemactl-hba-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(hbaDir) })
	hba := filepath.Join(hbaDir, "pg_hba.conf")
	if err := os.Chmod(hbaDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hba, []byte("local all postgres trust\nlocal all all scram-sha-256\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cl, err := devdb.StartLocal(ctx, devdb.Options{Settings: map[string]string{"hba_file": hba}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	db, err := cl.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	admin := mustConnect(t, db.URL)
	const secret = "Pw-9f3kQ-s3cr3t"
	for _, q := range []string{
		`CREATE ROLE app LOGIN PASSWORD '` + secret + `'`,
		`GRANT CREATE ON DATABASE ` + pgquote.Ident(db.Name) + ` TO app`,
		`GRANT CREATE ON SCHEMA public TO app`,
	} {
		if _, err := admin.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	sock, port, _ := socketOf(t, db.URL)
	clearPGEnv(t)
	withPW := fmt.Sprintf("postgres://app:%s@/%s?host=%s&port=%d", secret, db.Name, url.QueryEscape(sock), port)
	noPW := fmt.Sprintf("postgres://app@/%s?host=%s&port=%d", db.Name, url.QueryEscape(sock), port)

	// The password is checked: without it the connection fails.
	if _, err := Connect(ctx, noPW, ConnOptions{ConnectTimeout: -1}); err == nil {
		t.Fatal("connected without a password: the server does not check passwords")
	}
	conn, err := Connect(ctx, withPW, ConnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	dir := writeDir(t, map[string]string{
		"1_a.sql": "CREATE TABLE a (id int);\n",
		"2_b.sql": "-- atlas:txmode none\nCREATE TABLE b (id int);\nSELECT nosuch;\n",
	})
	opts := testOpts()
	opts.Secrets = []string{secret}
	_, err = Apply(ctx, conn, mustLoad(t, dir), opts)
	if err == nil {
		t.Fatal("want the failure of 2_b.sql")
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatalf("error shows the password: %v", err)
	}
	hist := queryString(t, admin, `SELECT string_agg(r::text, E'\n') FROM atlas_schema_revisions.atlas_schema_revisions r`)
	if !strings.Contains(hist, "nosuch") || strings.Contains(hist, secret) {
		t.Fatalf("history:\n%s", hist)
	}

	// A wrong password, and a database that does not exist: errors
	// without the password.
	for _, u := range []string{
		strings.Replace(withPW, secret, secret+"x", 1),
		strings.Replace(withPW, db.Name, "nosuchdb", 1),
		fmt.Sprintf("postgres://app:%s@/x?host=%s", secret, url.QueryEscape(t.TempDir())),
		"postgres://app:" + secret + "@bad host:notaport/x",
	} {
		_, err := Connect(ctx, u, ConnOptions{ConnectTimeout: 200 * time.Millisecond})
		if err == nil {
			t.Fatalf("connected with %s", u)
		}
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("error shows the password: %v", err)
		}
	}

	// PGPASSWORD and a password file supply it when the URL has none.
	t.Setenv("PGPASSWORD", secret)
	c2, err := Connect(ctx, noPW, ConnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c2.Close(ctx)
	os.Unsetenv("PGPASSWORD")
	// libpq matches a socket outside the default directory by its path,
	// pgx by "localhost": both forms work.
	for _, host := range []string{strings.ReplaceAll(sock, ":", `\:`), "localhost"} {
		pass := filepath.Join(t.TempDir(), "pgpass")
		if err := os.WriteFile(pass, []byte(fmt.Sprintf("otherhost:5432:*:app:wrong\n%s:%d:*:app:%s\n", host, port, secret)), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("PGPASSFILE", pass)
		c3, err := Connect(ctx, noPW, ConnOptions{})
		if err != nil {
			t.Fatalf("with a password file naming %s: %v", host, err)
		}
		c3.Close(ctx)
	}
}
