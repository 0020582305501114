package schema

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// PgKindSubscription is the kind of a logical replication subscription.
const PgKindSubscription PgKind = "subscription"

// PgSubscription is a logical replication subscription (CREATE
// SUBSCRIPTION) of the inspected database. Its connection string is never
// kept in clear: ConnHash holds its SHA-256, computed by the server, so
// that a changed connection is still a difference. The owner is not
// modelled.
type PgSubscription struct {
	PgHeader
	// Publications are the publications subscribed to, as given.
	Publications []string
	// Enabled tells whether the subscription replicates.
	Enabled bool
	// SlotName is the replication slot's name, "" for slot_name = NONE.
	SlotName string
	// SyncCommit is the synchronous_commit setting of the apply workers.
	SyncCommit string
	// Binary is the binary option; Streaming is off, on or parallel;
	// TwoPhase is the two_phase option; DisableOnError disable_on_error.
	Binary         bool
	Streaming      string
	TwoPhase       bool
	DisableOnError bool
	// Origin is the origin option (any or none) on PostgreSQL 16 and
	// later, "" where the server has none.
	Origin string
	// ConnHash is "sha256:<hex>" of the connection string, "" when the
	// state does not give it (an HCL block without connection) or the
	// inspecting role may not read it (ConnHidden).
	ConnHash string
	// ConnHidden is set when pg_subscription.subconninfo was not readable
	// by the inspecting role (it needs superuser or pg_read_all_data).
	ConnHidden bool
}

// devConnPrefix starts the connection string that stands in for a
// subscription's own on dev databases: a Unix socket directory that does
// not exist (no connection is ever made), and the SHA-256 of the real
// connection string in application_name, which inspection reads back as
// the subscription's ConnHash.
const devConnPrefix = "host=/nonexistent/schemactl-dev-subscription application_name=schemactl-sha256:"

// DevConnInfo returns the stand-in connection string of a dev database for
// a connection string whose hash is hash ("sha256:<hex>", or "" when
// unknown).
func DevConnInfo(hash string) string {
	return devConnPrefix + strings.TrimPrefix(hash, "sha256:")
}

// WithSQL renders the subscription's parameters that CREATE SUBSCRIPTION
// takes besides connect, create_slot, copy_data and enabled.
func (s *PgSubscription) WithSQL() string {
	slot := "NONE"
	if s.SlotName != "" {
		slot = QuoteLiteral(s.SlotName)
	}
	parts := []string{"slot_name = " + slot, "synchronous_commit = " + QuoteLiteral(s.SyncCommit),
		"binary = " + strconv.FormatBool(s.Binary), "streaming = " + s.Streaming,
		"two_phase = " + strconv.FormatBool(s.TwoPhase), "disable_on_error = " + strconv.FormatBool(s.DisableOnError)}
	if s.Origin != "" {
		parts = append(parts, "origin = "+s.Origin)
	}
	return strings.Join(parts, ", ")
}

// PublicationsSQL renders the publication list.
func (s *PgSubscription) PublicationsSQL() string {
	q := make([]string, len(s.Publications))
	for i, p := range s.Publications {
		q[i] = QuoteIdent(p)
	}
	return strings.Join(q, ", ")
}

// CreateSQL returns the statements that create the subscription with the
// connection string conninfo, without connecting to the publisher
// (connect = false: no slot created, nothing copied), then enable it and
// set its comment.
func (s *PgSubscription) CreateSQL(conninfo string) []string {
	stmts := []string{"CREATE SUBSCRIPTION " + s.SQLName + " CONNECTION " + QuoteLiteral(conninfo) +
		" PUBLICATION " + s.PublicationsSQL() + " WITH (connect = false, " + s.WithSQL() + ")"}
	if s.Enabled {
		stmts = append(stmts, "ALTER SUBSCRIPTION "+s.SQLName+" ENABLE")
	}
	return append(stmts, commentSQL("SUBSCRIPTION", s.SQLName, s.Comment)...)
}

// CreateHint is the CREATE SUBSCRIPTION statement to run on a target
// oneself, with '...' where the connection string goes: messages show it
// when a plan would have to set the connection.
func (s *PgSubscription) CreateHint() string {
	return "CREATE SUBSCRIPTION " + s.SQLName + " CONNECTION '...' PUBLICATION " + s.PublicationsSQL() +
		" WITH (enabled = " + strconv.FormatBool(s.Enabled) + ", " + s.WithSQL() + ")"
}

// subscriptionsQuery reads the subscriptions of the current database.
// %[1]s is the connection hash expression (or NULL), %[2]s the streaming
// expression, %[3]s the origin one.
const subscriptionsQuery = `
SELECT s.oid::int8, s.subname, pg_catalog.quote_ident(s.subname), s.subenabled, COALESCE(s.subslotname::text, ''),
	s.subsynccommit, s.subbinary, %[2]s, s.subtwophasestate <> 'd', s.subdisableonerr, %[3]s,
	COALESCE(pg_catalog.array_to_json(s.subpublications)::text, '[]'), %[1]s,
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = s.oid AND dsc.classoid = 'pg_catalog.pg_subscription'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_subscription s
WHERE s.subdbid = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())
ORDER BY 2`

// subscriptionConnHash is the expression of a subscription's ConnHash: the
// hash a dev database's stand-in carries, or the hash of the connection
// string itself, which stays in the server.
const subscriptionConnHash = `CASE WHEN pg_catalog.starts_with(s.subconninfo, '` + devConnPrefix + `')
	THEN 'sha256:' || pg_catalog.substr(s.subconninfo, ` + "%d" + `)
	ELSE 'sha256:' || pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(s.subconninfo, 'UTF8')), 'hex') END`

// readSubscriptions reads the subscriptions. The connection string is
// readable only by superusers and members of pg_read_all_data: for any
// other role the subscription is read with ConnHidden set, and a plan that
// would compare the connection stops (package diff).
func (in *objInspector) readSubscriptions(ctx context.Context) error {
	var (
		version int
		canRead bool
	)
	err := in.queryArgs(ctx, `SELECT pg_catalog.current_setting('server_version_num')::int,
	pg_catalog.has_column_privilege('pg_catalog.pg_subscription', 'subconninfo', 'SELECT')`, nil, func(rows *sql.Rows) error {
		return rows.Scan(&version, &canRead)
	})
	if err != nil {
		return err
	}
	hash := "NULL"
	if canRead {
		hash = fmt.Sprintf(subscriptionConnHash, len(devConnPrefix)+1)
	}
	streaming := "CASE WHEN s.substream THEN 'on' ELSE 'off' END"
	origin := "''"
	if version >= 160000 {
		streaming = "CASE s.substream WHEN 't' THEN 'on' WHEN 'p' THEN 'parallel' ELSE 'off' END"
		origin = "s.suborigin"
	}
	return in.queryArgs(ctx, fmt.Sprintf(subscriptionsQuery, hash, streaming, origin), nil, func(rows *sql.Rows) error {
		var (
			oid  int64
			s    = &PgSubscription{}
			name string
			pubs []byte
			conn sql.NullString
		)
		if err := rows.Scan(&oid, &name, &s.SQLName, &s.Enabled, &s.SlotName, &s.SyncCommit, &s.Binary, &s.Streaming,
			&s.TwoPhase, &s.DisableOnError, &s.Origin, &pubs, &conn, &s.Comment); err != nil {
			return err
		}
		if err := jsonInto(pubs, &s.Publications); err != nil {
			return err
		}
		s.ConnHidden = !canRead
		if conn.String != "sha256:" {
			s.ConnHash = conn.String
		}
		s.ID = PgRef{Kind: PgKindSubscription, Name: name}
		in.add("pg_subscription", oid, s)
		return nil
	})
}
