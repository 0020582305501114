package importer

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/schemactl/schemactl/migrations"
)

// sqitchChange is one change line of sqitch.plan.
type sqitchChange struct {
	name string
	line int
	// tag is the first tag after the change; an earlier change of a name
	// that is reworked later has its scripts at <name>@<tag>.sql.
	tag string
}

// reSqitchName is a change or tag name as it opens a plan line.
var reSqitchName = regexp.MustCompile(`^([^\s\[#@:%]+)`)

// sqitch reads a Sqitch project: the changes in sqitch.plan order, each
// deployed by deploy/<change>.sql (deploy/<change>@<tag>.sql for the earlier
// versions of a reworked change), revert/<change>.sql being the down part.
// Sqitch runs a script with psql, so the script's own BEGIN and COMMIT make
// the transaction: a script wrapped in BEGIN; ... COMMIT; becomes a
// transactional file without them, a script without them runs statement by
// statement (-- atlas:txmode none). The files get versions 001, 002, ...
func (s *source) sqitch() ([]Migration, error) {
	plan := filepath.Join(s.dir, "sqitch.plan")
	b, err := readFile(plan)
	if err != nil {
		return nil, err
	}
	changes, err := parseSqitchPlan(plan, b)
	if err != nil {
		return nil, err
	}
	last := map[string]int{}
	for i, c := range changes {
		last[c.name] = i
	}
	width := max(3, len(fmt.Sprint(len(changes))))
	ms := make([]Migration, 0, len(changes))
	for i, c := range changes {
		script := c.name + ".sql"
		if last[c.name] != i {
			if c.tag == "" {
				return nil, fmt.Errorf("%s:%d: change %s is reworked later, but no tag follows this one", plan, c.line, c.name)
			}
			script = c.name + "@" + c.tag + ".sql"
		}
		p := filepath.Join(s.dir, "deploy", script)
		src, err := readFile(p)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: change %s: %w", plan, c.line, c.name, err)
		}
		m, err := sqitchScript(p, src)
		if err != nil {
			return nil, err
		}
		m.Version = fmt.Sprintf("%0*d", width, i+1)
		m.Name = sqitchFileName(c.name)
		if rp := filepath.Join(s.dir, "revert", script); fileExists(rp) {
			m.Down = rp
		}
		ms = append(ms, *m)
	}
	return ms, nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// sqitchFileName makes a change name fit an Atlas file name.
func sqitchFileName(n string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ' ' {
			return '_'
		}
		return r
	}, n)
}

// parseSqitchPlan reads the change and tag lines of a plan.
func parseSqitchPlan(plan string, b []byte) ([]sqitchChange, error) {
	var changes []sqitchChange
	sc := bufio.NewScanner(bytes.NewReader(b))
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimSpace(sc.Text())
		switch {
		case t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "%"):
			continue
		case strings.HasPrefix(t, "@"):
			m := reSqitchName.FindStringSubmatch(t[1:])
			if m == nil {
				return nil, fmt.Errorf("%s:%d: a tag line without a name", plan, line)
			}
			for i := len(changes) - 1; i >= 0 && changes[i].tag == ""; i-- {
				changes[i].tag = m[1]
			}
			continue
		case strings.HasPrefix(t, "-"):
			return nil, fmt.Errorf("%s:%d: a revert line (-change) in the plan cannot be carried: Atlas directories only move forward", plan, line)
		}
		t = strings.TrimPrefix(t, "+")
		m := reSqitchName.FindStringSubmatch(t)
		if m == nil {
			return nil, fmt.Errorf("%s:%d: expected a change name", plan, line)
		}
		changes = append(changes, sqitchChange{name: m[1], line: line})
	}
	if len(changes) == 0 {
		return nil, fmt.Errorf("%s: the plan has no change", plan)
	}
	return changes, nil
}

// sqitchScript removes the BEGIN and COMMIT around a deploy script, or
// marks a script without them as running outside a transaction.
func sqitchScript(p string, src []byte) (*Migration, error) {
	sc, err := migrations.Scan(p, src, migrations.SplitOptions{})
	if err != nil {
		return nil, err
	}
	var ctl []int
	for i, st := range sc.Stmts {
		if txControl(st.Text) {
			ctl = append(ctl, i)
		}
	}
	m := &Migration{Source: p}
	n := len(sc.Stmts)
	switch {
	case len(ctl) == 0:
		m.NoTx, m.Up = true, tidy(src)
		return m, nil
	case len(ctl) == 2 && ctl[0] == 0 && ctl[1] == n-1 && isBegin(sc.Stmts[0].Text) && !isBegin(sc.Stmts[n-1].Text):
		first, last := sc.Stmts[0], sc.Stmts[n-1]
		var out []byte
		out = append(out, src[:first.Start]...)
		out = append(out, src[afterDelimiter(src, first.End):last.Start]...)
		out = append(out, src[afterDelimiter(src, last.End):]...)
		m.Up = tidy(out)
		return m, nil
	}
	st := sc.Stmts[ctl[0]]
	for _, i := range ctl {
		if i != 0 && i != n-1 {
			st = sc.Stmts[i]
			break
		}
	}
	return nil, fmt.Errorf("%s: %s: transaction control that is not one BEGIN at the start and one COMMIT at the end of the script cannot be carried into one Atlas file", st.Pos, firstWord(st.Text))
}

// afterDelimiter returns the offset after the ; that ends a statement at end.
func afterDelimiter(src []byte, end int) int {
	if i := bytes.IndexByte(src[end:], ';'); i >= 0 && strings.TrimSpace(string(src[end:end+i])) == "" {
		end += i + 1
	}
	if end < len(src) && src[end] == '\n' {
		end++
	}
	return end
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return s
	}
	return strings.ToUpper(f[0])
}

// txControl reports whether a statement begins or ends a transaction.
func txControl(s string) bool {
	switch firstWord(s) {
	case "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT":
		return true
	}
	return false
}

func isBegin(s string) bool {
	w := firstWord(s)
	return w == "BEGIN" || w == "START"
}
