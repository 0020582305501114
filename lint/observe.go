package lint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"ariga.io/atlas/sql/schema"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	pg "github.com/pganalyze/pg_query_go/v6"

	devstate "github.com/schemactl/schemactl/schema"
)

// observeQuery reads, in one round trip after a statement ran inside a
// transaction: the relation locks of the session on user relations (OID
// 16384 and up: the catalogs the engine's own queries lock are left out);
// the catalog rows of the relations that can have changed (those locked,
// the indexes of locked tables, and relations newer than $1, the highest
// OID known); the settings the analyzers need; and, when $2, the tables to
// inspect again in tableJSON form (tables locked in SHARE UPDATE EXCLUSIVE
// mode or stronger, directly or through an index, and new ones). Any
// change to a relation takes such a lock, held until the transaction ends.
// The relations are looked up by OID through the index (unnest) rather
// than by a scan of pg_class.
//
// Locks stay until the end of the transaction, so in a file of many
// statements most locked relations were changed by an earlier statement,
// and an FK's referenced table is locked without being changed. A catalog
// row written by the open transaction has an xmin of age <= 0 (its own or
// a subtransaction's xid) and, in cmin, the number of the command that
// wrote it; command numbers only grow within a transaction. $3 is the
// highest such number seen by earlier observations of the transaction
// (-1 at its start): only rows written after them, and new relations, are
// sent in full. For every candidate table the query also counts its
// columns, indexes and foreign keys: a statement that only deletes rows
// (DROP CONSTRAINT of a foreign key) leaves no newer row behind, and the
// engine reads a table whose counts no longer match its model again. The
// column before the last is the highest command number of the rows it
// saw; the last one newestConstraint.
const observeQuery = `WITH ` + lockCTE + `,
` + lockedCandidates + `,
` + relationCTE + `,
tc AS MATERIALIZED (
 SELECT c.oid, c.nspname, c.relname, c.oid > $1::int8::text::oid AS new,
  greatest(CASE WHEN age(c.x_min) <= 0 THEN c.c_min::text::int8 END, f.cm) AS cm, f.ncol, f.nidx, f.nfk
 FROM unnest((SELECT oids FROM tw)::oid[]) u(oid)
  CROSS JOIN LATERAL (SELECT c.oid, n.nspname, c.relname, c.xmin AS x_min, c.cmin AS c_min
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = u.oid AND ` + userTables + ` OFFSET 0) c
  CROSS JOIN LATERAL (SELECT max(s.cm) AS cm, sum(s.a) AS ncol, sum(s.i) AS nidx, sum(s.f) AS nfk FROM (
    SELECT CASE WHEN age(a.xmin) <= 0 THEN a.cmin::text::int8 END AS cm, (NOT a.attisdropped)::int AS a, 0 AS i, 0 AS f FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
    UNION ALL SELECT CASE WHEN age(d.xmin) <= 0 THEN d.cmin::text::int8 END, 0, 0, 0 FROM pg_attrdef d WHERE d.adrelid = c.oid
    UNION ALL SELECT greatest(CASE WHEN age(i.xmin) <= 0 THEN i.cmin::text::int8 END, CASE WHEN age(ic.xmin) <= 0 THEN ic.cmin::text::int8 END), 0, 1, 0 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = c.oid
    UNION ALL SELECT greatest(CASE WHEN age(co.xmin) <= 0 THEN co.cmin::text::int8 END, CASE WHEN age(rc.xmin) <= 0 THEN rc.cmin::text::int8 END,
      (SELECT max(CASE WHEN age(ra.xmin) <= 0 THEN ra.cmin::text::int8 END) FROM pg_attribute ra WHERE ra.attrelid = co.confrelid AND ra.attnum = ANY (co.confkey))), 0, 0, 1
     FROM pg_constraint co JOIN pg_class rc ON rc.oid = co.confrelid WHERE co.conrelid = c.oid AND co.contype = 'f') s) f)
SELECT ` + observedColumns + `,
 CASE WHEN $2::bool THEN array_to_json(array(SELECT json_build_array(tc.oid, tc.ncol, tc.nidx, tc.nfk,
    tc.nspname, tc.relname, CASE WHEN tc.new OR tc.cm > $3 OR tc.oid = ANY ($4::text::oid[]) THEN ` + tableJSON + ` END)
   FROM tc JOIN pg_class c ON c.oid = tc.oid JOIN pg_namespace n ON n.oid = c.relnamespace)) END,
 greatest((SELECT max(cm) FROM cr), CASE WHEN $2::bool THEN (SELECT max(cm) FROM tc) END),
 ` + newestConstraint

// newestConstraint is the last column of the observation queries: the
// highest constraint OID above $1, the highest OID the engine knows. It
// becomes the engine's highest OID with the relations' (OIDs only grow):
// in a file of foreign keys, which create no relation, every constraint
// of the statements before stayed above the highest relation OID, and
// newCandidates took all their tables again after every statement.
const newestConstraint = `(SELECT max(co.oid::text::int8) FROM pg_constraint co WHERE co.oid > $1::int8::text::oid)`

// firstQuery is observeQuery for the first statement observed in a
// transaction: every row the transaction wrote is the statement's, so
// each candidate table is read in full without comparing its rows first,
// in a smaller plan. Same parameters (the last two unused), same columns.
const firstQuery = `WITH ` + lockCTE + `,
` + lockedCandidates + `,
` + relationCTE + `
SELECT ` + observedColumns + `,
 ` + candidatesInFull + `,
 (SELECT max(cm) FROM cr),
 ` + newestConstraint

// firstStmt is the name under which the session prepares firstQuery.
const firstStmt = "schemactl_lint_observe_first"

// addsQuery is observeQuery for a statement that only adds (adds): with
// no locked relation to look at, it reads the new relations and, in full,
// the new tables and the tables of new indexes and constraints, in a much
// smaller plan (what an EXECUTE costs grows with the plan: the tables
// part of observeQuery costs about 0.2 ms to start even when it reads
// nothing). It takes the same parameters (the last two unused) and
// returns the same columns.
const addsQuery = `WITH ` + lockCTE + `,
ch AS MATERIALIZED (SELECT array(SELECT c.oid FROM pg_class c WHERE c.oid > $1::int8::text::oid) AS oids),
tw AS MATERIALIZED (SELECT array(` + newCandidates + `) AS oids),
` + relationCTE + `
SELECT ` + observedColumns + `,
 ` + candidatesInFull + `,
 (SELECT max(cm) FROM cr),
 ` + newestConstraint

// The parts of the three observation queries. lockCTE (l) is the
// session's relation locks on user relations.
const lockCTE = `l AS MATERIALIZED (
 SELECT relation AS oid, mode FROM pg_locks
 WHERE pid = pg_backend_pid() AND locktype = 'relation' AND granted AND relation >= '16384'::oid
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))`

// newCandidates are the tables a statement can have changed through new
// relations: new tables, tables of new indexes, tables of new constraints.
const newCandidates = `SELECT c.oid FROM pg_class c WHERE c.oid > $1::int8::text::oid
 UNION SELECT i.indrelid FROM pg_index i WHERE i.indexrelid > $1::int8::text::oid
 UNION SELECT co.conrelid FROM pg_constraint co WHERE co.oid > $1::int8::text::oid AND co.conrelid <> 0`

// lockedCandidates are w (relations locked in SHARE UPDATE EXCLUSIVE mode
// or stronger), ch (the relations whose rows to look at: those and new
// ones) and tw (the candidate tables: locked in ACCESS EXCLUSIVE or
// EXCLUSIVE mode, of a locked index, or newCandidates).
const lockedCandidates = `w AS MATERIALIZED (SELECT oid FROM l WHERE mode NOT IN ('AccessShareLock', 'RowShareLock', 'RowExclusiveLock')),
ch AS MATERIALIZED (SELECT array(
 SELECT oid FROM w
 UNION SELECT c.oid FROM pg_class c WHERE c.oid > $1::int8::text::oid) AS oids),
tw AS MATERIALIZED (SELECT array(
 SELECT oid FROM l WHERE mode IN ('AccessExclusiveLock', 'ExclusiveLock')
 UNION SELECT i.indrelid FROM pg_index i WHERE i.indexrelid IN (SELECT oid FROM w)
 UNION ` + newCandidates + `) AS oids)`

// relationCTE (cr) reads the pg_class rows of the relations ch, looked up
// by OID through the index rather than by a scan of pg_class, with the
// command number that wrote them when the open transaction did (cm). The
// namespace is joined inside the lookup, as in tc and candidatesInFull:
// the generic plan expects one namespace row to pass the filter and,
// joined outside, looped over the OIDs once per schema of the database.
const relationCTE = `cr AS MATERIALIZED (
 SELECT c.oid, c.nspname, c.relname, c.relkind, c.relfilenode, coalesce(i.indrelid, 0) AS tab, c.relpersistence, CASE WHEN age(c.x_min) <= 0 THEN c.c_min::text::int8 END AS cm
 FROM unnest((SELECT oids FROM ch)::oid[]) u(oid)
  CROSS JOIN LATERAL (SELECT c.oid, n.nspname, c.relname, c.relkind, c.relfilenode, c.relpersistence,
    c.xmin AS x_min, c.cmin AS c_min FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = u.oid AND ` + userRelations + ` OFFSET 0) c
  LEFT JOIN pg_index i ON i.indexrelid = c.oid)`

// observedColumns are the first five columns of every observation: the
// locks the transaction did not hold at the last observation ($5, their
// lockCodes: in a long transaction every earlier statement's locks are
// still held, and sending them all again after every statement cost the
// size of the transaction), the relation rows written since the last observation (and new
// ones), the relations of ch that are gone, lock_timeout and the schemas
// of the search path.
const observedColumns = `
 array_to_json(array(SELECT json_build_array(oid, mode) FROM l
   WHERE oid::int8 * 16 + ` + lockRankSQL + ` NOT IN (SELECT unnest($5::text::int8[])))),
 array_to_json(array(SELECT json_build_array(oid, nspname, relname, relkind, relfilenode, tab, relpersistence)
   FROM cr WHERE oid > $1::int8::text::oid OR cm > $3)),
 array_to_json(array(SELECT u FROM unnest((SELECT oids FROM ch)::oid[]) u WHERE u NOT IN (SELECT oid FROM cr))),
 current_setting('lock_timeout'),
 array_to_json(current_schemas(false))`

// candidatesInFull is the tables column when every candidate table (tw) is
// read in full.
const candidatesInFull = `CASE WHEN $2::bool THEN array_to_json(array(SELECT json_build_array(c.oid, 0, 0, 0, n.nspname, c.relname, ` + tableJSON + `)
   FROM unnest((SELECT oids FROM tw)::oid[]) u(oid)
    CROSS JOIN LATERAL (SELECT c.oid, c.relname, n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = u.oid AND ` + userTables + ` OFFSET 0) c
    CROSS JOIN LATERAL (SELECT c.nspname) n)) END`

// addsStmt is the name under which the session prepares addsQuery.
const addsStmt = "schemactl_lint_observe_adds"

// observeStmt is the name under which the session prepares observeQuery
// (begin): a generic plan, and EXECUTE can follow a statement in the same
// simple-protocol message.
const observeStmt = "schemactl_lint_observe"

// staticLockCTE is lockCTE for a statement whose locks are known
// statically (staticLocks): the locks of the transaction come as two
// parameters ($5 the OIDs, $6 the modes, as array literals) instead of
// from pg_locks, whose cost grows with the server's lock table.
const staticLockCTE = `l AS MATERIALIZED (SELECT u.oid, u.mode FROM unnest($6::text::oid[], $7::text::text[]) u(oid, mode))`

// lockRankSQL is lockRank of l.mode in SQL (0 for another mode).
const lockRankSQL = `CASE mode WHEN 'AccessShareLock' THEN 1 WHEN 'RowShareLock' THEN 2 WHEN 'RowExclusiveLock' THEN 3
 WHEN 'ShareUpdateExclusiveLock' THEN 4 WHEN 'ShareLock' THEN 5 WHEN 'ShareRowExclusiveLock' THEN 6
 WHEN 'ExclusiveLock' THEN 7 WHEN 'AccessExclusiveLock' THEN 8 ELSE 0 END`

// lockCode is a lock as observedColumns compares it with the locks
// already held: its relation's OID times 16 plus the rank of its mode.
func lockCode(l heldLock) int64 { return int64(l.OID)*16 + int64(lockRank[l.Mode]) }

// staticSuffix names the prepared variants of the three queries that take
// the locks as parameters.
const staticSuffix = "_static"

// prepareObserve prepares the observation queries in the session, each in
// a variant reading pg_locks and one taking the locks as parameters.
func prepareObserve() string {
	var b strings.Builder
	for _, q := range []struct{ name, text string }{{observeStmt, observeQuery}, {addsStmt, addsQuery}, {firstStmt, firstQuery}} {
		fmt.Fprintf(&b, "PREPARE %s(int8, bool, int8, text, text) AS %s;\n", q.name, q.text)
		fmt.Fprintf(&b, "PREPARE %s%s(int8, bool, int8, text, text, text, text) AS %s;\n", q.name, staticSuffix,
			strings.Replace(q.text, lockCTE, staticLockCTE, 1))
	}
	return b.String()
}

// observeCall returns the EXECUTE of the observation query, between the
// commands of seqScansOff (observeResults results, the observation's at
// observeResult): maxOID is the
// highest relation OID known, seen the highest command number of the
// transaction seen so far (-1 for none); full lists tables to read in
// full in any case; additive chooses addsQuery, for a statement that only
// adds relations (see adds), and no command seen yet firstQuery. When
// locks is not nil they are the relation locks of the transaction
// (known statically) and pg_locks is not read. held are the locks the
// transaction held at the last observation: the observation leaves them
// out.
func observeCall(maxOID uint32, tables bool, seen int64, full []uint32, additive bool, locks, held map[heldLock]bool) string {
	var b strings.Builder
	for i, oid := range full {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatUint(uint64(oid), 10))
	}
	var known strings.Builder
	for l := range held {
		if known.Len() > 0 {
			known.WriteByte(',')
		}
		known.WriteString(strconv.FormatInt(lockCode(l), 10))
	}
	stmt := observeStmt
	switch {
	case additive:
		stmt = addsStmt
	case seen < 0:
		stmt = firstStmt
	}
	if locks == nil {
		return fmt.Sprintf(seqScansOff, fmt.Sprintf("EXECUTE %s(%d, %t, %d, '{%s}', '{%s}')", stmt, maxOID, tables, seen, b.String(), known.String()))
	}
	var oids, modes strings.Builder
	for l := range locks {
		if oids.Len() > 0 {
			oids.WriteByte(',')
			modes.WriteByte(',')
		}
		oids.WriteString(strconv.FormatUint(uint64(l.OID), 10))
		modes.WriteString(l.Mode) // a mode name is letters only
	}
	return fmt.Sprintf(seqScansOff, fmt.Sprintf("EXECUTE %s%s(%d, %t, %d, '{%s}', '{%s}', '{%s}', '{%s}')", stmt, staticSuffix, maxOID, tables, seen, b.String(),
		known.String(), oids.String(), modes.String()))
}

// seqScansOff wraps the EXECUTE of an observation query: its generic plan
// is built, at the first EXECUTE and again whenever DDL invalidates it
// (CREATE SCHEMA resets every cached plan), with sequential scans off.
// Every lookup of the observation is by key, but the catalogs of a fresh
// database are estimated empty (pg_attrdef's statistics say no rows), and
// a plan built on them scanned pg_attrdef in full for every column with
// a default: a cost that grew with the schema, after every statement for
// the rest of the run. The setting is back before the next statement.
const seqScansOff = "SET enable_seqscan = off;%s;RESET enable_seqscan"

// observeResults is the number of results of an observeCall, and
// observeResult the observation's among them.
const (
	observeResults = 3
	observeResult  = 1
)

// observation is the row of observeQuery, as text.
type observation struct {
	locks, rels, gone, lockTimeout, path, tabs, seen, constraint []byte
	// ownLocks (verify, tests) are the locks pg_locks shows after a
	// statement whose locks were derived statically (ownLocksQuery).
	ownLocks []byte
}

// readObservation decodes the one row of the EXECUTE of observeQuery.
func readObservation(res *pgconn.Result) (*observation, error) {
	if res.Err != nil {
		return nil, fmt.Errorf("observe statement: %w", res.Err)
	}
	if len(res.Rows) != 1 || len(res.Rows[0]) != 8 {
		return nil, fmt.Errorf("observe statement: %d rows", len(res.Rows))
	}
	v := res.Rows[0]
	return &observation{locks: v[0], rels: v[1], gone: v[2], lockTimeout: v[3], path: v[4], tabs: v[5], seen: v[6], constraint: v[7]}, nil
}

// execStmt runs a statement in one simple-protocol message, together
// with the control commands still pending (in front), the observation
// query when observe (after it; obs is its row) and, when commit, the
// COMMIT of the file's transaction (last): one round trip for all. The
// statement is complete, as PostgreSQL's parser accepted it alone.
// stmtErr is the statement's failure (nothing after it ran; its error
// position counts from the statement's start); commitErr is the failure
// of the COMMIT (a deferred constraint); err is a failure of the engine's
// own commands.
func (e *engine) execStmt(ctx context.Context, text string, before *snapshot, observe, tables, commit bool) (obs *observation, stmtErr, commitErr, err error) {
	// A statement on a subscription runs without connecting to its
	// publisher (connect = false, a stand-in connection string): its dev
	// form, which may be several statements, runs ahead as control
	// commands, and an empty statement takes its place for the
	// observation (it locks nothing but catalogs).
	if dev, ok, derr := devstate.DevSubscriptionSQL(text); derr != nil {
		return nil, nil, nil, derr
	} else if ok {
		tree, perr := pg.Parse(dev)
		if perr != nil {
			return nil, nil, nil, fmt.Errorf("dev form of %q: %w", firstLine(text), perr)
		}
		e.pending += dev + ";"
		e.pendingN += len(tree.Stmts)
		text = "SELECT"
	}
	pre, npre := e.pending, e.pendingN
	e.pending, e.pendingN = "", 0
	msg := pre + text
	want := npre + 1
	checkLocks := observe && e.verify != nil && e.staticHeld != nil
	if observe {
		msg += "\n;" + observeCall(before.maxOID, tables, e.seenCmd, e.readFull, e.additive, e.staticHeld, e.held)
		want += observeResults
	}
	if checkLocks {
		msg += "\n;" + ownLocksQuery
		want++
	}
	if commit {
		msg += "\n;COMMIT"
		want++
	}
	var results []*pgconn.Result
	var rerr error
	err = e.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		mrr := c.Conn().PgConn().Exec(ctx, msg)
		// The message is out: the queued work (the previous statements'
		// diffs and analysis) runs while the server executes it.
		qerr := e.drain()
		e.parseAhead()
		results, rerr = mrr.ReadAll()
		return qerr
	})
	if err != nil {
		return nil, nil, nil, err
	}
	for i := 0; i < npre; i++ {
		if i >= len(results) || results[i].Err != nil {
			if rerr == nil {
				rerr = fmt.Errorf("no result")
			}
			return nil, nil, nil, fmt.Errorf("%s: %w", pre, rerr)
		}
	}
	if len(results) <= npre || results[npre].Err != nil {
		if rerr == nil {
			rerr = fmt.Errorf("statement returned no result")
		}
		var pe *pgconn.PgError
		if errors.As(rerr, &pe) && pe.Position > 0 && npre > 0 {
			// The position counts from the start of the message.
			moved := *pe
			moved.Position -= int32(utf8.RuneCountInString(pre))
			rerr = &moved
		}
		return nil, rerr, nil, nil
	}
	if commit && rerr != nil && len(results) == want-1 {
		// Everything ran but the COMMIT, which has no result of its own.
		commitErr, rerr = rerr, nil
		results = append(results, nil)
	}
	if rerr != nil {
		return nil, nil, nil, fmt.Errorf("observe statement: %w", rerr)
	}
	if len(results) != want {
		return nil, nil, nil, fmt.Errorf("statement and observation: %d results, want %d", len(results), want)
	}
	if observe {
		if obs, err = readObservation(results[npre+1+observeResult]); err != nil {
			return nil, nil, nil, err
		}
		if checkLocks {
			res := results[npre+1+observeResults]
			if res.Err != nil || len(res.Rows) != 1 || len(res.Rows[0]) != 1 {
				return nil, nil, nil, fmt.Errorf("read locks: %d rows: %v", len(res.Rows), res.Err)
			}
			obs.ownLocks = res.Rows[0][0]
		}
	}
	return obs, nil, commitErr, nil
}

// queryObservation runs the observation query on its own.
func (e *engine) queryObservation(ctx context.Context, before *snapshot, tables bool) (*observation, error) {
	var obs *observation
	err := e.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		results, err := c.Conn().PgConn().Exec(ctx, observeCall(before.maxOID, tables, e.seenCmd, e.readFull, e.additive, e.staticHeld, e.held)).ReadAll()
		if err != nil {
			return fmt.Errorf("observe statement: %w", err)
		}
		if len(results) != observeResults {
			return fmt.Errorf("observe statement: %d results", len(results))
		}
		obs, err = readObservation(results[observeResult])
		return err
	})
	return obs, err
}

// clone returns a copy of the snapshot whose relations may be changed,
// with nothing changed yet.
func (s *snapshot) clone() *snapshot {
	c := *s
	c.rels = s.rels.clone()
	c.changed = nil
	return &c
}

// keptTable is a candidate table whose catalog rows the statement did
// not write: its model is kept if its counts still match.
type keptTable struct {
	oid              uint32
	schema, name     string
	cols, idxs, fkey int
}

// matches tells whether t has the columns, indexes (primary key
// included) and foreign keys the catalog counted.
func (k keptTable) matches(t *schema.Table) bool {
	idxs := len(t.Indexes)
	if t.PrimaryKey != nil {
		idxs++
	}
	return len(t.Columns) == k.cols && idxs == k.idxs && len(t.ForeignKeys) == k.fkey
}

// tableRows are the candidate tables of an observation: read again
// (fresh, in tableJSON form, decoded later) when the statement wrote their
// catalog rows, only counted (kept) when not.
type tableRows struct {
	fresh []freshTable
	kept  []keptTable
}

// freshTable is one table read again: its schema-qualified name and its
// tableJSON row.
type freshTable struct {
	key [2]string
	row json.RawMessage
}

// observeInTx reads what a statement did inside the open transaction and
// returns the catalog after it and, when tables is set, the candidate
// tables. obs, when not nil, is the observation already read with the
// statement (execStmt).
func (e *engine) observeInTx(ctx context.Context, before *snapshot, tables bool, obs *observation) (*snapshot, *tableRows, error) {
	if obs == nil {
		var err error
		if obs, err = e.queryObservation(ctx, before, tables); err != nil {
			return nil, nil, err
		}
	}
	after := before.clone()
	after.lockTimeout = string(obs.lockTimeout)
	var err error
	if after.locks, err = decodeLocks(obs.locks); err != nil {
		return nil, nil, err
	}
	if err := json.Unmarshal(obs.path, &after.searchPath); err != nil {
		return nil, nil, fmt.Errorf("decode search path: %w", err)
	}
	if len(obs.seen) > 0 {
		seen, err := strconv.ParseInt(string(obs.seen), 10, 64)
		if err != nil {
			return nil, nil, fmt.Errorf("decode command number: %w", err)
		}
		e.seenCmd = max(e.seenCmd, seen)
	}
	if len(obs.constraint) > 0 {
		c, err := strconv.ParseUint(string(obs.constraint), 10, 32)
		if err != nil {
			return nil, nil, fmt.Errorf("decode constraint OID: %w", err)
		}
		after.maxOID = max(after.maxOID, uint32(c))
	}
	// Forget the relations that are gone, then take the rows written
	// since the last observation.
	var gone []any
	if err := json.Unmarshal(obs.gone, &gone); err != nil {
		return nil, nil, fmt.Errorf("decode dropped relations: %w", err)
	}
	// A relation whose table is gone goes too (an index): the whole
	// catalog is looked at only when a table or other relation than an
	// index went.
	tableGone := false
	for _, v := range gone {
		oid := num(v)
		if b := before.rel(oid); b != nil {
			tableGone = tableGone || b.Table == 0
			after.rels.delete(oid)
			after.changed = append(after.changed, oid)
		}
	}
	fresh, err := decodeRelations(obs.rels)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range fresh {
		after.rels.set(r)
		after.changed = append(after.changed, r.OID)
		after.maxOID = max(after.maxOID, r.OID)
	}
	orphan := func(r *relation) {
		if r.Table != 0 && after.rel(r.Table) == nil {
			after.rels.delete(r.OID)
			after.changed = append(after.changed, r.OID)
		}
	}
	if tableGone {
		var all []*relation
		after.rels.each(func(r *relation) { all = append(all, r) })
		for _, r := range all {
			orphan(r)
		}
	} else {
		for _, r := range fresh {
			orphan(r)
		}
	}
	if !tables {
		return after, nil, nil
	}
	var list [][]json.RawMessage
	if err := json.Unmarshal(obs.tabs, &list); err != nil {
		return nil, nil, fmt.Errorf("decode tables: %w", err)
	}
	out := &tableRows{}
	for _, t := range list {
		if len(t) != 7 {
			return nil, nil, fmt.Errorf("decode tables: %d fields", len(t))
		}
		var f [6]any
		for i := range f {
			if err := json.Unmarshal(t[i], &f[i]); err != nil {
				return nil, nil, fmt.Errorf("decode tables: %w", err)
			}
		}
		if string(t[6]) != "null" {
			out.fresh = append(out.fresh, freshTable{key: [2]string{str(f[4]), str(f[5])}, row: t[6]})
			continue
		}
		out.kept = append(out.kept, keptTable{oid: num(f[0]), cols: int(num(f[1])), idxs: int(num(f[2])), fkey: int(num(f[3])),
			schema: str(f[4]), name: str(f[5])})
	}
	return after, out, nil
}

// touchedTables returns the schema-qualified names of the tables a
// statement may have changed, as they were before and are after it.
func touchedTables(before, after *snapshot) map[[2]string]bool {
	names := map[[2]string]bool{}
	add := func(r *relation) {
		if r != nil && (r.Kind == "r" || r.Kind == "p") {
			names[[2]string{r.Schema, r.Name}] = true
		}
	}
	// The tables of the locks the transaction holds need not be added: one
	// whose relations the statement did not change is the same table, of
	// the same name, before and after, which diff keeps unless it was read
	// again (and then names it itself).
	for _, oid := range after.changed {
		a, b := after.rel(oid), before.rel(oid)
		switch {
		case a != nil && (b == nil || b.Name != a.Name || b.Schema != a.Schema):
			add(before.tableOf(oid))
			add(after.tableOf(oid))
		case a == nil && b != nil:
			add(before.tableOf(oid))
		}
	}
	return names
}

// spliceTables returns the realm with the named tables replaced by the
// fresh ones, and the two partial realms (only those tables) to diff.
// ok is false when a fresh table's schema is not in the realm.
func spliceTables(realm *schema.Realm, names map[[2]string]bool, fresh map[[2]string]*schema.Table) (full, from, to *schema.Realm, ok bool) {
	full = &schema.Realm{Attrs: realm.Attrs, Objects: realm.Objects}
	from, to = &schema.Realm{}, &schema.Realm{}
	seen := 0
	for _, s := range realm.Schemas {
		touched := false
		for k := range names {
			touched = touched || k[0] == s.Name
		}
		for k := range fresh {
			touched = touched || k[0] == s.Name
		}
		if !touched {
			full.Schemas = append(full.Schemas, s)
			continue
		}
		ns := &schema.Schema{Name: s.Name, Realm: full, Attrs: s.Attrs, Objects: s.Objects}
		fs := &schema.Schema{Name: s.Name, Realm: from, Attrs: s.Attrs}
		ts := &schema.Schema{Name: s.Name, Realm: to, Attrs: s.Attrs}
		for _, t := range s.Tables {
			if names[[2]string{s.Name, t.Name}] {
				fs.Tables = append(fs.Tables, t)
			} else {
				ns.Tables = append(ns.Tables, t)
			}
		}
		for _, k := range sortedTableKeys(fresh) {
			if k[0] == s.Name {
				t := fresh[k]
				t.Schema = ns
				ns.Tables = append(ns.Tables, t)
				ts.Tables = append(ts.Tables, t)
				seen++
			}
		}
		full.Schemas = append(full.Schemas, ns)
		from.Schemas = append(from.Schemas, fs)
		to.Schemas = append(to.Schemas, ts)
	}
	return full, from, to, seen == len(fresh)
}
