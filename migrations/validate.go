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
	return ValidateDirWith(ctx, p, d, ValidateOptions{})
}

// ValidateOptions tunes ValidateDirWith.
type ValidateOptions struct {
	// Prepare, when not nil, runs first on the fresh dev database (the dev
	// baseline); the replay then uses a connection opened after it, which
	// sees the database and role settings it made.
	Prepare func(ctx context.Context, url string) error
}

// ValidateDirWith is ValidateDir with options.
func ValidateDirWith(ctx context.Context, p devdb.Provider, d *Dir, opts ValidateOptions) error {
	if err := CheckTxBlocks(d.Files); err != nil {
		return err
	}
	return devdb.WithDatabase(ctx, p, func(db *devdb.Database) error {
		if opts.Prepare != nil {
			if err := opts.Prepare(ctx, db.URL); err != nil {
				return err
			}
		}
		return Replay(ctx, db.URL, d.Files...)
	})
}
