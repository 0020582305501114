package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fleetKills is the number of SIGKILLs of TestFleetChaosKill:
// $SCHEMACTL_FLEET_KILLS, else 6.
func fleetKills(t *testing.T) int {
	if v := os.Getenv("SCHEMACTL_FLEET_KILLS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("SCHEMACTL_FLEET_KILLS=%q: want a positive number", v)
		}
		return n
	}
	return 6
}

// TestFleetChaosKill SIGKILLs fleet applies (the schemactl process, with
// its connections in the middle of files, transactional or not) at random
// moments, then reruns to the end: every target ends at the last version
// with each file recorded once and its rows inserted once.
func TestFleetChaosKill(t *testing.T) {
	l := startFleetLab(t, 2, 8, 40)
	files := fleetFiles(6)
	for name, body := range files {
		// A moment in each file, so that kills land inside files.
		files[name] = body + "SELECT pg_sleep(0.01);\n"
	}
	dir := migrationDir(t, files)
	targets := l.targetsFile(l.targets)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 7))
	t.Logf("seed %d", seed)
	args := []string{"migrate", "apply", "--targets", targets, "--dir", "file://" + dir, "--parallel", "8", "--lock-timeout", "30s"}
	// start runs the command; finished is closed once its output has
	// been read to the end (cmd.Wait does not wait for that: the output
	// goes through a pipe this test reads).
	start := func(applied chan<- struct{}) (cmd *exec.Cmd, out *syncBuffer, finished <-chan struct{}) {
		cmd = exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), "SCHEMACTL_TEST_RUN_MAIN=1")
		out = &syncBuffer{}
		done := make(chan struct{})
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = pw, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		pw.Close()
		go func() {
			defer close(done)
			defer pr.Close()
			sc := bufio.NewScanner(pr)
			for sc.Scan() {
				out.Write([]byte(sc.Text() + "\n"))
				if strings.HasPrefix(sc.Text(), "applied ") && applied != nil {
					applied <- struct{}{}
				}
			}
			if applied != nil {
				close(applied)
			}
		}()
		return cmd, out, done
	}
	// Each round is killed once a random number of its targets are done
	// (and a random moment more), so that the kill lands among the
	// targets it has in flight.
	kills, remaining := 0, len(l.targets)
	for range fleetKills(t) {
		if remaining <= 1 {
			break
		}
		applied := make(chan struct{}, len(l.targets))
		cmd, _, _ := start(applied)
		wait := 1 + rng.IntN(max(remaining/3, 1))
		seen := 0
		for range applied {
			if seen++; seen >= wait {
				break
			}
		}
		if seen < wait {
			// The run ended by itself: nothing is left to kill.
			_ = cmd.Wait()
			break
		}
		time.Sleep(time.Duration(rng.IntN(20)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		for range applied {
			seen++
		}
		remaining -= seen
		kills++
	}
	cmd, out, finished := start(nil)
	err := cmd.Wait()
	<-finished
	if err != nil {
		t.Fatalf("final run: %v\n%s", err, out)
	}
	if !strings.Contains(out.String(), " 0 failed, 0 skipped") {
		t.Fatalf("final run:\n%s", out)
	}
	t.Logf("%d kills; final: %s", kills, lastLine(out.String()))
	for _, u := range l.targets {
		revs := revisionsOf(t, u)
		if len(revs) != 6 {
			t.Errorf("%s: versions %v, want 6", u, revs)
		}
		for v, n := range revs {
			if n != 1 {
				t.Errorf("%s: version %s recorded %d times", u, v, n)
			}
		}
		var sum strings.Builder
		for i := 1; i <= 6; i++ {
			fmt.Fprintf(&sum, "%s(SELECT count(*) FROM t%02d)", map[bool]string{true: "", false: " + "}[i == 1], i)
		}
		if got := queryOne(t, u, "SELECT ("+sum.String()+")::text"); got != "12" {
			t.Errorf("%s: %s rows in the six tables, want 12 (two each, inserted once)", u, got)
		}
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], "Fleet apply:") {
			return lines[i]
		}
	}
	return lines[len(lines)-1]
}
