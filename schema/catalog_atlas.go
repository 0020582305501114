package schema

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	atlas "ariga.io/atlas/sql/schema"
)

// Atlas's driver builds the Realm of tables, columns, indexes and foreign
// keys from the rows of its own queries, one per schema and kind. Its
// columns query reads information_schema.columns, a view that computes
// every column of the database (privileges, domains, sequences) before
// the schema is filtered; its indexes query unnests every index of the
// database and aggregates every constraint before it filters. On a
// thousand-table schema they take seconds each, per inspection.
//
// catalogQuerier hands Atlas's driver, for those three kinds, the rows of
// pg_catalog queries (catalog_columns.go, catalog_indexes.go,
// catalog_fks.go) that give the same columns, with the same values in the
// same order, for the same arguments, and read only the tables asked
// for: Atlas's scanning and typing of the rows stay what they are, so the
// Realm is the same (TestCatalogRealmMatchesAtlas compares both).

// catalogKind is one kind of Atlas query catalogQuerier replaces.
type catalogKind int

const (
	catalogColumns catalogKind = iota
	catalogIndexes
	catalogFKs
	catalogChecks
	numCatalogKinds
)

func (k catalogKind) String() string {
	return [...]string{"columns", "indexes", "foreign keys", "checks"}[k]
}

// catalogRewrites counts, per kind, the Atlas queries a catalogQuerier
// replaced (tests check that none was left to Atlas).
type catalogRewrites [numCatalogKinds]int

// catalogQuerier replaces Atlas's columns, indexes and foreign keys
// queries with pg_catalog ones (see above); every other query goes
// through unchanged.
type catalogQuerier struct {
	atlas.ExecQuerier
	// counts, when not nil, counts the replaced queries.
	counts *catalogRewrites
	// share, when not nil, answers the columns and indexes queries with
	// the rows the catalog read (catalog_shared.go).
	share *sharedCatalog
}

// QueryContext runs query, or its pg_catalog replacement.
func (q catalogQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if k, ours, ok := catalogQuery(query, len(args)); ok {
		if q.counts != nil {
			q.counts[k]++
		}
		if rows, served, err := q.share.query(ctx, k, atlasIndexFlags(query), args); served {
			return rows, err
		}
		return q.ExecQuerier.QueryContext(ctx, ours, args...)
	}
	return q.ExecQuerier.QueryContext(ctx, query, args...)
}

// catalogQuery returns the pg_catalog query replacing Atlas's query, run
// with nargs arguments (the schema name, then the table names), and
// whether there is one.
func catalogQuery(query string, nargs int) (catalogKind, string, bool) {
	if nargs < 2 {
		return 0, "", false
	}
	tables := placeholders(2, nargs-1)
	switch {
	case strings.Contains(query, atlasColumnsMark):
		return catalogColumns, fmt.Sprintf(columnsCatalogQuery, tables), true
	case strings.Contains(query, atlasIndexesMark):
		// The same template serves every server version: what it reads
		// of INCLUDE columns and NULLS NOT DISTINCT is Atlas's choice
		// for the server (false before 11 and 15).
		included, notDistinct := "false", "false"
		if strings.Contains(query, atlasIncludedMark) {
			included = "(a.attname <> '' AND x.indnatts > x.indnkeyatts AND k.ord > x.indnkeyatts)"
		}
		if strings.Contains(query, atlasNullsNotDistinctMark) {
			notDistinct = "x.indnullsnotdistinct"
		}
		return catalogIndexes, fmt.Sprintf(indexesCatalogQuery, included, notDistinct, tables), true
	case strings.Contains(query, atlasFKsMark):
		return catalogFKs, fmt.Sprintf(fksCatalogQuery, tables), true
	case strings.Contains(query, atlasChecksMark):
		// Atlas's own query reads pg_catalog already; only its rows are
		// shared (catalog_shared.go).
		return catalogChecks, query, true
	}
	return 0, "", false
}

// atlasIndexFlags tells which server-dependent parts Atlas's query reads
// (see sharedCatalog.query).
func atlasIndexFlags(query string) string {
	flags := "-"
	if strings.Contains(query, atlasIncludedMark) {
		flags += "I"
	}
	if strings.Contains(query, atlasNullsNotDistinctMark) {
		flags += "N"
	}
	return flags
}

// placeholders returns "$from, ..., $(from+n-1)".
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(from + i))
	}
	return b.String()
}

// inspectConfig chooses the queries of an inspection. Its zero value is
// what every command uses; the other settings are there for the tests
// that compare both.
type inspectConfig struct {
	// atlasQueries leaves columns, indexes and foreign keys to Atlas's own
	// queries.
	atlasQueries bool
	// counts, when not nil, counts the queries replaced.
	counts *catalogRewrites
	// requireSchemas makes a scope none of whose schemas exists an error:
	// for a database the user names, where it is a mistyped name, not for
	// a dev database, where it is an empty state.
	requireSchemas bool
	// oneConnection reads the catalog on the realm's connection, after
	// it, instead of on a second connection at the same time.
	oneConnection bool
	// served, when not nil, counts the queries answered with the
	// catalog's rows (catalog_shared.go).
	served *catalogRewrites
	// objectsEarly, when not nil, is set when the objects were read
	// while Atlas's driver waited for the catalog (readObjectsTx).
	objectsEarly *bool
}

// openAtlas opens Atlas's PostgreSQL driver on conn with the partition
// key read by column position (atlas_partkey.go) and, unless
// atlasQueries, columns, indexes and foreign keys read from pg_catalog,
// or from share, the rows the catalog read, when not nil.
func (c inspectConfig) openAtlas(conn atlas.ExecQuerier, share *sharedCatalog) (migrate.Driver, error) {
	if !c.atlasQueries {
		conn = catalogQuerier{ExecQuerier: conn, counts: c.counts, share: share}
	}
	return postgres.Open(partKeyQuerier{conn})
}

// inspectRealm runs Atlas's inspection of the realm. Atlas's own index
// query needs nested-loop joins off (inspectRealmHashJoins); the
// pg_catalog queries are planned best with them, on index lookups.
func (c inspectConfig) inspectRealm(ctx context.Context, tx *sql.Tx, drv atlas.Inspector, opts *atlas.InspectRealmOption) (*atlas.Realm, error) {
	if c.atlasQueries {
		return inspectRealmHashJoins(ctx, tx, drv, opts)
	}
	realm, err := drv.InspectRealm(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("atlas inspection: %w", err)
	}
	return realm, nil
}
