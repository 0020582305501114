package devdb

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Each benchmark has a "schemactl" and a "floor" sub-benchmark: the floor
// does the same job by hand with PostgreSQL's own programs on the same
// machine in the same run, so `make bench` can print the ratio.

func benchCred(b *testing.B) *syscall.Credential {
	cred, err := serverCredential()
	if err != nil {
		b.Fatal(err)
	}
	return cred
}

// asServerUser runs a program as the user that runs the server.
func asServerUser(cred *syscall.Credential, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C", "TZ=UTC"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	return cmd
}

func mustRun(b *testing.B, cmd *exec.Cmd) {
	b.Helper()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s: %v: %s", strings.Join(cmd.Args, " "), err, out)
	}
}

func chownDir(b *testing.B, dir string, cred *syscall.Credential) {
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkColdStart: binaries found to first empty database ready, with no
// cached data directory (initdb runs), against initdb + pg_ctl start -w.
func BenchmarkColdStart(b *testing.B) {
	ctx := context.Background()
	bins, err := FindBinaries(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("schemactl", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			base := privateBase(b)
			b.StartTimer()
			c, err := StartLocal(ctx, Options{BaseDir: base})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := c.NewDatabase(ctx); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			c.Close()
			os.RemoveAll(base)
			b.StartTimer()
		}
	})
	b.Run("floor", func(b *testing.B) {
		cred := benchCred(b)
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			base := privateBase(b)
			chownDir(b, base, cred)
			data := filepath.Join(base, "data")
			b.StartTimer()
			mustRun(b, asServerUser(cred, bins.Initdb(), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions", "--wal-segsize=1"))
			mustRun(b, asServerUser(cred, filepath.Join(bins.Dir, "pg_ctl"), "-D", data, "-w", "-s", "-l", filepath.Join(base, "log"),
				"-o", "-k "+base+" "+settingsArgs(), "start"))
			b.StopTimer()
			mustRun(b, asServerUser(cred, filepath.Join(bins.Dir, "pg_ctl"), "-D", data, "-s", "-m", "immediate", "stop"))
			os.RemoveAll(base)
			b.StartTimer()
		}
	})
}

// BenchmarkColdStartCached: binaries found to first empty database ready,
// with a cached data directory, against a copy of the same directory
// (cp -a) and postgres started directly.
func BenchmarkColdStartCached(b *testing.B) {
	ctx := context.Background()
	base := privateBase(b)
	warm, err := StartLocal(ctx, Options{BaseDir: base}) // fills the cache
	if err != nil {
		b.Fatal(err)
	}
	warm.Close()
	bins, _ := FindBinaries(ctx)
	cached, _ := filepath.Glob(filepath.Join(base, "*", "cache", "data-*"))
	if len(cached) != 1 {
		b.Fatalf("cache not found: %v", cached)
	}
	b.Run("schemactl", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			c, err := StartLocal(ctx, Options{BaseDir: base})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := c.NewDatabase(ctx); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			c.Close()
			b.StartTimer()
		}
	})
	b.Run("floor", func(b *testing.B) {
		cred := benchCred(b)
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			dir := privateBase(b)
			chownDir(b, dir, cred)
			data := filepath.Join(dir, "data")
			b.StartTimer()
			mustRun(b, exec.Command("cp", "-a", cached[0], data))
			// The same server configuration as schemactl's (lock table,
			// buffers, durability off): the floor is the cost of the copy
			// and the start, not of a smaller server.
			args := []string{"-D", data, "-k", dir}
			for _, s := range serverSettings {
				args = append(args, "-c", s[0]+"="+s[1])
			}
			cmd := asServerUser(cred, bins.Postgres(), args...)
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			waitPidReady(b, data)
			b.StopTimer()
			cmd.Process.Signal(syscall.SIGQUIT)
			cmd.Wait()
			os.RemoveAll(dir)
			b.StartTimer()
		}
	})
}

func waitPidReady(b *testing.B, data string) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if buf, err := os.ReadFile(filepath.Join(data, "postmaster.pid")); err == nil {
			if lines := strings.Split(string(buf), "\n"); len(lines) >= 8 && strings.TrimSpace(lines[7]) == "ready" {
				return
			}
		}
		time.Sleep(500 * time.Microsecond)
	}
	b.Fatal("server not ready")
}

// psqlPath finds psql next to the server programs, or on the PATH.
func psqlPath(b *testing.B, bins Binaries) string {
	if p := filepath.Join(bins.Dir, "psql"); isExecutable(p) {
		return p
	}
	p, err := exec.LookPath("psql")
	if err != nil {
		b.Skip("psql not found")
	}
	return p
}

// BenchmarkFreshDatabase: a fresh database on a running cluster (in
// process), against CREATE DATABASE ... TEMPLATE sent by one psql session.
func BenchmarkFreshDatabase(b *testing.B) {
	ctx := context.Background()
	c, err := StartLocal(ctx, Options{BaseDir: privateBase(b)})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.Run("schemactl", func(b *testing.B) {
		dbs := make([]*Database, 0, b.N)
		for i := 0; i < b.N; i++ {
			db, err := c.NewDatabase(ctx)
			if err != nil {
				b.Fatal(err)
			}
			dbs = append(dbs, db)
		}
		b.StopTimer()
		for _, db := range dbs {
			db.Close(ctx)
		}
		c.drops.Wait() // the drops run in the background on an owned server
	})
	b.Run("floor", func(b *testing.B) {
		bins, _ := FindBinaries(ctx)
		var script strings.Builder
		for i := 0; i < b.N; i++ {
			fmt.Fprintf(&script, "CREATE DATABASE floor_%d TEMPLATE template1 STRATEGY FILE_COPY;\n", i)
		}
		cmd := exec.Command(psqlPath(b, bins), "-X", "-q", "-v", "ON_ERROR_STOP=1", c.URL("postgres"))
		cmd.Stdin = strings.NewReader(script.String())
		b.ResetTimer()
		mustRun(b, cmd)
		b.StopTimer()
		c.mu.Lock()
		defer c.mu.Unlock()
		for i := 0; i < b.N; i++ {
			if _, err := c.admin.Exec(ctx, fmt.Sprintf("DROP DATABASE floor_%d", i)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDevStartFreshDatabase: what a command does with `schemactl dev
// start` running (attach to the background server, make a fresh database,
// drop it at the end), against one psql process per CREATE DATABASE.
func BenchmarkDevStartFreshDatabase(b *testing.B) {
	ctx := context.Background()
	opts := Options{BaseDir: privateBase(b), StateDir: b.TempDir()}
	st, _, err := StartDetached(ctx, opts)
	if err != nil {
		b.Fatal(err)
	}
	defer StopDetached(opts)
	b.Run("schemactl", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			c, err := AttachRunning(ctx, opts)
			if err != nil || c == nil {
				b.Fatalf("attach: %v", err)
			}
			if _, err := c.NewDatabase(ctx); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			c.Close()
			b.StartTimer()
		}
	})
	b.Run("floor", func(b *testing.B) {
		bins, _ := FindBinaries(ctx)
		psql := psqlPath(b, bins)
		c := &Cluster{sockDir: st.Socket, port: st.Port}
		url := c.URL("postgres")
		for i := 0; i < b.N; i++ {
			mustRun(b, exec.Command(psql, "-X", "-q", "-c", fmt.Sprintf("CREATE DATABASE floor_%d TEMPLATE template1 STRATEGY FILE_COPY", i), url))
			b.StopTimer()
			mustRun(b, exec.Command(psql, "-X", "-q", "-c", fmt.Sprintf("DROP DATABASE floor_%d", i), url))
			b.StartTimer()
		}
	})
}

// settingsArgs renders schemactl's server settings as postgres options for
// pg_ctl -o.
func settingsArgs() string {
	var b strings.Builder
	for _, s := range serverSettings {
		v := s[1]
		if v == "" {
			v = "''"
		}
		fmt.Fprintf(&b, " -c %s=%s", s[0], v)
	}
	return b.String()
}
