// Package erd draws entity-relationship diagrams of schema states: Mermaid
// erDiagram text and Graphviz dot. A Diagram is built from a state (Build)
// or from two (Compare, which marks what is added, changed and dropped),
// can be cut down to the neighbourhood of some tables (Around), and is
// written by Mermaid or Dot. Output is deterministic: entities sorted by
// schema and name, columns in table order, relationships sorted.
package erd

import "strings"

// Kind is what an entity is.
type Kind string

// Kinds of entities.
const (
	KindTable       Kind = "table"
	KindPartitioned Kind = "partitioned table"
	KindView        Kind = "view"
	KindMatView     Kind = "materialized view"
	KindForeign     Kind = "foreign table"
)

// Change says how an entity, attribute or relationship differs between
// the two states of a Compare; "" when it is the same (or when the diagram
// is of one state).
type Change string

// Changes.
const (
	Unchanged Change = ""
	Added     Change = "added"
	Changed   Change = "changed"
	Dropped   Change = "dropped"
)

// Name is a schema-qualified name.
type Name struct {
	Schema string
	Name   string
}

// String is schema.name, unquoted.
func (n Name) String() string { return n.Schema + "." + n.Name }

func (n Name) less(o Name) bool {
	if n.Schema != o.Schema {
		return n.Schema < o.Schema
	}
	return n.Name < o.Name
}

// Diagram is what a picture shows.
type Diagram struct {
	// Entities are sorted by schema and name.
	Entities []*Entity
	// Relations are sorted by child, parent and columns.
	Relations []*Relation
	// Compared is set for a diagram of two states (Compare).
	Compared bool
}

// Entity is a table, view, materialized view or foreign table.
type Entity struct {
	Name
	Kind Kind
	// Attrs are the columns in their order.
	Attrs []*Attr
	// Partitions is the number of partitions folded into a partitioned
	// table (sub-partitions included); PartitionKey its key, e.g.
	// "RANGE (payment_date)".
	Partitions   int
	PartitionKey string
	// Inherits are the parents of a table that inherits (INHERITS).
	Inherits []Name
	// Reads are the tables and views a view or materialized view reads.
	Reads []Name
	// Comment is the COMMENT ON text.
	Comment string
	Change  Change
	// was is the old name of a renamed table (MarkRenamed).
	was string
	// details is what else defines the entity (indexes, checks, options,
	// the view's query), compared to mark it changed.
	details string
}

// Attr is a column.
type Attr struct {
	Name string
	Type string
	// Note says what changed, e.g. "type text → integer, NOT NULL".
	Note    string
	NotNull bool
	PK      bool // part of the primary key
	FK      bool // part of a foreign key
	UK      bool // unique on its own (a single-column unique constraint or index)
	Comment string
	Change  Change
	// details is the rest of the column's definition (default, identity,
	// generation, collation), compared to mark it changed.
	details string
}

// Relation is a foreign key: the child's Columns reference the parent's
// RefColumns.
type Relation struct {
	// Name is the constraint's name (the first partition's for keys
	// defined on the partitions of a partitioned table).
	Name       string
	Child      Name
	Columns    []string
	Parent     Name
	RefColumns []string
	// Optional is set when a child row may have no parent (a column of
	// the key is nullable).
	Optional bool
	// OneToOne is set when the key columns are unique in the child, so a
	// parent row has at most one child row.
	OneToOne bool
	// Identifying is set when the key columns are part of the child's
	// primary key.
	Identifying bool
	// OnPartitions is set for a key defined on the partitions of a
	// partitioned table rather than on the table itself.
	OnPartitions bool
	Change       Change
	details      string
}

func (r *Relation) key() string {
	return r.Child.String() + "\x00" + r.Parent.String() + "\x00" + strings.Join(r.Columns, ",") + "\x00" + strings.Join(r.RefColumns, ",")
}

// Entity returns the named entity, nil if the diagram has none.
func (d *Diagram) Entity(n Name) *Entity {
	for _, e := range d.Entities {
		if e.Name == n {
			return e
		}
	}
	return nil
}

// schemas returns how many schemas the entities are in.
func (d *Diagram) schemas() int {
	seen := map[string]bool{}
	for _, e := range d.Entities {
		seen[e.Schema] = true
	}
	return len(seen)
}
