package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/schemactl/schemactl/devdb"
)

// TestChaosApplyKratos applies the kratos history with the real binary,
// killing it with SIGKILL at random instants, most of them inside the
// `-- atlas:txmode none` files (timed from an undisturbed apply's
// progress), and resuming each time; every database must end equal to a
// psql replay of the files, with every revision recorded once and
// `migrate status` exiting 0. The short form runs in `make test`;
// `make chaos` runs SCHEMACTL_CHAOS_KILLS kills (default 1000).
func TestChaosApplyKratos(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos test skipped in -short mode")
	}
	h := newChaos(t)
	t.Logf("undisturbed apply of %d files (%d with txmode none): %s", len(h.files), len(h.noTx), h.done[len(h.done)-1].Round(time.Millisecond))
	t.Run("serial", func(t *testing.T) {
		h.report = chaosReport{}
		h.serial(t, chaosKills(t, 30))
		t.Logf("chaos serial: %s", &h.report)
		fmt.Printf("chaos serial: %s\n", &h.report)
		if h.report.wedged > 0 {
			t.Fatalf("%d wedged databases", h.report.wedged)
		}
	})
	t.Run("concurrent", func(t *testing.T) {
		h.report = chaosReport{}
		h.concurrent(t, 8, chaosKills(t, 16))
		t.Logf("chaos concurrent (8 appliers): %s", &h.report)
		fmt.Printf("chaos concurrent (8 appliers): %s\n", &h.report)
		if h.report.wedged > 0 {
			t.Fatalf("%d wedged databases", h.report.wedged)
		}
	})
}

// TestChaosLockReleaseTiming measures how soon the apply lock of an
// apply killed with SIGKILL while its statement runs on the server is
// free again, and how soon a second apply that was waiting gets it. The
// server notices the vanished client within client_connection_check_interval
// (one second, set by apply on PostgreSQL 14+); the waiter polls with a
// backoff of at most 1.5s.
func TestChaosLockReleaseTiming(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos test skipped in -short mode")
	}
	h := &chaos{t: t, rng: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))}
	h.bin = buildBinary(t)
	h.dir = migrationDir(t, map[string]string{
		"1_a.sql":    "CREATE TABLE a (id int);\n",
		"2_slow.sql": "SELECT pg_sleep(20);\n",
	})
	h.files = []string{"1_a.sql", "2_slow.sql"}
	var free, taken []time.Duration
	for range 2 {
		url := devdb.ForTest(t)
		conn := mustPgx(t, url)
		a := h.start(url, "holder")
		waitUntil(t, func() bool {
			return queryOne(t, url, `SELECT count(*)::text FROM pg_stat_activity WHERE application_name = 'holder' AND query LIKE '%pg_sleep(20)%' AND state = 'active'`) == "1"
		})
		b := h.start(url, "waiter")
		time.Sleep(time.Duration(200+h.rng.IntN(800)) * time.Millisecond) // the waiter is in its backoff
		killed := time.Now()
		a.kill()
		free = append(free, h.waitLockFree(conn, "holder", killed))
		waitUntil(t, func() bool { return holdsLock(t, conn, "waiter") })
		taken = append(taken, time.Since(killed))
		b.kill()
	}
	msg := fmt.Sprintf("lock of an apply killed mid-statement: free after %s; a waiting apply had it after %s", roundAll(free), roundAll(taken))
	t.Log(msg)
	fmt.Println(msg)
	for _, d := range free {
		if d > 3*time.Second {
			t.Fatalf("the lock stayed held %s after the kill", d)
		}
	}
}

func roundAll(ds []time.Duration) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = d.Round(10 * time.Millisecond).String()
	}
	return strings.Join(s, ", ")
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// use makes t the test that h reports to, and returns a function that
// restores the previous one.
func (h *chaos) use(t *testing.T) func() {
	prev := h.t
	h.t = t
	return func() { h.t = prev }
}

// serial applies the history with one apply at a time, killed, on fresh
// databases until kills kills were done.
func (h *chaos) serial(t *testing.T, kills int) {
	for round := 1; h.report.kills < kills; round++ {
		ok := t.Run(fmt.Sprintf("round%d", round), func(t *testing.T) {
			defer h.use(t)()
			h.report.rounds++
			url := devdb.ForTest(t)
			conn := mustPgx(t, url)
			for {
				i, applied := h.position(conn)
				if i == len(h.files) {
					break
				}
				p := h.start(url, "chaos")
				if h.report.kills >= kills {
					<-p.done
					h.checkExit(url, p)
					continue
				}
				var waited bool
				if h.rng.Float64() < 0.15 {
					waited = h.awaitBare(conn, p, time.Now().Add(h.window(i)))
				} else {
					wait, delay := h.pickKill(i, applied)
					waited = h.await(p, wait, delay)
				}
				if !waited {
					h.checkExit(url, p)
					continue
				}
				held := holdsLock(t, conn, "chaos")
				killed := time.Now()
				if !p.kill() {
					h.checkExit(url, p)
					continue
				}
				if held {
					h.report.lockRelease = append(h.report.lockRelease, h.waitLockFree(conn, "chaos", killed))
				} else {
					h.waitLockFree(conn, "chaos", killed)
				}
				h.noteKill(conn)
			}
			h.verify(url)
		})
		if !ok {
			return
		}
	}
}

// concurrent runs procs appliers at once on fresh databases, killing one
// at a random instant (the lock holder more often than not) and starting
// it again, until kills kills were done.
func (h *chaos) concurrent(t *testing.T, procs, kills int) {
	for round := 1; h.report.kills < kills; round++ {
		ok := t.Run(fmt.Sprintf("round%d", round), func(t *testing.T) {
			defer h.use(t)()
			h.report.rounds++
			url := devdb.ForTest(t)
			conn := mustPgx(t, url)
			ps := make([]*proc, procs)
			app := func(k int) string { return fmt.Sprintf("chaos-%d", k) }
			for k := range ps {
				ps[k] = h.start(url, app(k))
			}
			for h.report.kills < kills {
				if h.rng.Float64() < 0.5 {
					h.awaitNoTxRunning(conn, 2*time.Second)
				} else {
					time.Sleep(time.Duration(h.rng.Int64N(int64(150 * time.Millisecond))))
				}
				var running []int
				holder := -1
				for k, p := range ps {
					if !p.exited() {
						running = append(running, k)
						if holdsLock(t, conn, app(k)) {
							holder = k
						}
					}
				}
				if len(running) == 0 {
					break
				}
				k := running[h.rng.IntN(len(running))]
				if holder >= 0 && h.rng.Float64() < 0.7 {
					k = holder
				}
				killed := time.Now()
				if !ps[k].kill() {
					continue
				}
				d := h.waitLockFree(conn, app(k), killed)
				if k == holder {
					h.report.lockRelease = append(h.report.lockRelease, d)
					h.noteKill(conn)
				} else {
					h.report.kills++
				}
				ps[k] = h.start(url, app(k))
			}
			for _, p := range ps {
				<-p.done
				h.checkExit(url, p)
			}
			h.verify(url)
		})
		if !ok {
			return
		}
	}
}

// pickKill chooses when to kill an apply that starts at file i (applied
// statements of it done): mostly inside the next txmode none file, timed
// after the progress line of the file before it (wait), else at a uniform
// random instant of the rest of the run. wait is -1 to time from the
// start.
func (h *chaos) pickKill(i, applied int) (wait int, delay time.Duration) {
	startup := max(h.done[0]-h.dur[0], time.Millisecond)
	if h.rng.Float64() < 0.7 {
		for n := i; n < len(h.files); n++ {
			if !h.noTx[h.files[n]] {
				continue
			}
			window := max(h.dur[n]*13/10, 2*time.Millisecond)
			if n == i {
				return -1, startup + time.Duration(h.rng.Int64N(int64(window)))
			}
			return n - 1, time.Duration(h.rng.Int64N(int64(window)))
		}
	}
	from := time.Duration(0)
	if i > 0 {
		from = h.done[i-1]
	}
	rest := max(h.done[len(h.done)-1]-from, time.Millisecond) + startup
	return -1, time.Duration(h.rng.Int64N(int64(rest)))
}

// awaitNoTxRunning polls the history for up to timeout until a txmode
// none file is being applied.
func (h *chaos) awaitNoTxRunning(conn *pgx.Conn, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		i, applied := h.position(conn)
		if i == len(h.files) || h.noTx[h.files[i]] && applied >= 0 {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// window is how long an apply starting at file i takes to get through
// the next txmode none file, from the undisturbed run.
func (h *chaos) window(i int) time.Duration {
	startup := max(h.done[0]-h.dur[0], time.Millisecond)
	from := time.Duration(0)
	if i > 0 {
		from = h.done[i-1]
	}
	for n := i; n < len(h.files); n++ {
		if h.noTx[h.files[n]] {
			return startup + h.done[n] - from
		}
	}
	return startup + h.done[len(h.done)-1] - from
}

// await waits for the progress line of file wait (when >= 0), then delay;
// it returns false when the process ended first.
func (h *chaos) await(p *proc, wait int, delay time.Duration) bool {
	if wait >= 0 {
		timeout := time.After(2 * time.Minute)
	lines:
		for {
			select {
			case l, ok := <-p.lines:
				if !ok {
					return false
				}
				if l.file == h.files[wait] {
					break lines
				}
			case <-timeout:
				h.t.Fatalf("no progress line for %s in 2 minutes\n%s", h.files[wait], p.stderr())
			}
		}
	}
	select {
	case <-p.done:
		return false
	case <-time.After(delay):
		return true
	}
}

// checkExit fails on an apply that ended by itself with an error, and
// counts a wedged database when an undisturbed apply fails again.
func (h *chaos) checkExit(url string, p *proc) {
	h.t.Helper()
	if p.err == nil {
		return
	}
	h.t.Errorf("apply %s failed without being killed: %v\n%s", p.app, p.err, p.stderr())
	again := h.start(url, "chaos-check")
	<-again.done
	if again.err != nil {
		h.report.wedged++
		h.t.Fatalf("wedged: a new apply fails too: %v\n%s", again.err, again.stderr())
	}
}

func mustPgx(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}
