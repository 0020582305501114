package devdb

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/schemactl/schemactl/internal/pgquote"
)

// Options tunes the local mode. The zero value is the default.
type Options struct {
	// Binaries are the PostgreSQL programs to use; found with FindBinaries
	// when empty.
	Binaries Binaries
	// BaseDir is where cluster directories live: SCHEMACTL_RUNTIME_DIR, else
	// /dev/shm when it exists, else the system temporary directory.
	BaseDir string
	// StateDir holds the state file of the cluster left running by
	// `schemactl dev start`: SCHEMACTL_STATE_DIR, else <user cache dir>/schemactl.
	StateDir string
	// Detach leaves the server running after this process exits (used by
	// `schemactl dev start`). A detached server is not tied to the process
	// that started it and is stopped by StopDetached.
	Detach bool
	// Settings are extra server settings (postgres -c name=value).
	Settings map[string]string
}

// superuser is the bootstrap superuser of every local cluster.
const superuser = "postgres"

// templateDB is the database every fresh database is cloned from. Nothing
// ever connects to it, so CREATE DATABASE ... TEMPLATE never waits.
const templateDB = "template1"

// serverSettings tune a throwaway cluster: nothing is ever recovered after a
// crash, so durability is switched off, and the lock table holds four times
// what a server with the default settings does (about 28,000 locks: schemas
// with thousands of tables loaded in one transaction; a file that needs
// more is loaded statement by statement). A bigger table costs every read
// of pg_locks, which walks all of it: lint reads pg_locks after every
// statement, and a table of 1024 locks per connection made a lint of
// kratos about 8% slower. JIT compilation is off: on a large schema the
// catalog queries of inspection and lint pass jit_above_cost and take
// longer to compile than to run.
var serverSettings = [][2]string{
	{"listen_addresses", ""},
	{"fsync", "off"},
	{"full_page_writes", "off"},
	{"synchronous_commit", "off"},
	{"wal_level", "minimal"},
	{"max_wal_senders", "0"},
	{"autovacuum", "off"},
	{"jit", "off"},
	{"max_connections", "100"},
	{"max_locks_per_transaction", "256"},
	{"shared_buffers", "64MB"},
	{"checkpoint_timeout", "1d"},
	{"max_wal_size", "1GB"},
	{"logging_collector", "off"},
	{"log_min_messages", "warning"},
	{"log_checkpoints", "off"},
	{"dynamic_shared_memory_type", "posix"},
	{"unix_socket_permissions", "0700"},
}

func (o Options) withDefaults() Options {
	if o.BaseDir == "" {
		o.BaseDir = os.Getenv("SCHEMACTL_RUNTIME_DIR")
	}
	if o.BaseDir == "" {
		if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
			o.BaseDir = "/dev/shm"
		} else {
			o.BaseDir = os.TempDir()
		}
	}
	if o.StateDir == "" {
		o.StateDir = os.Getenv("SCHEMACTL_STATE_DIR")
	}
	if o.StateDir == "" {
		if d, err := os.UserCacheDir(); err == nil {
			o.StateDir = filepath.Join(d, "schemactl")
		}
	}
	return o
}

// root is the private directory of this user under the base directory.
func (o Options) root() string {
	return filepath.Join(o.BaseDir, fmt.Sprintf("schemactl-%d", os.Getuid()))
}

// Cluster is a running local PostgreSQL server on a private unix socket.
type Cluster struct {
	dir     string // run directory: data/, sock/, postgres.log, owner
	sockDir string
	port    int
	version string

	owned        bool      // this process started the server and stops it on Close
	cmd          *exec.Cmd // the server process, when owned and not detached
	pid          int
	createSuffix string // options of CREATE DATABASE for this server version

	drops sync.WaitGroup // background drops of an owned server

	mu      sync.Mutex
	admin   *pgx.Conn
	dbs     map[string]bool // databases handed out and not yet dropped
	exited  <-chan struct{} // closed when the server (our child) has exited
	exitErr error           // its exit status, valid once exited is closed
}

// String describes the cluster.
func (c *Cluster) String() string {
	return fmt.Sprintf("local %s (socket %s)", c.version, c.sockDir)
}

// Dir is the cluster's private run directory.
func (c *Cluster) Dir() string { return c.dir }

// PID is the server's process id.
func (c *Cluster) PID() int { return c.pid }

// URL returns the URL of database db on this cluster.
func (c *Cluster) URL(db string) string {
	q := url.Values{}
	q.Set("host", c.sockDir)
	q.Set("port", strconv.Itoa(c.port))
	q.Set("sslmode", "disable")
	return (&url.URL{Scheme: "postgres", User: url.User(superuser), Path: "/" + db, RawQuery: q.Encode()}).String()
}

// StartLocal prepares and starts a private cluster: the PostgreSQL programs
// are found, a ready data directory is copied from the per-version cache
// (made by initdb on first use), and the server is started on a unix socket
// in a private tmpfs directory. Close stops it and removes the directory.
func StartLocal(ctx context.Context, opts Options) (_ *Cluster, err error) {
	opts = opts.withDefaults()
	if opts.Binaries.Dir == "" {
		if opts.Binaries, err = FindBinaries(ctx); err != nil {
			return nil, err
		}
	}
	root := opts.root()
	if err := ensureRoot(root); err != nil {
		return nil, err
	}
	cleanStale(root)
	cred, err := serverCredential()
	if err != nil {
		return nil, err
	}
	cached, err := ensureCache(ctx, root, opts.Binaries, cred)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(root, "run-")
	if err != nil {
		return nil, fmt.Errorf("create cluster directory: %w", err)
	}
	if err := writeOwner(dir, os.Getpid()); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c := &Cluster{dir: dir, sockDir: filepath.Join(dir, "sock"), port: 5432, owned: true, dbs: map[string]bool{}}
	defer func() {
		if err != nil {
			c.stop()
		}
	}()
	if err := os.Mkdir(c.sockDir, 0o700); err != nil {
		return nil, err
	}
	if err := copyTree(cached, filepath.Join(dir, "data"), cred); err != nil {
		return nil, fmt.Errorf("copy cached data directory: %w", err)
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, err
		}
		if err := os.Chown(c.sockDir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, err
		}
	}
	if err := c.startServer(ctx, opts, cred); err != nil {
		return nil, err
	}
	if opts.Detach {
		// The server outlives this process: its own pid keeps the
		// directory alive for the stale-directory sweep.
		if err := writeOwner(dir, c.pid); err != nil {
			return nil, err
		}
	}
	if err := c.connectAdmin(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Cluster) startServer(ctx context.Context, opts Options, cred *syscall.Credential) error {
	args := []string{"-D", filepath.Join(c.dir, "data"), "-k", c.sockDir, "-p", strconv.Itoa(c.port)}
	for _, s := range serverSettings {
		args = append(args, "-c", s[0]+"="+s[1])
	}
	for k, v := range opts.Settings {
		args = append(args, "-c", k+"="+v)
	}
	logf, err := os.OpenFile(filepath.Join(c.dir, "postgres.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(opts.Binaries.Postgres(), args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Dir = c.dir
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C", "TZ=UTC"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if opts.Detach {
		cmd.SysProcAttr.Setsid = true
	} else {
		// The server dies with this process even on SIGKILL; the directory
		// it leaves is swept by the next run.
		cmd.SysProcAttr.Pdeathsig = syscall.SIGQUIT
		cmd.SysProcAttr.Setpgid = true
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	c.pid = cmd.Process.Pid
	exited := make(chan struct{})
	go func() { c.exitErr = cmd.Wait(); close(exited) }()
	if !opts.Detach {
		c.cmd = cmd
		c.exited = exited
	}
	return c.waitReady(ctx, exited)
}

// waitReady polls postmaster.pid until the server reports "ready".
func (c *Cluster) waitReady(ctx context.Context, exited <-chan struct{}) error {
	pidFile := filepath.Join(c.dir, "data", "postmaster.pid")
	deadline := time.Now().Add(60 * time.Second)
	for delay := 500 * time.Microsecond; ; {
		if b, err := os.ReadFile(pidFile); err == nil {
			lines := strings.Split(string(b), "\n")
			if len(lines) >= 8 && strings.TrimSpace(lines[7]) == "ready" {
				return nil
			}
		}
		select {
		case <-exited:
			return fmt.Errorf("postgres exited during start-up (%v): %s", c.exitErr, c.logTail())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres not ready after 60s: %s", c.logTail())
		}
		if delay < 5*time.Millisecond {
			delay *= 2
		}
	}
}

func (c *Cluster) logTail() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "postgres.log"))
	s := strings.TrimSpace(string(b))
	if len(s) > 2000 {
		s = "..." + s[len(s)-2000:]
	}
	if s == "" {
		return "(no server log)"
	}
	return s
}

func (c *Cluster) connectAdmin(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return fmt.Errorf("connect to local dev server: %w", err)
	}
	c.admin = conn
	c.setVersion()
	return nil
}

// setVersion reads the server version from the admin connection.
func (c *Cluster) setVersion() {
	c.version = "PostgreSQL " + c.admin.PgConn().ParameterStatus("server_version")
	v := c.admin.PgConn().ParameterStatus("server_version")
	major, _, _ := strings.Cut(v, ".")
	n, _ := strconv.Atoi(major)
	// FILE_COPY copies the template's files (a few ms on tmpfs); the
	// default WAL_LOG of PostgreSQL 15 writes them through the WAL, which
	// takes several times longer for a throwaway database.
	if n >= 15 {
		c.createSuffix = " STRATEGY FILE_COPY"
	}
}

// NewDatabase clones the template database into a fresh database.
func (c *Cluster) NewDatabase(ctx context.Context) (*Database, error) {
	name := newName("schemactl_")
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.admin == nil {
		return nil, errors.New("local dev server is closed")
	}
	if _, err := c.admin.Exec(ctx, "CREATE DATABASE "+pgquote.Ident(name)+" TEMPLATE "+templateDB+c.createSuffix); err != nil {
		return nil, fmt.Errorf("create dev database: %w", err)
	}
	c.dbs[name] = true
	return &Database{URL: c.URL(name), Name: name, drop: func(ctx context.Context) error { return c.dropDatabase(ctx, name) }}, nil
}

// Keep marks a database as not to be dropped by Close: it lives until the
// server stops (used by `schemactl dev url`).
func (c *Cluster) Keep(db *Database) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.dbs, db.Name)
	db.drop = nil
}

func (c *Cluster) dropDatabase(ctx context.Context, name string) error {
	if c.owned {
		// DROP DATABASE waits for a checkpoint, which writes the dirty pages
		// of every other database on the server (tens of milliseconds after
		// a schema load). On a server this process owns nobody needs to
		// wait for it: the drop runs in the background, and one still
		// pending when the server stops is moot.
		c.drops.Add(1)
		go func() {
			defer c.drops.Done()
			_ = c.dropNow(context.WithoutCancel(ctx), name)
		}()
		return nil
	}
	return c.dropNow(ctx, name)
}

func (c *Cluster) dropNow(ctx context.Context, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.dbs[name] {
		return nil
	}
	delete(c.dbs, name)
	if c.admin == nil {
		return nil // the server is gone, and the database with it
	}
	err := dropWithSubscriptions(ctx, c.URL(name), func() error {
		_, err := c.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgquote.Ident(name)+" WITH (FORCE)")
		return err
	})
	if err != nil {
		return fmt.Errorf("drop dev database %s: %w", name, err)
	}
	return nil
}

// Close stops the server and removes its directory when this process
// started it; for a cluster attached from `schemactl dev start`, it drops
// the databases handed out and leaves the server running.
func (c *Cluster) Close() error {
	if !c.owned {
		c.mu.Lock()
		names := make([]string, 0, len(c.dbs))
		for n := range c.dbs {
			names = append(names, n)
		}
		c.mu.Unlock()
		var errs []error
		for _, n := range names {
			errs = append(errs, c.dropDatabase(context.Background(), n))
		}
		c.mu.Lock()
		if c.admin != nil {
			c.admin.Close(context.Background())
			c.admin = nil
		}
		c.mu.Unlock()
		return errors.Join(errs...)
	}
	return c.stop()
}

func (c *Cluster) stop() error {
	if c.cmd != nil && c.cmd.Process != nil {
		// Immediate shutdown: nothing in a throwaway cluster needs a
		// checkpoint. Signalled first, so that a drop in flight on the
		// admin connection ends at once.
		_ = c.cmd.Process.Signal(syscall.SIGQUIT)
	}
	c.mu.Lock()
	if c.admin != nil {
		c.admin.Close(context.Background())
		c.admin = nil
	}
	c.dbs = map[string]bool{}
	c.mu.Unlock()
	if c.cmd != nil && c.cmd.Process != nil {
		select {
		case <-c.exited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-c.pid, syscall.SIGKILL)
			<-c.exited
		}
		c.cmd = nil
	} else if c.pid > 0 && c.owned {
		stopPid(c.pid)
	}
	if c.dir != "" {
		if err := os.RemoveAll(c.dir); err != nil {
			return fmt.Errorf("remove cluster directory: %w", err)
		}
	}
	return nil
}

// stopPid ends a server process that is not our child and waits for it.
func stopPid(pid int) {
	if pid <= 0 {
		return
	}
	_ = syscall.Kill(pid, syscall.SIGQUIT)
	for i := 0; i < 1000 && processAlive(pid); i++ {
		time.Sleep(5 * time.Millisecond)
	}
	if processAlive(pid) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		for i := 0; i < 400 && processAlive(pid); i++ {
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// serverCredential returns the unprivileged user to run the server as when
// this process is root (initdb and postgres refuse to run as root):
// SCHEMACTL_PG_USER, else "postgres". It returns nil when not root.
func serverCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	name := os.Getenv("SCHEMACTL_PG_USER")
	if name == "" {
		name = "postgres"
	}
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("running as root: PostgreSQL refuses to run as root and user %q was not found (create it, or set SCHEMACTL_PG_USER to an unprivileged user)", name)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
}

// ensureRoot creates this user's private directory under the base directory
// and refuses one that belongs to somebody else.
func ensureRoot(root string) error {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", root, err)
	}
	st, err := os.Lstat(root)
	if err != nil {
		return err
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !st.IsDir() || (ok && int(sys.Uid) != os.Getuid()) {
		return fmt.Errorf("%s is not a directory owned by this user; remove it or set SCHEMACTL_RUNTIME_DIR", root)
	}
	return nil
}

// cacheKey names the cached data directory of one set of programs and
// one initdb recipe.
func cacheKey(b Binaries) string {
	h := sha256.Sum256([]byte("v2\x00" + b.Stamp))
	return "data-" + hex.EncodeToString(h[:8])
}

// ensureCache returns a ready, never-started data directory for these
// programs, running initdb the first time.
func ensureCache(ctx context.Context, root string, b Binaries, cred *syscall.Credential) (string, error) {
	cacheRoot := filepath.Join(root, "cache")
	final := filepath.Join(cacheRoot, cacheKey(b))
	if _, err := os.Stat(filepath.Join(final, "PG_VERSION")); err == nil {
		return final, nil
	}
	if err := os.MkdirAll(cacheRoot, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(cacheRoot, "tmp-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	data := filepath.Join(tmp, "data")
	if cred != nil {
		if err := os.Chown(tmp, int(cred.Uid), int(cred.Gid)); err != nil {
			return "", err
		}
	}
	if err := runInitdb(ctx, b, data, cred); err != nil {
		return "", err
	}
	if err := os.Rename(data, final); err != nil {
		if _, statErr := os.Stat(filepath.Join(final, "PG_VERSION")); statErr == nil {
			return final, nil // another process won the race
		}
		return "", fmt.Errorf("store cached data directory: %w", err)
	}
	return final, nil
}

func runInitdb(ctx context.Context, b Binaries, data string, cred *syscall.Credential) error {
	var lastErr error
	for _, locale := range []string{"C.UTF-8", "C"} {
		cmd := exec.CommandContext(ctx, b.Initdb(), "-D", data, "-U", superuser, "-A", "trust",
			"-E", "UTF8", "--locale="+locale, "--no-sync", "--no-instructions", "--wal-segsize=1")
		cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C", "TZ=UTC"}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		out, err := cmd.CombinedOutput()
		if err == nil {
			return nil
		}
		lastErr = fmt.Errorf("initdb: %v: %s", err, strings.TrimSpace(string(out)))
		os.RemoveAll(data)
	}
	return lastErr
}

// writeOwner records which process keeps a run directory alive.
func writeOwner(dir string, pid int) error {
	start, err := processStart(pid)
	if err != nil {
		return fmt.Errorf("read process start time: %w", err)
	}
	tmp := filepath.Join(dir, "owner.tmp")
	if err := os.WriteFile(tmp, []byte(fmt.Sprintf("%d %s\n", pid, start)), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, "owner"))
}

// processStart returns the start time of a process (field 22 of
// /proc/PID/stat), which tells a live owner from a reused pid.
func processStart(pid int) (string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return "", errors.New("unexpected /proc stat format")
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return "", errors.New("unexpected /proc stat format")
	}
	return f[19], nil
}

func processAlive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || !strings.HasPrefix(strings.TrimSpace(s[i+1:]), "Z")
}

// ownerAlive reports whether the process recorded in a run directory's
// owner file still runs.
func ownerAlive(dir string) (alive, known bool) {
	b, err := os.ReadFile(filepath.Join(dir, "owner"))
	if err != nil {
		return false, false
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return false, true
	}
	pid, err := strconv.Atoi(f[0])
	if err != nil {
		return false, true
	}
	start, err := processStart(pid)
	return err == nil && start == f[1] && processAlive(pid), true
}

// cleanStale removes run directories whose owner died without cleaning up
// (SIGKILL, power loss), stopping a server still running in one, and
// leftovers of interrupted initdb runs.
func cleanStale(root string) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range entries {
		dir := filepath.Join(root, e.Name())
		switch {
		case strings.HasPrefix(e.Name(), "run-"):
			alive, known := ownerAlive(dir)
			if alive {
				continue
			}
			if !known {
				// Just created by another process that has not written its
				// owner file yet: leave it unless it is old.
				if st, err := os.Stat(dir); err != nil || time.Since(st.ModTime()) < time.Minute {
					continue
				}
			}
			if pid := postmasterPid(filepath.Join(dir, "data")); pid > 0 {
				stopPid(pid)
			}
			os.RemoveAll(dir)
		}
	}
	tmps, _ := filepath.Glob(filepath.Join(root, "cache", "tmp-*"))
	for _, t := range tmps {
		if st, err := os.Stat(t); err == nil && time.Since(st.ModTime()) > 10*time.Minute {
			os.RemoveAll(t)
		}
	}
}

// postmasterPid reads the server pid from a data directory, or 0 when no
// live postgres process holds it.
func postmasterPid(data string) int {
	f, err := os.Open(filepath.Join(data, "postmaster.pid"))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(sc.Text()))
	if err != nil || !processAlive(pid) {
		return 0
	}
	comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if !strings.HasPrefix(strings.TrimSpace(string(comm)), "postgres") {
		return 0
	}
	return pid
}
