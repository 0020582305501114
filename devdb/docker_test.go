package devdb

import (
	"context"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ory/dockertest/v3/docker"
)

func TestParseDockerURL(t *testing.T) {
	ok := []struct {
		in   string
		want DockerImage
	}{
		{"docker://postgres/15", DockerImage{Repository: "postgres", Tag: "15", Database: "postgres"}},
		{"docker://postgres/15/", DockerImage{Repository: "postgres", Tag: "15", Database: "postgres"}},
		{"docker://postgres/15/dev", DockerImage{Repository: "postgres", Tag: "15", Database: "dev"}},
		{"docker://postgres/15.3/my%20db", DockerImage{Repository: "postgres", Tag: "15.3", Database: "my db"}},
		{"docker://postgres/15/dev?search_path=public", DockerImage{Repository: "postgres", Tag: "15", Database: "dev", Query: "search_path=public"}},
		{"docker://postgres", DockerImage{Repository: "postgres", Tag: "latest", Database: "postgres"}},
		{"docker://postgres:15", DockerImage{Repository: "postgres", Tag: "15", Database: "postgres"}},
		{"docker://postgres:15-alpine", DockerImage{Repository: "postgres", Tag: "15-alpine", Database: "postgres"}},
		{"docker://team/pg:15", DockerImage{Repository: "team/pg", Tag: "15", Database: "postgres"}},
		{"docker://registry.example:5000/team/pg:15", DockerImage{Repository: "registry.example:5000/team/pg", Tag: "15", Database: "postgres"}},
		{"docker://localhost:5000/pg:15?search_path=x", DockerImage{Repository: "localhost:5000/pg", Tag: "15", Database: "postgres", Query: "search_path=x"}},
		{"docker://ghcr.io/team/sub/pg:15.4", DockerImage{Repository: "ghcr.io/team/sub/pg", Tag: "15.4", Database: "postgres"}},
	}
	for _, tc := range ok {
		got, err := ParseDockerURL(tc.in)
		if err != nil {
			t.Errorf("ParseDockerURL(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseDockerURL(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
	bad := []struct{ in, why string }{
		{"postgres/15", "does not start with docker://"},
		{"docker://", "no image named"},
		{"docker:///postgres/15", "empty path element"},
		{"docker://postgres//dev", "empty path element"},
		{"docker://postgres/15/dev/extra", "too many path elements"},
		{"docker://postgres:", `bad image tag ""`},
		{"docker://postgres:15/dev", "takes no database name"},
		{"docker://registry.example:5000/team/pg", "tag after the last path element"},
		{"docker://Postgres/15", `bad image name "Postgres"`},
		{"docker://post gres:15", "bad image name"},
		{"docker://postgres/-15", `bad image tag "-15"`},
		{"docker://postgres@sha256:abc", "bad image name"},
		{"docker://postgres/15/%zz", "bad database name"},
		{"docker://postgres/15/" + strings.Repeat("d", 64), "longer than 63 bytes"},
		{"docker://postgres/15?a=%zz", "bad query string"},
	}
	for _, tc := range bad {
		_, err := ParseDockerURL(tc.in)
		if err == nil {
			t.Errorf("ParseDockerURL(%q) succeeded, want error containing %q", tc.in, tc.why)
			continue
		}
		if !strings.Contains(err.Error(), tc.why) || !strings.Contains(err.Error(), "docker://postgres/15") {
			t.Errorf("ParseDockerURL(%q) error %q: want it to contain %q and name the accepted forms", tc.in, err, tc.why)
		}
	}
}

func TestDockerNoEngine(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent.sock")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := Open(ctx, "docker://postgres/15")
	if err == nil {
		p.Close()
		t.Fatal("Open succeeded without a Docker engine")
	}
	msg := err.Error()
	t.Log(msg)
	for _, want := range []string{"no Docker engine answers", "unix:///nonexistent.sock", "leave --dev-url empty", "local default"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("error spans several lines: %q", msg)
	}
}

func TestOrphaned(t *testing.T) {
	host, _ := os.Hostname()
	ns := pidNamespace()
	if ns == "" {
		t.Skip("no /proc: orphans are found by expiry only")
	}
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	initStart, err := processStart(1)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	future := strconv.FormatInt(now.Add(time.Hour).Unix(), 10)
	past := strconv.FormatInt(now.Add(-time.Second).Unix(), 10)
	owner := func(h, ns string, pid int, start string) string {
		return h + ":" + ns + ":" + strconv.Itoa(pid) + ":" + start
	}
	cases := []struct {
		name   string
		labels map[string]string
		want   bool
	}{
		{"mine", map[string]string{labelOwner: ownerLabel(), labelExpires: future}, false},
		{"live other process", map[string]string{labelOwner: owner(host, ns, 1, initStart), labelExpires: future}, false},
		{"dead owner", map[string]string{labelOwner: owner(host, ns, dead.Process.Pid, "1"), labelExpires: future}, true},
		{"reused pid", map[string]string{labelOwner: owner(host, ns, 1, initStart+"0"), labelExpires: future}, true},
		{"expired", map[string]string{labelOwner: ownerLabel(), labelExpires: past}, true},
		{"other host", map[string]string{labelOwner: owner(host+"x", ns, dead.Process.Pid, "1"), labelExpires: future}, false},
		{"other pid namespace", map[string]string{labelOwner: owner(host, ns+"1", dead.Process.Pid, "1"), labelExpires: future}, false},
		{"malformed", map[string]string{labelOwner: "garbage"}, false},
	}
	for _, tc := range cases {
		if got := orphaned(tc.labels, host, now); got != tc.want {
			t.Errorf("%s: orphaned(%v) = %v, want %v", tc.name, tc.labels, got, tc.want)
		}
	}
}

// needDocker returns a client of the Docker engine. Without one it skips the
// test, except when CI is set: there the test fails.
func needDocker(t testing.TB) *docker.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := dockerClient(ctx)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set, so a Docker engine is required: %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	return c
}

// openDockerT opens a docker:// dev URL and removes the container when the
// test ends, whatever its outcome.
func openDockerT(t testing.TB, ctx context.Context, raw string) *Docker {
	t.Helper()
	d, err := OpenDocker(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return d
}

func containerGone(t *testing.T, client *docker.Client, id string) {
	t.Helper()
	_, err := client.InspectContainer(id)
	var gone *docker.NoSuchContainer
	if !errors.As(err, &gone) {
		t.Errorf("container %.12s still exists after Close (inspect: %v)", id, err)
	}
}

func TestDockerFreshDatabases(t *testing.T) {
	client := needDocker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d := openDockerT(t, ctx, "docker://postgres/15")
	id := d.id

	if strings.Contains(d.String(), d.password) {
		t.Errorf("String() shows the password: %q", d.String())
	}
	c, err := client.InspectContainer(id)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range c.HostConfig.PortBindings[pgPort] {
		if b.HostIP != "127.0.0.1" {
			t.Errorf("port 5432 published on %q, want 127.0.0.1 only", b.HostIP)
		}
	}

	var conns [2]*pgx.Conn
	var dbs [2]*Database
	for i := range dbs {
		db, err := d.NewDatabase(ctx)
		if err != nil {
			t.Fatal(err)
		}
		dbs[i] = db
		conn, err := pgx.Connect(ctx, db.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		conns[i] = conn
		checkEmpty(t, ctx, conn, db.Name)
	}
	if dbs[0].Name == dbs[1].Name {
		t.Fatalf("two databases share the name %s", dbs[0].Name)
	}
	var version int
	if err := conns[0].QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version/10000 != 15 {
		t.Errorf("server version %d, want 15", version)
	}

	if _, err := conns[0].Exec(ctx, "CREATE TABLE t (id int PRIMARY KEY); CREATE SCHEMA s"); err != nil {
		t.Fatal(err)
	}
	var seen bool
	if err := conns[1].QueryRow(ctx, "SELECT to_regclass('public.t') IS NOT NULL OR EXISTS (SELECT FROM pg_namespace WHERE nspname = 's')").Scan(&seen); err != nil {
		t.Fatal(err)
	}
	if seen {
		t.Error("an object created in the first database shows in the second")
	}
	if err := conns[0].QueryRow(ctx, "SELECT to_regclass('public.t') IS NOT NULL").Scan(&seen); err != nil || !seen {
		t.Errorf("table t missing from the database it was created in (%v)", err)
	}

	conns[0].Close(ctx)
	if err := dbs[0].Close(ctx); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := conns[1].QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", dbs[0].Name).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("database %s still exists after Close", dbs[0].Name)
	}

	conns[1].Close(ctx)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	containerGone(t, client, id)
	if err := d.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := d.NewDatabase(ctx); err == nil {
		t.Error("NewDatabase succeeded after Close")
	}
}

// checkEmpty fails the test unless the database holds nothing but what
// PostgreSQL puts into every new database.
func checkEmpty(t *testing.T, ctx context.Context, conn *pgx.Conn, name string) {
	t.Helper()
	var db string
	var rels, funcs, types int
	var schemas, exts []string
	err := conn.QueryRow(ctx, `
SELECT current_database(),
  (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'),
  (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')),
  (SELECT count(*) FROM pg_type ty JOIN pg_namespace n ON n.oid = ty.typnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'),
  (SELECT array_agg(nspname ORDER BY nspname) FROM pg_namespace
    WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'),
  (SELECT array_agg(extname ORDER BY extname) FROM pg_extension)`).Scan(&db, &rels, &funcs, &types, &schemas, &exts)
	if err != nil {
		t.Fatal(err)
	}
	if db != name {
		t.Errorf("connected to %s, want %s", db, name)
	}
	if rels != 0 || funcs != 0 || types != 0 {
		t.Errorf("database %s is not empty: %d relations, %d functions, %d types outside the system schemas", name, rels, funcs, types)
	}
	if strings.Join(schemas, ",") != "public" || strings.Join(exts, ",") != "plpgsql" {
		t.Errorf("database %s has schemas %v and extensions %v, want [public] and [plpgsql]", name, schemas, exts)
	}
}

func TestDockerDatabaseNameAndQuery(t *testing.T) {
	client := needDocker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d := openDockerT(t, ctx, "docker://postgres/15/dev?search_path=app")
	db, err := d.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	if u.Hostname() != "127.0.0.1" || u.Query().Get("search_path") != "app" {
		t.Errorf("database URL host %q, query %q: want 127.0.0.1 and search_path=app", u.Hostname(), u.RawQuery)
	}
	conn, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	var sp string
	err = conn.QueryRow(ctx, "SHOW search_path").Scan(&sp)
	conn.Close(ctx)
	if err != nil || sp != "app" {
		t.Errorf("search_path = %q (%v), want app", sp, err)
	}
	var created string
	if err := d.admin.QueryRow(ctx, "SELECT current_database()").Scan(&created); err != nil || created != "dev" {
		t.Errorf("server database = %q (%v), want dev", created, err)
	}

	// When the server goes away, errors still never show the password.
	if err := client.KillContainer(docker.KillContainerOptions{ID: d.id}); err != nil {
		t.Fatal(err)
	}
	_, err = d.NewDatabase(ctx)
	if err == nil {
		t.Fatal("NewDatabase succeeded on a killed container")
	}
	t.Log(err)
	if strings.Contains(err.Error(), d.password) {
		t.Errorf("error shows the password: %v", err)
	}
	id := d.id
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	containerGone(t, client, id)
}

func TestDockerFailedStart(t *testing.T) {
	client := needDocker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	img, err := ParseDockerURL("docker://postgres/15")
	if err != nil {
		t.Fatal(err)
	}
	mark := newName("failed_start_")
	password := "pw-" + mark
	d, err := openDocker(ctx, img, dockerRun{
		password: password,
		args:     []string{"-c", "no_such_setting=1"},
		labels:   map[string]string{"org.schemactl.test": mark},
	})
	if err == nil {
		d.Close()
		t.Fatal("a server with a bad setting started")
	}
	msg := err.Error()
	t.Log(msg)
	if strings.Contains(msg, password) {
		t.Errorf("error shows the password: %s", msg)
	}
	if strings.Contains(msg, "\n") || !strings.Contains(msg, "exited") || !strings.Contains(msg, "no_such_setting") {
		t.Errorf("error %q: want one line saying the container exited, with the server's complaint", msg)
	}
	left, err := client.ListContainers(docker.ListContainersOptions{All: true,
		Filters: map[string][]string{"label": {"org.schemactl.test=" + mark}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range left {
		t.Errorf("container %.12s left behind after a failed start", c.ID)
		_ = client.RemoveContainer(docker.RemoveContainerOptions{ID: c.ID, Force: true})
	}
}

func TestDockerSweepsOrphans(t *testing.T) {
	client := needDocker(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if pidNamespace() == "" {
		t.Skip("no /proc: orphans are found by expiry only")
	}
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	future := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	create := func(owner string) string {
		c, err := client.CreateContainer(docker.CreateContainerOptions{Context: ctx, Config: &docker.Config{
			Image: "postgres:15", Cmd: []string{"postgres", "--version"},
			Labels: map[string]string{labelOwner: owner, labelExpires: future}}})
		if err != nil {
			t.Fatalf("create container (is image postgres:15 built? scripts/build-pg-image.sh): %v", err)
		}
		t.Cleanup(func() { _ = client.RemoveContainer(docker.RemoveContainerOptions{ID: c.ID, Force: true}) })
		return c.ID
	}
	orphan := create(host + ":" + pidNamespace() + ":" + strconv.Itoa(dead.Process.Pid) + ":1")
	mine := create(ownerLabel())
	sweepOrphans(ctx, client)
	containerGone(t, client, orphan)
	if _, err := client.InspectContainer(mine); err != nil {
		t.Errorf("the sweep removed a container whose owner runs: %v", err)
	}
}

// BenchmarkDockerFreshDatabase measures creating and dropping one fresh
// database on a running container.
func BenchmarkDockerFreshDatabase(b *testing.B) {
	needDocker(b)
	ctx := context.Background()
	d := openDockerT(b, ctx, "docker://postgres/15")
	for b.Loop() {
		db, err := d.NewDatabase(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if err := db.Close(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDockerMissingImage(t *testing.T) {
	needDocker(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d, err := OpenDocker(ctx, "docker://schemactl.invalid/no-such-image:0")
	if err == nil {
		d.Close()
		t.Fatal("OpenDocker succeeded with an image that exists nowhere")
	}
	t.Log(err)
	if msg := err.Error(); !strings.Contains(msg, "not on this machine") || !strings.Contains(msg, "build-pg-image.sh") || strings.Contains(msg, "\n") {
		t.Errorf("error %q: want one line saying the image is missing and how to build one", msg)
	}
}
