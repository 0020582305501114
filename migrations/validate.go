package migrations

import (
	"context"

	"github.com/schemactl/schemactl/devdb"
)

// ValidateDir replays every file of d, in order, on a fresh database of
// the dev provider p (dropped afterwards). The directory's integrity was
// checked when it was opened; this checks that its files run.
func ValidateDir(ctx context.Context, p devdb.Provider, d *Dir) error {
	return devdb.WithDatabase(ctx, p, func(db *devdb.Database) error {
		return Replay(ctx, db.URL, d.Files...)
	})
}
