package migrations

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/schemactl/schemactl/devdb"
)

// TestConnSourcePrecedence checks flag URL > env URL > DB_* > PG*, with a
// real connection through the unix socket directory given as DB_HOST.
func TestConnSourcePrecedence(t *testing.T) {
	ctx := context.Background()
	sock, port, db := socketOf(t, devdb.ForTest(t))
	clearPGEnv(t)
	for _, kv := range componentVars {
		t.Setenv(kv[0], "")
	}
	t.Setenv("PGHOST", "/nonexistent-pg-host")
	t.Setenv("PGDATABASE", "from_pg")
	t.Setenv("PGSSLMODE", "disable")

	r, err := ConnSource{}.Resolve()
	if err != nil || r.From != "the libpq environment" || r.Config.Host != "/nonexistent-pg-host" || r.Database != "" {
		t.Fatalf("libpq only: %+v %v", r, err)
	}

	t.Setenv(EnvDBHost, sock)
	t.Setenv(EnvDBPort, fmt.Sprint(port))
	t.Setenv(EnvDBUser, "postgres")
	t.Setenv(EnvDBPassword, `it's a \ secret`)
	t.Setenv(EnvDBName, db)
	r, err = ConnSource{EnvName: "prod"}.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	if r.From != "DB_* variables" || r.Config.Host != sock || r.Config.Database != db || r.User != "postgres" || !r.Password || r.Config.Password != `it's a \ secret` {
		t.Fatalf("components: %+v %+v", r, r.Config)
	}
	conn, err := ConnectConfig(ctx, r.Config, ConnOptions{})
	if err != nil {
		t.Fatalf("connect through DB_HOST=%s: %v", sock, err)
	}
	if got := currentDB(t, conn); got != db+" postgres" {
		t.Fatalf("connected to %q", got)
	}
	conn.Close(ctx)

	envURL := fmt.Sprintf("postgres://envuser@/envdb?host=%s", url.QueryEscape(sock))
	r, err = ConnSource{EnvURL: envURL, EnvName: "prod"}.Resolve()
	if err != nil || r.From != `the url of env "prod"` || r.User != "envuser" || r.Database != "envdb" || r.Password {
		t.Fatalf("env url: %+v %v", r, err)
	}
	r, err = ConnSource{URL: "user=flaguser dbname='flag db'", EnvURL: envURL}.Resolve()
	if err != nil || r.From != "--url" || r.User != "flaguser" || r.Database != "flag db" || r.Config.Host != "/nonexistent-pg-host" {
		t.Fatalf("flag url: %+v %v", r, err)
	}

	t.Setenv(EnvDBPort, "54x")
	if _, err := (ConnSource{}).Resolve(); err == nil || !strings.Contains(err.Error(), "DB_PORT") {
		t.Fatalf("bad DB_PORT: %v", err)
	}
}

// TestConnectRetriesBounded checks --connect-retries and
// --connect-retry-interval: a fixed interval, a capped count, and the
// timeout still bounding the total.
func TestConnectRetriesBounded(t *testing.T) {
	ctx := context.Background()
	empty := t.TempDir()
	u := fmt.Sprintf("postgres://postgres@/db?host=%s&sslmode=disable", url.QueryEscape(empty))
	start := time.Now()
	_, err := Connect(ctx, u, ConnOptions{ConnectTimeout: 10 * time.Second, Retries: 2, RetryInterval: 100 * time.Millisecond})
	d := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "gave up after 3 attempts") {
		t.Fatalf("want 3 attempts, got %v", err)
	}
	if d < 200*time.Millisecond || d > 3*time.Second {
		t.Fatalf("two retries 100ms apart took %s", d)
	}
	start = time.Now()
	_, err = Connect(ctx, u, ConnOptions{ConnectTimeout: 300 * time.Millisecond, Retries: 1000, RetryInterval: 50 * time.Millisecond})
	if err == nil || time.Since(start) > 3*time.Second {
		t.Fatalf("the timeout did not bound the retries: %v after %s", err, time.Since(start))
	}
}
