package migrations

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// PrivilegedDirective marks a migration file that runs as the privileged
// role instead of the service role (`-- schemactl:privileged` in the
// file's top comments): for what a service role may not do, such as
// CREATE EXTENSION. Atlas ignores the comment.
const PrivilegedDirective = "schemactl:privileged"

// privilegedOf returns whether f is a privileged file, and the position of
// a privileged directive that stands above a later statement, where it
// would wrongly suggest that only that statement is privileged.
func privilegedOf(f *File) (bool, *Pos) {
	file := len(f.Directive("schemactl", "privileged")) > 0
	for i, st := range f.Stmts {
		for _, d := range st.Directives {
			if i > 0 && d.Tool == "schemactl" && d.Name == "privileged" {
				return file, &d.Pos
			}
		}
	}
	return file, nil
}

// checkPrivileged refuses a plan with privileged files that cannot run:
// a misplaced directive, no privileged connection, or --tx-mode all
// (one transaction cannot span two connections).
func (a *applier) checkPrivileged(pending []*ApplyFile) error {
	for _, f := range pending {
		if f.misplacedPrivileged != nil {
			return fmt.Errorf("%s: -- %s applies to a whole file: move it into the comments at the top of the file, followed by a blank line (or move the statement into a file of its own)", f.misplacedPrivileged, PrivilegedDirective)
		}
		if !f.Privileged {
			continue
		}
		if a.opts.Privileged == nil {
			return fmt.Errorf("%s: the file is marked -- %s, but no privileged connection is configured (admin_url in the service block of atlas.hcl, --admin-url, or the libpq PG* variables with --env)", f.Path, PrivilegedDirective)
		}
		if a.opts.TxMode == TxModeAll {
			return fmt.Errorf("%s: a -- %s file cannot run under --tx-mode all (it runs on another connection)", f.Path, PrivilegedDirective)
		}
	}
	return nil
}

// useConnOf switches the applier to the privileged connection for a
// privileged file; restore switches back.
func (a *applier) useConnOf(ctx context.Context, f *ApplyFile) (restore func(), err error) {
	if !f.Privileged {
		return func() {}, nil
	}
	if a.priv == nil {
		if a.priv, err = a.opts.Privileged(ctx); err != nil {
			return nil, fmt.Errorf("%s: connect as the privileged role: %w", f.Path, err)
		}
		if err := sameDatabase(ctx, a.conn, a.priv); err != nil {
			return nil, fmt.Errorf("%s: %w", f.Path, err)
		}
	}
	saved := a.conn
	a.conn = a.priv
	return func() { a.conn = saved }, nil
}

// PrivilegedConnector opens (once per apply) the connection privileged
// files run on; the caller closes it after Apply returns.
type PrivilegedConnector func(ctx context.Context) (*pgx.Conn, error)

// sameDatabase checks that the privileged connection reaches the target's
// own database on the target's own server: a privileged file run anywhere
// else would be recorded as applied on a target it never touched (a fleet
// whose targets are on several servers but whose privileged connection
// names one). Both connections read the server's start time and the
// database's OID, which any role may read.
func sameDatabase(ctx context.Context, target, priv *pgx.Conn) error {
	const q = "SELECT pg_postmaster_start_time(), oid, datname FROM pg_database WHERE datname = current_database()"
	type ident struct {
		started time.Time
		oid     uint32
		name    string
	}
	var t, p ident
	if err := target.QueryRow(ctx, q).Scan(&t.started, &t.oid, &t.name); err != nil {
		return fmt.Errorf("identify the target's database: %w", err)
	}
	if err := priv.QueryRow(ctx, q).Scan(&p.started, &p.oid, &p.name); err != nil {
		return fmt.Errorf("identify the privileged connection's database: %w", err)
	}
	if t.started.Equal(p.started) && t.oid == p.oid {
		return nil
	}
	tc, pc := target.Config(), priv.Config()
	return fmt.Errorf("the privileged connection (database %q on %s:%d) does not reach the target's database (%q on %s:%d): it would run the file elsewhere; give each target a privileged connection to its own server (with several servers, an env with for_each and an admin_url per instance)",
		p.name, pc.Host, pc.Port, t.name, tc.Host, tc.Port)
}
