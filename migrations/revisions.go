package migrations

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/schemactl/schemactl/internal/pgquote"
)

// RevisionsTable is the name of the history table, the same as Atlas's so
// that either tool reads what the other wrote.
const RevisionsTable = "atlas_schema_revisions"

// DefaultRevisionsSchema is where the history table lives when neither
// --revisions-schema nor a search_path in the URL says otherwise (Atlas's
// default for a connection to a whole database).
const DefaultRevisionsSchema = "atlas_schema_revisions"

// revisionIdentifier is the version of the row Atlas keeps to identify the
// history table for its cloud reports; it is not a migration.
const revisionIdentifier = ".atlas_cloud_identifier"

// RevisionType says how a revision came to be, as bit flags with Atlas's
// values.
type RevisionType uint

const (
	// RevisionTypeBaseline marks the version a database was baselined at
	// (--baseline): files up to it were never run by the tool.
	RevisionTypeBaseline RevisionType = 1
	// RevisionTypeExecute marks a file that was executed.
	RevisionTypeExecute RevisionType = 2
	// RevisionTypeResolved marks a file set by hand (`migrate set`);
	// combined with RevisionTypeExecute for a failed file marked as fixed.
	RevisionTypeResolved RevisionType = 4
)

// Has reports whether flag f is set.
func (t RevisionType) Has(f RevisionType) bool { return t&f != 0 }

// String names the type the way Atlas prints it.
func (t RevisionType) String() string {
	switch t {
	case RevisionTypeBaseline:
		return "baseline"
	case RevisionTypeExecute:
		return "applied"
	case RevisionTypeResolved:
		return "manually set"
	case RevisionTypeExecute | RevisionTypeResolved:
		return "applied + manually set"
	default:
		return fmt.Sprintf("unknown (%04b)", uint(t))
	}
}

// MarshalText encodes the type by its name, as Atlas's JSON output does.
func (t RevisionType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText decodes a name written by MarshalText.
func (t *RevisionType) UnmarshalText(b []byte) error {
	for _, v := range []RevisionType{RevisionTypeBaseline, RevisionTypeExecute, RevisionTypeResolved, RevisionTypeExecute | RevisionTypeResolved} {
		if v.String() == string(b) {
			*t = v
			return nil
		}
	}
	var bits uint
	if _, err := fmt.Sscanf(string(b), "unknown (%b)", &bits); err == nil {
		*t = RevisionType(bits)
		return nil
	}
	return fmt.Errorf("unknown revision type %q", b)
}

// Revision is one row of the history table: a migration file that was
// applied (fully or partly), failed, baselined or set by hand.
type Revision struct {
	// Version and Description come from the file name VERSION_DESC.sql.
	Version     string `json:"Version"`
	Description string `json:"Description"`
	// Type is how the row came to be.
	Type RevisionType `json:"Type"`
	// Applied counts the statements that ran; Total is the file's
	// statement count. Applied < Total means partly applied or failed.
	Applied int `json:"Applied"`
	Total   int `json:"Total"`
	// ExecutedAt is when the first attempt at the file started.
	ExecutedAt time.Time `json:"ExecutedAt"`
	// ExecutionTime is how long the last attempt took.
	ExecutionTime time.Duration `json:"ExecutionTime"`
	// Error and ErrorStmt are the error of the last attempt and the
	// statement that raised it; empty when it succeeded.
	Error     string `json:"Error,omitempty"`
	ErrorStmt string `json:"ErrorStmt,omitempty"`
	// Hash is the file's hash in atlas.sum (without the "h1:" prefix).
	Hash string `json:"-"`
	// PartialHashes holds, while a file is partly applied, one running
	// hash per applied statement ("h1:" + base64 SHA-256 of the texts of
	// statements 1..i), to refuse resuming a file whose applied part was
	// edited.
	PartialHashes []string `json:"-"`
	// OperatorVersion names the tool that wrote the row, e.g.
	// "schemactl v1.2.0" or "Atlas CLI v0.32.0".
	OperatorVersion string `json:"OperatorVersion"`
}

// Done reports whether every statement of the file ran (or the row is a
// baseline or was set by hand, which have no statements).
func (r *Revision) Done() bool { return r.Applied >= r.Total }

// Failed reports whether the last attempt at the file ended in an error,
// or left it partly applied.
func (r *Revision) Failed() bool { return r.Error != "" || r.Applied < r.Total }

// Querier is what the history functions need of a connection: a *pgx.Conn
// or a pgx.Tx.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// History is the history table in one schema.
type History struct {
	// Schema holds the table; DefaultRevisionsSchema when empty.
	Schema string
}

func (h History) schema() string {
	if h.Schema == "" {
		return DefaultRevisionsSchema
	}
	return h.Schema
}

// Table is the table's qualified, quoted name.
func (h History) Table() string {
	return pgquote.Ident(h.schema()) + "." + pgquote.Ident(RevisionsTable)
}

// Exists reports whether the table exists.
func (h History) Exists(ctx context.Context, q Querier) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p'))`, h.schema(), RevisionsTable).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("look for the history table %s: %w", h.Table(), err)
	}
	return ok, nil
}

// createTableSQL creates the table exactly as Atlas (through ent) does, so
// that Atlas finds nothing to change in it.
func (h History) createTableSQL() string {
	return `CREATE TABLE IF NOT EXISTS ` + h.Table() + ` (
	"version" character varying NOT NULL,
	"description" character varying NOT NULL,
	"type" bigint NOT NULL DEFAULT 2,
	"applied" bigint NOT NULL DEFAULT 0,
	"total" bigint NOT NULL DEFAULT 0,
	"executed_at" timestamp with time zone NOT NULL,
	"execution_time" bigint NOT NULL,
	"error" text NULL,
	"error_stmt" text NULL,
	"hash" character varying NOT NULL,
	"partial_hashes" jsonb NULL,
	"operator_version" character varying NOT NULL,
	PRIMARY KEY ("version")
)`
}

// Create creates the schema (when missing) and the table (when missing).
// Callers serialise it with the apply lock.
func (h History) Create(ctx context.Context, q Querier) error {
	var hasSchema bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)`, h.schema()).Scan(&hasSchema); err != nil {
		return fmt.Errorf("look for schema %s: %w", pgquote.Ident(h.schema()), err)
	}
	if !hasSchema {
		if _, err := q.Exec(ctx, `CREATE SCHEMA `+pgquote.Ident(h.schema())); err != nil {
			return fmt.Errorf("create schema %s for the history table: %w", pgquote.Ident(h.schema()), err)
		}
	}
	exists, err := h.Exists(ctx, q)
	if err != nil || exists {
		return err
	}
	if _, err := q.Exec(ctx, h.createTableSQL()); err != nil {
		return fmt.Errorf("create the history table %s: %w", h.Table(), err)
	}
	return nil
}

// Read returns the revisions in version order (bytewise, as Atlas compares
// versions), without Atlas's table identifier row. A missing table reads
// as no revisions.
func (h History) Read(ctx context.Context, q Querier) ([]*Revision, error) {
	exists, err := h.Exists(ctx, q)
	if err != nil || !exists {
		return nil, err
	}
	rows, err := q.Query(ctx, `SELECT "version", "description", "type", "applied", "total", "executed_at", "execution_time",
		coalesce("error", ''), coalesce("error_stmt", ''), "hash", "partial_hashes"::text, "operator_version"
		FROM `+h.Table()+` WHERE "version" <> $1`, revisionIdentifier)
	if err != nil {
		return nil, fmt.Errorf("read the history table %s: %w", h.Table(), err)
	}
	defer rows.Close()
	var revs []*Revision
	for rows.Next() {
		var (
			r       Revision
			typ     int64
			applied int64
			total   int64
			exec    int64
			partial *string
		)
		if err := rows.Scan(&r.Version, &r.Description, &typ, &applied, &total, &r.ExecutedAt, &exec,
			&r.Error, &r.ErrorStmt, &r.Hash, &partial, &r.OperatorVersion); err != nil {
			return nil, fmt.Errorf("read the history table %s: %w", h.Table(), err)
		}
		r.Type, r.Applied, r.Total, r.ExecutionTime = RevisionType(typ), int(applied), int(total), time.Duration(exec)
		if partial != nil {
			if err := json.Unmarshal([]byte(*partial), &r.PartialHashes); err != nil {
				return nil, fmt.Errorf("history table %s: version %s: partial_hashes: %w", h.Table(), r.Version, err)
			}
		}
		revs = append(revs, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the history table %s: %w", h.Table(), err)
	}
	sort.Slice(revs, func(i, j int) bool { return revs[i].Version < revs[j].Version })
	return revs, nil
}

// Write inserts or updates the revision of r.Version. As in Atlas, an
// update keeps the description and executed_at of the first write.
func (h History) Write(ctx context.Context, q Querier, r *Revision) error {
	if _, err := q.Exec(ctx, h.upsertSQL(r, false)); err != nil {
		return fmt.Errorf("write revision %s to %s: %w", r.Version, h.Table(), err)
	}
	return nil
}

// Delete removes the revision of version v.
func (h History) Delete(ctx context.Context, q Querier, v string) error {
	if _, err := q.Exec(ctx, `DELETE FROM `+h.Table()+` WHERE "version" = $1`, v); err != nil {
		return fmt.Errorf("delete revision %s from %s: %w", v, h.Table(), err)
	}
	return nil
}

// upsertSQL is the statement that writes r, with every value inlined as a
// literal so that it can travel in one simple-protocol message with the
// statements of a migration file. With serverTiming, executed_at is the
// start of the current transaction and execution_time is measured by the
// server up to this statement; otherwise both come from r (a zero
// ExecutedAt meaning now()).
func (h History) upsertSQL(r *Revision, serverTiming bool) string {
	executedAt := "now()"
	if !serverTiming && !r.ExecutedAt.IsZero() {
		executedAt = pgquote.Literal(r.ExecutedAt.UTC().Format("2006-01-02 15:04:05.999999Z07:00")) + "::timestamptz"
	}
	execTime := fmt.Sprintf("%d", int64(r.ExecutionTime))
	if serverTiming {
		execTime = "(extract(epoch FROM clock_timestamp() - now()) * 1000000000)::bigint"
	}
	partial := "'null'"
	if len(r.PartialHashes) > 0 {
		b, _ := json.Marshal(r.PartialHashes) // a []string always marshals
		partial = pgquote.Literal(string(b))
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO `)
	b.WriteString(h.Table())
	b.WriteString(` ("version", "description", "type", "applied", "total", "executed_at", "execution_time", "error", "error_stmt", "hash", "partial_hashes", "operator_version") VALUES (`)
	b.WriteString(strings.Join([]string{
		pgquote.Literal(r.Version),
		pgquote.Literal(r.Description),
		fmt.Sprint(uint(r.Type)),
		fmt.Sprint(r.Applied),
		fmt.Sprint(r.Total),
		executedAt,
		execTime,
		pgquote.Literal(r.Error),
		pgquote.Literal(r.ErrorStmt),
		pgquote.Literal(r.Hash),
		partial + "::jsonb",
		pgquote.Literal(r.OperatorVersion),
	}, ", "))
	b.WriteString(`) ON CONFLICT ("version") DO UPDATE SET "type" = EXCLUDED."type", "applied" = EXCLUDED."applied", "total" = EXCLUDED."total", "execution_time" = EXCLUDED."execution_time", "error" = EXCLUDED."error", "error_stmt" = EXCLUDED."error_stmt", "hash" = EXCLUDED."hash", "partial_hashes" = EXCLUDED."partial_hashes", "operator_version" = EXCLUDED."operator_version"`)
	return b.String()
}
