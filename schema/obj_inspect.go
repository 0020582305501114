package schema

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	atlas "ariga.io/atlas/sql/schema"
)

// ObjectOptions tune InspectObjects.
type ObjectOptions struct {
	// IncludePrivileges reads GRANTs on tables, columns, sequences,
	// functions, schemas and types, and default privileges. Without it,
	// privileges are neither read nor planned.
	IncludePrivileges bool
	// WithCatalog is set when the caller's catalog reader (ReadCatalog)
	// models domains and standalone sequences and gives serial columns
	// their plain type back: those are then left to it.
	WithCatalog bool
	// Schemas, when set, is the scope of the inspection (--schema): an
	// extension installed in another schema is left out with the rest of
	// that schema.
	Schemas []string
}

// objQuerier runs queries; *sql.Tx and *sql.Conn are objQueriers.
type objQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// objInspector reads the objects of one database into a realm.
type objInspector struct {
	q       objQuerier
	r       *atlas.Realm
	schemas []string
	opts    ObjectOptions
	idx     *objIndex
	// byOID finds the objects read so far by catalog and oid, to attach
	// dependencies: keys are "pg_proc:1234".
	byOID map[string]PgObject
	// tableDeps, when not nil, receives the dependencies of tables
	// (readDeps) instead of r's tables: r is then a realm of the schemas
	// only (readObjectsTx).
	tableDeps map[PgRef]map[PgRef]bool
}

// InspectObjects reads every object of the realm's schemas that Atlas's
// open-source inspection leaves out (views, functions, triggers, types,
// sequences, extensions, policies, ...) from the database and attaches
// them to r: schema-level objects to Schema.Objects, database-level ones
// to Realm.Objects. It also records on each Atlas table (attribute
// PgTableDeps) the objects it depends on. Objects that belong to an
// extension are left out.
func InspectObjects(ctx context.Context, db *sql.DB, r *atlas.Realm, opts ObjectOptions) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("inspect objects: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return fmt.Errorf("inspect objects: %w", err)
	}
	defer tx.Rollback()
	// With an empty search_path every name PostgreSQL prints outside
	// pg_catalog is schema-qualified, whatever the database's settings.
	if _, err := tx.ExecContext(ctx, "SELECT pg_catalog.set_config('search_path', '', true)"); err != nil {
		return fmt.Errorf("inspect objects: %w", err)
	}
	return inspectObjectsTx(ctx, tx, r, opts)
}

func inspectObjectsTx(ctx context.Context, q objQuerier, r *atlas.Realm, opts ObjectOptions) error {
	in := &objInspector{q: q, r: r, opts: opts, byOID: map[string]PgObject{}}
	return in.run(ctx)
}

// objectsRead are the objects of some schemas, read before the realm
// that gets them (readObjectsTx).
type objectsRead struct {
	realm     *atlas.Realm // the schemas, with the objects only
	tableDeps map[PgRef]map[PgRef]bool
}

// readObjectsTx reads the objects of the named schemas as
// inspectObjectsTx does, into a realm of those schemas with no tables,
// for attach to move into the inspected realm: the objects can then be
// read while Atlas's driver waits for the catalog's columns and indexes.
func readObjectsTx(ctx context.Context, q objQuerier, schemas []string, opts ObjectOptions) (*objectsRead, error) {
	r := &atlas.Realm{}
	for _, name := range schemas {
		r.AddSchemas(atlas.New(name))
	}
	in := &objInspector{q: q, r: r, opts: opts, byOID: map[string]PgObject{}, tableDeps: map[PgRef]map[PgRef]bool{}}
	if err := in.run(ctx); err != nil {
		return nil, err
	}
	return &objectsRead{realm: r, tableDeps: in.tableDeps}, nil
}

// attach moves the objects into r, after the objects r's schemas hold,
// and records the tables' dependencies on r's tables, as
// inspectObjectsTx does on r. It returns false, and changes nothing,
// when r's schemas are not the ones the objects were read for.
func (o *objectsRead) attach(r *atlas.Realm) bool {
	if len(r.Schemas) != len(o.realm.Schemas) {
		return false
	}
	for i, s := range o.realm.Schemas {
		if r.Schemas[i].Name != s.Name {
			return false
		}
	}
	r.Objects = append(r.Objects, o.realm.Objects...)
	for i, s := range o.realm.Schemas {
		r.Schemas[i].Objects = append(r.Schemas[i].Objects, s.Objects...)
	}
	addTableDeps(r, o.tableDeps)
	return true
}

// run reads every kind of object into in.r.
func (in *objInspector) run(ctx context.Context) error {
	for _, s := range in.r.Schemas {
		in.schemas = append(in.schemas, s.Name)
	}
	steps := []struct {
		what string
		fn   func(context.Context) error
	}{
		{"catalog index", in.readIndex},
		{"extensions", in.readExtensions},
		{"collations", in.readCollations},
		{"text search objects", in.readTextSearch},
		{"conversions", in.readConversions},
		{"operators", in.readOperators},
		{"extended statistics", in.readStatistics},
		{"views", in.readViews},
		{"functions", in.readFunctions},
		{"triggers", in.readTriggers},
		{"event triggers", in.readEventTriggers},
		{"sequences", in.readSequences},
		{"domains", in.readDomains},
		{"composite types", in.readComposites},
		{"range types", in.readRanges},
		{"base types", in.readBaseTypes},
		{"shell types", in.readShellTypes},
		{"policies", in.readPolicies},
		{"row level security", in.readRowSecurity},
		{"casts", in.readCasts},
		{"rules", in.readRules},
		{"languages", in.readLanguages},
		{"access methods", in.readAccessMethods},
		{"transforms", in.readTransforms},
		{"foreign-data wrappers", in.readForeignWrappers},
		{"foreign servers", in.readForeignServers},
		{"user mappings", in.readUserMappings},
		{"foreign tables", in.readForeignTables},
		{"publications", in.readPublications},
		{"subscriptions", in.readSubscriptions},
		{"dependencies", in.readDeps},
		{"foreign table parents", in.addForeignParents},
		{"operator class members", in.readOpMemberDeps},
	}
	if in.opts.IncludePrivileges {
		steps = append(steps,
			struct {
				what string
				fn   func(context.Context) error
			}{"privileges", in.readPrivileges},
			struct {
				what string
				fn   func(context.Context) error
			}{"default privileges", in.readDefaultPrivileges},
		)
	}
	for _, s := range steps {
		if in.opts.WithCatalog && (s.what == "sequences" || s.what == "domains") {
			continue
		}
		if err := s.fn(ctx); err != nil {
			return fmt.Errorf("inspect %s: %w", s.what, err)
		}
	}
	return nil
}

// add attaches o to the realm and remembers it by catalog and oid.
func (in *objInspector) add(catalog string, oid int64, o PgObject) {
	if !addObject(in.r, o) {
		return
	}
	if catalog != "" {
		in.byOID[oidKey(catalog, oid)] = o
	}
}

func oidKey(catalog string, oid int64) string { return fmt.Sprintf("%s:%d", catalog, oid) }

// query runs q with the schema list as $1 and calls fn for each row.
func (in *objInspector) query(ctx context.Context, query string, fn func(*sql.Rows) error) error {
	return in.queryArgs(ctx, query, []any{in.schemas}, fn)
}

func (in *objInspector) queryArgs(ctx context.Context, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := in.q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// jsonInto decodes a JSON column (NULL decodes to the zero value).
func jsonInto(b []byte, v any) error {
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, v)
}

// noExt is the condition that keeps extension members out: %[1]s is the
// catalog (e.g. pg_class) and %[2]s the object's oid column.
const noExt = `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend xd WHERE xd.classid = 'pg_catalog.%[1]s'::pg_catalog.regclass AND xd.objid = %[2]s AND xd.deptype = 'e')`

func notExtMember(catalog, oidCol string) string { return fmt.Sprintf(noExt, catalog, oidCol) }
