package schema

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/internal/pgurl"
	"github.com/schemactl/schemactl/migrations"
)

// LoadOptions configure Load.
type LoadOptions struct {
	// Dev hands out the dev databases that states are loaded into; it is
	// not used for a live database.
	Dev devdb.Provider
	// Scope limits the inspection.
	Scope Scope
	// Baseline is a file:// URL of SQL run in every dev database before
	// the state (roles, extensions, schemas the state needs but does not
	// own). It is on both sides of every diff, so it never reaches a plan.
	Baseline string
}

// Loaded is a state and the database that holds it.
type Loaded struct {
	*State
	Source *Source
	// DB is the database holding the state: a dev database, or the live
	// database for a postgres:// source (which is only read).
	DB *sql.DB
	// URL is DB's URL (it may hold a password).
	URL string
	// Dir is the migration directory of a SourceMigrations state.
	Dir *migrations.Dir
	dev *devdb.Database
}

// Close closes the connection and drops the dev database, if any.
func (l *Loaded) Close(ctx context.Context) error {
	var errs []error
	if l.DB != nil {
		errs = append(errs, l.DB.Close())
	}
	if l.dev != nil {
		errs = append(errs, l.dev.Close(ctx))
	}
	return errors.Join(errs...)
}

// IsDev reports whether the state lives in a dev database (and may be
// changed, e.g. by Prove).
func (l *Loaded) IsDev() bool { return l.dev != nil }

// Load loads the state a URL names (see ParseSource): files and migration
// directories into a fresh dev database, a postgres:// URL by inspecting
// the live database. The caller must Close the result.
func Load(ctx context.Context, raw string, opts LoadOptions) (*Loaded, error) {
	src, err := ParseSource(raw)
	if err != nil {
		return nil, err
	}
	return LoadSource(ctx, src, opts)
}

// LoadSource is Load on a parsed source.
func LoadSource(ctx context.Context, src *Source, opts LoadOptions) (*Loaded, error) {
	raw := src.Raw
	if src.Kind == SourceDatabase {
		db, err := OpenDB(raw)
		if err != nil {
			return nil, err
		}
		st, err := inspectDB(ctx, db, opts.Scope, inspectConfig{requireSchemas: true})
		if err != nil {
			db.Close()
			return nil, pgurl.RedactError(fmt.Errorf("inspect %s: %w", src.Redacted(), err), pgurl.Password(raw))
		}
		return &Loaded{State: st, Source: src, DB: db, URL: raw}, nil
	}
	if opts.Dev == nil {
		return nil, fmt.Errorf("loading %s needs a dev database", raw)
	}
	dev, err := opts.Dev.NewDatabase(ctx)
	if err != nil {
		return nil, err
	}
	l := &Loaded{Source: src, URL: dev.URL, dev: dev}
	if err := l.fill(ctx, opts); err != nil {
		l.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return l, nil
}

// NewEmpty returns an empty dev database with the baseline applied, as
// the starting state of a diff from nothing.
func NewEmpty(ctx context.Context, opts LoadOptions) (*Loaded, error) {
	dev, err := opts.Dev.NewDatabase(ctx)
	if err != nil {
		return nil, err
	}
	l := &Loaded{URL: dev.URL, dev: dev}
	if err := l.fill(ctx, opts); err != nil {
		l.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return l, nil
}

func (l *Loaded) fill(ctx context.Context, opts LoadOptions) error {
	var (
		sqlFiles []*sqlFile
		err      error
	)
	if l.Source != nil {
		switch l.Source.Kind {
		case SourceSQL:
			for _, p := range l.Source.Files {
				f, err := readSQLFile(p)
				if err != nil {
					return err
				}
				sqlFiles = append(sqlFiles, f)
			}
			parts, err := partFiles(l.Source.Parts)
			if err != nil {
				return err
			}
			sqlFiles = append(sqlFiles, parts...)
		case SourceMigrations:
			if l.Dir, err = migrations.Open(l.Source.Dir); err != nil {
				return err
			}
		}
	}
	baseline, err := readBaseline(opts.Baseline)
	if err != nil {
		return err
	}
	// One connection loads and inspects: the first connection to a new
	// database pays for building its catalog caches.
	if l.DB, err = OpenDB(l.URL); err != nil {
		return err
	}
	var before map[string]bool
	err = withPgConn(ctx, l.DB, func(conn *pgconn.PgConn) error {
		if createsPublic(sqlFiles) {
			// The state creates the public schema itself, which the dev
			// database already has.
			if err := conn.Exec(ctx, "DROP SCHEMA public CASCADE").Close(); err != nil {
				return fmt.Errorf("prepare dev database: %w", err)
			}
		}
		return execBaseline(ctx, conn, baseline)
	})
	if err != nil {
		return err
	}
	if len(baseline) > 0 {
		// Settings the baseline made (ALTER DATABASE ... SET, ALTER ROLE
		// ... SET) apply to connections opened after it.
		l.DB.Close()
		if l.DB, err = OpenDB(l.URL); err != nil {
			return err
		}
		// What the baseline creates stays out of reports.
		if before, err = objectKeys(ctx, l.DB); err != nil {
			return err
		}
	}
	if l.Source != nil && (l.Source.Kind == SourceSQL || l.Source.Kind == SourceMigrations) {
		// Statements on subscriptions never connect to a publisher from a
		// dev database (obj_sub_load.go).
		for _, f := range sqlFiles {
			if f.File, err = DevSubscriptionFile(f.File); err != nil {
				return err
			}
		}
		var replay []*migrations.File
		if l.Dir != nil {
			for _, f := range l.Dir.Files {
				g, err := DevSubscriptionFile(f)
				if err != nil {
					return err
				}
				replay = append(replay, g)
			}
		}
		err = withPgConn(ctx, l.DB, func(conn *pgconn.PgConn) error {
			if l.Source.Kind == SourceSQL {
				_, remote := devdb.Unwrap(opts.Dev).(*devdb.Remote)
				return execSQLFiles(ctx, conn, sqlFiles, remote)
			}
			return migrations.ReplayConn(ctx, conn, replay...)
		})
		if err != nil {
			return err
		}
	}
	if l.Source != nil && l.Source.Kind == SourceHCL {
		// Object blocks (view, function, domain, ...) run as SQL around
		// Atlas's realm (obj_hcl_read.go).
		r, objs, err := evalHCLObjects(l.Source.Files, l.Source.Vars)
		if err != nil {
			return err
		}
		left, err := objs.runBefore(ctx, l.DB)
		if err != nil {
			return err
		}
		keepRealmTypeModifiers(r, objs.typmods)
		if err := applyRealm(ctx, l.DB, r); err != nil {
			return err
		}
		if err := objs.runAfter(ctx, l.DB, left); err != nil {
			return err
		}
	}
	if l.State, err = InspectDB(ctx, l.DB, opts.Scope); err != nil {
		return fmt.Errorf("inspect the dev database: %w", err)
	}
	if before != nil {
		kept := l.Catalog.Unmodelled[:0]
		for _, o := range l.Catalog.Unmodelled {
			if !before[o.Key()] {
				kept = append(kept, o)
			}
		}
		l.Catalog.Unmodelled = kept
	}
	return nil
}

// readBaseline reads the dev baseline's SQL files.
func readBaseline(raw string) ([]*sqlFile, error) {
	if raw == "" {
		return nil, nil
	}
	src, err := ParseSource(raw)
	if err != nil {
		return nil, fmt.Errorf("dev baseline: %w", err)
	}
	if src.Kind != SourceSQL {
		return nil, fmt.Errorf("dev baseline %s: want SQL files (file://baseline.sql), not %s", raw, src.Kind)
	}
	var files []*sqlFile
	for _, p := range src.Files {
		f, err := readSQLFile(p)
		if err != nil {
			return nil, fmt.Errorf("dev baseline: %w", err)
		}
		if f.File, err = DevSubscriptionFile(f.File); err != nil {
			return nil, fmt.Errorf("dev baseline: %w", err)
		}
		files = append(files, f)
	}
	return files, nil
}

// objectKeys lists the keys of the unmodelled objects of a database.
func objectKeys(ctx context.Context, db *sql.DB) (map[string]bool, error) {
	st, err := InspectDB(ctx, db, Scope{})
	if err != nil {
		return nil, fmt.Errorf("inspect the dev baseline: %w", err)
	}
	keys := map[string]bool{}
	for _, o := range st.Catalog.Unmodelled {
		keys[o.Key()] = true
	}
	return keys, nil
}

// withPgConn runs fn on one connection of db (left in the pool afterwards
// with its session reset: what a loaded file SET must not leak into the
// statements run later on the same database).
func withPgConn(ctx context.Context, db *sql.DB, fn func(*pgconn.PgConn) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		pc := sc.Conn().PgConn()
		if err := fn(pc); err != nil {
			return err
		}
		return pc.Exec(ctx, "DISCARD ALL").Close()
	})
	return err
}
