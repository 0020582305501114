package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSignalStopsDevServer interrupts a command while its private dev
// server runs a statement, and checks that the server is stopped and its
// directory removed.
func TestSignalStopsDevServer(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			runtime, err := os.MkdirTemp("/dev/shm", "sig-test-")
			if err != nil {
				runtime = t.TempDir()
			}
			os.Chmod(runtime, 0o755)
			defer os.RemoveAll(runtime)
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "1_sleep.sql"), []byte("SELECT pg_sleep(60);\n"), 0o644)
			if code, _, stderr := runCLI(t, "migrate", "hash", "--dir", "file://"+dir); code != 0 {
				t.Fatalf("hash: %s", stderr)
			}
			cmd := exec.Command(os.Args[0], "migrate", "validate", "--dir", "file://"+dir)
			cmd.Env = append(os.Environ(), "SCHEMACTL_TEST_RUN_MAIN=1", "SCHEMACTL_RUNTIME_DIR="+runtime,
				"SCHEMACTL_STATE_DIR="+t.TempDir(), "SCHEMACTL_DEV_URL=")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Wait until the server runs the statement.
			var runDir string
			deadline := time.Now().Add(30 * time.Second)
			for time.Now().Before(deadline) {
				runs, _ := filepath.Glob(filepath.Join(runtime, "*", "run-*", "data", "postmaster.pid"))
				if len(runs) == 1 {
					runDir = filepath.Dir(filepath.Dir(runs[0]))
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if runDir == "" {
				cmd.Process.Kill()
				t.Fatalf("no dev server appeared; stderr: %s", stderr.String())
			}
			time.Sleep(500 * time.Millisecond)
			start := time.Now()
			cmd.Process.Signal(sig)
			err = cmd.Wait()
			if err == nil {
				t.Fatal("interrupted command exited 0")
			}
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("command took %v to stop", took)
			}
			if _, err := os.Stat(runDir); !os.IsNotExist(err) {
				t.Fatalf("dev server directory %s left after %v (stderr: %s)", runDir, sig, stderr.String())
			}
			if !strings.HasPrefix(stderr.String(), "schemactl: interrupted") {
				t.Errorf("want one line saying the command was interrupted, got %q", stderr.String())
			}
		})
	}
}
