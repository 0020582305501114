package migrations

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// Migration states of a Status.
const (
	StatusOK      = "OK"      // every file is applied
	StatusPending = "PENDING" // files are pending
	StatusFailed  = "FAILED"  // the last file failed or stopped half-way
)

// Status is the migration state of a database against a migration
// directory. Its fields carry the names of Atlas's `migrate status` report,
// so that --format templates written for Atlas keep working.
type Status struct {
	// Available are the files of the directory.
	Available []StatusFile `json:"Available,omitempty"`
	// Pending are the files an apply would run, in order (out-of-order
	// files first, as --exec-order non-linear runs them).
	Pending []StatusFile `json:"Pending,omitempty"`
	// OutOfOrder are the pending files below the last applied version,
	// which a default (linear) apply refuses.
	OutOfOrder []StatusFile `json:"OutOfOrder,omitempty"`
	// Applied are the revisions in the history.
	Applied []*Revision `json:"Applied,omitempty"`
	// Current is the last applied version, or "No migration applied yet".
	Current string `json:"Current,omitempty"`
	// Next is the first pending version, or "Already at latest version".
	Next string `json:"Next,omitempty"`
	// Count and Total are the applied and total statements of the last
	// revision when its file failed or is partly applied (else zero).
	Count int `json:"Count,omitempty"`
	Total int `json:"Total,omitempty"`
	// Status is StatusOK, StatusPending or StatusFailed (the last file
	// failed or stopped half-way; it is pending again).
	Status string `json:"Status,omitempty"`
	// Error and SQL are the error of the last revision and the statement
	// that raised it, when its file failed.
	Error string `json:"Error,omitempty"`
	SQL   string `json:"SQL,omitempty"`
	// Failed is the version of the failed or partly applied last file.
	Failed string `json:"Failed,omitempty"`
}

// StatusFile names a migration file in a Status.
type StatusFile struct {
	Name        string `json:"Name,omitempty"`
	Version     string `json:"Version,omitempty"`
	Description string `json:"Description,omitempty"`
}

func statusFiles(files []*ApplyFile) []StatusFile {
	out := make([]StatusFile, len(files))
	for i, f := range files {
		out[i] = StatusFile{Name: f.Name, Version: f.Version, Description: f.Description}
	}
	return out
}

// Left is the number of statements of the failed last file still to run.
func (s *Status) Left() int { return s.Total - s.Count }

// Unresolved reports whether a revision's file failed or stopped half-way
// and was not marked as resolved by hand since.
func (r *Revision) Unresolved() bool {
	return r.Applied < r.Total || r.Error != "" && !r.Type.Has(RevisionTypeResolved)
}

// ReadStatus compares the history h with the files of a directory. It
// does not take the apply lock and changes nothing.
func ReadStatus(ctx context.Context, q Querier, h History, files []*ApplyFile) (*Status, error) {
	files, err := sortFiles(files)
	if err != nil {
		return nil, err
	}
	revs, err := h.Read(ctx, q)
	if err != nil {
		return nil, err
	}
	st := &Status{Available: statusFiles(files), Applied: revs, Current: "No migration applied yet"}
	pending := files
	if len(revs) > 0 {
		last := revs[len(revs)-1]
		st.Current = last.Version
		if last.Unresolved() {
			st.Failed = last.Version
			st.Count, st.Total = last.Applied, last.Total
			st.Error, st.SQL = last.Error, last.ErrorStmt
		}
		if pending, err = pendingFiles(files, revs, ExecOrderNonLinear); err != nil {
			return nil, err
		}
		for _, f := range pending {
			if f.Version < last.Version {
				st.OutOfOrder = append(st.OutOfOrder, StatusFile{Name: f.Name, Version: f.Version, Description: f.Description})
			}
		}
	}
	st.Pending = statusFiles(pending)
	st.Status, st.Next = StatusOK, "Already at latest version"
	if len(pending) > 0 {
		st.Status, st.Next = StatusPending, pending[0].Version
	}
	if st.Failed != "" {
		st.Status = StatusFailed
	}
	return st, nil
}

// WriteText writes the status the way Atlas's default report does, with
// the out-of-order files added.
func (s *Status) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Migration Status: %s\n", s.Status)
	fmt.Fprintf(&b, "  -- Current Version: %s", s.Current)
	if s.Total > 0 {
		fmt.Fprintf(&b, " (%d statements applied)", s.Count)
	}
	fmt.Fprintf(&b, "\n  -- Next Version:    %s", s.Next)
	if s.Total > 0 && s.Next == s.Failed {
		fmt.Fprintf(&b, " (%d statements left)", s.Left())
	}
	fmt.Fprintf(&b, "\n  -- Executed Files:  %d", len(s.Applied))
	if s.Failed != "" {
		b.WriteString(" (last one failed)")
	}
	fmt.Fprintf(&b, "\n  -- Pending Files:   %d\n", len(s.Pending))
	if len(s.OutOfOrder) > 0 {
		names := make([]string, len(s.OutOfOrder))
		for i, f := range s.OutOfOrder {
			names[i] = f.Name
		}
		fmt.Fprintf(&b, "  -- Out of order:    %s (apply with --exec-order non-linear)\n", strings.Join(names, ", "))
	}
	if s.Failed != "" {
		b.WriteString("\nLast migration attempt had errors:\n")
		fmt.Fprintf(&b, "  -- File:  %s\n", s.Failed)
		if s.SQL != "" {
			fmt.Fprintf(&b, "  -- SQL:   %s\n", s.SQL)
		}
		if s.Error != "" {
			fmt.Fprintf(&b, "  -- ERROR: %s\n", s.Error)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
