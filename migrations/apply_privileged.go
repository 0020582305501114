package migrations

import (
	"context"
	"fmt"

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
	}
	saved := a.conn
	a.conn = a.priv
	return func() { a.conn = saved }, nil
}

// PrivilegedConnector opens (once per apply) the connection privileged
// files run on; the caller closes it after Apply returns.
type PrivilegedConnector func(ctx context.Context) (*pgx.Conn, error)
