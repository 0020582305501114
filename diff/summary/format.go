package summary

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	md "github.com/schemactl/schemactl/internal/markdown"
)

// Line is one object's line: `table public.orders: add column note
// text, add index orders_note_idx (CONCURRENTLY)`.
func (o *Object) Line() string {
	var acts []string
	for _, s := range o.Steps {
		acts = append(acts, s.Action)
	}
	name := o.Kind + " " + o.Name
	if o.New {
		name += " (new)"
	}
	return name + ": " + strings.Join(acts, ", ")
}

// Text writes the summary for a terminal: the headline, then per object
// its line and one indented line of hazards per step.
func (s *Summary) Text(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "plan: %s\n", s.Headline())
	if !s.Transactional {
		b.WriteString("  runs outside a transaction: a failure leaves the statements before it applied\n")
	}
	for _, o := range s.Objects {
		fmt.Fprintf(&b, "  %s\n", o.Line())
		if o.New {
			continue
		}
		for _, st := range o.Steps {
			fmt.Fprintf(&b, "      %s: %s\n", st.Action, st.Hazards())
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Markdown writes the summary as GitHub-flavoured Markdown: the headline,
// a list of the objects' lines, and a table of the steps with their
// hazards (collapsed when long).
func (s *Summary) Markdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "**Plan:** %s\n\n", md.Text(s.Headline()))
	if !s.Transactional {
		b.WriteString("Runs outside a transaction: a failure leaves the statements before it applied.\n\n")
	}
	for _, o := range s.Objects {
		fmt.Fprintf(&b, "- %s\n", md.Text(o.Line()))
	}
	var rows [][]string
	for _, o := range s.Objects {
		for _, st := range o.Steps {
			hz := ""
			if st.DataLoss {
				hz = "data loss"
			}
			if st.Rewrite {
				hz = strings.TrimPrefix(hz+", rewrite", ", ")
			}
			lock := st.Lock
			if lock == "" {
				lock = "—"
			}
			rows = append(rows, []string{fmt.Sprint(st.Statement), md.Text(o.Kind + " " + o.Name), md.Text(st.Action),
				md.Text(lock), md.Text(st.Duration), md.Text(hz), md.Text(st.Note)})
		}
	}
	if len(rows) > 0 {
		table := md.Table([]string{"#", "Object", "Step", "Lock", "Duration", "Hazard", "Note"}, "rllllll", rows)
		b.WriteString("\n")
		if len(rows) > 15 {
			b.WriteString(md.Details(fmt.Sprintf("Steps and their hazards (%d)", len(rows)), table))
		} else {
			b.WriteString(table)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// JSON writes the summary as an indented JSON document.
func (s *Summary) JSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}
