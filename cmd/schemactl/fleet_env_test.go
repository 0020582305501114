package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/schemactl/schemactl/devdb"
)

const fleetProject = `
variable "tenants" {
  default = ["acme", "globex", "initech"]
}

env "tenants" {
  for_each = toset(var.tenants)
  url      = urlqueryset(getenv("FLEET_URL"), "search_path", each.value)
  migration {
    dir = "file://migrations"
  }
}

data "sql" "tenants" {
  url   = getenv("FLEET_URL")
  query = "SELECT name FROM public.tenants WHERE active ORDER BY name"
}

env "catalogue" {
  for_each = toset(data.sql.tenants.values)
  url      = urlqueryset(getenv("FLEET_URL"), "search_path", each.value)
  migration {
    dir = "file://migrations"
  }
}

env "services" {
  for_each = toset(["orders", "billing"])
  migration {
    dir = "file://svc"
  }
  service "svc" {
    database  = "DB"
    schema    = each.value
    role      = "${each.key}_svc_SUFFIX"
    password  = getenv("SVC_PW")
    admin_url = getenv("ADMIN_URL")
  }
}
`

// TestFleetForEachEnv runs the fleet commands over envs with for_each: the
// tenant schemas of one database (apply, status as files are added and
// one tenant fails, set), and services (provision, then apply as each
// service's role); no password is ever printed.
func TestFleetForEachEnv(t *testing.T) {
	db := devdb.ForTest(t)
	cfg, err := pgx.ParseConfig(db)
	if err != nil {
		t.Fatal(err)
	}
	const pw = "Svc-Secret-9f3k"
	clearLibpqEnv(t)
	t.Setenv("FLEET_URL", db)
	t.Setenv("SVC_PW", pw)
	t.Setenv("ADMIN_URL", db)
	t.Setenv("DB_HOST", cfg.Host)
	t.Setenv("DB_PORT", fmt.Sprint(cfg.Port))
	t.Setenv("PGSSLMODE", "disable")
	t.Chdir(t.TempDir())
	suffix := fmt.Sprint(os.Getpid())
	hcl := strings.NewReplacer(`"DB"`, fmt.Sprintf("%q", cfg.Database), "SUFFIX", suffix).Replace(fleetProject)
	if err := os.WriteFile("atlas.hcl", []byte(hcl), 0o644); err != nil {
		t.Fatal(err)
	}
	files := fleetFiles(2)
	writeDir(t, "migrations", files)
	writeDir(t, "svc", map[string]string{"20240101000000_init.sql": "CREATE TABLE items (id bigint PRIMARY KEY);\n"})
	l := &fleetLab{t: t}
	l.exec(db, "CREATE SCHEMA acme; CREATE SCHEMA globex; CREATE SCHEMA initech;")

	var all strings.Builder
	cli := func(want int, args ...string) string {
		t.Helper()
		code, stdout, stderr := runCLI(t, args...)
		all.WriteString(stdout + stderr)
		if code != want {
			t.Fatalf("%v: exit %d, want %d\n%s%s", args, code, want, stdout, stderr)
		}
		return stdout
	}
	out := cli(0, "migrate", "apply", "--env", "tenants")
	for _, k := range []string{"acme", "globex", "initech"} {
		if !strings.Contains(out, "applied  "+k+"  ") {
			t.Errorf("no line for %s:\n%s", k, out)
		}
	}
	if !strings.Contains(out, "3 applied, 0 already current, 0 failed, 0 skipped") {
		t.Errorf("summary:\n%s", out)
	}
	out = cli(0, "migrate", "status", "--env", "tenants")
	if !strings.Contains(out, "Fleet status: 3 targets, latest version 20240101000002") || !strings.Contains(out, "20240101000002                 3 targets (latest)") {
		t.Errorf("status:\n%s", out)
	}

	// A third file, which globex already holds a table of.
	files["20240101000003_t03.sql"] = fleetFiles(3)["20240101000003_t03.sql"]
	writeDir(t, "migrations", files)
	out = cli(exitStatusPending, "migrate", "status", "--env", "tenants")
	if !strings.Contains(out, "3 targets (1 file pending): acme, globex, initech") {
		t.Errorf("status with a pending file:\n%s", out)
	}
	l.exec(db, "CREATE TABLE globex.t03 (id int)")
	out = cli(1, "migrate", "apply", "--env", "tenants", "--fail-fast", "--parallel", "1")
	if !strings.Contains(out, "1 applied, 0 already current, 1 failed, 1 skipped") || !strings.Contains(out, "Skipped 1: globex failed (--fail-fast)") {
		t.Errorf("fail-fast:\n%s", out)
	}
	cli(1, "migrate", "apply", "--env", "tenants")
	out = cli(exitStatusFailed, "migrate", "status", "--env", "tenants")
	if !strings.Contains(out, "20240101000003                 2 targets (latest)") || !strings.Contains(out, "Failed (1 target; ") ||
		!strings.Contains(out, "globex: migrations/20240101000003_t03.sql:3:1: ") || !strings.Contains(out, `relation "t03" already exists`) {
		t.Errorf("status with a failed target:\n%s", out)
	}
	js := cli(exitStatusFailed, "migrate", "status", "--env", "tenants", "--format", "json")
	var v fleetStatusView
	if err := json.Unmarshal([]byte(js), &v); err != nil {
		t.Fatalf("%v\n%s", err, js)
	}
	if len(v.Failed) != 1 || v.Failed[0].Target != "globex" || v.Failed[0].Version != "20240101000003" || len(v.Targets) != 3 || v.Latest != "20240101000003" {
		t.Errorf("status JSON: %s", js)
	}
	// The table was meant to be there: mark the file applied on globex
	// only by hand; the others are at the version already.
	out = cli(0, "migrate", "set", "--env", "tenants", "20240101000003")
	if !strings.Contains(out, "1 set, 2 already current, 0 failed, 0 skipped") {
		t.Errorf("set:\n%s", out)
	}
	cli(0, "migrate", "status", "--env", "tenants")

	// The same tenants from a catalogue table (data "sql"): the active
	// ones only.
	l.exec(db, "CREATE TABLE public.tenants (name text, active bool); INSERT INTO public.tenants VALUES ('acme', true), ('globex', true), ('initech', false)")
	out = cli(0, "migrate", "status", "--env", "catalogue")
	if !strings.Contains(out, "Fleet status: 2 targets, latest version 20240101000003") || !strings.Contains(out, "2 targets (latest)") {
		t.Errorf("status of the catalogue's tenants:\n%s", out)
	}

	// Services: provision, apply as each role, provision again.
	out = cli(0, "provision", "--env", "services")
	if !strings.Contains(out, "2 provisioned, 0 already current") || !strings.Contains(out, "provisioned billing  service svc") || !strings.Contains(out, "created role") {
		t.Errorf("provision:\n%s", out)
	}
	out = cli(0, "migrate", "apply", "--env", "services")
	if !strings.Contains(out, "2 applied") {
		t.Errorf("apply services:\n%s", out)
	}
	if got := queryOne(t, db, "SELECT string_agg(schemaname || '.' || tablename || ':' || tableowner, ',' ORDER BY schemaname) FROM pg_tables WHERE tablename = 'items'"); got != fmt.Sprintf("billing.items:billing_svc_%s,orders.items:orders_svc_%s", suffix, suffix) {
		t.Errorf("service tables: %s", got)
	}
	out = cli(0, "provision", "--env", "services")
	if !strings.Contains(out, "0 provisioned, 2 already current") {
		t.Errorf("provision again:\n%s", out)
	}
	if strings.Contains(all.String(), pw) {
		t.Errorf("a password was printed:\n%s", all.String())
	}
}
