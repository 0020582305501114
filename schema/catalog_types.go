package schema

import (
	"fmt"
	"sort"
	"strings"

	"github.com/schemactl/schemactl/internal/pgquote"
)

// Kind names a kind of database object.
type Kind string

// Kinds that schemactl models (diffs and plans).
const (
	KindSchema     Kind = "schema"
	KindTable      Kind = "table"
	KindPartition  Kind = "partition"
	KindColumn     Kind = "column"
	KindConstraint Kind = "constraint"
	KindIndex      Kind = "index"
	KindSequence   Kind = "sequence"
	KindEnum       Kind = "enum"
	KindDomain     Kind = "domain"
)

// Kinds that are detected and reported but not modelled yet.
const (
	KindView              Kind = "view"
	KindMatView           Kind = "materialized view"
	KindForeignTable      Kind = "foreign table"
	KindFunction          Kind = "function"
	KindProcedure         Kind = "procedure"
	KindAggregate         Kind = "aggregate"
	KindTrigger           Kind = "trigger"
	KindEventTrigger      Kind = "event trigger"
	KindCompositeType     Kind = "composite type"
	KindRangeType         Kind = "range type"
	KindBaseType          Kind = "base type"
	KindExtension         Kind = "extension"
	KindPolicy            Kind = "policy"
	KindRule              Kind = "rule"
	KindCollation         Kind = "collation"
	KindOperator          Kind = "operator"
	KindOperatorClass     Kind = "operator class"
	KindOperatorFamily    Kind = "operator family"
	KindTextSearch        Kind = "text search object"
	KindConversion        Kind = "conversion"
	KindCast              Kind = "cast"
	KindStatistics        Kind = "extended statistics"
	KindPublication       Kind = "publication"
	KindForeignServer     Kind = "foreign server"
	KindForeignWrapper    Kind = "foreign-data wrapper"
	KindPrivileges        Kind = "privileges"
	KindDefaultPrivileges Kind = "default privileges"
	KindTableProperty     Kind = "table property"
	KindColumnProperty    Kind = "column property"
	KindSecurityLabel     Kind = "security label"
)

// Object is one object read from pg_catalog, named and described.
type Object struct {
	Kind   Kind
	Schema string // empty for database-level objects
	Table  string // the table a column, constraint, index, trigger, policy or rule belongs to
	Name   string
	// Def is a canonical description of the object (what PostgreSQL's
	// pg_get_*def functions print, plus its properties): two databases
	// hold the same object exactly when the Defs are equal.
	Def string
	// Detail says what about the object is not modelled, for reports.
	Detail string
}

// Key identifies the object within a database.
func (o Object) Key() string {
	return string(o.Kind) + " " + o.QualifiedName()
}

// QualifiedName is schema.table.name, without the empty parts.
func (o Object) QualifiedName() string {
	var parts []string
	for _, p := range []string{o.Schema, o.Table, o.Name} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ".")
}

// String describes the object for messages, e.g. `view public.film_list`.
func (o Object) String() string {
	s := string(o.Kind) + " " + o.QualifiedName()
	if o.Detail != "" {
		s += " (" + o.Detail + ")"
	}
	return s
}

// QName is a schema-qualified name.
type QName struct{ Schema, Name string }

// String quotes the name as SQL: "schema"."name".
func (q QName) String() string { return QuoteIdent(q.Schema) + "." + QuoteIdent(q.Name) }

// QuoteIdent quotes a PostgreSQL identifier.
func QuoteIdent(s string) string { return pgquote.Ident(s) }

// QuoteLiteral quotes a PostgreSQL string literal.
func QuoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// SeqOptions are the options of a sequence (standalone or identity).
type SeqOptions struct {
	Type      string // smallint, integer or bigint
	Start     int64
	Increment int64
	Min, Max  int64
	Cache     int64
	Cycle     bool
}

// String formats the options as a CREATE SEQUENCE clause list.
func (o SeqOptions) String() string {
	s := fmt.Sprintf("AS %s START WITH %d INCREMENT BY %d MINVALUE %d MAXVALUE %d CACHE %d", o.Type, o.Start, o.Increment, o.Min, o.Max, o.Cache)
	if o.Cycle {
		s += " CYCLE"
	} else {
		s += " NO CYCLE"
	}
	return s
}

// TableInfo is a table (or partitioned table, or partition) as read from
// pg_catalog.
type TableInfo struct {
	QName
	Kind         byte   // 'r' ordinary table, 'p' partitioned table
	Persistence  byte   // 'p' permanent, 'u' unlogged
	PartitionKey string // pg_get_partkeydef, for partitioned tables
	Parent       *QName // the partitioned table, for partitions
	// Inherits are the parents of a table that inherits (INHERITS), in
	// their order; partitions have none.
	Inherits []QName
	Bound    string // partition bound, e.g. FOR VALUES FROM (1) TO (10)
	Options  string // storage parameters, sorted, e.g. "autovacuum_enabled=false, fillfactor=70"
	// ReplicaIdentity is pg_class.relreplident: 'd' default (the primary
	// key), 'n' nothing, 'f' full, 'i' the index ReplicaIndex.
	ReplicaIdentity byte
	// ReplicaIndex is the index marked indisreplident, if any.
	ReplicaIndex string
	// ClusterIndex is the index CLUSTER uses (ALTER TABLE ... CLUSTER
	// ON, pg_index.indisclustered), if any.
	ClusterIndex string
	Comment      string
	Columns      []*ColumnInfo
	Constraints  []*ConstraintInfo
	Indexes      []*IndexInfo
}

// IsPartition reports whether the table is a partition of another.
func (t *TableInfo) IsPartition() bool { return t.Parent != nil }

// Column returns the named column.
func (t *TableInfo) Column(name string) (*ColumnInfo, bool) {
	for _, c := range t.Columns {
		if c.Name == name {
			return c, true
		}
	}
	return nil, false
}

// ColumnInfo is a table column as read from pg_catalog.
type ColumnInfo struct {
	Name        string
	Num         int
	Type        string // format_type, schema-qualified outside pg_catalog
	TypeKind    byte   // pg_type.typtype: b base, d domain, e enum, c composite, r range
	TypeName    QName
	NotNull     bool
	Default     string // pg_get_expr of the default ("" when none)
	Identity    byte   // 'a' ALWAYS, 'd' BY DEFAULT, 0 none
	IdentitySeq *IdentitySeq
	Generated   string // generation expression of a stored generated column
	Collation   string // qualified collation when not the type's default
	Comment     string
	Local       bool // attislocal
	// Statistics is the statistics target (SET STATISTICS), -1 for the
	// server's default.
	Statistics int
	// Storage is attstorage and TypeStorage the type's default: 'p'
	// plain, 'e' external, 'm' main, 'x' extended.
	Storage, TypeStorage byte
	// Compression is "pglz" or "lz4" when set (SET COMPRESSION), "" for
	// the server's default.
	Compression string
	// Options are the column's attribute options (SET (n_distinct = ...)),
	// sorted, e.g. "n_distinct=100, n_distinct_inherited=-0.5".
	Options string
}

// IdentitySeq is the sequence behind an identity column.
type IdentitySeq struct {
	Name QName
	SeqOptions
}

// ConstraintInfo is a table constraint as read from pg_catalog.
type ConstraintInfo struct {
	Name string
	Type byte   // c check, f foreign key, p primary key, u unique, x exclusion
	Def  string // pg_get_constraintdef
	// Inherited is true for constraints a partition (or child table) gets
	// from its parent.
	Inherited bool
	// Local is true for a constraint defined on the table itself
	// (conislocal), inherited too or not.
	Local bool
	// Parent is the name of the parent's constraint for constraints of a
	// partition cloned from a partitioned table.
	Parent  string
	Comment string
	// Index is the index behind a p, u or x constraint, or the index of
	// the referenced table a foreign key relies on.
	Index string
	// RefTable is the table a foreign key references.
	RefTable *QName
}

// IndexInfo is an index as read from pg_catalog.
type IndexInfo struct {
	Name       string
	Def        string // pg_get_indexdef: a complete CREATE INDEX statement
	Constraint string // the constraint the index implements, if any
	Parent     string // the partitioned index this partition index belongs to
	Comment    string
	// AttNames are the names of the index's columns (pg_attribute of the
	// index: a column's name, or a name PostgreSQL chose for an
	// expression), from which PostgreSQL names the indexes it creates for
	// the partitions of a partitioned index.
	AttNames []string
	// Statistics are the statistics targets set on the index's
	// expression columns (ALTER INDEX ... ALTER COLUMN 1 SET STATISTICS
	// 3000), by column number: "1=3000, 2=100"; "" when none is set.
	Statistics string
}

// Sequence is a sequence that is not the sequence of an identity column.
type Sequence struct {
	QName
	SeqOptions
	// OwnedBy is the column the sequence is owned by (ALTER SEQUENCE ...
	// OWNED BY), if any.
	OwnedBy *ColumnRef
	Comment string
	// Unlogged is set for an unlogged sequence (CREATE UNLOGGED SEQUENCE;
	// PostgreSQL makes the sequences an unlogged table owns unlogged).
	Unlogged bool
}

// ColumnRef names a column of a table.
type ColumnRef struct {
	Table  QName
	Column string
}

// Domain is a domain type.
type Domain struct {
	QName
	BaseType    string
	NotNull     bool
	Default     string
	Collation   string
	Constraints []DomainConstraint
	Comment     string
}

// DomainConstraint is a CHECK constraint of a domain.
type DomainConstraint struct {
	Name string
	Def  string
}

// Enum is an enum type.
type Enum struct {
	QName
	Values  []string
	Comment string
}

// Catalog is what the catalog reader found in a database.
type Catalog struct {
	// Schemas are the schemas in scope, with their comments.
	Schemas map[string]string
	// Tables are the tables in scope, partitions included.
	Tables    []*TableInfo
	Sequences []*Sequence
	Domains   []*Domain
	Enums     []*Enum
	// Unmodelled lists the objects schemactl detects but cannot model
	// yet, sorted by kind and name.
	Unmodelled []Object

	tables map[QName]*TableInfo
}

// Table returns the named table (or partition).
func (c *Catalog) Table(q QName) (*TableInfo, bool) {
	if c.tables == nil {
		c.tables = make(map[QName]*TableInfo, len(c.Tables))
		for _, t := range c.Tables {
			c.tables[t.QName] = t
		}
	}
	t, ok := c.tables[q]
	return t, ok
}

// Partitions returns the partitions in scope, parents before children.
func (c *Catalog) Partitions() []*TableInfo {
	var out []*TableInfo
	depth := func(t *TableInfo) int {
		d := 0
		for p := t.Parent; p != nil && d < 100; d++ {
			pt, ok := c.Table(*p)
			if !ok {
				break
			}
			p = pt.Parent
		}
		return d
	}
	for _, t := range c.Tables {
		if t.IsPartition() {
			out = append(out, t)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		di, dj := depth(out[i]), depth(out[j])
		if di != dj {
			return di < dj
		}
		if out[i].Schema != out[j].Schema {
			return out[i].Schema < out[j].Schema
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Sequence returns the named sequence.
func (c *Catalog) Sequence(q QName) (*Sequence, bool) {
	for _, s := range c.Sequences {
		if s.QName == q {
			return s, true
		}
	}
	return nil, false
}

// Domain returns the named domain.
func (c *Catalog) Domain(q QName) (*Domain, bool) {
	for _, d := range c.Domains {
		if d.QName == q {
			return d, true
		}
	}
	return nil, false
}

// Enum returns the named enum type.
func (c *Catalog) Enum(q QName) (*Enum, bool) {
	for _, e := range c.Enums {
		if e.QName == q {
			return e, true
		}
	}
	return nil, false
}

// Reindex must be called after tables are renamed in place.
func (c *Catalog) Reindex() { c.tables = nil }
