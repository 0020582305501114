package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair: the terminal side, which a
// command writes to as it would to a user's terminal, and the side that
// reads what it wrote.
func openPTY(t *testing.T) (term, reader *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	fd := int(m.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Fatalf("unlock pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Fatalf("pseudo-terminal number: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Fatalf("open terminal side: %v", err)
	}
	// Raw mode: what the command writes arrives as it was written.
	tio, err := unix.IoctlGetTermios(int(s.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatalf("terminal attributes: %v", err)
	}
	tio.Oflag &^= unix.OPOST
	tio.Lflag &^= unix.ECHO | unix.ICANON
	if err := unix.IoctlSetTermios(int(s.Fd()), unix.TCSETS, tio); err != nil {
		t.Fatalf("set terminal attributes: %v", err)
	}
	return s, m
}

// TestFleetLiveCount runs a fleet apply with its standard error on a
// terminal: a count of the finished targets is kept on one line there,
// each target's line replaces it while it is printed, and the count is
// cleared at the end; on standard output (not a terminal) there are
// only the target lines and the summary, without control characters.
func TestFleetLiveCount(t *testing.T) {
	l := startFleetLab(t, 1, 4, 0)
	dir := migrationDir(t, fleetFiles(2))
	targets := l.targetsFile(l.targets)

	term, reader := openPTY(t)
	got := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(reader) // ends with EIO once the terminal side is closed
		got <- b
	}()
	var out bytes.Buffer
	code := run(context.Background(), []string{"schemactl", "migrate", "apply", "--targets", targets, "--dir", "file://" + dir, "--parallel", "2"}, &out, term)
	term.Close()
	tty := string(<-got)
	reader.Close()
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%q", code, out.String(), tty)
	}
	for i := 1; i <= len(l.targets); i++ {
		want := fmt.Sprintf("%d/%d targets done", i, len(l.targets))
		if !strings.Contains(tty, want) {
			t.Errorf("terminal: no %q in %q", want, tty)
		}
	}
	const clear = "\r\033[K"
	if n := strings.Count(tty, clear); n < len(l.targets)+1 {
		t.Errorf("terminal: the count was cleared %d times, want once per target line and once at the end: %q", n, tty)
	}
	if !strings.HasSuffix(tty, clear) {
		t.Errorf("terminal: the count is left on the line at the end: %q", tty)
	}
	if strings.ContainsAny(out.String(), "\r\033") {
		t.Errorf("standard output holds control characters: %q", out.String())
	}
	if n := strings.Count("\n"+out.String(), "\napplied  "); n != len(l.targets) {
		t.Errorf("%d applied lines, want %d:\n%s", n, len(l.targets), out.String())
	}
	if !strings.Contains(out.String(), fmt.Sprintf("Fleet apply: %d targets in ", len(l.targets))) {
		t.Errorf("no summary:\n%s", out.String())
	}
}
