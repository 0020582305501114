package devdb

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) {
	if os.Getenv("DEVDB_HELPER_PROCESS") == "1" {
		helperProcess()
		return
	}
	os.Exit(Main(m))
}

// privateBase returns a base directory on tmpfs that only this test uses, so
// that it can count what is left behind.
func privateBase(t testing.TB) string {
	t.Helper()
	parent := "/dev/shm"
	if _, err := os.Stat(parent); err != nil {
		parent = os.TempDir()
	}
	dir, err := os.MkdirTemp(parent, "devdb-test-")
	if err != nil {
		t.Fatal(err)
	}
	// The server runs as another user when tests run as root: it must be
	// able to reach its directory.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func connect(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func countTables(t testing.TB, conn *pgx.Conn) int {
	t.Helper()
	var n int
	err := conn.QueryRow(context.Background(),
		`SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestFreshDatabaseIsEmptyAndIsolated(t *testing.T) {
	ctx := context.Background()
	first := connect(t, ForTest(t))
	if n := countTables(t, first); n != 0 {
		t.Fatalf("fresh database has %d relations", n)
	}
	if _, err := first.Exec(ctx, "CREATE TABLE leftover (id int PRIMARY KEY); CREATE SCHEMA other"); err != nil {
		t.Fatal(err)
	}
	second := connect(t, ForTest(t))
	if n := countTables(t, second); n != 0 {
		t.Fatalf("second database sees %d relations of the first", n)
	}
	var schemas int
	if err := second.QueryRow(ctx, "SELECT count(*) FROM pg_namespace WHERE nspname = 'other'").Scan(&schemas); err != nil {
		t.Fatal(err)
	}
	if schemas != 0 {
		t.Fatal("second database sees the first one's schema")
	}
	var db1, db2 string
	first.QueryRow(ctx, "SELECT current_database()").Scan(&db1)
	second.QueryRow(ctx, "SELECT current_database()").Scan(&db2)
	if db1 == db2 {
		t.Fatalf("both tests got database %s", db1)
	}
}

func TestParallelForTest(t *testing.T) {
	for i := 0; i < 8; i++ {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			conn := connect(t, ForTest(t))
			if _, err := conn.Exec(context.Background(), "CREATE TABLE t (id bigint)"); err != nil {
				t.Fatal(err)
			}
			if n := countTables(t, conn); n != 1 {
				t.Fatalf("want 1 relation, got %d", n)
			}
		})
	}
}

func TestHundredDatabasesLeaveNothingBehind(t *testing.T) {
	ctx := context.Background()
	base := privateBase(t)
	c, err := StartLocal(ctx, Options{BaseDir: base})
	if err != nil {
		t.Fatal(err)
	}
	dir := c.Dir()
	for i := 0; i < 100; i++ {
		db, err := c.NewDatabase(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	c.drops.Wait()
	var left int
	if err := c.admin.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname LIKE 'schemactl_%'").Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Fatalf("%d databases left on the server", left)
	}
	// Databases not closed by their user go away with the cluster.
	if _, err := c.NewDatabase(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("cluster directory %s still exists after Close (%v)", dir, err)
	}
	runs, _ := filepath.Glob(filepath.Join(base, "*", "run-*"))
	if len(runs) != 0 {
		t.Fatalf("left behind: %v", runs)
	}
}

// helperProcess starts a cluster, prints its directory and server pid, and
// waits to be killed.
func helperProcess() {
	c, err := StartLocal(context.Background(), Options{BaseDir: os.Getenv("DEVDB_HELPER_BASE")})
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	fmt.Println(c.Dir(), c.PID())
	time.Sleep(time.Minute)
	os.Exit(0)
}

func TestSIGKILLLeavesDirectoryThatNextRunCleans(t *testing.T) {
	base := privateBase(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DEVDB_HELPER_PROCESS=1", "DEVDB_HELPER_BASE="+base)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		t.Fatalf("helper: %v", err)
	}
	var dir string
	var pid int
	if _, err := fmt.Sscan(line, &dir, &pid); err != nil {
		cmd.Process.Kill()
		t.Fatalf("helper said %q", line)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if _, err := os.Stat(filepath.Join(dir, "data")); err != nil {
		t.Fatalf("expected the killed process to leave %s behind: %v", dir, err)
	}
	// The server follows its parent (parent-death signal).
	deadline := time.Now().Add(10 * time.Second)
	for processAlive(pid) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if processAlive(pid) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Errorf("server %d outlived its killed parent", pid)
	}
	c, err := StartLocal(context.Background(), Options{BaseDir: base})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("next run did not clean %s (%v)", dir, err)
	}
}

func TestStaleDirectoryWithLiveServerIsStopped(t *testing.T) {
	// A detached server whose owner record points at a dead process is
	// stopped and removed by the next run.
	ctx := context.Background()
	base := privateBase(t)
	c, err := StartLocal(ctx, Options{BaseDir: base, Detach: true, StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	c.admin.Close(ctx)
	pid, dir := c.PID(), c.Dir()
	// Pretend the owner died: point the record at a process that has exited.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "owner"), []byte(fmt.Sprintf("%d 1\n", dead.Process.Pid)), 0o644); err != nil {
		t.Fatal(err)
	}
	c2, err := StartLocal(ctx, Options{BaseDir: base})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if processAlive(pid) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Fatal("stale server still running")
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stale directory %s not removed", dir)
	}
}

func TestRemoteDropsScratchDatabaseWhenCommandFails(t *testing.T) {
	ctx := context.Background()
	c, err := StartLocal(ctx, Options{BaseDir: privateBase(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.admin.Exec(ctx, "CREATE ROLE dev_user LOGIN CREATEDB PASSWORD 'hunter2-secret'"); err != nil {
		t.Fatal(err)
	}
	remoteURL := strings.Replace(c.URL("postgres"), "postgres@", "dev_user:hunter2-secret@", 1)
	r, err := OpenRemote(ctx, remoteURL)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if strings.Contains(r.String(), "hunter2") {
		t.Fatalf("String() leaks the password: %s", r)
	}
	var name string
	failure := errors.New("command failed")
	err = WithDatabase(ctx, r, func(db *Database) error {
		name = db.Name
		conn := connect(t, db.URL)
		if _, err := conn.Exec(ctx, "CREATE TABLE x (id int)"); err != nil {
			return err
		}
		return failure // the connection is still open: drop must force it
	})
	if !errors.Is(err, failure) {
		t.Fatalf("want the command's error, got %v", err)
	}
	var n int
	if err := c.admin.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("scratch database %s survived the failing command", name)
	}
}

func TestRemoteErrorsNeverShowPassword(t *testing.T) {
	ctx := context.Background()
	_, err := OpenRemote(ctx, "postgres://someone:hunter2-secret@/nodb?host=/nonexistent-socket-dir&connect_timeout=1")
	if err == nil {
		t.Fatal("want an error")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("password in error: %v", err)
	}
}

func TestOpenRejectsUnknownScheme(t *testing.T) {
	_, err := Open(context.Background(), "mysql://u:secretpw@h/db")
	if err == nil || strings.Contains(err.Error(), "secretpw") {
		t.Fatalf("want a clean error, got %v", err)
	}
}

func TestFindBinariesHonoursEnv(t *testing.T) {
	t.Setenv("SCHEMACTL_PG_BIN", "/nonexistent/bin")
	if _, err := FindBinaries(context.Background()); err == nil || !strings.Contains(err.Error(), "SCHEMACTL_PG_BIN") {
		t.Fatalf("want an error naming SCHEMACTL_PG_BIN, got %v", err)
	}
	t.Setenv("SCHEMACTL_PG_BIN", "")
	b, err := FindBinaries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !isExecutable(b.Postgres()) || b.Stamp == "" {
		t.Fatalf("unexpected binaries %+v", b)
	}
}

func TestDetachedClusterLifecycle(t *testing.T) {
	ctx := context.Background()
	opts := Options{BaseDir: privateBase(t), StateDir: t.TempDir()}
	st, already, err := StartDetached(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { StopDetached(opts) })
	if already {
		t.Fatal("fresh state dir reported a running server")
	}
	_, already, err = StartDetached(ctx, opts)
	if err != nil || !already {
		t.Fatalf("second start: already=%v err=%v", already, err)
	}
	c, err := AttachRunning(ctx, opts)
	if err != nil || c == nil {
		t.Fatalf("attach: %v %v", c, err)
	}
	db, err := c.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	conn := connect(t, db.URL)
	if n := countTables(t, conn); n != 0 {
		t.Fatalf("fresh database has %d relations", n)
	}
	conn.Close(ctx)
	name := db.Name
	if err := c.Close(); err != nil { // drops the database, leaves the server
		t.Fatal(err)
	}
	if !processAlive(st.PID) {
		t.Fatal("server stopped by an attached client's Close")
	}
	c2, err := AttachRunning(ctx, opts)
	if err != nil || c2 == nil {
		t.Fatal("attach again failed")
	}
	var n int
	c2.admin.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n)
	c2.Close()
	if n != 0 {
		t.Fatal("attached client's database survived its Close")
	}
	running, err := StopDetached(opts)
	if err != nil || !running {
		t.Fatalf("stop: running=%v err=%v", running, err)
	}
	if processAlive(st.PID) {
		t.Fatal("server still running after stop")
	}
	if _, err := os.Stat(st.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("directory left after stop")
	}
	if c, _ := AttachRunning(ctx, opts); c != nil {
		t.Fatal("attach succeeded after stop")
	}
}

func TestStartFailureReportsServerLogAndCleansUp(t *testing.T) {
	base := privateBase(t)
	_, err := StartLocal(context.Background(), Options{BaseDir: base, Settings: map[string]string{"shared_buffers": "not-a-size"}})
	if err == nil || !strings.Contains(err.Error(), "shared_buffers") {
		t.Fatalf("want an error quoting the server's complaint, got %v", err)
	}
	runs, _ := filepath.Glob(filepath.Join(base, "*", "run-*"))
	if len(runs) != 0 {
		t.Fatalf("failed start left %v", runs)
	}
}

// TestWithScratchSettings: the settings of a remote dev server's
// connections come after the user's own options, spaces encoded so that
// pgx and libpq read them back.
func TestWithScratchSettings(t *testing.T) {
	got, err := withScratchSettings("postgres://u:p%2Bw@h:5433/db?sslmode=disable&options=-c%20search_path%3Dapp")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pgx.ParseConfig(got)
	if err != nil {
		t.Fatal(err)
	}
	if want := "-c search_path=app " + scratchSettings; cfg.RuntimeParams["options"] != want {
		t.Errorf("options %q, want %q (%s)", cfg.RuntimeParams["options"], want, got)
	}
	if cfg.Password != "p+w" || cfg.Port != 5433 || cfg.Database != "db" {
		t.Errorf("the rest of the URL changed: %s", got)
	}
}

// TestLazyOpensOnFirstDatabase: a Lazy opens its provider when the first
// database is asked of it, not before, and not after Close; a URL Open
// would refuse is refused at once.
func TestLazyOpensOnFirstDatabase(t *testing.T) {
	ctx := context.Background()
	if _, err := OpenLazy(ctx, "mysql://u:secretpw@h/db"); err == nil || strings.Contains(err.Error(), "secretpw") {
		t.Fatalf("want a clean error for an unsupported URL, got %v", err)
	}
	c, err := StartLocal(ctx, Options{BaseDir: privateBase(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	backends := func() int {
		var n int
		if err := c.admin.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := backends()
	l, err := OpenLazy(ctx, c.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	if Unwrap(l) != nil || backends() != before {
		t.Fatal("the provider was opened before a database was asked of it")
	}
	db, err := l.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := Unwrap(l).(*Remote); !ok {
		t.Fatalf("want the remote provider behind the Lazy, got %T", Unwrap(l))
	}
	if err := db.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.NewDatabase(ctx); err == nil {
		t.Fatal("a closed Lazy handed out a database")
	}
	unused, err := OpenLazy(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := unused.Close(); err != nil || Unwrap(unused) != nil {
		t.Fatalf("closing an unused Lazy: %v, %v", err, Unwrap(unused))
	}
}
