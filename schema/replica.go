package schema

import "strings"

// ReplicaIdentityClause is the REPLICA IDENTITY clause of ALTER TABLE that
// gives a table its replica identity: DEFAULT, FULL, NOTHING or USING
// INDEX "name".
func (t *TableInfo) ReplicaIdentityClause() string {
	switch t.ReplicaIdentity {
	case 'f':
		return "REPLICA IDENTITY FULL"
	case 'n':
		return "REPLICA IDENTITY NOTHING"
	case 'i':
		return "REPLICA IDENTITY USING INDEX " + QuoteIdent(t.ReplicaIndex)
	}
	return "REPLICA IDENTITY DEFAULT"
}

// HasReplicaIdentity reports whether the table's replica identity is not
// the default (the primary key).
func (t *TableInfo) HasReplicaIdentity() bool {
	return t.ReplicaIdentity != 0 && t.ReplicaIdentity != 'd'
}

// replicaDef describes the replica identity for Objects ("" for the
// default). A table whose replica identity index was dropped keeps 'i'
// with no index, which behaves as NOTHING; it is described as such.
func (t *TableInfo) replicaDef() string {
	if !t.HasReplicaIdentity() {
		return ""
	}
	if t.ReplicaIdentity == 'i' && t.ReplicaIndex == "" {
		return " REPLICA IDENTITY USING INDEX (dropped)"
	}
	return " " + t.ReplicaIdentityClause()
}

// columnOrder lists the columns in their order, for Objects: column order
// is part of a table's definition (SELECT *, COPY and INSERT without a
// column list depend on it). Partitions and inheritance children get
// theirs from their parents (pg_dump does not keep it either: their
// inherited columns come first when the dump is restored), so it is not
// part of theirs.
func (t *TableInfo) columnOrder() string {
	if t.IsPartition() || len(t.Inherits) > 0 {
		return "inherited"
	}
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = QuoteIdent(c.Name)
	}
	return strings.Join(names, ", ")
}
