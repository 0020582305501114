package schema

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// The catalog (catalog_read.go) and Atlas's driver (catalog_atlas.go) need
// the same rows of the costliest queries of an inspection: every column
// with its type and default (format_type, pg_get_expr), every index column
// with its definition (pg_get_indexdef). When the catalog is read beside
// the realm, it reads them once, for every schema, with a query that
// gives both its own values and the columns of Atlas's query, and keeps
// the latter: Atlas's driver then gets, for each of its per-schema
// queries, the rows it asked for from memory, in the order of its query,
// through a database/sql connection that serves them (sharedConn), as
// Atlas reads rows only as *sql.Rows. A schema the catalog did not read
// (or a read that failed) is left to the SQL replacements.

// sharedRows are the Atlas rows of one kind, by schema, in the order of
// Atlas's query.
type sharedRows struct {
	once sync.Once
	done chan struct{}
	// Set before done is closed, read after.
	ok     bool
	tables map[string][]sharedRow // by schema; every schema read has an entry
}

// sharedShapes are, per kind, the number of columns of Atlas's query and
// the position of the table's name among them.
var sharedShapes = [numCatalogKinds]struct{ cols, table int }{
	catalogColumns: {numAtlasColumns, 0},
	catalogIndexes: {numAtlasIndexColumns, 0},
	catalogFKs:     {9, 1},
	catalogChecks:  {6, 0},
}

// readShared reads, with query over the schemas (its $1), the rows of
// Atlas's query of kind k, each after the name of its schema, and
// publishes them to share.
func readShared(ctx context.Context, q Querier, schemas []string, share *sharedCatalog, k catalogKind, query string) error {
	rows := sharedTables(share, k, schemas)
	if rows == nil {
		return nil
	}
	err := each(ctx, q, query, []any{schemas}, func(r *sql.Rows) error {
		vals, err := scanShared(r, 1+sharedShapes[k].cols)
		if err != nil {
			return err
		}
		schema, av := valString(vals[0]), vals[1:]
		rows[schema] = append(rows[schema], sharedRow{table: valString(av[sharedShapes[k].table]), vals: av})
		return nil
	})
	if err != nil {
		return fmt.Errorf("read Atlas's %s: %w", k, err)
	}
	share.publish(k, rows)
	return nil
}

// sharedTables returns, when share keeps the rows of kind k, a list of
// rows for each schema (empty until read), else nil.
func sharedTables(share *sharedCatalog, k catalogKind, schemas []string) map[string][]sharedRow {
	if !share.wants(k) {
		return nil
	}
	rows := make(map[string][]sharedRow, len(schemas))
	for _, s := range schemas {
		rows[s] = nil
	}
	return rows
}

// sharedRow is one row of Atlas's query, for the table it belongs to.
type sharedRow struct {
	table string
	vals  []driver.Value
}

// finish publishes the rows (ok) or that there are none, once.
func (s *sharedRows) finish(tables map[string][]sharedRow, ok bool) {
	s.once.Do(func() {
		s.tables, s.ok = tables, ok
		close(s.done)
	})
}

// sharedCatalog is what one inspection's catalog read hands Atlas's
// driver: the rows of columns and indexes, and the connection that
// serves them.
type sharedCatalog struct {
	kinds [numCatalogKinds]*sharedRows // nil for kinds not shared
	db    *sql.DB
	// served counts the Atlas queries answered from memory (tests).
	served *catalogRewrites
}

// newSharedCatalog returns an empty sharedCatalog; close it when the
// inspection ends.
func newSharedCatalog(served *catalogRewrites) *sharedCatalog {
	s := &sharedCatalog{served: served}
	for k := range s.kinds {
		s.kinds[k] = &sharedRows{done: make(chan struct{})}
	}
	s.db = sql.OpenDB(sharedConnector{s})
	return s
}

// abandon publishes that no rows will come, for every kind not published.
func (s *sharedCatalog) abandon() {
	if s == nil {
		return
	}
	for _, k := range s.kinds {
		if k != nil {
			k.finish(nil, false)
		}
	}
}

// close abandons what was not published and closes the connection.
func (s *sharedCatalog) close() error {
	s.abandon()
	return s.db.Close()
}

// publish hands the rows of kind k to Atlas's driver; a nil s or kind
// not shared takes nothing.
func (s *sharedCatalog) publish(k catalogKind, tables map[string][]sharedRow) {
	if s != nil && s.kinds[k] != nil {
		s.kinds[k].finish(tables, true)
	}
}

// wants reports whether the catalog should keep Atlas's rows of kind k.
func (s *sharedCatalog) wants(k catalogKind) bool { return s != nil && s.kinds[k] != nil }

// query answers Atlas's query of kind k, run with args (the schema, then
// the table names), from memory, waiting for the catalog to read the
// rows; ok is false when they are not there (the caller runs the SQL).
// flags are the server-dependent parts of Atlas's query (indexes: the
// INCLUDE flag and NULLS NOT DISTINCT, each "1" when Atlas reads it).
func (s *sharedCatalog) query(ctx context.Context, k catalogKind, flags string, args []any) (rows *sql.Rows, ok bool, err error) {
	if s == nil || s.kinds[k] == nil || len(args) < 1 {
		return nil, false, nil
	}
	sr := s.kinds[k]
	select {
	case <-sr.done:
	case <-ctx.Done():
		return nil, true, ctx.Err()
	}
	schema, isString := args[0].(string)
	if !sr.ok || !isString {
		return nil, false, nil
	}
	if _, read := sr.tables[schema]; !read {
		return nil, false, nil
	}
	for _, a := range args[1:] {
		if _, isString := a.(string); !isString {
			return nil, false, nil
		}
	}
	if s.served != nil {
		s.served[k]++
	}
	rows, err = s.db.QueryContext(ctx, fmt.Sprintf("%d %s", k, flags), args...)
	return rows, true, err
}

// sharedConnector opens connections that serve a sharedCatalog's rows.
type sharedConnector struct{ s *sharedCatalog }

func (c sharedConnector) Connect(context.Context) (driver.Conn, error) { return sharedConn(c), nil }
func (c sharedConnector) Driver() driver.Driver                        { return sharedDriver{} }

// sharedDriver exists for sharedConnector.Driver; it opens nothing by
// name.
type sharedDriver struct{}

func (sharedDriver) Open(string) (driver.Conn, error) {
	return nil, errors.New("the shared catalog rows are served by a connector only")
}

// sharedConn serves the rows of Atlas's queries from a sharedCatalog: the
// query text is the kind and its flags, the arguments Atlas's.
type sharedConn struct{ s *sharedCatalog }

func (sharedConn) Prepare(string) (driver.Stmt, error) {
	return nil, errors.New("the shared catalog rows take no prepared statements")
}
func (sharedConn) Close() error { return nil }
func (sharedConn) Begin() (driver.Tx, error) {
	return nil, errors.New("the shared catalog rows take no transactions")
}

// QueryContext returns the rows of the schema args[0] for the tables
// args[1:], in the order they were read.
func (c sharedConn) QueryContext(_ context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	var k catalogKind
	var flags string
	if _, err := fmt.Sscanf(query, "%d %s", &k, &flags); err != nil || k < 0 || k >= numCatalogKinds || c.s.kinds[k] == nil {
		return nil, fmt.Errorf("shared catalog rows: bad query %q", query)
	}
	schema, _ := args[0].Value.(string)
	want := make(map[string]bool, len(args)-1)
	for _, a := range args[1:] {
		name, _ := a.Value.(string)
		want[name] = true
	}
	r := &sharedResult{}
	for _, row := range c.s.kinds[k].tables[schema] {
		if !want[row.table] {
			continue
		}
		vals := row.vals
		if k == catalogIndexes {
			vals = indexFlags(vals, flags)
		}
		r.rows = append(r.rows, vals)
	}
	n := sharedShapes[k].cols
	r.cols = make([]string, 0, n)
	for i := range n {
		r.cols = append(r.cols, fmt.Sprintf("c%d", i+1))
	}
	return r, nil
}

// indexFlags returns the values of an index row with the INCLUDE flag
// and NULLS NOT DISTINCT false where Atlas's query does not read them
// (flags "IN": I the first, N the second; "-" for neither).
func indexFlags(vals []driver.Value, flags string) []driver.Value {
	if strings.Contains(flags, "I") && strings.Contains(flags, "N") {
		return vals
	}
	vals = slices.Clone(vals)
	if !strings.Contains(flags, "I") {
		vals[atlasIndexIncluded] = false
	}
	if !strings.Contains(flags, "N") {
		vals[len(vals)-1] = false
	}
	return vals
}

// sharedResult is one answer of sharedConn.
type sharedResult struct {
	cols []string
	rows [][]driver.Value
	next int
}

func (r *sharedResult) Columns() []string { return r.cols }
func (r *sharedResult) Close() error      { return nil }
func (r *sharedResult) Next(dest []driver.Value) error {
	if r.next >= len(r.rows) {
		return io.EOF
	}
	copy(dest, r.rows[r.next])
	r.next++
	return nil
}

// scanShared scans the current row of r: its first n values into vals
// (as the driver gives them, for Atlas's driver), the rest into dest.
func scanShared(r *sql.Rows, n int, dest ...any) ([]driver.Value, error) {
	vals := make([]any, n)
	targets := make([]any, 0, n+len(dest))
	for i := range vals {
		targets = append(targets, &vals[i])
	}
	targets = append(targets, dest...)
	if err := r.Scan(targets...); err != nil {
		return nil, err
	}
	out := make([]driver.Value, n)
	for i, v := range vals {
		out[i] = v
	}
	return out, nil
}

// valString is a text value of a shared row ("" for NULL).
func valString(v driver.Value) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// valInt is an integer value of a shared row (0 for NULL).
func valInt(v driver.Value) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case int16:
		return int64(x)
	}
	return 0
}
