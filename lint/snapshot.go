package lint

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"ariga.io/atlas/sql/schema"
)

// relation is one user relation in the catalog.
type relation struct {
	OID         uint32
	Schema      string
	Name        string
	Kind        string // pg_class.relkind: r p i I m S v f
	FileNode    uint32
	Table       uint32 // for an index: the table it indexes
	Persistence string
}

func (r *relation) isTable() bool { return r.Kind == "r" || r.Kind == "p" || r.Kind == "m" }

func (r *relation) qualified() string { return r.Schema + "." + r.Name }

// enumType is one enum type with its labels in order.
type enumType struct {
	OID    uint32
	Schema string
	Name   string
	Labels []string
}

// heldLock is one relation lock held by the dev session.
type heldLock struct {
	OID  uint32
	Mode string // e.g. AccessExclusiveLock
}

// snapshot is what the dev session sees of the catalog at one moment.
type snapshot struct {
	rels *relations
	// changed are the OIDs of the relations that the statement observed
	// into this snapshot may have added, removed or replaced, relative to
	// its snapshot before (nil for a snapshot not observed after a
	// statement): what a statement did is found there rather than by
	// comparing every relation.
	changed []uint32
	// locks are the relation locks of the session: all of them in a
	// snapshot read in full (takeSnapshot), those its transaction did not
	// hold before the statement in one observed in the transaction
	// (observeInTx; the engine keeps the whole set, engine.held).
	locks       map[heldLock]bool
	lockTimeout string
	searchPath  []string
	schemas     map[string]bool
	enums       map[string]*enumType // by schema.name
	maxOID      uint32               // highest relation or constraint OID known
	// staticOK is set when the database allows static lock levels
	// (worldQuery, see staticLocks).
	staticOK bool
	// ddlOK is set when the database has no event trigger and no
	// user-defined operator class (ddlWorldQuery): the locks of the
	// statements plainDDL accepts then follow from their parse trees
	// whatever functions and inheritance the database has.
	ddlOK bool
}

// userRelations restricts pg_class c (namespace n) to the user relations
// the engine follows.
const userRelations = `c.relkind IN ('r','p','i','I','m','S','v','f') AND n.nspname NOT IN ('pg_catalog','information_schema')
   AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'`

// snapshotQuery reads everything in one round trip. Locks are those of
// this backend on relations of the current database.
const snapshotQuery = `SELECT
 coalesce((SELECT json_agg(json_build_array(c.oid, n.nspname, c.relname, c.relkind, c.relfilenode, coalesce(i.indrelid, 0), c.relpersistence))
   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_index i ON i.indexrelid = c.oid
   WHERE ` + userRelations + `), '[]'),
 coalesce((SELECT json_agg(json_build_array(l.relation, l.mode)) FROM pg_locks l
   WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted
   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())), '[]'),
 current_setting('lock_timeout'),
 array_to_json(current_schemas(false)),
 coalesce((SELECT json_agg(nspname) FROM pg_namespace
   WHERE nspname NOT IN ('pg_catalog','information_schema') AND nspname NOT LIKE 'pg\_%'), '[]'),
 coalesce((SELECT json_agg(json_build_array(t.oid, n.nspname, t.typname,
   (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)))
   FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
   WHERE t.typtype = 'e' AND n.nspname NOT IN ('pg_catalog','information_schema')), '[]'),
 ` + worldQuery + `,
 ` + ddlWorldQuery

// takeSnapshot reads the catalog state of the session.
func takeSnapshot(ctx context.Context, q schema.ExecQuerier) (*snapshot, error) {
	var rels, locks, path, schemas, enums []byte
	s := &snapshot{}
	rows, err := q.QueryContext(ctx, snapshotQuery)
	if err != nil {
		return nil, fmt.Errorf("read catalog snapshot: %w", err)
	}
	if !rows.Next() {
		rows.Close()
		return nil, fmt.Errorf("read catalog snapshot: no row: %v", rows.Err())
	}
	if err := rows.Scan(&rels, &locks, &s.lockTimeout, &path, &schemas, &enums, &s.staticOK, &s.ddlOK); err != nil {
		rows.Close()
		return nil, fmt.Errorf("read catalog snapshot: %w", err)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("read catalog snapshot: %w", err)
	}
	rr, err := decodeRelations(rels)
	if err != nil {
		return nil, err
	}
	s.rels = &relations{}
	for _, rel := range rr {
		s.rels.set(rel)
		s.maxOID = max(s.maxOID, rel.OID)
	}
	if s.locks, err = decodeLocks(locks); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(path, &s.searchPath); err != nil {
		return nil, fmt.Errorf("decode search path: %w", err)
	}
	var ss []string
	if err := json.Unmarshal(schemas, &ss); err != nil {
		return nil, fmt.Errorf("decode schemas: %w", err)
	}
	s.schemas = make(map[string]bool, len(ss))
	for _, n := range ss {
		s.schemas[n] = true
	}
	var ee [][]any
	if err := json.Unmarshal(enums, &ee); err != nil {
		return nil, fmt.Errorf("decode enums: %w", err)
	}
	s.enums = make(map[string]*enumType, len(ee))
	for _, e := range ee {
		if len(e) != 4 {
			continue
		}
		t := &enumType{OID: num(e[0]), Schema: str(e[1]), Name: str(e[2])}
		if labels, ok := e[3].([]any); ok {
			for _, l := range labels {
				t.Labels = append(t.Labels, str(l))
			}
		}
		s.enums[t.Schema+"."+t.Name] = t
	}
	return s, nil
}

// num reads a JSON number; PostgreSQL writes oid values as strings.
func decodeRelations(b []byte) ([]*relation, error) {
	var rr [][]any
	if err := json.Unmarshal(b, &rr); err != nil {
		return nil, fmt.Errorf("decode relations: %w", err)
	}
	out := make([]*relation, 0, len(rr))
	for _, r := range rr {
		if len(r) == 7 {
			out = append(out, &relation{OID: num(r[0]), Schema: str(r[1]), Name: str(r[2]), Kind: str(r[3]),
				FileNode: num(r[4]), Table: num(r[5]), Persistence: str(r[6])})
		}
	}
	return out, nil
}

func decodeLocks(b []byte) (map[heldLock]bool, error) {
	var ll [][]any
	if err := json.Unmarshal(b, &ll); err != nil {
		return nil, fmt.Errorf("decode locks: %w", err)
	}
	out := make(map[heldLock]bool, len(ll))
	for _, l := range ll {
		if len(l) == 2 {
			out[heldLock{OID: num(l[0]), Mode: str(l[1])}] = true
		}
	}
	return out, nil
}

func num(v any) uint32 {
	switch v := v.(type) {
	case float64:
		return uint32(v)
	case string:
		n, _ := strconv.ParseUint(v, 10, 32)
		return uint32(n)
	}
	return 0
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// lookup resolves a relation name as written (optionally qualified) the
// way PostgreSQL does: through the search path when unqualified. Kinds
// restricts the relkinds accepted (all when empty).
func (s *snapshot) lookup(q qname, kinds string) *relation {
	if s == nil || q.Name == "" {
		return nil
	}
	match := func(schema string) *relation {
		// One schema holds one relation of a name, whatever its kind.
		if r := s.rels.named(schema, q.Name); r != nil && (kinds == "" || strings.Contains(kinds, r.Kind)) {
			return r
		}
		return nil
	}
	if q.Schema != "" {
		return match(q.Schema)
	}
	for _, sc := range s.searchPath {
		if r := match(sc); r != nil {
			return r
		}
	}
	return nil
}

// rel returns the relation with the OID, or nil.
func (s *snapshot) rel(oid uint32) *relation { return s.rels.get(oid) }

// tableOf returns the table a relation belongs to: itself for a table, the
// indexed table for an index.
func (s *snapshot) tableOf(oid uint32) *relation {
	r := s.rel(oid)
	if r == nil {
		return nil
	}
	if r.Table != 0 {
		return s.rel(r.Table)
	}
	return r
}

// lockRank orders lock modes by strength (PostgreSQL's numbering).
var lockRank = map[string]int{
	"AccessShareLock":          1,
	"RowShareLock":             2,
	"RowExclusiveLock":         3,
	"ShareUpdateExclusiveLock": 4,
	"ShareLock":                5,
	"ShareRowExclusiveLock":    6,
	"ExclusiveLock":            7,
	"AccessExclusiveLock":      8,
}

// lockName spells a pg_locks mode as the SQL lock mode, e.g. ACCESS
// EXCLUSIVE.
func lockName(mode string) string {
	switch mode {
	case "AccessShareLock":
		return "ACCESS SHARE"
	case "RowShareLock":
		return "ROW SHARE"
	case "RowExclusiveLock":
		return "ROW EXCLUSIVE"
	case "ShareUpdateExclusiveLock":
		return "SHARE UPDATE EXCLUSIVE"
	case "ShareLock":
		return "SHARE"
	case "ShareRowExclusiveLock":
		return "SHARE ROW EXCLUSIVE"
	case "ExclusiveLock":
		return "EXCLUSIVE"
	case "AccessExclusiveLock":
		return "ACCESS EXCLUSIVE"
	}
	return mode
}
