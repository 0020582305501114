package schema

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Table inheritance (CREATE TABLE ... INHERITS, ALTER TABLE ... INHERIT):
// the catalog lists each table's parents (pg_inherits, partitions aside);
// package diff plans the relationships, and leaves to PostgreSQL the
// columns and checks a child gets from its parents.

// readInherits reads the JSON array of [schema, name] pairs of the
// table's parents.
func (t *TableInfo) readInherits(s string) error {
	var pairs [][2]string
	if err := json.Unmarshal([]byte(s), &pairs); err != nil {
		return fmt.Errorf("parents of table %s: %w", t.QName, err)
	}
	for _, p := range pairs {
		t.Inherits = append(t.Inherits, QName{Schema: p[0], Name: p[1]})
	}
	return nil
}

// InheritsFrom reports whether the table inherits from parent.
func (t *TableInfo) InheritsFrom(parent QName) bool {
	for _, p := range t.Inherits {
		if p == parent {
			return true
		}
	}
	return false
}

// inheritsDef describes the parents for Objects: " INHERITS (a, b)",
// sorted (the order of the parents is the order of the inherited
// columns, which Objects leaves out).
func (t *TableInfo) inheritsDef() string {
	if len(t.Inherits) == 0 {
		return ""
	}
	names := make([]string, len(t.Inherits))
	for i, p := range t.Inherits {
		names[i] = p.String()
	}
	sort.Strings(names)
	return " INHERITS (" + strings.Join(names, ", ") + ")"
}
