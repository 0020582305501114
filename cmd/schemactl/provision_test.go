package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/jackc/pgx/v5"

	"github.com/schemactl/schemactl/internal/atlashcl"
	"github.com/schemactl/schemactl/migrations"
	"github.com/schemactl/schemactl/provision"
)

// writeDir writes a migration directory with its atlas.sum.
func writeDir(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := migrations.WriteSum(dir); err != nil {
		t.Fatal(err)
	}
}

// servicesProject is an atlas.hcl with one env per service, all on one
// database; connections come from DB_HOST/DB_PORT and the service block.
const servicesProject = `
env "billing" {
  migration {
    dir = "file://billing"
    revisions_schema = "billing"
  }
  service "billing" {
    database  = "DB"
    role      = "billing_svc_tSUFFIX"
    password  = getenv("BILLING_PW")
    admin_url = getenv("ADMIN_URL")
  }
}

env "shipping" {
  migration {
    dir = "file://shipping"
  }
  service "shipping" {
    database  = "DB"
    role      = "shipping_svc_tSUFFIX"
    password  = "$${SHIPPING_PW}"
    admin_url = getenv("ADMIN_URL")
  }
}

env "audit" {
  migration {
    dir = "file://audit"
  }
  service "audit" {
    database  = "DB"
    role      = "audit_svc_tSUFFIX"
    password  = getenv("AUDIT_PW")
    admin_url = getenv("ADMIN_URL")
  }
}
`

// TestServicesEndToEnd provisions three services on one database of a
// cluster that checks passwords, applies each one's directory as its own
// role, and checks the isolation, the privileged file, idempotence,
// unset variables and that no password is ever shown or stored.
func TestServicesEndToEnd(t *testing.T) {
	ctx := context.Background()
	c := provision.StartPasswordCluster(t)
	db, err := c.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pgx.ParseConfig(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	suffix := fmt.Sprintf("%d", os.Getpid())
	pws := map[string]string{"BILLING_PW": "bill-" + suffix + "-Pw!", "SHIPPING_PW": "ship'" + suffix + "\\pw", "AUDIT_PW": "audit-" + suffix + "-pw"}
	clearLibpqEnv(t)
	for k, v := range pws {
		t.Setenv(k, v)
	}
	t.Setenv("ADMIN_URL", db.URL)
	t.Setenv("DB_HOST", cfg.Host)
	t.Setenv("DB_PORT", fmt.Sprint(cfg.Port))
	t.Setenv("PGSSLMODE", "disable")

	proj := t.TempDir()
	t.Chdir(proj)
	hcl := strings.NewReplacer("DB", db.Name, "SUFFIX", suffix).Replace(servicesProject)
	if err := os.WriteFile("atlas.hcl", []byte(hcl), 0o644); err != nil {
		t.Fatal(err)
	}
	writeDir(t, "billing", map[string]string{
		"20240101000000_ext.sql":  "-- schemactl:privileged\n\nCREATE EXTENSION IF NOT EXISTS citext;\n",
		"20240101000001_init.sql": "CREATE TABLE invoices (id bigint PRIMARY KEY, email citext NOT NULL);\nCREATE INDEX invoices_email ON invoices (email);\n",
	})
	writeDir(t, "shipping", map[string]string{
		"20240101000000_init.sql": "CREATE TABLE parcels (id bigint PRIMARY KEY, invoice bigint NOT NULL);\n",
	})
	writeDir(t, "audit", map[string]string{
		"20240101000000_leak.sql": "CREATE TABLE public.leak (id int);\n",
	})

	var outputs strings.Builder
	cli := func(want int, args ...string) string {
		t.Helper()
		code, stdout, stderr := runCLI(t, args...)
		outputs.WriteString(stdout + stderr)
		if code != want {
			t.Fatalf("%v: exit %d, want %d\nstdout: %s\nstderr: %s", args, code, want, stdout, stderr)
		}
		return stdout + stderr
	}

	for _, env := range []string{"billing", "shipping", "audit"} {
		out := cli(0, "provision", "--env", env)
		if !strings.Contains(out, "created role") || !strings.Contains(out, "provisioned:") {
			t.Fatalf("provision %s:\n%s", env, out)
		}
	}
	if out := cli(0, "provision", "--env", "billing"); !strings.Contains(out, "nothing to change") {
		t.Fatalf("second provision:\n%s", out)
	}

	out := cli(0, "migrate", "apply", "--env", "billing")
	if !strings.Contains(out, "Migrated to version 20240101000001") || !strings.Contains(out, "20240101000000_ext.sql  1 statements as the privileged role") {
		t.Fatalf("apply billing:\n%s", out)
	}
	cli(0, "migrate", "apply", "--env", "shipping")
	if out := cli(0, "migrate", "status", "--env", "billing"); !strings.Contains(out, "20240101000001") {
		t.Fatalf("status as the service role:\n%s", out)
	}

	admin, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var owner, extSchema string
	if err := admin.QueryRow(ctx, `SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'billing.invoices'::regclass`).Scan(&owner); err != nil || owner != "billing_svc_t"+suffix {
		t.Fatalf("billing.invoices owned by %q (%v)", owner, err)
	}
	if err := admin.QueryRow(ctx, `SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'citext'`).Scan(&extSchema); err != nil {
		t.Fatalf("the privileged file did not create citext: %v", err)
	}
	var n int
	if err := admin.QueryRow(ctx, `SELECT count(*) FROM billing.atlas_schema_revisions WHERE error IS NULL OR error = ''`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("billing history: %d rows (%v)", n, err)
	}

	// Shipping may not touch billing's schema; audit may not create in public.
	writeDir(t, "shipping", map[string]string{"20240102000000_peek.sql": "INSERT INTO billing.invoices VALUES (1, 'a@b');\n"})
	out = cli(1, "migrate", "apply", "--env", "shipping")
	for _, want := range []string{"20240102000000_peek.sql:1:1", "permission denied for schema billing", `role "shipping_svc_t` + suffix + `", which may only create and change objects in schema "shipping"`} {
		if !strings.Contains(out, want) {
			t.Errorf("apply shipping into billing: output lacks %q:\n%s", want, out)
		}
	}
	out = cli(1, "migrate", "apply", "--env", "audit")
	if !strings.Contains(out, "permission denied for schema public") || !strings.Contains(out, `objects in schema "audit"`) {
		t.Errorf("apply audit into public:\n%s", out)
	}

	// A role in the URL other than the service's is refused.
	out = cli(1, "migrate", "apply", "--env", "shipping", "--url", db.URL)
	if !strings.Contains(out, `connects as "postgres", but the migrations of service "shipping" run as its role`) {
		t.Errorf("apply as the superuser:\n%s", out)
	}

	// An unset variable is named.
	os.Unsetenv("BILLING_PW")
	out = cli(1, "provision", "--env", "billing")
	if !strings.Contains(out, "environment variable BILLING_PW is not set") || !strings.Contains(out, "atlas.hcl:") {
		t.Errorf("unset BILLING_PW:\n%s", out)
	}
	t.Setenv("BILLING_PW", pws["BILLING_PW"])

	// No password in any output or in the history.
	var history string
	if err := admin.QueryRow(ctx, `SELECT string_agg(r::text, E'\n') FROM (
		SELECT * FROM billing.atlas_schema_revisions UNION ALL SELECT * FROM shipping.atlas_schema_revisions
		UNION ALL SELECT * FROM audit.atlas_schema_revisions) r`).Scan(&history); err != nil {
		t.Fatal(err)
	}
	for k, pw := range pws {
		if strings.Contains(outputs.String(), pw) || strings.Contains(history, pw) {
			t.Fatalf("password of %s shown or stored:\n%s\n%s", k, outputs.String(), history)
		}
	}
}

// TestProvisionServiceConvention provisions with --service alone: the
// database, schema and role names follow the service name, the database is
// created, and the password comes from NAME_DB_PASSWORD.
func TestProvisionServiceConvention(t *testing.T) {
	ctx := context.Background()
	c := provision.StartPasswordCluster(t)
	clearLibpqEnv(t)
	t.Chdir(t.TempDir())
	t.Setenv("SCHEMACTL_ADMIN_URL", c.URL("postgres"))
	t.Setenv("INVENTORY_DB_PASSWORD", "inv-secret-pw")
	code, out, errOut := runCLI(t, "provision", "--service", "inventory", "--dry-run")
	if code != 0 || !strings.Contains(out, `would create database "inventory"`) {
		t.Fatalf("dry run: %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "provision", "--service", "inventory")
	if code != 0 || !strings.Contains(out, `created database "inventory"`) || !strings.Contains(out, `created schema "inventory" owned by "inventory_svc"`) {
		t.Fatalf("provision: %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, "inv-secret-pw") {
		t.Fatal("password printed")
	}
	code, out, _ = runCLI(t, "provision", "--service", "inventory")
	if code != 0 || !strings.Contains(out, "nothing to change") {
		t.Fatalf("rerun: %s", out)
	}
	u := strings.Replace(c.URL("inventory"), "postgres@", "inventory_svc:inv-secret-pw@", 1)
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatalf("log in as inventory_svc: %v", err)
	}
	defer conn.Close(ctx)
	var sp string
	if err := conn.QueryRow(ctx, "SHOW search_path").Scan(&sp); err != nil || sp != "inventory, public" {
		t.Fatalf("search_path %q (%v)", sp, err)
	}
	os.Unsetenv("INVENTORY_DB_PASSWORD")
	code, _, errOut = runCLI(t, "provision", "--service", "inventory")
	if code != 1 || !strings.Contains(errOut, "environment variable INVENTORY_DB_PASSWORD is not set") {
		t.Fatalf("unset password variable: %d %s", code, errOut)
	}
}

func TestInitWritesStarter(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "order-api")
	code, out, errOut := runCLI(t, "init", dir)
	if code != 0 {
		t.Fatalf("%d %s %s", code, out, errOut)
	}
	se, err := loadStarter(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	if se.Service == nil || se.Service.Name != "order_api" || se.RevisionsSchema != "order_api" || se.Dir != "file://migrations" {
		t.Fatalf("%+v", se)
	}
	if err := migrations.Verify(filepath.Join(dir, "migrations")); err != nil {
		t.Fatal(err)
	}
	text, _ := os.ReadFile(filepath.Join(dir, "atlas.hcl"))
	if !strings.Contains(string(text), "DB_PASSWORD, DB_NAME (DB_HOST") || strings.Contains(string(text), "@") {
		t.Fatalf("starter text damaged by the name substitution:\n%s", text)
	}
	if code, _, errOut := runCLI(t, "init", dir); code != 1 || !strings.Contains(errOut, "--force") {
		t.Fatalf("second init: %d %s", code, errOut)
	}
	if code, _, _ := runCLI(t, "init", "--force", "--service", "x", dir); code != 0 {
		t.Fatal("init --force")
	}
}

// clearLibpqEnv unsets the PG* and DB_* variables for the test.
func clearLibpqEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "PG") || strings.HasPrefix(k, "DB_") || k == "SCHEMACTL_ADMIN_URL" {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	t.Setenv("HOME", t.TempDir())
}

// loadStarter reads the atlas.hcl that init wrote, after checking that it
// uses only what Atlas accepts (verified against Atlas's own loader): no
// variable but atlas.* and var.*, no function but Atlas's.
func loadStarter(t *testing.T, dir string) (*atlashcl.ServiceEnv, error) {
	t.Helper()
	path := filepath.Join(dir, "atlas.hcl")
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	file, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, diags
	}
	hclsyntax.VisitAll(file.Body.(*hclsyntax.Body), func(n hclsyntax.Node) hcl.Diagnostics {
		switch e := n.(type) {
		case *hclsyntax.ScopeTraversalExpr:
			if r := e.Traversal.RootName(); r != "atlas" && r != "var" {
				t.Errorf("%s: variable %s is unknown to Atlas", e.SrcRange, r)
			}
		case *hclsyntax.FunctionCallExpr:
			if e.Name != "getenv" && e.Name != "file" {
				t.Errorf("%s: function %s is unknown to Atlas", e.NameRange, e.Name)
			}
		}
		return nil
	})
	t.Setenv("DATABASE_URL", "postgres://localhost/x")
	return atlashcl.LoadServiceEnv(path, "prod", nil)
}
