package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/migrations"
)

// chaos is the shared setup of the chaos tests: the schemactl binary built
// from this package, a copy of the kratos history, the schema a psql
// replay of it gives, and the timings of an undisturbed apply.
type chaos struct {
	t      *testing.T
	bin    string
	dir    string
	pgBin  string
	files  []string        // file names in version order
	noTx   map[string]bool // files with -- atlas:txmode none
	bare   map[string]bool // their statements' texts
	want   string          // pg_dump of the replayed database
	done   []time.Duration // when each file's line came, from the start of an undisturbed apply
	dur    []time.Duration // how long each file took
	rng    *rand.Rand
	report chaosReport
}

// chaosReport counts what a chaos run did.
type chaosReport struct {
	kills, inNoTx, betweenStmts, wedged, rounds int
	lockRelease                                 []time.Duration
}

func (r *chaosReport) String() string {
	s := fmt.Sprintf("kills=%d (in txmode none files: %d, of which between statements: %d) wedged=%d rounds=%d",
		r.kills, r.inNoTx, r.betweenStmts, r.wedged, r.rounds)
	if n := len(r.lockRelease); n > 0 {
		d := append([]time.Duration(nil), r.lockRelease...)
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		s += fmt.Sprintf(" lock-release-after-kill: median=%s p95=%s max=%s (n=%d)",
			d[n/2].Round(time.Millisecond), d[n*95/100].Round(time.Millisecond), d[n-1].Round(time.Millisecond), n)
	}
	return s
}

// chaosKills is the number of kills: $SCHEMACTL_CHAOS_KILLS, else def.
func chaosKills(t *testing.T, def int) int {
	if v := os.Getenv("SCHEMACTL_CHAOS_KILLS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("SCHEMACTL_CHAOS_KILLS=%q: want a positive number", v)
		}
		return n
	}
	return def
}

func newChaos(t *testing.T) *chaos {
	t.Helper()
	ctx := context.Background()
	h := &chaos{t: t, dir: copyKratos(t), noTx: map[string]bool{}, bare: map[string]bool{}, rng: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))}
	h.bin = buildBinary(t)
	b, err := devdb.FindBinaries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h.pgBin = b.Dir
	d, err := migrations.Open(h.dir)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"-X", "-q", "-v", "ON_ERROR_STOP=1"}
	for _, f := range d.Files {
		h.files = append(h.files, f.Name)
		if ds := f.Directive("atlas", "txmode"); len(ds) > 0 && ds[0].Args == migrations.TxModeNone {
			h.noTx[f.Name] = true
			for _, st := range f.Stmts {
				h.bare[st.Text] = true
			}
		}
		args = append(args, "-f", filepath.Join(h.dir, f.Name))
	}
	ref := devdb.ForTest(t)
	if out, err := exec.Command(filepath.Join(h.pgBin, "psql"), append(args, "-d", ref)...).CombinedOutput(); err != nil {
		t.Fatalf("psql replay: %v\n%s", err, out)
	}
	h.want = h.dump(ref)
	h.timing()
	return h
}

// buildBinary builds the schemactl binary of this package.
func buildBinary(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		gobin = "/usr/local/go/bin/go"
	}
	bin := filepath.Join(t.TempDir(), "schemactl")
	if out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build schemactl: %v\n%s", err, out)
	}
	return bin
}

// timing applies the history once undisturbed, noting when each file's
// progress line came.
func (h *chaos) timing() {
	url := devdb.ForTest(h.t)
	p := h.start(url, "timing")
	start := time.Now()
	h.done = make([]time.Duration, len(h.files))
	h.dur = make([]time.Duration, len(h.files))
	i := 0
	for l := range p.lines {
		if i < len(h.files) && l.file == h.files[i] {
			h.done[i] = l.at.Sub(start)
			h.dur[i] = l.dur
			i++
		}
	}
	<-p.done
	if p.err != nil || i != len(h.files) {
		h.t.Fatalf("undisturbed apply: %v, %d of %d files\n%s", p.err, i, len(h.files), p.stderr())
	}
	h.verify(url)
}

// proc is a running `schemactl migrate apply`.
type proc struct {
	cmd    *exec.Cmd
	app    string
	lines  chan progressLine
	errBuf *syncBuffer
	done   chan struct{} // closed when the process has ended
	err    error         // its exit status, once done
}

type progressLine struct {
	file string
	dur  time.Duration
	at   time.Time
}

var lineRe = regexp.MustCompile(`^ok  +(\S+)  .*  (\S+)$`)

func (p *proc) stderr() string { return p.errBuf.String() }

func (h *chaos) start(url, app string) *proc {
	h.t.Helper()
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	p := &proc{app: app, lines: make(chan progressLine, 1024), errBuf: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(h.bin, "migrate", "apply", "--url", url+sep+"application_name="+app, "--dir", "file://"+h.dir, "--lock-timeout", "120s")
	p.cmd.Env = append(os.Environ(), "SCHEMACTL_DEV_URL=")
	p.cmd.Stderr = p.errBuf
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		h.t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	go func() {
		defer close(p.done)
		defer func() { p.err = p.cmd.Wait() }()
		defer close(p.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := lineRe.FindStringSubmatch(sc.Text()); m != nil {
				d, _ := time.ParseDuration(m[2])
				p.lines <- progressLine{file: m[1], dur: d, at: time.Now()}
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	return p
}

// awaitBare polls pg_stat_activity until the backend of app is idle right
// after running a statement of a txmode none file sent on its own, that
// is between a statement and the next message (its record); it returns
// false when the process ended first. Past deadline (none seen) it
// returns true too, so that the kill lands at the end of the window.
func (h *chaos) awaitBare(conn *pgx.Conn, p *proc, deadline time.Time) bool {
	for !p.exited() {
		var state, query string
		err := conn.QueryRow(context.Background(), `SELECT state, query FROM pg_stat_activity WHERE application_name = $1`, p.app).Scan(&state, &query)
		if err == nil && state == "idle" && h.bare[strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(query), ";"))] {
			return true
		}
		if time.Now().After(deadline) {
			return true
		}
	}
	return false
}

// kill sends SIGKILL and waits for the process to end. It reports
// whether the process was still running.
func (p *proc) kill() bool {
	select {
	case <-p.done:
		return false
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
	return true
}

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// waitLockFree waits until no backend of application app holds the apply
// lock, and returns how long that took.
func (h *chaos) waitLockFree(conn *pgx.Conn, app string, since time.Time) time.Duration {
	for {
		var n int
		if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
			WHERE l.locktype = 'advisory' AND l.classid = 0 AND l.objid = $1 AND a.application_name = $2`, migrations.ApplyLockKey(), app).Scan(&n); err != nil {
			h.t.Fatal(err)
		}
		if n == 0 {
			return time.Since(since)
		}
		if time.Since(since) > 30*time.Second {
			h.t.Fatalf("the killed apply %s still holds the lock after 30s", app)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// holdsLock reports whether a backend of application app holds the lock.
func holdsLock(t *testing.T, conn *pgx.Conn, app string) bool {
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
		WHERE l.locktype = 'advisory' AND l.classid = 0 AND l.objid = $1 AND a.application_name = $2 AND l.granted`, migrations.ApplyLockKey(), app).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// position returns the index of the first file not fully applied, and the
// applied count of its revision (-1 without one).
func (h *chaos) position(conn *pgx.Conn) (int, int) {
	rows, err := conn.Query(context.Background(), `SELECT version, applied, total FROM atlas_schema_revisions.atlas_schema_revisions ORDER BY version`)
	if err != nil {
		if strings.Contains(err.Error(), "does not exist") {
			return 0, -1
		}
		h.t.Fatal(err)
	}
	done := map[string][2]int{}
	for rows.Next() {
		var v string
		var a, tot int
		if err := rows.Scan(&v, &a, &tot); err != nil {
			h.t.Fatal(err)
		}
		done[v] = [2]int{a, tot}
	}
	rows.Close()
	for i, name := range h.files {
		r, ok := done[strings.SplitN(strings.TrimSuffix(name, ".sql"), "_", 2)[0]]
		if !ok {
			return i, -1
		}
		if r[0] < r[1] {
			return i, r[0]
		}
	}
	return len(h.files), -1
}

// noteKill counts where a kill landed.
func (h *chaos) noteKill(conn *pgx.Conn) {
	h.report.kills++
	i, applied := h.position(conn)
	if i < len(h.files) && h.noTx[h.files[i]] && applied >= 0 {
		h.report.inNoTx++
		if applied > 0 {
			h.report.betweenStmts++
		}
	}
}

// verify checks the end state of a database: status 0, every revision
// once and complete, no invalid index, and the schema and data of the
// psql replay.
func (h *chaos) verify(url string) {
	h.t.Helper()
	code, out, stderr := runCLI(h.t, "migrate", "status", "--url", url, "--dir", "file://"+h.dir)
	if code != 0 {
		h.t.Fatalf("status: exit %d\n%s%s", code, out, stderr)
	}
	if n := queryOne(h.t, url, `SELECT count(*)::text || ' ' || count(DISTINCT version)::text FROM atlas_schema_revisions.atlas_schema_revisions WHERE applied = total AND error = '' AND type = 2`); n != fmt.Sprintf("%d %d", len(h.files), len(h.files)) {
		h.t.Fatalf("complete revisions / distinct: %s, want %d", n, len(h.files))
	}
	if n := queryOne(h.t, url, `SELECT count(*)::text FROM atlas_schema_revisions.atlas_schema_revisions`); n != fmt.Sprint(len(h.files)) {
		h.t.Fatalf("%s revisions, want %d", n, len(h.files))
	}
	if n := queryOne(h.t, url, `SELECT count(*)::text FROM pg_index WHERE NOT indisvalid`); n != "0" {
		h.t.Fatalf("%s invalid indexes", n)
	}
	if got := h.dump(url); got != h.want {
		h.t.Fatalf("the database differs from the psql replay:\n%s", firstDiff(h.want, got))
	}
}

// dump is pg_dump of a database without the history schema.
func (h *chaos) dump(url string) string {
	h.t.Helper()
	out, err := exec.Command(filepath.Join(h.pgBin, "pg_dump"), "--no-owner", "--no-privileges", "--exclude-schema=atlas_schema_revisions", "-d", url).Output()
	if err != nil {
		h.t.Fatalf("pg_dump: %v", err)
	}
	// Newer pg_dump releases fence the dump with a random key.
	var b strings.Builder
	for _, l := range strings.SplitAfter(string(out), "\n") {
		if !strings.HasPrefix(l, `\restrict `) && !strings.HasPrefix(l, `\unrestrict `) {
			b.WriteString(l)
		}
	}
	return b.String()
}

// firstDiff shows the first differing line of two texts.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  replay: %s\n  apply:  %s", i+1, x, y)
		}
	}
	return "(equal)"
}

// syncBuffer is a bytes buffer safe for a writer and readers.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
