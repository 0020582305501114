package lint

import (
	"context"
	"fmt"
	"runtime"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/migrations"
)

// Sharing a long run between sessions.
//
// Observing a statement costs the dev server about three times what
// running it does (the observation reads the catalog after every
// statement). A run over many files is therefore cut into shares, each
// linted on a dev database and session of its own, all at once: the
// session of share k first runs the files of shares 0..k-1 without
// observing them (replayBlind), then lints its own. The shares are sized
// so that every session ends at about the same time. A file's findings
// depend only on the files before it, so the report is the one a single
// session gives.

// The costs of the model that sizes the shares, in units of one statement
// replayed through psql, one statement per message (measured on kratos,
// 346 files).
const (
	// observedCost is a statement run and observed.
	observedCost = 3
	// replayCost is a statement replayed without observation (runs of
	// files in one message; cutting kratos by hand at 270, 282, 295 and
	// 310 files was fastest at 282, where this value cuts it).
	replayCost = 1.1
	// sessionCost is a session of its own: a dev database, the
	// connection, the first inspection.
	sessionCost = 60
	// sessionCPU is the CPUs a session keeps busy: its server process
	// and its share of the client's work (a run on one session uses 1.3
	// CPUs; measured runs on two sessions on two CPUs took 1.35 times what
	// the model without it predicts).
	sessionCPU = 1.35
	// maxSessions caps the default number of sessions.
	maxSessions = 4
)

// share is the range files[from:to] that one session lints.
type share struct{ from, to int }

// fileCost is the number of statements of a file, at least one.
func fileCost(f *migrations.File) float64 {
	return float64(max(1, len(f.Stmts)))
}

// planShares cuts files[first:] into at most sessions shares (files
// before first are replayed by every session) so that the run ends as
// early as the cost model predicts with cpus CPUs. One share is the whole
// range.
func planShares(files []*migrations.File, first, sessions, cpus int) []share {
	whole := []share{{first, len(files)}}
	if sessions < 2 || len(files)-first < 2 {
		return whole
	}
	base := 0.0
	for _, f := range files[:first] {
		base += replayCost * fileCost(f)
	}
	total := 0.0
	for _, f := range files[first:] {
		total += fileCost(f)
	}
	best, bestT := whole, base+observedCost*total
	for n := 2; n <= sessions; n++ {
		// The shortest time within which n sessions cover the range,
		// by bisection; cutShares returns the shares for a time, or nil.
		lo, hi := 0.0, bestT
		var found []share
		for range 40 {
			mid := (lo + hi) / 2
			if s := cutShares(files, first, n, base, mid); s != nil {
				found, hi = s, mid
			} else {
				lo = mid
			}
		}
		// Sessions that want more CPU than there is slow each other down.
		t := hi * max(1, float64(n)*sessionCPU/float64(cpus))
		if found != nil && t < bestT {
			best, bestT = found, t
		}
	}
	return best
}

// cutShares fills at most n sessions in turn with files until each would
// exceed time t, and returns the shares when they cover every file.
func cutShares(files []*migrations.File, first, n int, base, t float64) []share {
	var out []share
	blind := 0.0 // the cost of replaying the files before the share
	i := first
	for k := 0; k < n && i < len(files); k++ {
		used := base + blind
		if k > 0 {
			used += sessionCost
		}
		from := i
		for i < len(files) && used+observedCost*fileCost(files[i]) <= t {
			used += observedCost * fileCost(files[i])
			blind += replayCost * fileCost(files[i])
			i++
		}
		if i == from {
			return nil
		}
		out = append(out, share{from, i})
	}
	if i < len(files) {
		return nil
	}
	return out
}

// plan returns the shares of a run over files[first:] and the further
// databases of Dev for the shares after the first. A share whose database
// cannot be had is not cut: fewer sessions run.
func (o Options) plan(ctx context.Context, files []*migrations.File, first int) ([]share, []*devdb.Database) {
	shares := o.shares(files, first, o.sessions())
	var dbs []*devdb.Database
	for len(dbs) < len(shares)-1 {
		db, err := o.Dev.NewDatabase(ctx)
		if err != nil {
			shares = o.shares(files, first, len(dbs)+1)
			break
		}
		dbs = append(dbs, db)
	}
	return shares, dbs
}

// shares cuts files[first:] for at most sessions sessions: at o.cuts when
// set, else as the cost model says.
func (o Options) shares(files []*migrations.File, first, sessions int) []share {
	if len(o.cuts) == 0 {
		return planShares(files, first, sessions, runtime.GOMAXPROCS(0))
	}
	var out []share
	from := first
	for _, c := range o.cuts {
		if len(out)+1 == sessions {
			break
		}
		if c > from && c < len(files) {
			out = append(out, share{from, c})
			from = c
		}
	}
	return append(out, share{from, len(files)})
}

// sessions returns how many sessions a run may use.
func (o Options) sessions() int {
	switch {
	case o.Dev == nil:
		return 1
	case len(o.cuts) > 0:
		return len(o.cuts) + 1
	case o.Sessions > 0:
		return o.Sessions
	}
	return min(runtime.GOMAXPROCS(0), maxSessions)
}

// shareResult is what one session found.
type shareResult struct {
	findings   []Finding
	statements []Statement
	// failed is set when a statement failed; incomplete then names the
	// first file not analyzed ("" when it was the last file).
	failed     bool
	incomplete string
	err        error
}

// runShare lints files[s.from:s.to] on the dev database at url: it
// replays the files before first as an apply would and the files of
// earlier shares without observing them, then runs and analyzes its own;
// pgLocks is Options.pgLocks.
func runShare(ctx context.Context, url string, files []*migrations.File, first int, s share, cfg *Config, linted func(*migrations.File) bool, pgLocks bool) (res shareResult) {
	e, err := openEngine(ctx, url)
	if err != nil {
		return shareResult{err: err}
	}
	e.pgLocks = pgLocks
	defer e.close()
	if err := e.replay(ctx, files[:first]); err != nil {
		return shareResult{err: fmt.Errorf("replay the files before %s: %w", files[first].Name, err)}
	}
	if err := e.replayBlind(ctx, files[first:s.from]); err != nil {
		return shareResult{err: err}
	}
	e.ahead = files[s.from:s.to]
	if err := e.begin(ctx); err != nil {
		return shareResult{err: err}
	}
	for i, f := range files[s.from:s.to] {
		fr, err := e.runFile(ctx, f)
		if err != nil {
			return shareResult{err: fmt.Errorf("%s: %w", f.Path, err)}
		}
		if linted(f) {
			// Analyzed once its statements' diffs are done, while the
			// server runs the next file (engine.later).
			err := e.later(func() error {
				res.findings = append(res.findings, cfg.apply(f, analyzeFile(ctx, e, fr))...)
				res.statements = append(res.statements, statements(fr)...)
				return nil
			})
			if err != nil {
				return shareResult{err: fmt.Errorf("%s: %w", f.Path, err)}
			}
		}
		if fr.Failed {
			res.failed = true
			if next := s.from + i + 1; next < len(files) {
				res.incomplete = files[next].Path
			}
			break
		}
	}
	if err := e.drain(); err != nil {
		return shareResult{err: err}
	}
	return res
}

// replayBlind brings the database to the state after files, which
// another session lints: files whose statements all run inside their
// transaction are replayed as an apply sends them (a run of them in one
// message, migrations.ReplayConn); any other runs statement by statement
// as runFile runs it (statements moved out of the transaction,
// server-wide ones skipped), without observation. A failure is an error:
// the session that lints the file reports it, and its report ends there.
func (e *engine) replayBlind(ctx context.Context, files []*migrations.File) error {
	e.blind = true
	defer func() { e.blind = false }()
	for len(files) > 0 {
		n := 0
		for n < len(files) && e.plainFile(files[n]) {
			n++
		}
		if n > 0 {
			if err := e.replay(ctx, files[:n]); err != nil {
				return fmt.Errorf("replay: %w", err)
			}
			files = files[n:]
			continue
		}
		f := files[0]
		files = files[1:]
		fr, err := e.runFile(ctx, f)
		if err != nil {
			return fmt.Errorf("%s: %w", f.Path, err)
		}
		if fr.Failed {
			for _, r := range fr.Stmts {
				if r.Err != nil {
					return fmt.Errorf("replay %s: %w", f.Name, r.Err)
				}
			}
			return fmt.Errorf("replay %s failed", f.Name)
		}
	}
	return nil
}

// plainFile tells whether runFile would run every statement of a file
// inside the file's transaction, as an apply does: none moves out of it
// (migrations.NonTxKind), none acts on the server (clusterWide), no enum gains a
// value (a later use of it would make runFile commit early). The parse
// trees of a file that is not plain are kept for runFile (engine.parse).
func (e *engine) plainFile(f *migrations.File) bool {
	if f.TxMode == migrations.TxModeNone {
		return false
	}
	parsed := make([]parsedStmt, len(f.Stmts))
	plain := true
	for i, s := range f.Stmts {
		n, err := parseStmt(s.Text)
		parsed[i] = parsedStmt{n, err}
		plain = plain && n != nil && migrations.NonTxKind(n) == "" && !clusterWide(n) && !addsEnumValue(n)
	}
	if !plain {
		if e.parsed == nil {
			e.parsed = map[string]parsedStmt{}
		}
		for i, s := range f.Stmts {
			e.parsed[s.Text] = parsed[i]
		}
	}
	return plain
}
