package migrations

import (
	"context"

	"github.com/schemactl/schemactl/devdb"
)

// ValidateDir replays every file of d, in order, on a fresh database of
// the dev provider p (dropped afterwards). The directory's integrity was
// checked when it was opened; this checks that its files run. A
// statement that cannot run in its file's transaction (CheckTxBlocks) is
// reported before any file runs.
func ValidateDir(ctx context.Context, p devdb.Provider, d *Dir) error {
	if err := CheckTxBlocks(d.Files); err != nil {
		return err
	}
	return devdb.WithDatabase(ctx, p, func(db *devdb.Database) error {
		return Replay(ctx, db.URL, d.Files...)
	})
}
