package schema

import (
	"sort"

	atlas "ariga.io/atlas/sql/schema"
)

// PgKind names a kind of PostgreSQL object in a PgRef.
type PgKind string

// Kinds of objects that PgRefs name. Tables, columns, indexes, enums and
// schemas are modelled by Atlas; they appear here as dependency targets.
const (
	PgKindSchema            PgKind = "schema"
	PgKindTable             PgKind = "table"
	PgKindColumn            PgKind = "column"
	PgKindIndex             PgKind = "index"
	PgKindEnum              PgKind = "enum"
	PgKindView              PgKind = "view"
	PgKindMatView           PgKind = "materialized view"
	PgKindFunction          PgKind = "function"
	PgKindProcedure         PgKind = "procedure"
	PgKindAggregate         PgKind = "aggregate"
	PgKindTrigger           PgKind = "trigger"
	PgKindEventTrigger      PgKind = "event trigger"
	PgKindSequence          PgKind = "sequence"
	PgKindDomain            PgKind = "domain"
	PgKindComposite         PgKind = "composite type"
	PgKindRange             PgKind = "range type"
	PgKindExtension         PgKind = "extension"
	PgKindPolicy            PgKind = "policy"
	PgKindRowSecurity       PgKind = "row level security"
	PgKindPrivileges        PgKind = "privileges"
	PgKindDefaultPrivileges PgKind = "default privileges"
	PgKindOther             PgKind = "object"
	PgKindCollation         PgKind = "collation"
	PgKindStatistics        PgKind = "statistics"
	PgKindTSConfig          PgKind = "text search configuration"
	PgKindTSDict            PgKind = "text search dictionary"
	PgKindTSParser          PgKind = "text search parser"
	PgKindTSTemplate        PgKind = "text search template"
	PgKindConversion        PgKind = "conversion"
	PgKindOperator          PgKind = "operator"
	PgKindOpFamily          PgKind = "operator family"
	PgKindOpClass           PgKind = "operator class"
)

// Kinds of the foreign-data, rule, cast, replication and language objects
// (obj_fdw.go, obj_rule.go, obj_cast.go, obj_pub.go, obj_lang.go).
const (
	PgKindForeignWrapper PgKind = "foreign-data wrapper"
	PgKindForeignServer  PgKind = "server"
	PgKindUserMapping    PgKind = "user mapping"
	PgKindForeignTable   PgKind = "foreign table"
	PgKindRule           PgKind = "rule"
	PgKindCast           PgKind = "cast"
	PgKindPublication    PgKind = "publication"
	PgKindLanguage       PgKind = "language"
	PgKindAccessMethod   PgKind = "access method"
	PgKindTransform      PgKind = "transform"
)

// PgRef names one database object: Schema is empty for database-level
// objects, Name holds the argument types of functions ("f(integer)"), and
// Sub names the column, trigger or policy of a table-scoped object.
type PgRef struct {
	Kind   PgKind
	Schema string
	Name   string
	Sub    string
}

// String describes the object for messages and keys, e.g.
// `view public.film_list` or `trigger last_updated on public.actor`.
func (r PgRef) String() string {
	q := r.Name
	if r.Schema != "" {
		q = r.Schema + "." + r.Name
	}
	switch r.Kind {
	case PgKindColumn:
		return string(r.Kind) + " " + q + "." + r.Sub
	case PgKindTrigger, PgKindPolicy, PgKindRule:
		return string(r.Kind) + " " + r.Sub + " on " + q
	case PgKindPrivileges:
		return string(r.Kind) + " on " + r.Sub + " " + q
	}
	if r.Sub != "" {
		return string(r.Kind) + " " + q + " " + r.Sub
	}
	return string(r.Kind) + " " + q
}

// Owner returns the object that owns r: the table of a column, r itself
// otherwise.
func (r PgRef) Owner() PgRef {
	if r.Kind == PgKindColumn {
		return PgRef{Kind: PgKindTable, Schema: r.Schema, Name: r.Name}
	}
	return r
}

// TableRef returns the reference of an Atlas table.
func TableRef(schemaName, table string) PgRef {
	return PgRef{Kind: PgKindTable, Schema: schemaName, Name: table}
}

// PgObject is an object that schemactl models beside Atlas's tables. Each
// kind is a type of this package; all are kept in atlas Schema.Objects
// (schema-level) or Realm.Objects (database-level).
type PgObject interface {
	atlas.Object
	// Ref names the object.
	Ref() PgRef
	// Deps lists the objects this one depends on, as recorded in
	// pg_depend (and pg_rewrite for views).
	Deps() []PgRef
	// CommentText is the COMMENT ON text of the object, "" when none.
	CommentText() string
	// QualifiedSQL is the object's name as SQL, quoted and qualified by
	// PostgreSQL itself (e.g. public."bıgınt" or public.f(integer)).
	QualifiedSQL() string
}

// PgHeader holds what every PgObject has. It is embedded in each kind.
type PgHeader struct {
	atlas.Object
	// ID names the object.
	ID PgRef
	// SQLName is the quoted, schema-qualified name as PostgreSQL prints it.
	SQLName string
	// Comment is the object's comment.
	Comment string
	// DependsOn lists the objects this one depends on.
	DependsOn []PgRef
}

// Ref implements PgObject.
func (h *PgHeader) Ref() PgRef { return h.ID }

// Deps implements PgObject.
func (h *PgHeader) Deps() []PgRef { return h.DependsOn }

// CommentText implements PgObject.
func (h *PgHeader) CommentText() string { return h.Comment }

// QualifiedSQL implements PgObject.
func (h *PgHeader) QualifiedSQL() string { return h.SQLName }

func (h *PgHeader) header() *PgHeader { return h }

type headed interface{ header() *PgHeader }

// PgTableDeps is an attribute of an Atlas table listing the objects of this
// package that the table (its columns, defaults, constraints and indexes)
// depends on, so that the planner creates them first and drops them last.
type PgTableDeps struct {
	atlas.Attr
	Refs []PgRef
}

// TableDeps returns the dependencies recorded on t, nil when none.
func TableDeps(t *atlas.Table) []PgRef {
	for _, a := range t.Attrs {
		if d, ok := a.(*PgTableDeps); ok {
			return d.Refs
		}
	}
	return nil
}

// Objects returns every PgObject of r (database-level first, then each
// schema's), sorted by kind and name.
func Objects(r *atlas.Realm) []PgObject {
	if r == nil {
		return nil
	}
	var out []PgObject
	for _, o := range r.Objects {
		if p, ok := o.(PgObject); ok {
			out = append(out, p)
		}
	}
	for _, s := range r.Schemas {
		for _, o := range s.Objects {
			if p, ok := o.(PgObject); ok {
				out = append(out, p)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Ref().String() < out[j].Ref().String()
	})
	return out
}

// ObjectCounts counts the PgObjects of r by kind.
func ObjectCounts(r *atlas.Realm) map[PgKind]int {
	m := map[PgKind]int{}
	for _, o := range Objects(r) {
		m[o.Ref().Kind]++
	}
	return m
}

// addObject attaches o to the schema named by its reference, or to the
// realm for database-level objects.
func addObject(r *atlas.Realm, o PgObject) bool {
	ref := o.Ref()
	if ref.Schema == "" {
		r.Objects = append(r.Objects, o)
		return true
	}
	s, ok := r.Schema(ref.Schema)
	if !ok {
		return false
	}
	s.Objects = append(s.Objects, o)
	return true
}
