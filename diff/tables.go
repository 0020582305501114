package diff

import (
	"fmt"
	"sort"
	"strings"

	"github.com/schemactl/schemactl/schema"
)

// tableProperties plans what Atlas's open-source driver does not model of
// a table: UNLOGGED, and storage parameters (WITH (fillfactor = 70, ...)).
// It runs after the tables (and partitions) are created.
func (p *planner) tableProperties() error {
	for _, t2 := range p.to.Catalog.Tables {
		have := &schema.TableInfo{Persistence: 'p'}
		if t1, ok := p.from.Catalog.Table(t2.QName); ok && p.partitions[t2.QName] != partitionRecreated && !p.recreated(t2.QName) {
			have = t1
		}
		var clauses []string
		switch {
		case have.Persistence != 'u' && t2.Persistence == 'u':
			clauses = append(clauses, "SET UNLOGGED")
		case have.Persistence == 'u' && t2.Persistence != 'u':
			clauses = append(clauses, "SET LOGGED")
		}
		set, reset := optionChanges(parseOptions(have.Options), parseOptions(t2.Options))
		if len(set) > 0 {
			clauses = append(clauses, "SET ("+strings.Join(set, ", ")+")")
		}
		if len(reset) > 0 {
			clauses = append(clauses, "RESET ("+strings.Join(reset, ", ")+")")
		}
		if len(clauses) > 0 {
			p.post = append(p.post, Stmt{
				SQL:     fmt.Sprintf("ALTER TABLE %s %s", t2.QName, strings.Join(clauses, ", ")),
				Comment: fmt.Sprintf("set the storage of table %s", t2.Name),
			})
		}
	}
	return nil
}

// parseOptions reads "k=v, k2=v2" (reloptions joined) into a map.
func parseOptions(s string) map[string]string {
	m := map[string]string{}
	if s == "" {
		return m
	}
	for _, kv := range strings.Split(s, ", ") {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// optionChanges returns the k=v to set and the keys to reset, sorted.
func optionChanges(have, want map[string]string) (set, reset []string) {
	for k, v := range want {
		if hv, ok := have[k]; !ok || hv != v {
			set = append(set, k+"="+v)
		}
	}
	for k := range have {
		if _, ok := want[k]; !ok {
			reset = append(reset, k)
		}
	}
	sort.Strings(set)
	sort.Strings(reset)
	return set, reset
}
