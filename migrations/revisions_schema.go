package migrations

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// BoundSchema returns the schema a connection is bound to: the first
// schema of the search_path given in the URL (?search_path=app), or ""
// when the URL sets none and the connection works on the whole database.
func BoundSchema(cfg *pgx.ConnConfig) string {
	sp := strings.TrimSpace(cfg.RuntimeParams["search_path"])
	if sp == "" {
		return ""
	}
	first, _, _ := strings.Cut(sp, ",")
	first = strings.TrimSpace(first)
	if len(first) >= 2 && first[0] == '"' && first[len(first)-1] == '"' {
		return strings.ReplaceAll(first[1:len(first)-1], `""`, `"`)
	}
	return first
}

// ResolveHistory picks the history table as Atlas does: in the schema
// flag (--revisions-schema) when given, else in the schema the URL is
// bound to, else in DefaultRevisionsSchema. Like Atlas, it refuses a
// schema-bound connection whose schema has no history table while
// DefaultRevisionsSchema has one, since either could be meant.
func ResolveHistory(ctx context.Context, q Querier, cfg *pgx.ConnConfig, flag string) (History, error) {
	if flag != "" {
		return History{Schema: flag}, nil
	}
	bound := BoundSchema(cfg)
	if bound == "" {
		return History{Schema: DefaultRevisionsSchema}, nil
	}
	h := History{Schema: bound}
	if bound == DefaultRevisionsSchema {
		return h, nil
	}
	inBound, err := h.Exists(ctx, q)
	if err != nil || inBound {
		return h, err
	}
	inDefault, err := History{Schema: DefaultRevisionsSchema}.Exists(ctx, q)
	if err != nil {
		return h, err
	}
	if inDefault {
		return h, fmt.Errorf("ambiguous history table: the connection is bound to schema %q, which has no %s table, but schema %q has one; pass --revisions-schema %s to keep using it, or --revisions-schema %s to start a history in the bound schema",
			bound, RevisionsTable, DefaultRevisionsSchema, DefaultRevisionsSchema, bound)
	}
	return h, nil
}
