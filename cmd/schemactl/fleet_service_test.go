package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/provision"
)

// TestFleetServiceTargets applies a service's directory over a targets
// file naming two servers: each target runs as the service's role; a file
// marked -- schemactl:privileged runs only where the privileged connection
// reaches the target's own database, and fails (nothing recorded) on the
// target of the other server instead of running on the wrong one.
func TestFleetServiceTargets(t *testing.T) {
	a, b := provision.StartPasswordCluster(t), provision.StartPasswordCluster(t)
	clearLibpqEnv(t)
	t.Chdir(t.TempDir())
	t.Setenv("ORDERS_DB_PASSWORD", "orders-secret-pw")
	for _, c := range []string{a.URL("postgres"), b.URL("postgres")} {
		if code, out, errOut := runCLI(t, "provision", "--service", "orders", "--admin-url", c); code != 0 {
			t.Fatalf("provision on %s: %s%s", c, out, errOut)
		}
	}
	files := map[string]string{
		"20250101000000_init.sql": "CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);\n",
	}
	dir := migrationDir(t, files)
	var lines []string
	for _, c := range []string{a.URL("orders"), b.URL("orders")} {
		lines = append(lines, strings.Replace(c, "postgres@", "", 1))
	}
	targets := filepath.Join(t.TempDir(), "targets.txt")
	if err := os.WriteFile(targets, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	apply := func() (int, string) {
		code, out, errOut := runCLI(t, "migrate", "apply", "--targets", targets, "--service", "orders", "--admin-url", a.URL("postgres"), "--dir", "file://"+dir)
		if strings.Contains(out+errOut, "orders-secret-pw") {
			t.Error("password printed")
		}
		return code, out + errOut
	}
	if code, out := apply(); code != 0 || !strings.Contains(out, "2 applied, 0 already current, 0 failed") {
		t.Fatalf("exit %d, want both targets applied:\n%s", code, out)
	}
	for i, c := range []string{a.URL("orders"), b.URL("orders")} {
		if got := queryOne(t, c, "SELECT coalesce((SELECT tableowner FROM pg_tables WHERE schemaname = 'orders' AND tablename = 'customers'), 'none')"); got != "orders_svc" {
			t.Errorf("server %d: orders.customers owned by %s, want orders_svc", i, got)
		}
	}

	// A privileged file: the privileged connection is on server a only.
	files["20250101000001_role.sql"] = "-- schemactl:privileged\n\nCREATE ROLE orders_reader;\n"
	dir = migrationDir(t, files)
	code, out := apply()
	if code != 1 || !strings.Contains(out, "1 applied, 0 already current, 1 failed") ||
		!strings.Contains(out, "20250101000001_role.sql: the privileged connection (database \"orders\" on ") ||
		!strings.Contains(out, "does not reach the target's database") {
		t.Fatalf("exit %d, want the target of server b refused:\n%s", code, out)
	}
	for i, c := range []string{a.URL("orders"), b.URL("orders")} {
		want, wantVersions := "1", 2
		if i == 1 {
			want, wantVersions = "0", 1
		}
		if got := queryOne(t, c, "SELECT count(*)::text FROM pg_roles WHERE rolname = 'orders_reader'"); got != want {
			t.Errorf("server %d: %s roles orders_reader, want %s", i, got, want)
		}
		if revs := revisionsOf(t, strings.Replace(c, "orders?", "orders?search_path=orders&", 1)); len(revs) != wantVersions {
			t.Errorf("server %d: versions recorded %v, want %d", i, revs, wantVersions)
		}
	}
}
