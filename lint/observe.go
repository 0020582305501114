package lint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"ariga.io/atlas/sql/schema"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
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
const observeQuery = `WITH l AS MATERIALIZED (
 SELECT relation AS oid, mode FROM pg_locks
 WHERE pid = pg_backend_pid() AND locktype = 'relation' AND granted AND relation >= '16384'::oid
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())),
w AS MATERIALIZED (SELECT oid FROM l WHERE mode NOT IN ('AccessShareLock', 'RowShareLock', 'RowExclusiveLock')),
ch AS MATERIALIZED (SELECT array(
 SELECT oid FROM l
 UNION SELECT c.oid FROM pg_class c WHERE c.oid > $1::int8::text::oid
 UNION SELECT i.indexrelid FROM pg_index i WHERE i.indrelid IN (SELECT oid FROM l)) AS oids),
tw AS MATERIALIZED (SELECT array(
 SELECT oid FROM w
 UNION SELECT c.oid FROM pg_class c WHERE c.oid > $1::int8::text::oid
 UNION SELECT i.indrelid FROM pg_index i WHERE i.indexrelid IN (SELECT oid FROM w)
 UNION SELECT i.indrelid FROM pg_index i WHERE i.indexrelid > $1::int8::text::oid) AS oids)
SELECT
 coalesce((SELECT json_agg(json_build_array(oid, mode)) FROM l), '[]'),
 coalesce((SELECT json_agg(json_build_array(c.oid, n.nspname, c.relname, c.relkind, c.relfilenode, coalesce(i.indrelid, 0), c.relpersistence))
   FROM unnest((SELECT oids FROM ch)::oid[]) u(oid) CROSS JOIN LATERAL (SELECT * FROM pg_class c WHERE c.oid = u.oid OFFSET 0) c
    JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_index i ON i.indexrelid = c.oid
   WHERE ` + userRelations + `), '[]'),
 current_setting('lock_timeout'),
 array_to_json(current_schemas(false)),
 CASE WHEN $2::bool THEN coalesce((SELECT json_agg(` + tableJSON + `)
   FROM unnest((SELECT oids FROM tw)::oid[]) u(oid) CROSS JOIN LATERAL (SELECT * FROM pg_class c WHERE c.oid = u.oid OFFSET 0) c
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE ` + userTables + `), '[]') END`

// observeStmt is the name under which the session prepares observeQuery
// (begin): a generic plan, and EXECUTE can follow a statement in the same
// simple-protocol message.
const observeStmt = "schemactl_lint_observe"

// prepareObserve prepares observeQuery in the session.
const prepareObserve = "PREPARE " + observeStmt + "(int8, bool) AS " + observeQuery

// observeCall returns the EXECUTE of the observation query.
func observeCall(maxOID uint32, tables bool) string {
	return fmt.Sprintf("EXECUTE %s(%d, %t)", observeStmt, maxOID, tables)
}

// observation is the row of observeQuery, as text.
type observation struct {
	locks, rels, lockTimeout, path, tabs []byte
}

// readObservation decodes the one row of the EXECUTE of observeQuery.
func readObservation(res *pgconn.Result) (*observation, error) {
	if res.Err != nil {
		return nil, fmt.Errorf("observe statement: %w", res.Err)
	}
	if len(res.Rows) != 1 || len(res.Rows[0]) != 5 {
		return nil, fmt.Errorf("observe statement: %d rows", len(res.Rows))
	}
	v := res.Rows[0]
	return &observation{locks: v[0], rels: v[1], lockTimeout: v[2], path: v[3], tabs: v[4]}, nil
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
	pre, npre := e.pending, e.pendingN
	e.pending, e.pendingN = "", 0
	msg := pre + text
	want := npre + 1
	if observe {
		msg += "\n;" + observeCall(before.maxOID, tables)
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
		results, rerr = c.Conn().PgConn().Exec(ctx, msg).ReadAll()
		return nil
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
		if obs, err = readObservation(results[npre+1]); err != nil {
			return nil, nil, nil, err
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
		results, err := c.Conn().PgConn().Exec(ctx, observeCall(before.maxOID, tables)).ReadAll()
		if err != nil {
			return fmt.Errorf("observe statement: %w", err)
		}
		if len(results) != 1 {
			return fmt.Errorf("observe statement: %d results", len(results))
		}
		obs, err = readObservation(results[0])
		return err
	})
	return obs, err
}

// clone returns a copy of the snapshot whose relation map may be changed.
func (s *snapshot) clone() *snapshot {
	c := *s
	c.rels = make(map[uint32]*relation, len(s.rels))
	for k, v := range s.rels {
		c.rels[k] = v
	}
	return &c
}

// observeInTx reads what a statement did inside the open transaction and
// returns the catalog after it and, when tables is set, the tables it may
// have changed, read again. obs, when not nil, is the observation already
// read with the statement (execObserved).
func (e *engine) observeInTx(ctx context.Context, before *snapshot, tables bool, obs *observation) (*snapshot, map[[2]string]*schema.Table, error) {
	if obs == nil {
		var err error
		if obs, err = e.queryObservation(ctx, before, tables); err != nil {
			return nil, nil, err
		}
	}
	locks, rels, path, tabs := obs.locks, obs.rels, obs.path, obs.tabs
	after := before.clone()
	after.lockTimeout = string(obs.lockTimeout)
	var err error
	if after.locks, err = decodeLocks(locks); err != nil {
		return nil, nil, err
	}
	if err := json.Unmarshal(path, &after.searchPath); err != nil {
		return nil, nil, fmt.Errorf("decode search path: %w", err)
	}
	// Forget what may have changed, then take the rows read again.
	locked := map[uint32]bool{}
	for l := range after.locks {
		locked[l.OID] = true
		delete(after.rels, l.OID)
	}
	for oid, r := range before.rels {
		if r.Table != 0 && locked[r.Table] {
			delete(after.rels, oid)
		}
	}
	fresh, err := decodeRelations(rels)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range fresh {
		after.rels[r.OID] = r
		after.maxOID = max(after.maxOID, r.OID)
	}
	for oid, r := range after.rels {
		if r.Table != 0 && after.rels[r.Table] == nil {
			delete(after.rels, oid)
		}
	}
	if !tables {
		return after, nil, nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(tabs, &list); err != nil {
		return nil, nil, fmt.Errorf("decode tables: %w", err)
	}
	out := map[[2]string]*schema.Table{}
	for _, t := range list {
		if err := decodeTable(t, out); err != nil {
			return nil, nil, err
		}
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
	for l := range after.locks {
		if lockRank[l.Mode] >= lockRank["ShareUpdateExclusiveLock"] {
			add(before.tableOf(l.OID))
			add(after.tableOf(l.OID))
		}
	}
	for oid, a := range after.rels {
		if b := before.rels[oid]; b == nil || b.Name != a.Name || b.Schema != a.Schema {
			add(before.tableOf(oid))
			add(after.tableOf(oid))
		}
	}
	for oid := range before.rels {
		if after.rels[oid] == nil {
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
