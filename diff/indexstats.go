package diff

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	atlas "ariga.io/atlas/sql/schema"

	"github.com/schemactl/schemactl/schema"
)

// indexKey names an index of a table.
type indexKey struct {
	table schema.QName
	name  string
}

// markIndexChanges records the indexes Atlas's changes create, drop or
// recreate: those start with PostgreSQL's default statistics targets.
func (p *planner) markIndexChanges(changes []atlas.Change) {
	if p.indexChanged == nil {
		p.indexChanged = map[indexKey]bool{}
	}
	for _, c := range changes {
		m, ok := c.(*atlas.ModifyTable)
		if !ok || m.T == nil || m.T.Schema == nil {
			continue
		}
		q := schema.QName{Schema: m.T.Schema.Name, Name: m.T.Name}
		for _, x := range m.Changes {
			switch x := x.(type) {
			case *atlas.AddIndex:
				p.indexChanged[indexKey{q, x.I.Name}] = true
			case *atlas.DropIndex:
				p.indexChanged[indexKey{q, x.I.Name}] = true
			case *atlas.ModifyIndex:
				p.indexChanged[indexKey{q, x.From.Name}] = true
				p.indexChanged[indexKey{q, x.To.Name}] = true
			}
		}
	}
}

// indexStatistics plans the statistics targets of index expression
// columns (ALTER INDEX ... ALTER COLUMN 1 SET STATISTICS 3000, which
// Rails' structure.sql and pg_dump keep): what a kept index had, compared
// with what the desired index has; a new or recreated index starts with
// none.
func (p *planner) indexStatistics() error {
	for _, t2 := range p.to.Catalog.Tables {
		t1, kept := p.kept(t2.QName)
		for _, i2 := range t2.Indexes {
			have := ""
			if kept && !p.indexChanged[indexKey{t2.QName, i2.Name}] {
				for _, i1 := range t1.Indexes {
					if i1.Name == i2.Name {
						have = i1.Statistics
					}
				}
			}
			if have == i2.Statistics {
				continue
			}
			from, to := parseIndexStatistics(have), parseIndexStatistics(i2.Statistics)
			cols := map[int]bool{}
			for c := range from {
				cols[c] = true
			}
			for c := range to {
				cols[c] = true
			}
			target := func(m map[int]int, c int) int {
				if v, ok := m[c]; ok {
					return v
				}
				return -1
			}
			var nums []int
			for c := range cols {
				if target(from, c) != target(to, c) {
					nums = append(nums, c)
				}
			}
			sort.Ints(nums)
			var clauses []string
			for _, c := range nums {
				clauses = append(clauses, fmt.Sprintf("ALTER COLUMN %d SET STATISTICS %d", c, target(to, c)))
			}
			if len(clauses) == 0 {
				continue
			}
			p.post = append(p.post, Stmt{
				SQL:     fmt.Sprintf("ALTER INDEX %s %s", schema.QName{Schema: t2.Schema, Name: i2.Name}, strings.Join(clauses, ", ")),
				Comment: fmt.Sprintf("set the statistics targets of index %s", i2.Name),
			})
		}
	}
	return nil
}

// parseIndexStatistics reads IndexInfo.Statistics ("1=3000, 2=100").
func parseIndexStatistics(s string) map[int]int {
	m := map[int]int{}
	if s == "" {
		return m
	}
	for _, kv := range strings.Split(s, ", ") {
		k, v, _ := strings.Cut(kv, "=")
		c, err1 := strconv.Atoi(k)
		n, err2 := strconv.Atoi(v)
		if err1 == nil && err2 == nil {
			m[c] = n
		}
	}
	return m
}
