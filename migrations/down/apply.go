package down

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/schemactl/schemactl/diff"
	"github.com/schemactl/schemactl/migrations"
	"github.com/schemactl/schemactl/schema"
)

// ApplyOptions configure Apply.
type ApplyOptions struct {
	// LockTimeout bounds the wait for the apply lock that migrate apply
	// and Atlas hold (0: one attempt).
	LockTimeout time.Duration
	// AllowDataLoss applies a plan that drops data.
	AllowDataLoss bool
}

// DataLossError is a plan that would drop data, refused without
// ApplyOptions.AllowDataLoss.
type DataLossError struct{ Lost []string }

func (e *DataLossError) Error() string {
	return fmt.Sprintf("the revert would lose data (pass --allow-data-loss to revert anyway):\n  %s", strings.Join(e.Lost, "\n  "))
}

// Apply reverts the database conn (configured by cfg, as given to
// Prepare): under the apply lock, it checks that the history is still the
// one planned and, unless opts.AllowDataLoss, that no dropped table or
// column holds data, then runs the plan and removes the reverted
// revisions in one transaction. A plan that cannot run in one transaction
// runs statement by statement, and the revisions are removed after its
// last statement. Afterwards the database is inspected and compared with
// the directory's state at the target.
func (p *Plan) Apply(ctx context.Context, conn *pgx.Conn, cfg *pgx.ConnConfig, opts ApplyOptions) (err error) {
	timeout := opts.LockTimeout
	release, err := migrations.AcquireApplyLock(ctx, conn, timeout)
	if err != nil {
		return err
	}
	defer func() {
		if rerr := release(context.WithoutCancel(ctx)); err == nil {
			err = rerr
		}
	}()
	if err := p.sameHistory(ctx, conn); err != nil {
		return err
	}
	if p.Plan.Empty() || p.Plan.Transactional {
		err = p.applyTx(ctx, conn, opts)
	} else {
		err = p.applyEach(ctx, conn, opts)
	}
	if err != nil {
		return err
	}
	db := stdlib.OpenDB(*cfg.Copy())
	defer db.Close()
	after, err := schema.InspectDB(ctx, db, p.scope)
	if err != nil {
		return fmt.Errorf("reverted, but the database could not be inspected afterwards: %w", err)
	}
	left, err := diff.Differences(after, p.want)
	if err != nil {
		return err
	}
	if len(left) > 0 {
		return fmt.Errorf("reverted, but the database differs from the directory at version %s:\n  %s", p.Target, strings.Join(left, "\n  "))
	}
	return nil
}

// sameHistory refuses when the history changed since Prepare read it.
func (p *Plan) sameHistory(ctx context.Context, q migrations.Querier) error {
	revs, err := p.history.Read(ctx, q)
	if err != nil {
		return err
	}
	have := map[string]*migrations.Revision{}
	for _, r := range revs {
		have[r.Version] = r
	}
	for _, r := range p.Reverted {
		now, ok := have[r.Version]
		if !ok || now.Applied != r.Applied || now.Total != r.Total || now.Error != r.Error {
			return refusef("the history of version %s changed since the plan was made (another migration ran?): nothing was reverted; run migrate down again", r.Version)
		}
	}
	if last := revs[len(revs)-1].Version; last != p.Current {
		return refusef("the database's last version is now %s, not %s (another migration ran?): nothing was reverted; run migrate down again", last, p.Current)
	}
	return nil
}

func (p *Plan) checkData(ctx context.Context, q querier, opts ApplyOptions) error {
	if opts.AllowDataLoss {
		return nil
	}
	lost, err := dataLoss(ctx, q, p.drops)
	if err != nil {
		return err
	}
	if len(lost) > 0 {
		return &DataLossError{Lost: lost}
	}
	return nil
}

func (p *Plan) applyTx(ctx context.Context, conn *pgx.Conn, opts ApplyOptions) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // after Commit, a no-op
	if err := p.checkData(ctx, tx, opts); err != nil {
		return err
	}
	for i, s := range p.Plan.Stmts {
		if _, err := tx.Exec(ctx, s.SQL); err != nil {
			return fmt.Errorf("%w\nthe transaction was rolled back: nothing was reverted", &diff.StmtError{Index: i, Stmt: s, Err: err})
		}
	}
	if err := p.deleteRevisions(ctx, tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

func (p *Plan) applyEach(ctx context.Context, conn *pgx.Conn, opts ApplyOptions) error {
	if err := p.checkData(ctx, conn, opts); err != nil {
		return err
	}
	for i, s := range p.Plan.Stmts {
		if _, err := conn.Exec(ctx, s.SQL); err != nil {
			done := "no statement was applied"
			if i > 0 {
				done = fmt.Sprintf("statements 1 to %d were applied, the database is between the two versions; finish or undo them by hand", i)
			}
			return fmt.Errorf("%w\nthe plan runs statement by statement (it cannot run in one transaction): %s; the history is unchanged (still at version %s)", &diff.StmtError{Index: i, Stmt: s, Err: err}, done, p.Current)
		}
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // after Commit, a no-op
	if err := p.deleteRevisions(ctx, tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

func (p *Plan) deleteRevisions(ctx context.Context, q migrations.Querier) error {
	for _, r := range p.Reverted {
		if err := p.history.Delete(ctx, q, r.Version); err != nil {
			return err
		}
	}
	return nil
}
