package provision

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/internal/pgquote"
	"github.com/schemactl/schemactl/internal/pgurl"
)

// TestService is a service provisioned in a throwaway database by
// ServiceForTest.
type TestService struct {
	Names
	// Password is the service role's password (random).
	Password string
	// AdminURL connects to the database as the dev server's superuser.
	AdminURL string
	// URL connects to the database as the service role.
	URL string
	// Result is what provisioning did.
	Result *Result
}

// ServiceForTest provisions service name in a fresh database of devdb's
// shared test server (see devdb.ForTest) and returns its connection
// details; everything is dropped when the test ends. The schema is called
// name; the role, which is cluster-wide, is name_svc_t<random hex>, which
// can never equal a conventional role name (those end in _svc). Call
// devdb.Main from TestMain.
func ServiceForTest(t testing.TB, name string) *TestService {
	t.Helper()
	return ServiceForTestIn(t, devdb.ForTest(t), name)
}

// ServiceForTestIn is ServiceForTest in an existing database that adminURL
// connects to as a superuser; use it to provision several services in one
// database. The role is dropped when the test ends (with whatever it owns
// in that database).
func ServiceForTestIn(t testing.TB, adminURL, name string) *TestService {
	t.Helper()
	ctx := context.Background()
	role := name + RoleSuffix + "_t" + randomHex(6)
	u, err := url.Parse(adminURL)
	if err != nil {
		t.Fatalf("provision: parse the admin URL: %v", err)
	}
	db := pgurl.Database(adminURL)
	names, err := ForService(name, Names{Database: db, Role: role})
	if err != nil {
		t.Fatalf("provision: %v", err)
	}
	ts := &TestService{Names: names, Password: "pw-" + randomHex(12), AdminURL: adminURL}
	su := *u
	su.User = url.UserPassword(role, ts.Password)
	ts.URL = su.String()

	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatalf("provision: connect: %v", err)
	}
	defer conn.Close(ctx)
	t.Cleanup(func() { dropRole(t, adminURL, role) })
	ts.Result, err = Provision(ctx, conn, Spec{Names: names, Password: ts.Password}, Options{})
	if err != nil {
		t.Fatalf("provision service %s: %v", name, err)
	}
	return ts
}

// dropRole drops a test role and what it owns in the database of adminURL.
func dropRole(t testing.TB, adminURL, role string) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Errorf("provision: drop test role %s: %v", role, err)
		return
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, role).Scan(&exists); err != nil || !exists {
		return
	}
	for _, sql := range []string{"DROP OWNED BY " + pgquote.Ident(role) + " CASCADE", "DROP ROLE " + pgquote.Ident(role)} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Errorf("provision: drop test role %s: %v", role, err)
			return
		}
	}
}

// StartPasswordCluster starts a private cluster (devdb.StartLocal) where
// every role but the bootstrap superuser "postgres" must log in with a
// SCRAM password, so that a test sees passwords checked; it stops when the
// test ends. Its roles are its own: no name can collide with another test's.
func StartPasswordCluster(t testing.TB) *devdb.Cluster {
	t.Helper()
	dir, err := os.MkdirTemp("", "schemactl-hba-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	hba := filepath.Join(dir, "pg_hba.conf")
	if err := os.WriteFile(hba, []byte("local all postgres trust\nlocal all all scram-sha-256\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The server runs as the postgres user, which must read the file.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c, err := devdb.StartLocal(context.Background(), devdb.Options{Settings: map[string]string{"hba_file": hba}})
	if err != nil {
		t.Fatalf("start a password-checking cluster: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b)
}
