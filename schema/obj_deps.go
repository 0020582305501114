package schema

import (
	"context"
	"database/sql"
	"sort"

	atlas "ariga.io/atlas/sql/schema"
)

// objIndex resolves user objects by oid to the PgRef that names them.
type objIndex struct {
	rels  map[int64]relEntry // pg_class
	types map[int64]PgRef    // pg_type
	procs map[int64]PgRef    // pg_proc
	nsps  map[int64]string   // pg_namespace
	exts  map[string]PgRef   // extension members, by oidKey
}

type relEntry struct {
	schema, name string
	kind         byte  // relkind
	typeOID      int64 // reltype of a composite type's relation
}

// ref names relation oid (column sub when sub > 0).
func (x *objIndex) relRef(oid int64, attname string) (PgRef, bool) {
	e, ok := x.rels[oid]
	if !ok {
		return PgRef{}, false
	}
	switch e.kind {
	case 'r', 'p':
		if attname != "" {
			return PgRef{Kind: PgKindColumn, Schema: e.schema, Name: e.name, Sub: attname}, true
		}
		return TableRef(e.schema, e.name), true
	case 'v':
		return PgRef{Kind: PgKindView, Schema: e.schema, Name: e.name}, true
	case 'm':
		return PgRef{Kind: PgKindMatView, Schema: e.schema, Name: e.name}, true
	case 'S':
		return PgRef{Kind: PgKindSequence, Schema: e.schema, Name: e.name}, true
	case 'c':
		if t, ok := x.types[e.typeOID]; ok {
			return t, true
		}
	case 'f':
		return PgRef{Kind: PgKindForeignTable, Schema: e.schema, Name: e.name}, true
	}
	return PgRef{}, false
}

// The names are text: a union's column takes the type of its first
// branch, and as name (63 bytes) it would cut a function's signature.
const indexQuery = `
SELECT 'c', c.oid::int8, n.nspname, c.relname::text, c.relkind::text, c.reltype::int8, 0::int8
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'c', 'f')
UNION ALL
SELECT 't', t.oid::int8, n.nspname, t.typname, t.typtype::text,
	CASE WHEN t.typtype = 'm' THEN (SELECT r.rngtypid FROM pg_catalog.pg_range r WHERE r.rngmultitypid = t.oid) ELSE t.typelem END::int8,
	t.typrelid::int8
FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = ANY($1)
UNION ALL
SELECT 'p', p.oid::int8, n.nspname, p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')', p.prokind::text, 0, 0
FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = ANY($1)
UNION ALL
SELECT 'n', n.oid::int8, n.nspname, '', '', 0, 0 FROM pg_catalog.pg_namespace n WHERE n.nspname = ANY($1)
UNION ALL
SELECT 'e:' || d.classid::regclass::text, d.objid::int8, '', x.extname, '', 0, 0
FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension x ON x.oid = d.refobjid
WHERE d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e'
UNION ALL
SELECT 'x', x.oid::int8, '', x.extname, '', 0, 0 FROM pg_catalog.pg_extension x`

// readIndex reads the oids of the user relations, types, functions and
// schemas, and of extension members.
func (in *objInspector) readIndex(ctx context.Context) error {
	x := &objIndex{
		rels: map[int64]relEntry{}, types: map[int64]PgRef{}, procs: map[int64]PgRef{},
		nsps: map[int64]string{}, exts: map[string]PgRef{},
	}
	type typeRow struct {
		oid, elem, rel int64
		schema, name   string
		kind           byte
	}
	var typeRows []typeRow
	err := in.query(ctx, indexQuery, func(rows *sql.Rows) error {
		var (
			cat, schemaName, name, kind string
			oid, a, b                   int64
		)
		if err := rows.Scan(&cat, &oid, &schemaName, &name, &kind, &a, &b); err != nil {
			return err
		}
		var k byte
		if kind != "" {
			k = kind[0]
		}
		switch {
		case cat == "c":
			x.rels[oid] = relEntry{schema: schemaName, name: name, kind: k, typeOID: a}
		case cat == "t":
			typeRows = append(typeRows, typeRow{oid: oid, elem: a, rel: b, schema: schemaName, name: name, kind: k})
		case cat == "p":
			pk := PgKindFunction
			switch k {
			case 'p':
				pk = PgKindProcedure
			case 'a':
				pk = PgKindAggregate
			}
			x.procs[oid] = PgRef{Kind: pk, Schema: schemaName, Name: name}
		case cat == "n":
			x.nsps[oid] = schemaName
		case cat == "x":
			x.exts[oidKey("pg_extension", oid)] = PgRef{Kind: PgKindExtension, Name: name}
		default: // "e:<catalog>"
			x.exts[oidKey(cat[2:], oid)] = PgRef{Kind: PgKindExtension, Name: name}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, t := range typeRows {
		switch t.kind {
		case 'd':
			x.types[t.oid] = PgRef{Kind: PgKindDomain, Schema: t.schema, Name: t.name}
		case 'e':
			x.types[t.oid] = PgRef{Kind: PgKindEnum, Schema: t.schema, Name: t.name}
		case 'r':
			x.types[t.oid] = PgRef{Kind: PgKindRange, Schema: t.schema, Name: t.name}
		case 'c':
			if e, ok := x.rels[t.rel]; ok && e.kind != 'c' {
				if r, ok := x.relRef(t.rel, ""); ok {
					x.types[t.oid] = r
				}
			} else {
				x.types[t.oid] = PgRef{Kind: PgKindComposite, Schema: t.schema, Name: t.name}
			}
		case 'b', 'p':
			x.types[t.oid] = PgRef{Kind: PgKindOther, Schema: t.schema, Name: t.name, Sub: "type"}
		}
	}
	// Array and multirange types stand for their element or range type
	// (a multirange's row carries its range in the element's place). An
	// array is a base type (typtype 'b') to the loop above: it stands for
	// its element all the same when that is a composite, enum, domain,
	// range or table type, so that a function taking spec[] is created
	// after spec.
	for _, t := range typeRows {
		cur, ok := x.types[t.oid]
		if t.elem == 0 || ok && cur.Kind != PgKindOther {
			continue
		}
		if e, found := x.types[t.elem]; found && (!ok || e.Kind != PgKindOther) {
			x.types[t.oid] = e
		}
	}
	in.idx = x
	return nil
}

// depsQuery lists the normal and automatic dependencies between user
// objects. The dependent side is mapped to the object that owns it: a
// view's rewrite rule to the view, a default to its table, a constraint
// to its table or domain, an index to its table or materialized view.
const depsQuery = `
SELECT
	CASE d.classid
		WHEN 'pg_catalog.pg_rewrite'::regclass THEN CASE WHEN rw.rulename = '_RETURN' THEN 'pg_class' ELSE 'pg_rewrite' END
		WHEN 'pg_catalog.pg_attrdef'::regclass THEN 'pg_class'
		WHEN 'pg_catalog.pg_constraint'::regclass THEN CASE WHEN co.conrelid <> 0 THEN 'pg_class' ELSE 'pg_type' END
		ELSE d.classid::regclass::text END,
	CASE d.classid
		WHEN 'pg_catalog.pg_rewrite'::regclass THEN CASE WHEN rw.rulename = '_RETURN' THEN rw.ev_class ELSE rw.oid END::int8
		WHEN 'pg_catalog.pg_attrdef'::regclass THEN ad.adrelid::int8
		WHEN 'pg_catalog.pg_constraint'::regclass THEN (CASE WHEN co.conrelid <> 0 THEN co.conrelid ELSE co.contypid END)::int8
		WHEN 'pg_catalog.pg_class'::regclass THEN COALESCE(ix.indrelid, d.objid)::int8
		ELSE d.objid::int8 END,
	d.classid = 'pg_catalog.pg_class'::regclass AND ix.indrelid IS NULL AND d.objsubid = 0 AND d.deptype = 'a',
	d.refclassid::regclass::text, d.refobjid::int8, COALESCE(a.attname, '')
FROM pg_catalog.pg_depend d
LEFT JOIN pg_catalog.pg_rewrite rw ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND rw.oid = d.objid
LEFT JOIN pg_catalog.pg_attrdef ad ON d.classid = 'pg_catalog.pg_attrdef'::regclass AND ad.oid = d.objid
LEFT JOIN pg_catalog.pg_constraint co ON d.classid = 'pg_catalog.pg_constraint'::regclass AND co.oid = d.objid
LEFT JOIN pg_catalog.pg_index ix ON d.classid = 'pg_catalog.pg_class'::regclass AND ix.indexrelid = d.objid
LEFT JOIN pg_catalog.pg_attribute a ON d.refclassid = 'pg_catalog.pg_class'::regclass AND a.attrelid = d.refobjid AND a.attnum = d.refobjsubid AND d.refobjsubid > 0
WHERE d.deptype IN ('n', 'a') AND d.objid >= 16384 AND d.refobjid >= 16384`

// readDeps attaches the dependencies of every object read and of Atlas's
// tables.
func (in *objInspector) readDeps(ctx context.Context) error {
	objDeps := map[PgObject]map[PgRef]bool{}
	tableDeps := map[PgRef]map[PgRef]bool{}
	err := in.queryArgs(ctx, depsQuery, nil, func(rows *sql.Rows) error {
		var (
			ownCat, refCat, attname string
			ownOID, refOID          int64
			ownedBy                 bool
		)
		if err := rows.Scan(&ownCat, &ownOID, &ownedBy, &refCat, &refOID, &attname); err != nil {
			return err
		}
		if ownedBy {
			// A sequence's OWNED BY, or a composite type's relation: not
			// an ordering dependency (OWNED BY is planned on its own).
			return nil
		}
		ref, ok := in.resolve(refCat, refOID, attname)
		if !ok {
			return nil
		}
		if o, ok := in.byOID[oidKey(ownCat, ownOID)]; ok {
			if ref.Owner() == o.Ref() || ref == o.Ref() {
				// An object's own parts, or a view's rule on the view
				// (its OLD and NEW entries before PostgreSQL 16, or a
				// query that reads the view: readViews tells them apart).
				return nil
			}
			if objDeps[o] == nil {
				objDeps[o] = map[PgRef]bool{}
			}
			objDeps[o][ref] = true
			return nil
		}
		if ownCat == "pg_class" {
			if e, ok := in.idx.rels[ownOID]; ok && (e.kind == 'r' || e.kind == 'p') {
				t := TableRef(e.schema, e.name)
				if ref.Owner() == t {
					return nil
				}
				if tableDeps[t] == nil {
					tableDeps[t] = map[PgRef]bool{}
				}
				tableDeps[t][ref] = true
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for o, refs := range objDeps {
		h := o.(headed).header()
		h.DependsOn = sortedRefs(refs)
	}
	if in.tableDeps != nil {
		for t, refs := range tableDeps {
			in.tableDeps[t] = refs
		}
		return nil
	}
	addTableDeps(in.r, tableDeps)
	return nil
}

// addTableDeps records on each table of r (attribute PgTableDeps) the
// objects it depends on.
func addTableDeps(r *atlas.Realm, tableDeps map[PgRef]map[PgRef]bool) {
	for t, refs := range tableDeps {
		s, ok := r.Schema(t.Schema)
		if !ok {
			continue
		}
		if tt, ok := s.Table(t.Name); ok {
			tt.AddAttrs(&PgTableDeps{Refs: sortedRefs(refs)})
		}
	}
}

// resolve names the referenced object of a dependency.
func (in *objInspector) resolve(catalog string, oid int64, attname string) (PgRef, bool) {
	if e, ok := in.idx.exts[oidKey(catalog, oid)]; ok {
		return e, true
	}
	if b, ok := in.byOID[oidKey(catalog, oid)].(*PgBaseType); ok {
		// A base type, its array type or one of its I/O functions.
		return b.Ref(), true
	}
	switch catalog {
	case "pg_class":
		return in.idx.relRef(oid, attname)
	case "pg_type":
		r, ok := in.idx.types[oid]
		return r, ok
	case "pg_proc":
		r, ok := in.idx.procs[oid]
		return r, ok
	case "pg_namespace":
		n, ok := in.idx.nsps[oid]
		return PgRef{Kind: PgKindSchema, Name: n}, ok
	}
	if o, ok := in.byOID[oidKey(catalog, oid)]; ok {
		return o.Ref(), true
	}
	return PgRef{}, false
}

func sortedRefs(m map[PgRef]bool) []PgRef {
	out := make([]PgRef, 0, len(m))
	for r := range m {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}
