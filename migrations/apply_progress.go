package migrations

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// LineProgress prints one line per finished file, for logs and pipes:
//
//	ok    20240101120000_users.sql  12 statements  35ms
//	FAIL  20240102120000_orders.sql  3 of 7 statements  12ms
type LineProgress struct {
	W io.Writer
}

// Plan implements Progress.
func (p *LineProgress) Plan(from, to string, files []*ApplyFile) {}

// FileStart implements Progress.
func (p *LineProgress) FileStart(f *ApplyFile, index, skip int) {}

// Stmt implements Progress.
func (p *LineProgress) Stmt(f *ApplyFile, done int) {}

// Note implements Noter.
func (p *LineProgress) Note(msg string) { fmt.Fprintln(p.W, msg) }

// FileDone implements Progress.
func (p *LineProgress) FileDone(f *ApplyFile, res *FileResult) {
	status := "ok  "
	count := fmt.Sprintf("%d statements", len(f.Stmts))
	if res.Err != nil {
		status = "FAIL"
		count = fmt.Sprintf("%d of %d statements", res.Skip+res.Applied, len(f.Stmts))
	}
	if res.Skip > 0 {
		count += fmt.Sprintf(" (resumed after %d)", res.Skip)
	}
	if f.Privileged {
		count += " as the privileged role"
	}
	fmt.Fprintf(p.W, "%s  %s  %s  %s\n", status, f.Name, count, roundDuration(res.Duration))
}

// TermProgress keeps one status line up to date on a terminal: the file
// being applied, its statements done of total, and the elapsed time. Stop
// it with Close.
type TermProgress struct {
	w io.Writer

	mu        sync.Mutex
	start     time.Time
	files     int
	index     int
	file      *ApplyFile
	done      int
	fileStart time.Time
	lastDraw  time.Time
	drawn     bool
	stop      chan struct{}
	stopped   sync.WaitGroup
}

// NewTermProgress starts a status line on w, redrawn at least every 200ms.
func NewTermProgress(w io.Writer) *TermProgress {
	p := &TermProgress{w: w, start: time.Now(), stop: make(chan struct{})}
	p.stopped.Add(1)
	go func() {
		defer p.stopped.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.mu.Lock()
				p.draw()
				p.mu.Unlock()
			}
		}
	}()
	return p
}

// Plan implements Progress.
func (p *TermProgress) Plan(from, to string, files []*ApplyFile) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.files = len(files)
	p.start = time.Now()
}

// FileStart implements Progress.
func (p *TermProgress) FileStart(f *ApplyFile, index, skip int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.file, p.index, p.done, p.fileStart = f, index, skip, time.Now()
	p.draw()
}

// Stmt implements Progress.
func (p *TermProgress) Stmt(f *ApplyFile, done int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = done
	if time.Since(p.lastDraw) >= 50*time.Millisecond {
		p.draw()
	}
}

// Note implements Noter: the note is printed above the status line.
func (p *TermProgress) Note(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\r\x1b[K%s\n", msg)
	p.draw()
}

// FileDone implements Progress.
func (p *TermProgress) FileDone(f *ApplyFile, res *FileResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.draw()
}

// draw rewrites the status line; p.mu is held.
func (p *TermProgress) draw() {
	if p.file == nil {
		return
	}
	p.lastDraw = time.Now()
	p.drawn = true
	fmt.Fprintf(p.w, "\r\x1b[K[%d/%d] %s  statement %d/%d  %s (total %s)",
		p.index+1, p.files, p.file.Name, p.done, len(p.file.Stmts),
		roundDuration(time.Since(p.fileStart)), roundDuration(time.Since(p.start)))
}

// Close stops redrawing and clears the status line.
func (p *TermProgress) Close() {
	close(p.stop)
	p.stopped.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

// roundDuration rounds d for display.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(time.Millisecond)
	default:
		return d.Round(time.Microsecond)
	}
}
