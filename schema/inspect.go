package schema

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/postgres"
	atlas "ariga.io/atlas/sql/schema"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/schemactl/schemactl/internal/pgurl"
)

// State is a schema state: the Atlas Realm of what Atlas models, and the
// catalog view of the same database with what it does not.
type State struct {
	// Realm is the Atlas description of schemas, tables, columns,
	// indexes, keys, checks, enums and comments.
	Realm *atlas.Realm
	// Catalog holds sequences, domains, partitions, canonical definitions
	// and the objects schemactl does not model yet.
	Catalog *Catalog
}

// Unmodelled returns the objects of the state that schemactl detects but
// does not model yet: they are not part of any diff or plan.
func (s *State) Unmodelled() []Object {
	if s == nil || s.Catalog == nil {
		return nil
	}
	return s.Catalog.Unmodelled
}

// OpenDB opens a database/sql handle on a postgres:// URL with the pgx
// driver. Queries use the simple protocol: one round trip each, which is
// what catalog reads (many small queries on a fresh connection) need.
func OpenDB(url string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, pgurl.RedactError(fmt.Errorf("invalid database URL %s: %w", pgurl.Redact(url), err), pgurl.Password(url))
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	return stdlib.OpenDB(*cfg), nil
}

// Inspect reads the state of the database at url, in one read-only
// transaction: nothing is written to it.
func Inspect(ctx context.Context, url string, scope Scope) (*State, error) {
	db, err := OpenDB(url)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	st, err := inspectDB(ctx, db, scope, inspectConfig{requireSchemas: true})
	if err != nil {
		return nil, pgurl.RedactError(fmt.Errorf("inspect %s: %w", pgurl.Redact(url), err), pgurl.Password(url))
	}
	return st, nil
}

// InspectDB reads the state of the database behind db in one read-only,
// repeatable-read snapshot: the catalog (ReadCatalog) and Atlas's realm
// are read at the same time on two connections that share it
// (readCatalogBeside), or on one when db's pool is limited.
func InspectDB(ctx context.Context, db *sql.DB, scope Scope) (*State, error) {
	return inspectDB(ctx, db, scope, inspectConfig{})
}

// inspectTx begins a read-only, repeatable-read transaction on db with an
// empty search_path (set_config(..., true) lasts until the transaction
// ends): names outside pg_catalog come back schema-qualified. JIT
// compilation is off in it: the planner's cost of a catalog query over a
// large schema passes jit_above_cost, and compiling its expressions takes
// longer than running it (0.7 of the 1.2 s of the indexes query on 6,000
// indexes). A non-empty
// snapshot is one exported by another transaction, which this one then
// sees the database as.
func inspectTx(ctx context.Context, db *sql.DB, snapshot string) (*sql.Tx, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return nil, err
	}
	if snapshot != "" {
		// The first statement of the transaction, as PostgreSQL requires.
		if _, err := tx.ExecContext(ctx, "SET TRANSACTION SNAPSHOT "+quoteLiteral(snapshot)); err != nil {
			_ = tx.Rollback()
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_catalog.set_config('search_path', '', true), pg_catalog.set_config('jit', 'off', true)"); err != nil {
		_ = tx.Rollback()
		return nil, err
	}
	return tx, nil
}

// quoteLiteral quotes s as an SQL string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// readCatalogBeside starts ReadCatalog on a second connection of db that
// takes the exported snapshot, and returns the function that waits for
// its result. The catalog and Atlas's realm take about as long each on a
// large schema, and the server runs them on two backends at once. When no
// second connection can take the snapshot (none left on the server, say),
// the function reads the catalog on tx, as the realm's queries are done
// with it by then.
//
// share, when not nil, gets the rows of Atlas's columns and indexes
// queries from the catalog read on the second connection; it is abandoned
// when there is none.
func readCatalogBeside(ctx context.Context, db *sql.DB, tx *sql.Tx, snapshot string, schemas []string, share *sharedCatalog) func() (*Catalog, error) {
	type result struct {
		cat    *Catalog
		err    error
		shared bool
	}
	done := make(chan result, 1)
	go func() {
		tx2, err := inspectTx(ctx, db, snapshot)
		if err != nil {
			share.abandon()
			done <- result{err: err}
			return
		}
		defer tx2.Rollback() //nolint:errcheck // read-only
		// With Atlas waiting for both, the indexes are read on a third
		// connection while the columns are read on this one, when the
		// server has one.
		var q2 Querier
		if share != nil {
			if tx3, err := inspectTx(ctx, db, snapshot); err == nil {
				defer tx3.Rollback() //nolint:errcheck // read-only
				q2 = tx3
			}
		}
		cat, err := readCatalog(ctx, tx2, q2, schemas, share)
		done <- result{cat, err, true}
	}()
	return func() (*Catalog, error) {
		r := <-done
		if !r.shared && ctx.Err() == nil {
			return ReadCatalog(ctx, tx, schemas)
		}
		return r.cat, r.err
	}
}

// exportSnapshot returns tx's snapshot for other transactions to take,
// or, when the server does not export it (its error ends the transaction),
// no snapshot and a new transaction in place of tx.
func exportSnapshot(ctx context.Context, db *sql.DB, tx *sql.Tx) (*sql.Tx, string, error) {
	var snapshot string
	err := tx.QueryRowContext(ctx, "SELECT pg_catalog.pg_export_snapshot()").Scan(&snapshot)
	if err == nil {
		return tx, snapshot, nil
	}
	_ = tx.Rollback()
	tx, err = inspectTx(ctx, db, "")
	return tx, "", err
}

func inspectDB(ctx context.Context, db *sql.DB, scope Scope, cfg inspectConfig) (*State, error) {
	var snapshot string
	tx, err := inspectTx(ctx, db, "")
	// A limited pool might have no second connection for the catalog
	// while the first waits for it.
	if err == nil && !cfg.oneConnection && db.Stats().MaxOpenConnections == 0 {
		tx, snapshot, err = exportSnapshot(ctx, db, tx)
	}
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	catalog := func() (*Catalog, error) { return ReadCatalog(ctx, tx, scope.Schemas) }
	var share *sharedCatalog
	if snapshot != "" {
		if !cfg.atlasQueries {
			share = newSharedCatalog(cfg.served)
			defer share.close() //nolint:errcheck // serves memory only
		}
		catalog = readCatalogBeside(ctx, db, tx, snapshot, scope.Schemas, share)
	}
	drv, err := cfg.openAtlas(tx, share)
	if err != nil {
		catalog() //nolint:errcheck // the first error is returned
		return nil, err
	}
	opts := &atlas.InspectRealmOption{Schemas: scope.Schemas}
	objOpts := ObjectOptions{IncludePrivileges: scope.IncludePrivileges, WithCatalog: true, Schemas: scope.Schemas}
	// With the catalog read beside, Atlas's driver waits for its columns
	// and indexes: the objects are read on this connection meanwhile,
	// for the schemas the realm will have.
	var objs *objectsRead
	if share != nil {
		names, err := realmSchemaNames(ctx, drv, opts, scope.exclusions())
		if err == nil {
			objs, err = readObjectsTx(ctx, tx, names, objOpts)
		}
		if err != nil {
			catalog() //nolint:errcheck // the first error is returned
			return nil, fmt.Errorf("inspect objects: %w", err)
		}
	}
	realm, err := cfg.inspectRealm(ctx, tx, drv, opts)
	cat, catErr := catalog()
	if catErr != nil {
		return nil, catErr
	}
	if len(scope.Schemas) > 0 && len(cat.Schemas) == 0 && cfg.requireSchemas {
		return nil, fmt.Errorf("none of the schemas %s exists", strings.Join(scope.Schemas, ", "))
	}
	// A dev database (an empty state, a proof) that holds none of them
	// holds an empty state.
	if err != nil {
		return nil, err
	}
	if scope.IncludePrivileges {
		// Modelled then (obj_privileges.go), not to be reported.
		cat.Unmodelled = slices.DeleteFunc(cat.Unmodelled, func(o Object) bool { return o.Kind == KindPrivileges })
	}
	if err := patchRealm(realm, cat); err != nil {
		return nil, err
	}
	if realm, err = applyExclude(realm, cat, scope.exclusions()); err != nil {
		return nil, err
	}
	// Views, functions, triggers, types, extensions, policies, grants
	// (obj_*.go); an object nothing models stops the inspection.
	if objs != nil && objs.attach(realm) {
		if cfg.objectsEarly != nil {
			*cfg.objectsEarly = true
		}
	} else if err := inspectObjectsTx(ctx, tx, realm, objOpts); err != nil {
		return nil, err
	}
	return &State{Realm: realm, Catalog: cat}, nil
}

// realmSchemaNames returns the names of the schemas of the realm that drv
// inspects with opts and that are left after the exclusions: its
// schemas only, read with Atlas's own query.
func realmSchemaNames(ctx context.Context, drv atlas.Inspector, opts *atlas.InspectRealmOption, exclusions []string) ([]string, error) {
	o := *opts
	o.Mode = atlas.InspectSchemas
	r, err := drv.InspectRealm(ctx, &o)
	if err != nil {
		return nil, fmt.Errorf("atlas inspection: %w", err)
	}
	if len(exclusions) > 0 {
		if r, err = atlas.ExcludeRealm(r, exclusions); err != nil {
			return nil, fmt.Errorf("exclude: %w", err)
		}
	}
	names := make([]string, 0, len(r.Schemas))
	for _, s := range r.Schemas {
		names = append(names, s.Name)
	}
	return names, nil
}

// patchRealm corrects and completes Atlas's view with the catalog's:
//   - a column whose default is nextval() of a sequence stays an integer
//     column with that default (Atlas turns it into serial, which would
//     create a second, owned sequence), the sequence being modelled on
//     its own;
//   - a column typed with a domain is typed with the domain (Atlas uses
//     the base type), its default is the catalog's text;
//   - identity columns get their full sequence options (Atlas reads only
//     start and increment);
//   - CHECK constraints that mention no column (Atlas skips them) are added.
func patchRealm(r *atlas.Realm, c *Catalog) error {
	for _, s := range r.Schemas {
		for _, t := range s.Tables {
			ti, ok := c.Table(QName{s.Name, t.Name})
			if !ok {
				return fmt.Errorf("table %s.%s is missing from the catalog", s.Name, t.Name)
			}
			for _, col := range t.Columns {
				ci, ok := ti.Column(col.Name)
				if !ok {
					return fmt.Errorf("column %s.%s.%s is missing from the catalog", s.Name, t.Name, col.Name)
				}
				patchColumn(r, col, ci)
			}
			for _, k := range ti.Constraints {
				if k.Type != 'c' || k.Inherited || hasCheck(t, k.Name) {
					continue
				}
				t.AddChecks(checkFromDef(k))
			}
		}
	}
	return nil
}

func patchColumn(r *atlas.Realm, col *atlas.Column, ci *ColumnInfo) {
	// information_schema counts a domain's NOT NULL as the column's.
	col.Type.Null = !ci.NotNull
	col.Attrs = slices.DeleteFunc(col.Attrs, func(a atlas.Attr) bool {
		_, ok := a.(*atlas.Collation)
		return ok
	})
	if ci.Collation != "" {
		col.Attrs = append(col.Attrs, &atlas.Collation{V: atlasCollation(ci.Collation)})
	}
	if st, ok := col.Type.Type.(*postgres.SerialType); ok {
		it := st.IntegerType()
		col.Type.Type, col.Type.Raw = it, it.T
		if ci.Default != "" {
			col.Default = &atlas.RawExpr{X: ci.Default}
		}
	}
	keepTypeModifier(col, ci)
	if ci.TypeKind == 'd' {
		var ns *atlas.Schema
		if s, ok := r.Schema(ci.TypeName.Schema); ok {
			ns = s
		} else {
			ns = atlas.New(ci.TypeName.Schema)
		}
		col.Type.Type = &postgres.DomainType{T: ci.TypeName.Name, Schema: ns}
		col.Type.Raw = ci.Type
		// Atlas quotes a literal default of a type it does not know as a
		// number ('0' for 0), which PostgreSQL then stores as
		// '0'::numeric: the catalog's own text is written as it is.
		if ci.Default != "" {
			col.Default = &atlas.RawExpr{X: ci.Default}
		}
	}
	if ci.IdentitySeq != nil {
		for _, a := range col.Attrs {
			if id, ok := a.(*postgres.Identity); ok {
				if id.Sequence == nil {
					id.Sequence = &postgres.Sequence{}
				}
				o := ci.IdentitySeq.SeqOptions
				id.Sequence.Start, id.Sequence.Increment = o.Start, o.Increment
				id.Sequence.Cache, id.Sequence.Cycle = o.Cache, o.Cycle
				id.Sequence.Min, id.Sequence.Max = &o.Min, &o.Max
				id.Sequence.Name = ci.IdentitySeq.Name.Name
			}
		}
	}
}

func hasCheck(t *atlas.Table, name string) bool {
	for _, a := range t.Attrs {
		if c, ok := a.(*atlas.Check); ok && c.Name == name {
			return true
		}
	}
	return false
}

// checkFromDef turns a pg_get_constraintdef CHECK definition into an
// Atlas check.
func checkFromDef(k *ConstraintInfo) *atlas.Check {
	def := strings.TrimSuffix(k.Def, " NOT VALID")
	noInherit := strings.HasSuffix(def, " NO INHERIT")
	def = strings.TrimSuffix(def, " NO INHERIT")
	c := &atlas.Check{Name: k.Name, Expr: strings.TrimPrefix(def, "CHECK ")}
	if noInherit {
		c.Attrs = append(c.Attrs, &postgres.NoInherit{})
	}
	return c
}

// unquoteIdent removes the quotes of a quoted identifier.
func unquoteIdent(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return s
}

// inspectRealmHashJoins runs Atlas's inspection with nested-loop joins
// off. Atlas's index query joins an aggregate of every constraint of the
// database to each index column; the planner expects one row there and
// picks a nested loop, which recomputes the aggregate per row: quadratic in
// the size of the schema (seconds per schema at a thousand tables). With
// hash joins it is computed once. The setting lasts until the transaction
// ends or is reset here, before the catalog queries that follow.
func inspectRealmHashJoins(ctx context.Context, tx *sql.Tx, drv atlas.Inspector, opts *atlas.InspectRealmOption) (*atlas.Realm, error) {
	if _, err := tx.ExecContext(ctx, "SELECT pg_catalog.set_config('enable_nestloop', 'off', true)"); err != nil {
		return nil, fmt.Errorf("atlas inspection: %w", err)
	}
	realm, err := drv.InspectRealm(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("atlas inspection: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "RESET enable_nestloop"); err != nil {
		return nil, fmt.Errorf("atlas inspection: %w", err)
	}
	return realm, nil
}
