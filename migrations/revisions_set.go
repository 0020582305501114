package migrations

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// SetResult tells what SetVersion changed.
type SetResult struct {
	// Set are the revisions added or marked as resolved.
	Set []*Revision
	// Removed are the revisions deleted because they were above the
	// version.
	Removed []*Revision
	// Current is the last revision afterwards (nil when none is left).
	Current *Revision
}

// SetOptions tunes SetVersion.
type SetOptions struct {
	// LockTimeout bounds the wait for the apply lock (0: DefaultLockTimeout).
	LockTimeout time.Duration
	// OperatorVersion is stored with the revisions it writes.
	OperatorVersion string
}

// SetVersion edits the history by hand as Atlas's `migrate set` does, so
// that the files up to and including version count as applied: revisions
// above version are deleted, files between the last revision and version
// are recorded as set by hand (RevisionTypeResolved), and a failed or
// partly applied revision at version is marked resolved. Unlike Atlas, a
// failed file marked so also counts as fully applied, so that the next
// apply continues after it rather than running it again. An empty version
// means the last file of the directory (all revisions are deleted when the
// directory is empty). It runs under the apply lock, in one transaction.
func SetVersion(ctx context.Context, conn *pgx.Conn, h History, files []*ApplyFile, version string, opts SetOptions) (res *SetResult, err error) {
	files, err = sortFiles(files)
	if err != nil {
		return nil, err
	}
	timeout := opts.LockTimeout
	if timeout == 0 {
		timeout = DefaultLockTimeout
	}
	release, err := AcquireApplyLock(ctx, conn, max(timeout, 0))
	if err != nil {
		return nil, err
	}
	defer func() {
		if rerr := release(context.WithoutCancel(ctx)); rerr != nil && err == nil {
			err = rerr
		}
	}()
	if err := h.Create(ctx, conn); err != nil {
		return nil, err
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
			return
		}
		if cerr := tx.Commit(ctx); cerr != nil {
			err = fmt.Errorf("commit: %w", cerr)
		}
	}()
	revs, err := h.Read(ctx, tx)
	if err != nil {
		return nil, err
	}
	switch {
	case version != "":
		found := false
		for _, f := range files {
			found = found || f.Version == version
		}
		if !found {
			return nil, fmt.Errorf("migration with version %s is not in the migration directory", version)
		}
	case len(revs) == 0:
		return nil, errors.New("no version given and the history is empty: name the version to set")
	case len(files) > 0:
		version = files[len(files)-1].Version
	}
	res = &SetResult{}
	for _, r := range revs {
		switch {
		case r.Version > version:
			if err := h.Delete(ctx, tx, r.Version); err != nil {
				return nil, err
			}
			res.Removed = append(res.Removed, r)
		case r.Version == version && r.Unresolved():
			r.Type |= RevisionTypeResolved
			r.Applied = r.Total
			r.PartialHashes = nil
			r.OperatorVersion = opts.OperatorVersion
			if err := h.Write(ctx, tx, r); err != nil {
				return nil, err
			}
			res.Set = append(res.Set, r)
		}
	}
	last := ""
	for _, r := range revs {
		if r.Version <= version && r.Version > last {
			last = r.Version
		}
	}
	for _, f := range files {
		if f.Version <= last || f.Version > version {
			continue
		}
		r := &Revision{Version: f.Version, Description: f.Description, Type: RevisionTypeResolved,
			ExecutedAt: time.Now(), Hash: f.Hash, OperatorVersion: opts.OperatorVersion}
		if err := h.Write(ctx, tx, r); err != nil {
			return nil, err
		}
		res.Set = append(res.Set, r)
	}
	after, err := h.Read(ctx, tx)
	if err != nil {
		return nil, err
	}
	if len(after) > 0 {
		res.Current = after[len(after)-1]
	}
	return res, nil
}

// WriteText reports the changes the way Atlas's `migrate set` does.
func (r *SetResult) WriteText(w io.Writer) error {
	var b strings.Builder
	n := len(r.Set) + len(r.Removed)
	switch {
	case n == 0:
		b.WriteString("Nothing to change")
		if r.Current != nil {
			fmt.Fprintf(&b, ": current version is %s", r.Current.Version)
		}
		b.WriteString("\n")
	case r.Current == nil:
		fmt.Fprintf(&b, "All revisions deleted (%d in total):\n", n)
	default:
		var parts []string
		if len(r.Set) > 0 {
			parts = append(parts, fmt.Sprintf("%d set", len(r.Set)))
		}
		if len(r.Removed) > 0 {
			parts = append(parts, fmt.Sprintf("%d removed", len(r.Removed)))
		}
		fmt.Fprintf(&b, "Current version is %s (%s):\n", r.Current.Version, strings.Join(parts, ", "))
	}
	type op struct {
		sign string
		rev  *Revision
	}
	var ops []op
	for _, s := range r.Set {
		ops = append(ops, op{"+", s})
	}
	for _, s := range r.Removed {
		ops = append(ops, op{"-", s})
	}
	sort.SliceStable(ops, func(i, j int) bool { return ops[i].rev.Version < ops[j].rev.Version })
	for _, o := range ops {
		fmt.Fprintf(&b, "  %s %s", o.sign, o.rev.Version)
		if o.rev.Description != "" {
			fmt.Fprintf(&b, " (%s)", o.rev.Description)
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
