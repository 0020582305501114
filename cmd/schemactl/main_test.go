package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
)

func TestMain(m *testing.M) {
	// The test binary doubles as the schemactl binary for tests that need a
	// real process (signals).
	if os.Getenv("SCHEMACTL_TEST_RUN_MAIN") == "1" {
		os.Args = append([]string{"schemactl"}, os.Args[1:]...)
		main()
		return
	}
	os.Exit(devdb.Main(m))
}

// runCLI runs the CLI in-process and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"schemactl"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, "version")
	if code != 0 || !strings.HasPrefix(out, "schemactl ") {
		t.Fatalf("code %d, out %q", code, out)
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	for _, args := range [][]string{
		{"--no-such-flag"},
		{"dev", "url", "--no-such-flag"},
		{"no-such-command"},
	} {
		code, _, stderr := runCLI(t, args...)
		if code != 2 {
			t.Errorf("%v: exit code %d, want 2 (stderr %q)", args, code, stderr)
		}
	}
}

func TestDevURLPasswordNeverPrinted(t *testing.T) {
	// A server that does not answer, and one that answers but refuses.
	for _, dev := range []string{
		"postgres://alice:hunter2-secret@/nodb?host=/nonexistent-dir&connect_timeout=1",
		"postgresql://alice:hunter2-secret@127.0.0.1:1/nodb?connect_timeout=1",
	} {
		code, stdout, stderr := runCLI(t, "--dev-url", dev, "dev", "url")
		if code != 1 {
			t.Errorf("exit code %d, want 1", code)
		}
		if strings.Contains(stdout+stderr, "hunter2") {
			t.Fatalf("password printed: stdout %q stderr %q", stdout, stderr)
		}
		if strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.HasPrefix(stderr, "schemactl: ") {
			t.Errorf("want one error line, got %q", stderr)
		}
	}
}

func TestDevURLOnRemoteServerRedactsPassword(t *testing.T) {
	url := devdb.ForTest(t)
	code, stdout, stderr := runCLI(t, "--dev-url", strings.Replace(url, "postgres@", "postgres:hunter2-secret@", 1), "dev", "url")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(stdout+stderr, "hunter2") || !strings.Contains(stdout, "xxxxx") {
		t.Fatalf("stdout %q stderr %q", stdout, stderr)
	}
}

func TestDevStartURLStatusStop(t *testing.T) {
	state := t.TempDir()
	t.Setenv("SCHEMACTL_STATE_DIR", state)
	defer devdb.StopDetached(devdb.Options{})
	if code, _, _ := runCLI(t, "dev", "status"); code != 3 {
		t.Fatalf("status before start: exit %d, want 3", code)
	}
	if code, out, stderr := runCLI(t, "dev", "start"); code != 0 || !strings.Contains(out, "started") {
		t.Fatalf("start: %d %q %q", code, out, stderr)
	}
	code, out, stderr := runCLI(t, "dev", "url")
	if code != 0 || !strings.HasPrefix(out, "postgres://") {
		t.Fatalf("url: %d %q %q", code, out, stderr)
	}
	if code, out, _ := runCLI(t, "dev", "status"); code != 0 || !strings.Contains(out, "running") {
		t.Fatalf("status: %d %q", code, out)
	}
	if code, out, _ := runCLI(t, "dev", "stop"); code != 0 || !strings.Contains(out, "stopped") {
		t.Fatalf("stop: %d %q", code, out)
	}
	if code, _, stderr := runCLI(t, "dev", "url", "--no-start"); code != 1 {
		t.Fatalf("url after stop: exit %d (%s)", code, stderr)
	}
}

func TestDevURLAfterSubcommand(t *testing.T) {
	// Atlas puts --dev-url after the subcommand; both places work.
	dev := "postgres://alice:hunter2-secret@/nodb?host=/nonexistent-dir&connect_timeout=1"
	for _, args := range [][]string{
		{"dev", "url", "--dev-url", dev},
		{"--dev-url", dev, "dev", "url"},
	} {
		code, stdout, stderr := runCLI(t, args...)
		if code != 1 || !strings.Contains(stderr, "nonexistent-dir") || strings.Contains(stdout+stderr, "hunter2") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
}
