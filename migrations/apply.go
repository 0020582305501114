package migrations

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/schemactl/schemactl/internal/pgurl"
)

// DefaultLockTimeout is how long apply waits for another apply to finish.
const DefaultLockTimeout = 10 * time.Second

// ApplyOptions tunes Apply. The zero value applies every pending file, each
// in its own transaction, keeping history in the default schema.
type ApplyOptions struct {
	// History is the history table to use; see ResolveHistory.
	History History
	// SchemaBound is the single schema the connection is bound to (the
	// URL's search_path), which narrows the clean-database check.
	SchemaBound string
	// TxMode is TxModeFile (default), TxModeAll or TxModeNone. A file's
	// `-- atlas:txmode` directive overrides file and none.
	TxMode string
	// ExecOrder is ExecOrderLinear (default), ExecOrderLinearSkip or
	// ExecOrderNonLinear.
	ExecOrder string
	// Baseline, on a database without history, records this version as
	// the baseline and applies only the files after it.
	Baseline string
	// AllowDirty applies from the first file to a database without
	// history that already holds objects.
	AllowDirty bool
	// DryRun prints the statements that would run to DryRunOut and
	// changes nothing.
	DryRun    bool
	DryRunOut io.Writer
	// Limit applies at most this many files (0: all).
	Limit int
	// LockTimeout bounds the wait for another apply holding the lock
	// (0: DefaultLockTimeout; negative: try once).
	LockTimeout time.Duration
	// OperatorVersion is stored with each revision, e.g. "schemactl v1.0.0".
	OperatorVersion string
	// Progress, when set, hears about every file and statement.
	Progress Progress
	// Secrets are masked in errors and in the history (the password).
	Secrets []string
	// Privileged opens the connection that files marked
	// `-- schemactl:privileged` run on, and write their history with.
	Privileged PrivilegedConnector
}

// Progress hears about an apply run as it happens.
type Progress interface {
	// Plan is called once the pending files are known.
	Plan(from, to string, files []*ApplyFile)
	// FileStart is called before file index (0-based) of the plan runs;
	// skip statements of it were applied by an earlier run.
	FileStart(f *ApplyFile, index, skip int)
	// Stmt is called as statements complete: done of len(f.Stmts).
	Stmt(f *ApplyFile, done int)
	// FileDone is called when a file ends, with its error if it failed.
	FileDone(f *ApplyFile, res *FileResult)
}

// ApplyReport tells what an apply run did.
type ApplyReport struct {
	// From is the last applied version before the run ("" for none) and
	// To the last version of the planned files ("" when none).
	From, To string
	// Baseline is the version recorded as baseline by this run, if any.
	Baseline string
	// Planned are the files the run set out to apply, in order.
	Planned []*ApplyFile
	// Files are the results of the files that ran, in order; with TxModeAll
	// a failure rolls back the earlier ones too (RolledBack).
	Files []*FileResult
	// RolledBack is set when a failure under TxModeAll undid the files of
	// this run that had succeeded.
	RolledBack bool
	// Notes tell what the run did about statements an interrupted run
	// left started (see Noter).
	Notes []string
	// Start and End bound the run.
	Start, End time.Time
}

// Statements returns the number of statements the run applied.
func (r *ApplyReport) Statements() int {
	n := 0
	for _, f := range r.Files {
		n += f.Applied
	}
	return n
}

// FileResult is the outcome of one file.
type FileResult struct {
	File *ApplyFile
	// Skip statements had been applied by an earlier run; Applied ran in
	// this one (counting only committed work).
	Skip, Applied int
	// Mode is the transaction mode the file ran in.
	Mode     string
	Start    time.Time
	Duration time.Duration
	// Err is the file's error, a *StmtError when a statement failed.
	Err error
}

// Apply runs the pending files of files (sorted here by version) on the
// database of conn, recording history like Atlas: it takes the apply lock,
// reads the history, works out the pending files (see ExecOrder, Baseline,
// AllowDirty), and runs them. A failed file is recorded with its error and
// is never counted as applied; a file without a transaction that failed
// half-way resumes at its first unapplied statement next time, provided the
// applied ones were not edited since.
func Apply(ctx context.Context, conn *pgx.Conn, files []*ApplyFile, opts ApplyOptions) (rep *ApplyReport, err error) {
	rep = &ApplyReport{Start: time.Now()}
	defer func() {
		rep.End = time.Now()
		if err != nil {
			err = pgurl.RedactError(err, opts.Secrets...)
		}
	}()
	if err := opts.validate(); err != nil {
		return rep, err
	}
	files, err = sortFiles(files)
	if err != nil {
		return rep, err
	}
	lockTimeout := opts.LockTimeout
	if lockTimeout == 0 {
		lockTimeout = DefaultLockTimeout
	}
	release, err := applyLock(ctx, conn, opts, max(lockTimeout, 0))
	if err != nil {
		return rep, err
	}
	defer func() {
		if rerr := release(context.WithoutCancel(ctx)); rerr != nil && err == nil && !conn.IsClosed() {
			err = rerr
		}
	}()
	watchClient(ctx, conn)
	a := &applier{conn: conn, opts: opts, h: opts.History, rep: rep}
	return rep, a.run(ctx, files)
}

func (o *ApplyOptions) validate() error {
	switch o.TxMode {
	case "":
		o.TxMode = TxModeFile
	case TxModeFile, TxModeAll, TxModeNone:
	default:
		return fmt.Errorf("unknown --tx-mode %q (want file, all or none)", o.TxMode)
	}
	switch o.ExecOrder {
	case "":
		o.ExecOrder = ExecOrderLinear
	case ExecOrderLinear, ExecOrderLinearSkip, ExecOrderNonLinear:
	default:
		return fmt.Errorf("unknown --exec-order %q (want linear, linear-skip or non-linear)", o.ExecOrder)
	}
	if o.Baseline != "" && o.AllowDirty {
		return errors.New("--baseline and --allow-dirty cannot be used together")
	}
	if o.Limit < 0 {
		return fmt.Errorf("cannot apply %d files", o.Limit)
	}
	if o.DryRun && o.DryRunOut == nil {
		o.DryRunOut = io.Discard
	}
	return nil
}

// watchClient asks the server (PostgreSQL 14 and later) to check every
// second that this client is still there while a statement runs, so that
// a killed apply does not leave a backend running its statements and
// holding the lock until they end. It is best effort: a server or pooler
// that refuses the setting only loses that speed-up (the commit of a file
// is sent only after its statements succeeded in any case).
func watchClient(ctx context.Context, conn *pgx.Conn) {
	var v int
	if err := conn.QueryRow(ctx, `SELECT current_setting('server_version_num')::int`).Scan(&v); err != nil || v < 140000 {
		return
	}
	_, _ = conn.Exec(ctx, `SET client_connection_check_interval = 1000`)
}

type applier struct {
	conn *pgx.Conn
	opts ApplyOptions
	h    History
	rep  *ApplyReport
	revs map[string]*Revision
	priv *pgx.Conn // the privileged connection, once opened
}

func (a *applier) run(ctx context.Context, files []*ApplyFile) error {
	revs, err := a.h.Read(ctx, a.conn)
	if err != nil {
		return err
	}
	a.revs = make(map[string]*Revision, len(revs))
	for _, r := range revs {
		a.revs[r.Version] = r
	}
	var pending []*ApplyFile
	var baseline *ApplyFile // recorded once the plan is checked
	switch {
	case len(revs) > 0:
		a.rep.From = revs[len(revs)-1].Version
		if len(files) == 0 {
			break
		}
		if pending, err = pendingFiles(files, revs, a.opts.ExecOrder); err != nil {
			return err
		}
	case a.opts.Baseline != "":
		idx := -1
		for i, f := range files {
			if f.Version == a.opts.Baseline {
				idx = i
			}
		}
		if idx == -1 {
			return fmt.Errorf("baseline version %s is not in the migration directory", a.opts.Baseline)
		}
		baseline = files[idx]
		a.rep.Baseline, a.rep.From = a.opts.Baseline, a.opts.Baseline
		pending = files[idx+1:]
	default:
		if !a.opts.AllowDirty {
			if err := checkClean(ctx, a.conn, a.opts.SchemaBound, a.h.schema()); err != nil {
				return err
			}
		}
		pending = files
	}
	if a.opts.Limit > 0 && len(pending) > a.opts.Limit {
		pending = pending[:a.opts.Limit]
	}
	a.rep.Planned = pending
	if len(pending) > 0 {
		a.rep.To = pending[len(pending)-1].Version
	}
	modes := make([]string, len(pending))
	for i, f := range pending {
		if modes[i], err = fileTxMode(a.opts.TxMode, f); err != nil {
			return err
		}
	}
	if err := a.checkPrivileged(pending); err != nil {
		return err
	}
	if err := checkPendingTxBlocks(pending, modes); err != nil {
		return err
	}
	if baseline != nil && !a.opts.DryRun {
		if err := a.h.Create(ctx, a.conn); err != nil {
			return err
		}
		if err := a.h.Write(ctx, a.conn, &Revision{Version: baseline.Version, Description: baseline.Description, Type: RevisionTypeBaseline,
			ExecutedAt: time.Now(), OperatorVersion: a.opts.OperatorVersion}); err != nil {
			return err
		}
	}
	if a.opts.DryRun {
		return a.dryRun(pending, modes)
	}
	if p := a.opts.Progress; p != nil {
		p.Plan(a.rep.From, a.rep.To, pending)
	}
	if len(pending) == 0 {
		return nil
	}
	if err := a.h.Create(ctx, a.conn); err != nil {
		return err
	}
	if a.opts.TxMode == TxModeAll {
		return a.runAll(ctx, pending)
	}
	for i, f := range pending {
		restore, err := a.useConnOf(ctx, f)
		if err != nil {
			return err
		}
		if modes[i] == TxModeNone {
			err = a.runNoTx(ctx, f, i)
		} else {
			err = a.runTx(ctx, f, i, true, true, TxModeFile)
		}
		restore()
		if err != nil {
			return err
		}
	}
	return nil
}

// checkPendingTxBlocks refuses a plan in which a file that runs in a
// transaction (modes[i] is its mode) holds a statement that PostgreSQL
// refuses inside a transaction block: it would fail part-way through the
// run, after the files before it were applied.
func checkPendingTxBlocks(pending []*ApplyFile, modes []string) error {
	var errs []error
	for i, f := range pending {
		if modes[i] == TxModeNone {
			continue
		}
		if err := txBlockErrors(f.Stmts, modes[i] == TxModeAll); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("nothing was applied: %w", errors.Join(errs...))
	}
	return nil
}

// fileTxMode is the transaction mode file f runs in under the global mode.
func fileTxMode(global string, f *ApplyFile) (string, error) {
	switch {
	case f.TxMode == "" || f.TxMode == global:
		return global, nil
	case global == TxModeAll:
		return "", fmt.Errorf("%s: txmode %q directive conflicts with --tx-mode all", f.Path, f.TxMode)
	default:
		return f.TxMode, nil
	}
}

// resume returns how many statements of f an earlier run applied, after
// checking that they were not edited since.
func (a *applier) resume(f *ApplyFile) (int, []string, error) {
	r, ok := a.revs[f.Version]
	if !ok || r.Applied == 0 || r.Applied >= r.Total {
		return 0, nil, nil
	}
	if r.Applied > len(f.Stmts) || len(r.PartialHashes) < r.Applied {
		return 0, nil, fmt.Errorf("%s: the history says %d statements were applied, but the file has %d statements and the history %d statement hashes; fix the history with `migrate set`", f.Path, r.Applied, len(f.Stmts), len(r.PartialHashes))
	}
	sums := f.partialHashes()
	for i := 0; i < r.Applied; i++ {
		if strings.TrimPrefix(r.PartialHashes[i], "h1:") != sums[i] {
			return 0, nil, fmt.Errorf("%s: statement %d (%s) was edited after it was applied; the file cannot be resumed (restore the applied statements, or fix the database by hand and use `migrate set`)",
				f.Stmts[i].Pos, i+1, StmtHead(f.Stmts[i].Text))
		}
	}
	return r.Applied, append([]string(nil), r.PartialHashes[:r.Applied]...), nil
}

// newRevision is the revision of a file that starts to run now.
func (a *applier) newRevision(f *ApplyFile, skip int, partial []string, start time.Time) *Revision {
	return &Revision{
		Version:         f.Version,
		Description:     f.Description,
		Type:            RevisionTypeExecute,
		Applied:         skip,
		Total:           len(f.Stmts),
		ExecutedAt:      start,
		Hash:            f.Hash,
		PartialHashes:   partial,
		OperatorVersion: a.opts.OperatorVersion,
	}
}

// recordFailure writes the failed revision of f outside any transaction.
func (a *applier) recordFailure(ctx context.Context, rev *Revision, stmtErr error, stmt string) error {
	rev.Error = a.mask(DBErrorText(stmtErr))
	rev.ErrorStmt = a.mask(stmt)
	if err := a.h.Write(context.WithoutCancel(ctx), a.conn, rev); err != nil {
		return fmt.Errorf("%w\n(recording the failure in the history failed too: %v)", stmtErr, err)
	}
	return stmtErr
}

// DBErrorText is an error as stored in the history's error column, in the
// form pgx gives a PostgreSQL error: `ERROR: message (SQLSTATE code)`.
func DBErrorText(err error) string {
	var se *StmtError
	if errors.As(err, &se) {
		return se.Err.Error()
	}
	return err.Error()
}

func (a *applier) mask(s string) string {
	s = pgurl.Redact(s)
	for _, sec := range a.opts.Secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, pgurl.Mask)
		}
	}
	return s
}

func (a *applier) fileStart(f *ApplyFile, index, skip int, mode string) *FileResult {
	res := &FileResult{File: f, Skip: skip, Mode: mode, Start: time.Now()}
	a.rep.Files = append(a.rep.Files, res)
	if p := a.opts.Progress; p != nil {
		p.FileStart(f, index, skip)
	}
	return res
}

func (a *applier) fileDone(res *FileResult, err error) error {
	res.Duration = time.Since(res.Start)
	res.Err = err
	if p := a.opts.Progress; p != nil {
		p.FileDone(res.File, res)
	}
	return err
}

// dryRun prints what would run.
func (a *applier) dryRun(pending []*ApplyFile, modes []string) error {
	w := a.opts.DryRunOut
	if len(pending) == 0 {
		_, err := fmt.Fprintln(w, "-- no migration files to apply")
		return err
	}
	if a.rep.Baseline != "" {
		fmt.Fprintf(w, "-- would record version %s as the baseline\n", a.rep.Baseline)
	}
	for i, f := range pending {
		skip := 0
		if r, ok := a.revs[f.Version]; ok && r.Applied < r.Total {
			skip = r.Applied
		}
		how := "in a transaction"
		if f.Privileged {
			how = "as the privileged role, in a transaction"
		}
		switch {
		case modes[i] == TxModeNone && f.Privileged:
			how = "as the privileged role, without a transaction"
		case modes[i] == TxModeNone:
			how = "without a transaction"
		case a.opts.TxMode == TxModeAll:
			how = "in the transaction of all files"
		}
		if skip > 0 {
			fmt.Fprintf(w, "-- %s: resuming at statement %d of %d, %s\n", f.Path, skip+1, len(f.Stmts), how)
		} else {
			fmt.Fprintf(w, "-- %s: %d statements, %s\n", f.Path, len(f.Stmts), how)
		}
		for _, st := range f.Stmts[skip:] {
			if _, err := fmt.Fprintln(w, terminated(st.Text)); err != nil {
				return err
			}
		}
	}
	return nil
}

// terminated appends the semicolon to a statement, on a line of its own
// when the last line ends in a comment.
func terminated(text string) string {
	last := text[strings.LastIndexByte(text, '\n')+1:]
	if strings.Contains(last, "--") {
		return text + "\n;"
	}
	return text + ";"
}
