package migrations

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/schemactl/schemactl/devdb"
)

// childCmd returns the test binary set up to apply dir to url.
func childCmd(t *testing.T, dir, url string, lockTimeout time.Duration) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", "SCHEMACTL_TEST_DIR="+dir, "SCHEMACTL_TEST_URL="+url,
		fmt.Sprintf("SCHEMACTL_TEST_LOCK_TIMEOUT_MS=%d", lockTimeout.Milliseconds()))
	return cmd
}

// waitFor polls cond until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestApplyKilledMidTransaction kills apply (SIGKILL) while a statement of
// a transactional file runs: the database and the history must be exactly
// as before that file, and the lock free.
func TestApplyKilledMidTransaction(t *testing.T) {
	ctx := context.Background()
	url := devdb.ForTest(t)
	conn := mustConnect(t, url)
	dir := writeDir(t, map[string]string{
		"1_a.sql":    "CREATE TABLE a (id int);\n",
		"2_slow.sql": "CREATE TABLE b (id int);\nINSERT INTO b VALUES (1);\nSELECT pg_sleep(30);\nCREATE TABLE c (id int);\n",
	})
	cmd := childCmd(t, dir, url, time.Second)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "pg_sleep to run", func() bool {
		return queryString(t, conn, `SELECT count(*)::text FROM pg_stat_activity WHERE application_name = 'schemactl-test-child' AND state = 'active' AND query LIKE '%pg_sleep(30)%'`) == "1"
	})
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	// The server notices the dead client within a second
	// (client_connection_check_interval) and rolls back.
	waitFor(t, 20*time.Second, "the killed apply's backend to end", func() bool {
		return queryString(t, conn, `SELECT count(*)::text FROM pg_stat_activity WHERE application_name = 'schemactl-test-child'`) == "0"
	})
	tables := queryString(t, conn, `SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'`)
	if tables != "a" {
		t.Fatalf("tables after the kill: %s (child output: %s)", tables, out.String())
	}
	want := `1 a type=2 1/1 err="" stmt="" partial=null op="schemactl test"
`
	if got := revisionRows(t, conn); got != want {
		t.Fatalf("history:\n%s\nwant:\n%s", got, want)
	}
	if n := queryString(t, conn, `SELECT count(*)::text FROM pg_locks WHERE locktype = 'advisory'`); n != "0" {
		t.Fatalf("%s advisory locks still held", n)
	}
	// The next run applies the file.
	if err := os.WriteFile(filepath.Join(dir, "2_slow.sql"), []byte("CREATE TABLE b (id int);\nINSERT INTO b VALUES (1);\nSELECT pg_sleep(0);\nCREATE TABLE c (id int);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(ctx, conn, mustLoad(t, dir), testOpts()); err != nil {
		t.Fatal(err)
	}
	if got := queryString(t, conn, `SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'`); got != "a,b,c" {
		t.Fatalf("tables: %s", got)
	}
}

// TestConcurrentApply runs eight apply processes on one database at once:
// each file must run exactly once.
func TestConcurrentApply(t *testing.T) {
	url := devdb.ForTest(t)
	conn := mustConnect(t, url)
	files := map[string]string{
		"000_log.sql": "CREATE TABLE log (version text, at timestamptz DEFAULT clock_timestamp());\n",
	}
	const n = 24
	for i := 1; i <= n; i++ {
		v := fmt.Sprintf("%03d", i)
		body := fmt.Sprintf("INSERT INTO log (version) VALUES ('%s');\nSELECT pg_sleep(0.005);\n", v)
		if i%6 == 0 {
			body = "-- atlas:txmode none\n" + body
		}
		files[v+"_step.sql"] = body
	}
	dir := writeDir(t, files)
	const procs = 8
	var wg sync.WaitGroup
	outs := make([]bytes.Buffer, procs)
	errs := make([]error, procs)
	for p := 0; p < procs; p++ {
		cmd := childCmd(t, dir, url, 60*time.Second)
		cmd.Stdout, cmd.Stderr = &outs[p], &outs[p]
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[p] = cmd.Run()
		}()
	}
	wg.Wait()
	for p := range procs {
		if errs[p] != nil {
			t.Errorf("process %d: %v\n%s", p, errs[p], outs[p].String())
		}
	}
	if got := queryString(t, conn, `SELECT count(*)::text || ' ' || count(DISTINCT version)::text FROM log`); got != fmt.Sprintf("%d %d", n, n) {
		t.Fatalf("log rows / distinct versions: %s", got)
	}
	if got := queryString(t, conn, `SELECT count(*)::text FROM atlas_schema_revisions.atlas_schema_revisions WHERE applied = total AND error = ''`); got != fmt.Sprint(n+1) {
		t.Fatalf("revisions: %s", got)
	}
	ran := 0
	for p := range procs {
		ran += bytes.Count(outs[p].Bytes(), []byte("ok  "))
	}
	if ran != n+1 {
		t.Fatalf("%d files reported applied in all, want %d", ran, n+1)
	}
}
