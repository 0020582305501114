package diff

import (
	"fmt"
	"sort"
	"strings"

	"github.com/schemactl/schemactl/schema"
)

// tableProperties plans what Atlas's open-source driver does not model of
// a table: UNLOGGED, storage parameters (WITH (fillfactor = 70, ...)) and
// the index CLUSTER uses (CLUSTER ON, SET WITHOUT CLUSTER).
// It runs after the tables (and partitions) are created.
func (p *planner) tableProperties() error {
	for _, t2 := range p.to.Catalog.Tables {
		have := &schema.TableInfo{Persistence: 'p'}
		if t1, ok := p.from.Catalog.Table(t2.QName); ok && p.partitions[t2.QName] != partitionRecreated && !p.recreated(t2.QName) {
			have = t1
		}
		var clauses []string
		persistence := false
		switch {
		case have.Persistence != 'u' && t2.Persistence == 'u':
			clauses = append(clauses, "SET UNLOGGED")
			persistence = true
		case have.Persistence == 'u' && t2.Persistence != 'u':
			clauses = append(clauses, "SET LOGGED")
			persistence = true
		}
		set, reset := optionChanges(parseOptions(have.Options), parseOptions(t2.Options))
		if len(set) > 0 {
			clauses = append(clauses, "SET ("+strings.Join(set, ", ")+")")
		}
		if len(reset) > 0 {
			clauses = append(clauses, "RESET ("+strings.Join(reset, ", ")+")")
		}
		cluster := have.ClusterIndex
		if p.indexChanged[indexKey{t2.QName, cluster}] {
			cluster = "" // the index is created again, unmarked
		}
		switch {
		case cluster != t2.ClusterIndex && t2.ClusterIndex != "":
			clauses = append(clauses, "CLUSTER ON "+schema.QuoteIdent(t2.ClusterIndex))
		case cluster != "" && t2.ClusterIndex == "":
			clauses = append(clauses, "SET WITHOUT CLUSTER")
		}
		if len(clauses) > 0 {
			p.post = append(p.post, Stmt{
				SQL:     fmt.Sprintf("ALTER TABLE %s %s", t2.QName, strings.Join(clauses, ", ")),
				Comment: fmt.Sprintf("set the storage of table %s", t2.Name),
			})
		}
		if persistence {
			p.post = append(p.post, p.ownedSequencesPersistence(t2)...)
		}
	}
	return nil
}

// ownedSequencesPersistence puts back the persistence of the sequences
// that table t owns where it is not the table's: ALTER TABLE ... SET
// LOGGED / UNLOGGED makes the sequences the table owns follow it, and a
// pg_dump of an unlogged table keeps its serial sequence logged (CREATE
// SEQUENCE, then OWNED BY, which leaves the persistence alone).
func (p *planner) ownedSequencesPersistence(t *schema.TableInfo) []Stmt {
	var out []Stmt
	for _, s := range p.to.Catalog.Sequences {
		if s.OwnedBy == nil || s.OwnedBy.Table != t.QName || s.Unlogged == (t.Persistence == 'u') {
			continue
		}
		out = append(out, sequencePersistence(&schema.Sequence{Unlogged: !s.Unlogged}, s)...)
	}
	return out
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
