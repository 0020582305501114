package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/urfave/cli/v2"

	"github.com/schemactl/schemactl/migrations"
)

// fleetStatusView is what `migrate status` prints over a fleet: where the
// targets stand, grouped by version.
type fleetStatusView struct {
	// Latest is the last version of the migration directory.
	Latest string `json:"Latest"`
	// Versions are the groups of targets by current version, the most
	// advanced first (failed and unreachable targets are listed apart).
	Versions []fleetVersionGroup `json:"Versions"`
	// Failed are the targets whose last file failed or stopped half-way.
	Failed []fleetFailedTarget `json:"Failed"`
	// Unreachable are the targets whose status could not be read.
	Unreachable []fleetTargetError `json:"Unreachable"`
	// Targets is every target's status (nil for an unreachable one).
	Targets []fleetTargetStatus `json:"Targets"`
}

type fleetVersionGroup struct {
	Version string   `json:"Version"`
	Count   int      `json:"Count"`
	Pending int      `json:"Pending"` // files pending on these targets
	Names   []string `json:"Targets"`
}

type fleetFailedTarget struct {
	Target  string `json:"Target"`
	Version string `json:"Version"`
	// Position is where the failed statement starts, file:line:col,
	// when its text is found in the file.
	Position string `json:"Position,omitempty"`
	Error    string `json:"Error"`
	SQL      string `json:"SQL,omitempty"`
	Applied  int    `json:"Applied"`
	Total    int    `json:"Total"`
}

type fleetTargetError struct {
	Target string `json:"Target"`
	Error  string `json:"Error"`
}

type fleetTargetStatus struct {
	Name   string             `json:"Name"`
	Status *migrations.Status `json:"Status,omitempty"`
}

// noVersion is the group of targets without history.
const noVersion = "No migration applied yet"

// fleetStatus is `migrate status` over a fleet.
func fleetStatus(c *cli.Context) error {
	format := c.String("format")
	if format != "" && format != "json" {
		return usagef("a fleet status prints text or --format json")
	}
	f, err := openFleet(c, true)
	if err != nil {
		return err
	}
	f.bound(c.Context, func(ctx context.Context, t *fleetTarget) (*pgx.Conn, error) { return connectTarget(ctx, c, t) })
	res := f.run(c.Context, nil, nil, func(ctx context.Context, t *fleetTarget) (string, error) {
		conn, err := connectTarget(ctx, c, t)
		if err != nil {
			return "", err
		}
		defer migrations.CloseWait(conn, closeWait)
		h, err := migrations.ResolveHistory(ctx, conn, t.cfg, t.revisions)
		if err != nil {
			return "", err
		}
		if t.status, err = migrations.ReadStatus(ctx, conn, h, t.files); err != nil {
			return "", err
		}
		return migrations.FleetCurrent, nil
	})
	v := newFleetStatusView(f, res)
	if format == "json" {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintln(c.App.Writer, string(b))
	} else {
		v.writeText(c.App.Writer)
	}
	pending := false
	for _, g := range v.Versions {
		pending = pending || g.Pending > 0
	}
	switch {
	case len(v.Unreachable) > 0:
		return exitError{code: 1}
	case len(v.Failed) > 0:
		return exitError{code: exitStatusFailed}
	case pending:
		return exitError{code: exitStatusPending}
	}
	return nil
}

func newFleetStatusView(f *fleet, res []*migrations.FleetResult) *fleetStatusView {
	v := &fleetStatusView{Versions: []fleetVersionGroup{}, Failed: []fleetFailedTarget{}, Unreachable: []fleetTargetError{}}
	groups := map[string]*fleetVersionGroup{}
	for _, r := range res {
		t := f.targets[r.Index]
		if n := len(t.files); n > 0 && t.files[n-1].Version > v.Latest {
			v.Latest = t.files[n-1].Version
		}
		v.Targets = append(v.Targets, fleetTargetStatus{Name: t.name, Status: t.status})
		if r.Outcome != migrations.FleetCurrent {
			msg := r.Skipped
			if r.Err != nil {
				msg = r.Err.Error()
			}
			v.Unreachable = append(v.Unreachable, fleetTargetError{Target: t.name, Error: msg})
			continue
		}
		st := t.status
		if st.Failed != "" {
			// Listed with where it failed, not in a version group.
			v.Failed = append(v.Failed, fleetFailedTarget{Target: t.name, Version: st.Failed, Position: failedPosition(t.files, st),
				Error: st.Error, SQL: st.SQL, Applied: st.Count, Total: st.Total})
			continue
		}
		g := groups[st.Current]
		if g == nil {
			g = &fleetVersionGroup{Version: st.Current}
			groups[st.Current] = g
		}
		g.Count++
		g.Pending = max(g.Pending, len(st.Pending))
		g.Names = append(g.Names, t.name)
	}
	for _, g := range groups {
		v.Versions = append(v.Versions, *g)
	}
	sort.Slice(v.Versions, func(i, j int) bool {
		a, b := v.Versions[i].Version, v.Versions[j].Version
		if a == noVersion || b == noVersion {
			return b == noVersion && a != noVersion
		}
		return a > b
	})
	return v
}

// failedPosition finds where the failed statement of st starts in its
// file.
func failedPosition(files []*migrations.ApplyFile, st *migrations.Status) string {
	sql := strings.TrimSpace(st.SQL)
	for _, f := range files {
		if f.Version != st.Failed {
			continue
		}
		for _, s := range f.Stmts {
			if strings.TrimSpace(s.Text) == sql || strings.TrimSuffix(strings.TrimSpace(s.Text), ";") == strings.TrimSuffix(sql, ";") {
				return s.Pos.String()
			}
		}
		if st.Count < len(f.Stmts) {
			return f.Stmts[st.Count].Pos.String()
		}
		return f.Name
	}
	return ""
}

// writeText prints the groups, then the failed and unreachable targets.
func (v *fleetStatusView) writeText(w io.Writer) {
	total := len(v.Targets)
	fmt.Fprintf(w, "Fleet status: %d targets, latest version %s\n", total, orNone(v.Latest))
	for _, g := range v.Versions {
		what := ""
		switch {
		case g.Version == v.Latest && g.Pending == 0:
			what = " (latest)"
		case g.Pending > 0:
			what = fmt.Sprintf(" (%d %s pending)", g.Pending, plural(g.Pending, "file"))
		}
		fmt.Fprintf(w, "  %-26s %5d %s%s", g.Version, g.Count, plural(g.Count, "target"), what)
		if g.Version != v.Latest || g.Pending > 0 {
			fmt.Fprintf(w, ": %s", names(g.Names, 5))
		}
		fmt.Fprintln(w)
	}
	if len(v.Failed) > 0 {
		fmt.Fprintf(w, "Failed (%d %s; the failed file is pending again):\n", len(v.Failed), plural(len(v.Failed), "target"))
		for _, ft := range v.Failed {
			where := ft.Position
			if where == "" {
				where = ft.Version
			}
			fmt.Fprintf(w, "  %s: %s: %s (%d of %d statements applied)\n", ft.Target, where, ft.Error, ft.Applied, ft.Total)
		}
	}
	if len(v.Unreachable) > 0 {
		fmt.Fprintf(w, "Unreachable (%d):\n", len(v.Unreachable))
		for _, u := range v.Unreachable {
			fmt.Fprintf(w, "  %s: %s\n", u.Target, firstLine(u.Error))
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "(no files)"
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// names lists up to max names, then how many more.
func names(all []string, limit int) string {
	if len(all) <= limit {
		return strings.Join(all, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(all[:limit], ", "), len(all)-limit)
}
