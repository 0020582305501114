package provision

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/internal/pgquote"
	"github.com/schemactl/schemactl/internal/pgurl"
)

func TestMain(m *testing.M) { os.Exit(devdb.Main(m)) }

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// sqlstate returns the SQLSTATE of err ("" when it is not a server error).
func sqlstate(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

func TestProvisionTwiceIsNoop(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := ServiceForTest(t, "orders")
	if !s.Result.Changed() {
		t.Fatal("first provisioning reported no action")
	}
	var all string
	for _, a := range s.Result.Actions {
		all += a + "\n"
	}
	for _, want := range []string{"created role", "created schema \"orders\" owned by", "set the search_path", "created the history table \"orders\".\"atlas_schema_revisions\""} {
		if !strings.Contains(all, want) {
			t.Errorf("actions lack %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, s.Password) {
		t.Fatalf("password in the actions:\n%s", all)
	}
	res, err := Provision(ctx, connect(t, s.AdminURL), Spec{Names: s.Names, Password: s.Password}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed() || len(res.Warnings) > 0 {
		t.Fatalf("second run changed %q, warned %q", res.Actions, res.Warnings)
	}
}

func TestProvisionDryRunChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := devdb.ForTest(t)
	admin := connect(t, url)
	names, err := ForService("dry", Names{Database: pgurl.Database(url), Role: "dry_svc_t" + randomHex(6)})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Provision(ctx, admin, Spec{Names: names, Password: "x"}, Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed() || !res.DryRun {
		t.Fatalf("dry run: %+v", res)
	}
	var n int
	if err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_roles WHERE rolname = $1`, names.Role).Scan(&n); err != nil || n != 0 {
		t.Fatalf("dry run left role %s (%d, %v)", names.Role, n, err)
	}
}

// TestTwoServicesIsolated provisions two services in one database and
// checks that each works unqualified in its own schema and can touch
// neither the other's schema nor public.
func TestTwoServicesIsolated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := devdb.ForTest(t)
	a := ServiceForTestIn(t, url, "billing")
	b := ServiceForTestIn(t, url, "shipping")
	ca, cb := connect(t, a.URL), connect(t, b.URL)

	for _, c := range []struct {
		conn   *pgx.Conn
		schema string
	}{{ca, "billing"}, {cb, "shipping"}} {
		if _, err := c.conn.Exec(ctx, `CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)`); err != nil {
			t.Fatalf("%s: create unqualified: %v", c.schema, err)
		}
		var schema string
		if err := c.conn.QueryRow(ctx, `SELECT n.nspname FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace WHERE r.oid = 't'::regclass`).Scan(&schema); err != nil || schema != c.schema {
			t.Fatalf("table t landed in %q (%v), want %q", schema, err, c.schema)
		}
	}
	for _, sql := range []string{
		`SELECT * FROM shipping.t`,
		`CREATE TABLE shipping.x (id int)`,
		`CREATE TABLE public.x (id int)`,
		`CREATE SCHEMA sneaky`,
		`ALTER SCHEMA shipping OWNER TO CURRENT_USER`,
	} {
		_, err := ca.Exec(ctx, sql)
		if code := sqlstate(err); code != "42501" {
			t.Errorf("%s as billing: got %v (SQLSTATE %q), want permission denied", sql, err, code)
		}
	}
	// The superuser can read both; nothing leaked into public.
	var n int
	if err := connect(t, url).QueryRow(ctx, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("public holds %d relations (%v)", n, err)
	}
}

// TestProvisionRepairs undoes grants and attributes that would break the
// isolation, and reports each.
func TestProvisionRepairs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := devdb.ForTest(t)
	a := ServiceForTestIn(t, url, "alpha")
	b := ServiceForTestIn(t, url, "beta")
	admin := connect(t, url)
	ra, rb := pgquote.Ident(a.Role), pgquote.Ident(b.Role)
	for _, sql := range []string{
		"ALTER ROLE " + ra + " CREATEDB NOLOGIN",
		"GRANT USAGE, CREATE ON SCHEMA beta TO " + ra,
		"GRANT CREATE ON SCHEMA public TO PUBLIC",
		"GRANT CREATE ON SCHEMA public TO " + ra,
		"GRANT USAGE ON SCHEMA alpha TO PUBLIC",
		"GRANT CREATE ON DATABASE " + pgquote.Ident(a.Database) + " TO " + ra,
		"GRANT " + rb + " TO " + ra,
		"ALTER ROLE " + ra + " IN DATABASE " + pgquote.Ident(a.Database) + " SET search_path TO public",
	} {
		if _, err := admin.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	res, err := Provision(ctx, admin, Spec{Names: a.Names, Password: a.Password}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(res.Actions, "\n")
	for _, want := range []string{
		"to LOGIN NOCREATEDB",
		`revoked all privileges on schema "beta" from`,
		`revoked CREATE on schema "public" from PUBLIC`,
		`revoked CREATE on schema "public" from ` + ra,
		`revoked all privileges on schema "alpha" from PUBLIC`,
		`revoked CREATE on database`,
		`revoked membership in role ` + rb,
		`set the search_path of role ` + ra,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("actions lack %q:\n%s", want, got)
		}
	}
	res, err = Provision(ctx, admin, Spec{Names: a.Names, Password: a.Password}, Options{})
	if err != nil || res.Changed() {
		t.Fatalf("second run: %v, %q", err, res.Actions)
	}
	if _, err := connect(t, a.URL).Exec(ctx, `SELECT * FROM beta.t`); sqlstate(err) != "42501" {
		t.Fatalf("alpha still reaches beta: %v", err)
	}
}

func TestProvisionRefusesSuperuserRole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := devdb.ForTest(t)
	role := "su_svc_t" + randomHex(6)
	admin := connect(t, url)
	if _, err := admin.Exec(ctx, "CREATE ROLE "+role+" SUPERUSER LOGIN"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dropRole(t, url, role) })
	var db string
	admin.QueryRow(ctx, "SELECT current_database()").Scan(&db)
	_, err := Provision(ctx, admin, Spec{Names: Names{Service: "su", Database: db, Schema: "su", Role: role}}, Options{})
	if err == nil || !strings.Contains(err.Error(), "is a superuser") {
		t.Fatalf("got %v, want a refusal", err)
	}
}

func TestForService(t *testing.T) {
	n, err := ForService("orders", Names{})
	if err != nil || n != (Names{Service: "orders", Database: "orders", Schema: "orders", Role: "orders_svc"}) {
		t.Fatalf("%+v %v", n, err)
	}
	n, err = ForService("orders", Names{Database: "app", Role: "ord"})
	if err != nil || n.Database != "app" || n.Schema != "orders" || n.Role != "ord" {
		t.Fatalf("%+v %v", n, err)
	}
	for _, bad := range []string{"", "Orders", "1x", "a-b", strings.Repeat("a", 60)} {
		if _, err := ForService(bad, Names{}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := ForService("x", Names{Schema: "public"}); err == nil {
		t.Error("schema public accepted")
	}
	if PasswordEnv("order-api") != "ORDER_API_DB_PASSWORD" {
		t.Error(PasswordEnv("order-api"))
	}
}
