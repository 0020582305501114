package migrations

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/schemactl/schemactl/devdb"
)

// TestBaselineHint: a statement refused for a missing object gets the
// hint; a connection the server refuses with the same SQLSTATE (an
// unknown setting in its options) does not.
func TestBaselineHint(t *testing.T) {
	ctx := context.Background()
	url := devdb.ForTest(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "GRANT SELECT ON pg_class TO no_such_role")
	if h := BaselineHint(err); !strings.Contains(h, "CREATE ROLE no_such_role;") {
		t.Errorf("missing role: hint %q (error %v)", h, err)
	}
	_, err = pgx.Connect(ctx, url+"&options=-c%20no_such_setting%3D1")
	if err == nil || !strings.Contains(err.Error(), "42704") {
		t.Fatalf("connection with an unknown setting: %v", err)
	}
	if h := BaselineHint(err); h != "" {
		t.Errorf("refused connection: hint %q", h)
	}
}
