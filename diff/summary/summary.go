// Package summary says in words what a plan does, grouped by object
// (`table public.orders: add column note text, add index orders_note_idx
// (CONCURRENTLY)`), with the hazards of each step: data loss, table
// rewrite, the lock it takes and how long that lock is held. It reads the
// statements' parse trees and PostgreSQL's documented lock levels; it
// does not run anything.
package summary

import (
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/schemactl/schemactl/diff"
)

// Duration classes of a step's lock: how long the lock is held as the
// data grows.
const (
	// Brief: a catalog change; the lock is held for a moment (once
	// acquired).
	Brief = "brief"
	// Scan: the statement reads the whole table (a check, an index build)
	// while it holds the lock; time grows with the table.
	Scan = "scan"
	// Rewrite: the statement writes the table and its indexes anew while
	// it holds the lock; time grows with the table.
	Rewrite = "rewrite"
)

// Summary is what a plan does, by object.
type Summary struct {
	// Statements counts the plan's statements.
	Statements int `json:"statements"`
	// Transactional is false when the plan runs outside one transaction.
	Transactional bool `json:"transactional"`
	// Objects in the order the plan first touches them.
	Objects []*Object `json:"objects"`
	// DataLoss, Rewrites and Exclusive count the steps that lose data,
	// rewrite a table, and take ACCESS EXCLUSIVE on an existing table.
	DataLoss  int `json:"dataLoss"`
	Rewrites  int `json:"rewrites"`
	Exclusive int `json:"exclusive"`
}

// Object is one schema object and the steps the plan takes on it.
type Object struct {
	// Kind is e.g. table, index, view, type, sequence, schema.
	Kind string `json:"kind"`
	// Name is schema.name (or the name alone for a schema).
	Name string `json:"name"`
	// New is set when the plan creates the object: locks on it block
	// nobody.
	New   bool    `json:"new,omitempty"`
	Steps []*Step `json:"steps"`
}

// Step is one change to an object.
type Step struct {
	// Action says what is done, e.g. "add column note text".
	Action string `json:"action"`
	// Statement is the 1-based index of the plan statement.
	Statement int `json:"statement"`
	// Lock is the strongest table lock the step takes on an existing
	// table, as SQL spells it ("" when none: a new object, or no table
	// lock).
	Lock string `json:"lock,omitempty"`
	// Duration is Brief, Scan or Rewrite ("" when there is no lock).
	Duration string `json:"duration,omitempty"`
	// DataLoss is set when the step destroys data (a dropped table or
	// column, a type change that may narrow values).
	DataLoss bool `json:"dataLoss,omitempty"`
	// Rewrite is set when the step may rewrite the table.
	Rewrite bool `json:"rewrite,omitempty"`
	// Note adds what the reader must know, e.g. "fails if a row is NULL".
	Note string `json:"note,omitempty"`
}

// Hazards says a step's hazards in words, e.g. "ACCESS EXCLUSIVE, brief;
// loses data".
func (s *Step) Hazards() string {
	var parts []string
	if s.Lock != "" {
		parts = append(parts, s.Lock+", "+s.Duration)
	} else {
		parts = append(parts, "no lock on existing data")
	}
	if s.DataLoss {
		parts = append(parts, "loses data")
	}
	if s.Rewrite {
		parts = append(parts, "rewrites the table")
	}
	if s.Note != "" {
		parts = append(parts, s.Note)
	}
	return strings.Join(parts, "; ")
}

// Of summarizes a plan. A statement that does not parse (it came from
// the planner, so this is a bug) is described by its comment.
func Of(plan *diff.Plan) *Summary {
	s := &Summary{Transactional: plan == nil || plan.Transactional, Objects: []*Object{}}
	if plan == nil {
		return s
	}
	b := &builder{sum: s, byKey: map[string]*Object{}, created: map[string]bool{}}
	for i, st := range plan.Stmts {
		b.stmt = i + 1
		b.comment = st.Comment
		tree, err := pg.Parse(st.SQL)
		if err != nil || len(tree.Stmts) != 1 {
			b.step("statement", fmt.Sprint(i+1), &Step{Action: st.Comment})
			continue
		}
		b.node(tree.Stmts[0].Stmt)
	}
	s.Statements = len(plan.Stmts)
	for _, o := range s.Objects {
		for _, st := range o.Steps {
			if st.DataLoss {
				s.DataLoss++
			}
			if st.Rewrite {
				s.Rewrites++
			}
			if st.Lock == "ACCESS EXCLUSIVE" {
				s.Exclusive++
			}
		}
	}
	return s
}

// Headline is the summary's first line, e.g. "4 statements on 2 objects:
// 1 step loses data, 1 rewrites a table".
func (s *Summary) Headline() string {
	h := fmt.Sprintf("%s on %s", plural(s.Statements, "statement"), plural(len(s.Objects), "object"))
	var hz []string
	if s.DataLoss > 0 {
		hz = append(hz, plural(s.DataLoss, "step")+" losing data")
	}
	if s.Rewrites > 0 {
		hz = append(hz, plural(s.Rewrites, "step")+" rewriting a table")
	}
	if s.Exclusive > 0 {
		hz = append(hz, plural(s.Exclusive, "ACCESS EXCLUSIVE lock")+" on existing tables")
	}
	if len(hz) == 0 {
		return h + ": no data loss, no rewrite, no ACCESS EXCLUSIVE lock on an existing table"
	}
	return h + ": " + strings.Join(hz, ", ")
}

func plural(n int, w string) string {
	if n == 1 {
		return "1 " + w
	}
	return fmt.Sprintf("%d %ss", n, w)
}
