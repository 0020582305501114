package lint

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	"ariga.io/atlas/sql/schema"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/schemactl/schemactl/internal/pgurl"
	"github.com/schemactl/schemactl/migrations"
	devstate "github.com/schemactl/schemactl/schema"
)

// stmtRun is what the engine observed when it ran one statement.
type stmtRun struct {
	Stmt     migrations.Stmt
	Node     *pg.Node // nil when PostgreSQL's parser rejects the text
	ParseErr error
	Class    stmtClass
	// InTx is set when the statement ran inside the file's transaction.
	InTx bool
	// ForcedOut is set when the file runs in a transaction but the
	// statement cannot (NonTx says why): the engine committed and ran it
	// on its own.
	ForcedOut bool
	NonTx     string
	// EnumUnsafe is set when the statement failed inside the file's
	// transaction because it used an enum value added in the same
	// transaction (SQLSTATE 55P04); the engine ran it again on its own.
	EnumUnsafe bool
	// Before is the catalog before the statement; After is nil for
	// statements that cannot change the catalog (classData).
	Before, After *snapshot
	// NewLocks are the relation locks of SHARE UPDATE EXCLUSIVE or
	// stronger that the statement took and its transaction did not hold.
	// Empty for statements run outside a transaction block.
	NewLocks []heldLock
	// Rewritten are the existing relations whose relfilenode changed.
	Rewritten []*relation
	// Changes are the schema changes Atlas sees in the statement.
	Changes schema.Changes
	// Verified are the tables PostgreSQL scanned to check a constraint
	// (its DEBUG1 "verifying table" message), by name as it printed them.
	Verified []string
	// Skipped is set for statements that act on the whole server
	// (databases, tablespaces, ALTER SYSTEM): they are not run.
	Skipped bool
	// Err is the execution error, if the statement failed.
	Err error
	// static is set when the statement's locks are known from its parse
	// tree (staticLocks: staticLocks are those of SHARE UPDATE EXCLUSIVE
	// or stronger on existing relations) and pg_locks was not read.
	static      bool
	staticLocks []heldLock
}

// fileRun is a file as the engine ran it.
type fileRun struct {
	File  *migrations.File
	Start *snapshot // catalog when the file began
	Stmts []*stmtRun
	// From and To are the realms before and after the file.
	From, To *schema.Realm
	// Failed is set when a statement failed; the statements after it did
	// not run.
	Failed bool
}

// engine runs files on one dev-database session.
type engine struct {
	db    *sql.DB
	conn  *sql.Conn
	drv   migrate.Driver
	realm *schema.Realm
	snap  *snapshot
	// held are the locks of the open transaction, as of the last snapshot.
	held map[heldLock]bool
	// defaultLockTimeout is the server's lock_timeout, in force at the
	// start of every file.
	defaultLockTimeout string
	inTx               bool
	// seenCmd is the highest command number of the open transaction seen
	// in the catalog rows it wrote (-1: none yet); see observeQuery.
	seenCmd int64
	// readFull lists, while a statement runs, the tables its observation
	// reads in full (removedFrom).
	readFull []uint32
	// additive is set while a statement runs that only adds relations
	// (adds).
	additive bool
	// staticHeld, while a statement with static locks runs, are the locks
	// of its transaction after it: the observation takes them instead of
	// reading pg_locks (nil: read pg_locks).
	staticHeld map[heldLock]bool
	// txDynamic is set when a statement of the open transaction that is
	// not observed may have taken strong locks (dynamicData): its
	// statements read pg_locks until it ends. tempUsed is set once the
	// session created a temporary relation, which the snapshot does not
	// follow: every statement reads pg_locks from then on.
	txDynamic, tempUsed bool
	// pathStale is set when a statement that is not observed may have
	// changed the search path (setsConfig): the next observed statement
	// reads pg_locks, and its observation the path.
	pathStale bool
	// pgLocks (benchmarks) reads pg_locks for every statement.
	pgLocks bool
	// txRels and verifyHeld serve verify: the relations when the
	// transaction began, and its locks as pg_locks last showed them.
	txRels     *relations
	verifyHeld map[heldLock]bool
	// blind is set while runFile only brings the database to the state
	// after files another session lints (replayBlind): statements run as
	// they would observed, but nothing is observed.
	blind bool
	// ahead are the files still to run (Run); the statements of the next
	// one are parsed while the server executes a statement (parseAhead).
	ahead  []*migrations.File
	parsed map[string]parsedStmt
	// queued is work queued by later.
	queued []func() error
	// pending holds control commands (RESET lock_timeout, BEGIN) that the
	// engine has not sent yet: they go out in front of the next message,
	// saving a round trip per file. pendingN counts them.
	pending  string
	pendingN int
	// notices collects the server's messages (DEBUG1 and up) while a
	// linted statement runs: PostgreSQL says there when it rewrites or
	// scans ("verifying") a table.
	mu      sync.Mutex
	notices []string
	// verify, when set (tests), compares the scoped realm with a full
	// inspection after every statement and reports differences.
	verify func(r *stmtRun, missed schema.Changes, err error)
}

// openEngine connects to an empty dev database.
func openEngine(ctx context.Context, url string) (*engine, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("dev database URL: %w", pgurl.RedactError(err))
	}
	e := &engine{}
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		e.mu.Lock()
		e.notices = append(e.notices, n.Message)
		e.mu.Unlock()
	}
	db := stdlib.OpenDB(*cfg)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to dev database: %w", pgurl.RedactError(err))
	}
	drv, err := postgres.Open(conn)
	if err != nil {
		conn.Close()
		db.Close()
		return nil, fmt.Errorf("open Atlas postgres driver: %w", err)
	}
	e.db, e.conn, e.drv = db, conn, drv
	return e, nil
}

func (e *engine) close() {
	e.conn.Close()
	e.db.Close()
}

// exec runs control commands, after the pending ones.
func (e *engine) exec(ctx context.Context, q string) error {
	// A statement on a subscription runs without connecting to its
	// publisher (see execStmt).
	if dev, ok, err := devstate.DevSubscriptionSQL(q); err != nil {
		return err
	} else if ok {
		q = dev
	}
	q = e.pending + q
	e.pending, e.pendingN = "", 0
	_, err := e.conn.ExecContext(ctx, q)
	return err
}

// defer queues control commands for the next message (pending).
func (e *engine) deferCmd(q string) {
	e.pending += q + ";"
	e.pendingN++
}

// replay runs base files without observing them, as apply would.
func (e *engine) replay(ctx context.Context, files []*migrations.File) error {
	if len(files) == 0 {
		return nil
	}
	if e.pending != "" {
		if err := e.exec(ctx, ""); err != nil {
			return err
		}
	}
	return e.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		dev := make([]*migrations.File, len(files))
		for i, f := range files {
			// Nothing on the dev database connects to a publisher.
			g, err := devstate.DevSubscriptionFile(f)
			if err != nil {
				return err
			}
			dev[i] = g
		}
		return migrations.ReplayConn(ctx, c.Conn().PgConn(), dev...)
	})
}

// StmtError is a statement that failed on the dev database.
type StmtError struct {
	Pos      migrations.Pos // where the error is (the statement start, or PostgreSQL's error position)
	Stmt     string         // first line of the statement
	Code     string         // SQLSTATE, when PostgreSQL reported one
	Message  string
	Position int // 1-based character position in the statement, 0 if unknown
}

func (e *StmtError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("%s: %s (SQLSTATE %s)\n  statement: %s", e.Pos, e.Message, e.Code, e.Stmt)
	}
	return fmt.Sprintf("%s: %s\n  statement: %s", e.Pos, e.Message, e.Stmt)
}

// stmtError wraps an execution error with the statement and, when
// PostgreSQL gives one, the exact position of the error in the file.
func stmtError(s migrations.Stmt, err error) *StmtError {
	se := &StmtError{Pos: s.Pos, Stmt: firstLine(s.Text), Message: pgurl.Redact(err.Error())}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		se.Code = pe.Code
		se.Message = pe.Message
		if pe.Detail != "" {
			se.Message += ": " + pe.Detail
		}
		if pe.Position > 0 {
			se.Position = int(pe.Position)
			se.Pos = offsetPos(s, charOffset(s.Text, int(pe.Position)-1))
		}
	}
	return se
}

// charOffset converts a character index into a byte offset of text.
func charOffset(text string, chars int) int {
	off := 0
	for i := 0; i < chars && off < len(text); i++ {
		_, w := utf8.DecodeRuneInString(text[off:])
		off += w
	}
	return off
}

// offsetPos returns the file position of byte off of the statement text.
func offsetPos(s migrations.Stmt, off int) migrations.Pos {
	p := s.Pos
	for i := 0; i < off && i < len(s.Text); i++ {
		if s.Text[i] == '\n' {
			p.Line++
			p.Col = 1
		} else {
			p.Col++
		}
	}
	return p
}

// sqlState returns the SQLSTATE of an error, or "".
func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// begin opens the first observation: the realm and the catalog.
func (e *engine) begin(ctx context.Context) error {
	if err := e.exec(ctx, "RESET lock_timeout"); err != nil {
		return err
	}
	snap, err := takeSnapshot(ctx, e.conn)
	if err != nil {
		return err
	}
	e.snap, e.defaultLockTimeout = snap, snap.lockTimeout
	if e.realm, err = e.inspectRealm(ctx, snap.schemas); err != nil {
		return err
	}
	// DEBUG1 messages tell when a statement rewrites or scans a table.
	// The observation query is prepared once (observeStmt); a generic
	// plan avoids planning it again after every statement (10% of a
	// kratos run). The catalogs of a dev database are small and in
	// memory: with the default random_page_cost (4, for spinning disks)
	// the planner reads pg_index, pg_constraint and pg_attrdef in full to
	// find a few rows by OID, in the observation and in the checks behind
	// the migrations' own statements (foreign keys); 1.1, the usual value
	// for memory and SSDs, makes it use their indexes: about 10% of a
	// kratos run.
	if err := e.exec(ctx, "SET client_min_messages = debug1; SET plan_cache_mode = force_generic_plan; SET random_page_cost = 1.1; "+prepareObserve()); err != nil {
		return fmt.Errorf("prepare the observation query: %w", err)
	}
	return nil
}

// runFile executes a file statement by statement, observing each one.
// It stops at the first failing statement (fr.Failed).
func (e *engine) runFile(ctx context.Context, f *migrations.File) (*fileRun, error) {
	if len(e.ahead) > 0 && e.ahead[0] == f {
		e.ahead = e.ahead[1:]
	}
	fr := &fileRun{File: f}
	// The realms are set in order with the queued diffs (later).
	if err := e.later(func() error { fr.From = e.realm; return nil }); err != nil {
		return nil, err
	}
	setTo := func() error { return e.later(func() error { fr.To = e.realm; return nil }) }
	// Each file is judged on its own: a lock_timeout set by an earlier
	// file does not cover this one.
	if !e.blind {
		start := e.snap.clone()
		start.lockTimeout, start.locks = e.defaultLockTimeout, nil
		e.snap, fr.Start = start, start
	}
	tx := f.TxMode != migrations.TxModeNone
	if tx {
		// Sent with the file's first statement (or its COMMIT).
		e.deferCmd("RESET lock_timeout")
		e.deferCmd("BEGIN")
		e.txStarted()
	} else if err := e.exec(ctx, "RESET lock_timeout"); err != nil {
		return nil, err
	}
	enumAdded := false // an ALTER TYPE ... ADD VALUE ran in the open transaction
	// committed is set when the COMMIT went out with the last statement;
	// commitErr is then its failure.
	committed, commitErr := false, error(nil)
	for i, s := range f.Stmts {
		r := &stmtRun{Stmt: s, Before: e.snap}
		e.takeNotices()
		r.Node, r.ParseErr = e.parse(s.Text)
		r.Class = classify(r.Node)
		r.NonTx = migrations.NonTxKind(r.Node)
		if !e.blind {
			e.readFull = removedFrom(r.Node, e.snap)
		}
		e.additive = adds(r.Node)
		if r.Node != nil && mayNameTemp(s.Text) && createsTemp(r.Node) {
			e.tempUsed = true
		}
		if !e.blind && !e.tempUsed && !e.pgLocks {
			r.staticLocks, r.static = staticLocks(r.Node, e.snap)
		}
		if r.Class == classData && tx && dynamicData(r.Node) {
			e.txDynamic = true
		}
		if r.Class == classData && setsConfig(r.Node) {
			e.pathStale = true
		}
		fr.Stmts = append(fr.Stmts, r)
		static := r.static
		r.static = false // set again by planLocks where it applies
		switch {
		case clusterWide(r.Node):
			// CREATE DATABASE, ALTER SYSTEM and the like would change the
			// dev server itself (which may be shared): they are analyzed
			// but not run.
			r.Skipped = true
			r.ForcedOut = tx && r.NonTx != ""
		case tx && r.NonTx != "":
			r.ForcedOut = true
			if err := e.txCommit(ctx); err != nil {
				return nil, err
			}
			r.Err = e.exec(ctx, s.Text)
			if r.Err == nil {
				r.Err = e.observe(ctx, r, nil)
			}
			if r.Err == nil {
				r.Err = e.txBegin(ctx)
				enumAdded = false
			}
		case tx:
			r.InTx = true
			if enumAdded {
				if err := e.exec(ctx, "SAVEPOINT schemactl_lint"); err != nil {
					return nil, err
				}
			}
			// The statement, its observation and, after the file's last
			// statement, the COMMIT go out in one round trip.
			observed := !e.blind && !enumAdded && r.Node != nil && r.Class != classData && r.Class != classOther
			// (A statement observed on its own, classOther, needs the
			// transaction open for its locks.)
			commit := !enumAdded && i == len(f.Stmts)-1 && (observed || e.blind || r.Class == classData)
			e.planLocks(r, static, observed)
			obs, stmtErr, cErr, err := e.execStmt(ctx, s.Text, e.snap, observed, r.Class == classTable, commit)
			e.staticHeld = nil
			if err != nil {
				return nil, observeErr{err}
			}
			r.Err = stmtErr
			if enumAdded {
				if r.Err != nil && sqlState(r.Err) == "55P04" {
					// Unsafe use of a new enum value: report it, and run the
					// statement on its own as a fixed file would.
					r.EnumUnsafe = true
					if err := e.exec(ctx, "ROLLBACK TO SAVEPOINT schemactl_lint"); err != nil {
						return nil, err
					}
					if err := e.txCommit(ctx); err != nil {
						return nil, err
					}
					if err := e.txBegin(ctx); err != nil {
						return nil, err
					}
					enumAdded = false
					r.Err = e.exec(ctx, s.Text)
				} else if r.Err == nil {
					if err := e.exec(ctx, "RELEASE SAVEPOINT schemactl_lint"); err != nil {
						return nil, err
					}
				}
			}
			if r.Err == nil {
				r.Err = e.observe(ctx, r, obs)
			}
			if r.Err == nil && commit {
				e.inTx, e.held = false, nil
				committed, commitErr = true, cErr
			}
			if addsEnumValue(r.Node) {
				enumAdded = true
			}
		case r.NonTx != "":
			r.Err = e.exec(ctx, s.Text)
			if r.Err == nil {
				r.Err = e.observe(ctx, r, nil)
			}
		case r.Node != nil && r.Class != classOther:
			// A statement of a non-transactional file runs on its own; an
			// explicit transaction around it lets the engine see its locks.
			// BEGIN, the statement, its observation and COMMIT go out in
			// one message.
			e.deferCmd("BEGIN")
			e.txStarted()
			observed := !e.blind && r.Class != classData
			e.planLocks(r, static, observed)
			obs, stmtErr, cErr, err := e.execStmt(ctx, s.Text, e.snap, observed, r.Class == classTable, true)
			e.staticHeld = nil
			if err != nil {
				return nil, observeErr{err}
			}
			r.Err = stmtErr
			if r.Err == nil {
				r.Err = e.observe(ctx, r, obs)
			}
			if r.Err == nil {
				e.inTx, e.held = false, nil
				r.Err = cErr
			}
		default:
			// The same, one command at a time: a statement that may change
			// anything is observed in full before its COMMIT.
			if err := e.txBegin(ctx); err != nil {
				return nil, err
			}
			r.InTx = false
			r.Err = e.exec(ctx, s.Text)
			if r.Err == nil {
				r.Err = e.observe(ctx, r, nil)
			}
			if r.Err == nil {
				r.Err = e.txCommit(ctx)
			}
		}
		if r.Err != nil && isObserveErr(r.Err) {
			return nil, r.Err
		}
		if r.Err != nil {
			if _, ok := r.Err.(*StmtError); !ok {
				r.Err = stmtError(s, r.Err)
			}
			if e.inTx {
				_ = e.exec(ctx, "ROLLBACK")
				e.inTx = false
			}
			fr.Failed = true
			return fr, setTo()
		}
	}
	if tx {
		err := commitErr
		if !committed {
			err = e.txCommit(ctx)
		}
		if err != nil {
			// A deferred constraint fails at COMMIT: report it at the
			// file's last statement.
			if len(f.Stmts) == 0 {
				return nil, err
			}
			last := fr.Stmts[len(fr.Stmts)-1]
			last.Err, fr.Failed = stmtError(last.Stmt, err), true
			_ = e.exec(ctx, "ROLLBACK")
		}
	}
	return fr, setTo()
}

// observeErr marks a failure of the engine's own observation queries.
type observeErr struct{ err error }

func (o observeErr) Error() string { return o.err.Error() }
func (o observeErr) Unwrap() error { return o.err }

func isObserveErr(err error) bool {
	var o observeErr
	return errors.As(err, &o)
}

// takeNotices returns and clears the messages collected so far.
func (e *engine) takeNotices() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := e.notices
	e.notices = nil
	return n
}

func (e *engine) txBegin(ctx context.Context) error {
	if err := e.exec(ctx, "BEGIN"); err != nil {
		return err
	}
	e.txStarted()
	return nil
}

// txStarted records that a transaction block begins (or will, with the
// pending BEGIN): no locks held, no command number seen.
func (e *engine) txStarted() {
	e.inTx, e.held, e.seenCmd = true, map[heldLock]bool{}, -1
	e.txDynamic = false
	if e.verify != nil && e.snap != nil {
		e.txRels, e.verifyHeld = e.snap.rels.clone(), map[heldLock]bool{}
	}
}

// planLocks sets staticHeld for a statement about to run in the open
// transaction and be observed: the transaction's locks with the
// statement's own, when they are known statically; nil (read pg_locks)
// otherwise; r.static records which.
func (e *engine) planLocks(r *stmtRun, static, observed bool) {
	e.staticHeld = nil
	if !observed || !static || e.txDynamic || e.pathStale {
		return
	}
	r.static = true
	e.staticHeld = make(map[heldLock]bool, len(e.held)+len(r.staticLocks))
	for l := range e.held {
		e.staticHeld[l] = true
	}
	for _, l := range r.staticLocks {
		e.staticHeld[l] = true
	}
}

func (e *engine) txCommit(ctx context.Context) error {
	e.inTx = false
	e.held = nil
	return e.exec(ctx, "COMMIT")
}

// observe records what a statement that just ran did: its locks and
// rewrites from a catalog snapshot, and its schema changes from an
// inspection scoped to the tables it touched. obs is the observation
// read with the statement, if it was (execObserved).
func (e *engine) observe(ctx context.Context, r *stmtRun, obs *observation) error {
	if e.blind {
		e.takeNotices()
		return nil
	}
	for _, n := range e.takeNotices() {
		if t, ok := strings.CutPrefix(n, "verifying table "); ok {
			r.Verified = append(r.Verified, strings.Trim(t, `"`))
		}
	}
	if r.Class == classData {
		return nil
	}
	// The realm must be the one before this statement.
	if err := e.drain(); err != nil {
		return err
	}
	before := e.snap
	var (
		after *snapshot
		job   *diffJob
		err   error
	)
	switch {
	case e.inTx && r.Class != classOther:
		// One round trip: locks, changed relations and changed tables.
		var tabs *tableRows
		after, tabs, err = e.observeInTx(ctx, before, r.Class == classTable, obs)
		if err != nil {
			return observeErr{err}
		}
		if r.Class == classTable {
			if job, err = e.tableJob(ctx, before, after, tabs); err != nil {
				return observeErr{err}
			}
		}
	default:
		// Outside a transaction (CONCURRENTLY) the locks are gone, and
		// other statements may change anything: read it all.
		if after, err = takeSnapshot(ctx, e.conn); err != nil {
			return observeErr{err}
		}
		after.maxOID = max(after.maxOID, before.maxOID)
		after.changed = changedRels(before, after)
		if r.Class == classTable || r.Class == classOther {
			to, err := e.inspectRealm(ctx, after.schemas)
			if err != nil {
				return observeErr{err}
			}
			job = &diffJob{before: before, after: after, to: to}
		}
	}
	e.pathStale = false // the observation read the search path
	if makesInheritance(r.Node) || makesCode(r.Node) {
		// The snapshot of a statement observed in its transaction keeps
		// the world of the one before it.
		after.staticOK = false
	}
	r.After = after
	e.snap = after
	if e.inTx {
		for l := range after.locks {
			if !e.held[l] && lockRank[l.Mode] >= lockRank["ShareUpdateExclusiveLock"] &&
				(before.rel(l.OID) != nil || after.rel(l.OID) != nil) {
				r.NewLocks = append(r.NewLocks, l)
			}
		}
		if e.held == nil {
			e.held = map[heldLock]bool{}
		}
		for l := range after.locks {
			e.held[l] = true
		}
		if e.verify != nil {
			if err := e.verifyLocks(r, obs, after); err != nil {
				return observeErr{err}
			}
		}
	}
	for _, oid := range after.changed {
		if a, b := after.rel(oid), before.rel(oid); a != nil && b != nil && a.FileNode != b.FileNode && b.Kind != "S" {
			r.Rewritten = append(r.Rewritten, b)
		}
	}
	if e.verify != nil {
		snap, err := takeSnapshot(ctx, e.conn)
		if err != nil {
			return observeErr{err}
		}
		if snap.rels.len() != after.rels.len() {
			e.verify(r, nil, fmt.Errorf("catalog: %d relations kept, %d in the database", after.rels.len(), snap.rels.len()))
		}
		snap.rels.each(func(rel *relation) {
			if kept := after.rel(rel.OID); kept == nil || *kept != *rel {
				e.verify(r, nil, fmt.Errorf("catalog: relation %d is %+v, kept %+v", rel.OID, *rel, kept))
			}
			if kept := after.rels.named(rel.Schema, rel.Name); kept == nil || kept.OID != rel.OID {
				e.verify(r, nil, fmt.Errorf("catalog: relation %s.%s is %d, kept by name %+v", rel.Schema, rel.Name, rel.OID, kept))
			}
		})
		// What the statement changed is in after.changed.
		before.rels.each(func(b *relation) {
			if a := after.rel(b.OID); (a == nil || *a != *b) && !slices.Contains(after.changed, b.OID) {
				e.verify(r, nil, fmt.Errorf("catalog: relation %d changed (%+v to %+v) but not listed as changed", b.OID, *b, a))
			}
		})
		after.rels.each(func(a *relation) {
			if before.rel(a.OID) == nil && !slices.Contains(after.changed, a.OID) {
				e.verify(r, nil, fmt.Errorf("catalog: relation %d added but not listed as changed", a.OID))
			}
		})
	}
	if job == nil {
		return nil
	}
	return e.later(func() error { return e.diff(ctx, r, job) })
}

// diffJob is what the engine needs to work out a statement's schema
// changes once the realm before it is known: either the realm read in
// full (to), or the rows of the tables read again.
type diffJob struct {
	before, after *snapshot
	to            *schema.Realm
	tabs          *tableRows
	// again are tables read again because their counts did not match.
	again map[[2]string]*schema.Table
}

// tableJob prepares the diff of a statement that changes tables: it
// checks the tables the statement did not write against the realm (which
// must be current) and reads those whose rows were only deleted, or the
// whole realm when a sequence was renamed or a table appeared in a schema
// the realm does not have.
func (e *engine) tableJob(ctx context.Context, before, after *snapshot, tabs *tableRows) (*diffJob, error) {
	job := &diffJob{before: before, after: after, tabs: tabs}
	var again []uint32
	for _, k := range tabs.kept {
		key := [2]string{k.schema, k.name}
		if t := realmTable(e.realm, key); t != nil && k.matches(t) {
			continue
		}
		again = append(again, k.oid)
	}
	if len(again) > 0 {
		more, err := readTables(ctx, e.conn, again)
		if err != nil {
			return nil, err
		}
		job.again = more
	}
	hasSchema := func(name string) bool { _, ok := e.realm.Schema(name); return ok }
	full := renamedSequence(before, after)
	for _, t := range tabs.fresh {
		full = full || !hasSchema(t.key[0])
	}
	for k := range job.again {
		full = full || !hasSchema(k[0])
	}
	if full {
		to, err := e.inspectRealm(ctx, after.schemas)
		if err != nil {
			return nil, err
		}
		job.to = to
	}
	return job, nil
}

// diff works out a statement's schema changes and moves the realm past
// it. It needs no database (it runs while the server executes the next
// statement, see later) unless the engine verifies itself.
func (e *engine) diff(ctx context.Context, r *stmtRun, job *diffJob) error {
	from, target, to := e.realm, job.to, job.to
	if to == nil {
		fresh := make(map[[2]string]*schema.Table, len(job.tabs.fresh)+len(job.again))
		for _, t := range job.tabs.fresh {
			if err := decodeTable(t.row, fresh); err != nil {
				return observeErr{err}
			}
		}
		for k, t := range job.again {
			fresh[k] = t
		}
		// A touched table that still exists and was not read again (its
		// rows unchanged, or not a candidate of an additive statement)
		// keeps its model.
		names := touchedTables(job.before, job.after)
		exists := func(k [2]string) bool {
			a := job.after.rels.named(k[0], k[1])
			return a != nil && (a.Kind == "r" || a.Kind == "p")
		}
		for k := range names {
			if _, ok := fresh[k]; !ok && exists(k) {
				delete(names, k)
			}
		}
		for k := range fresh {
			names[k] = true
		}
		full, pf, pt, ok := spliceTables(e.realm, names, fresh)
		if !ok {
			return observeErr{fmt.Errorf("%s: a table changed in a schema the engine does not know", r.Stmt.Pos)}
		}
		to, from, target = full, pf, pt
	}
	// The two realms are the catalog's own text before and after: they are
	// compared as text (Atlas's DefaultDiff). The driver's diff would ask
	// the database whether two different default expressions are equal,
	// which fails once an object they name is renamed or dropped.
	changes, err := postgres.DefaultDiff.RealmDiff(from, target)
	if err != nil {
		return observeErr{fmt.Errorf("compare schema before and after %s: %w", r.Stmt.Pos, err)}
	}
	r.Changes = fixRenames(r.Node, changes)
	e.realm = to
	if e.verify != nil {
		full, err := readRealm(ctx, e.conn, job.after.schemas)
		if err != nil {
			return observeErr{err}
		}
		if d, err := postgres.DefaultDiff.RealmDiff(to, full); err != nil || len(d) > 0 {
			e.verify(r, d, err)
		}
	}
	return nil
}

// parsedStmt is a statement parsed ahead.
type parsedStmt struct {
	node *pg.Node
	err  error
}

// parse returns the parse tree of a statement, parsed ahead or now.
func (e *engine) parse(text string) (*pg.Node, error) {
	if p, ok := e.parsed[text]; ok {
		delete(e.parsed, text)
		return p.node, p.err
	}
	return parseStmt(text)
}

// parseAhead parses the statements of the next file to run, once.
func (e *engine) parseAhead() {
	if len(e.ahead) == 0 {
		return
	}
	f := e.ahead[0]
	e.ahead = e.ahead[1:]
	if e.parsed == nil {
		e.parsed = map[string]parsedStmt{}
	}
	for _, s := range f.Stmts {
		n, err := parseStmt(s.Text)
		e.parsed[s.Text] = parsedStmt{n, err}
	}
}

// later queues work that needs no database: it runs at the next drain,
// which execStmt does while the server executes the next statement. When
// the engine verifies itself (tests), it runs at once.
func (e *engine) later(f func() error) error {
	e.queued = append(e.queued, f)
	if e.verify != nil {
		return e.drain()
	}
	return nil
}

// drain runs the queued work in order.
func (e *engine) drain() error {
	for len(e.queued) > 0 {
		f := e.queued[0]
		e.queued = e.queued[1:]
		if err := f(); err != nil {
			e.queued = nil
			return err
		}
	}
	return nil
}

// renamedSequence tells whether a statement renamed or moved a sequence:
// the column defaults that name it, in tables the statement did not lock,
// read differently now.
func renamedSequence(before, after *snapshot) bool {
	for _, oid := range after.changed {
		if a, b := after.rel(oid), before.rel(oid); a != nil && a.Kind == "S" && b != nil && (b.Name != a.Name || b.Schema != a.Schema) {
			return true
		}
	}
	return false
}

// changedRels compares two snapshots read in full: the OIDs of the
// relations added, removed or changed from before to after.
func changedRels(before, after *snapshot) []uint32 {
	var out []uint32
	before.rels.each(func(b *relation) {
		if a := after.rel(b.OID); a == nil || *a != *b {
			out = append(out, b.OID)
		}
	})
	after.rels.each(func(a *relation) {
		if before.rel(a.OID) == nil {
			out = append(out, a.OID)
		}
	})
	return out
}

// realmTable returns the table of the realm with the schema-qualified
// name key, or nil.
func realmTable(r *schema.Realm, key [2]string) *schema.Table {
	if s, ok := r.Schema(key[0]); ok {
		t, _ := s.Table(key[1])
		return t
	}
	return nil
}

func (e *engine) inspectRealm(ctx context.Context, schemas map[string]bool) (*schema.Realm, error) {
	r, err := readRealm(ctx, e.conn, schemas)
	if err != nil {
		return nil, fmt.Errorf("inspect dev database: %w", err)
	}
	return r, nil
}
