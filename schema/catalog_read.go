package schema

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// Querier runs queries; *sql.DB, *sql.Conn and *sql.Tx are Queriers.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// notExt is the condition that keeps objects that belong to an extension
// out: %s is the catalog (e.g. pg_class) and %s the object's oid column.
const notExt = `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend xd WHERE xd.classid = 'pg_catalog.%s'::pg_catalog.regclass AND xd.objid = %s AND xd.deptype = 'e')`

func extFree(catalog, oid string) string { return fmt.Sprintf(notExt, catalog, oid) }

// userSchemas is the condition selecting user schemas of pg_namespace n.
var userSchemas = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
	AND n.nspname NOT LIKE 'pg\_temp\_%' AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
	AND ` + extFree("pg_namespace", "n.oid")

// ReadCatalog reads the objects of the given schemas (all user schemas
// when schemas is empty) from the database. The caller's connection must
// have an empty search_path (see Inspect) so that every name outside
// pg_catalog comes back schema-qualified.
func ReadCatalog(ctx context.Context, q Querier, schemas []string) (*Catalog, error) {
	return readCatalog(ctx, q, nil, schemas, nil)
}

// readCatalog is ReadCatalog that also keeps, for share (when not nil),
// the rows of Atlas's columns and indexes queries (catalog_shared.go). It
// reads them right after the tables, as Atlas's driver waits for them,
// the indexes on q2 at the same time as the columns when q2 is not nil
// (a transaction of the same snapshot); what it has not published when
// it returns is abandoned.
func readCatalog(ctx context.Context, q, q2 Querier, schemas []string, share *sharedCatalog) (*Catalog, error) {
	defer share.abandon()
	c := &Catalog{Schemas: map[string]string{}}
	if err := c.readSchemas(ctx, q, schemas); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(c.Schemas))
	for n := range c.Schemas {
		names = append(names, n)
	}
	if err := c.readTables(ctx, q, names); err != nil {
		return nil, fmt.Errorf("read tables from pg_catalog: %w", err)
	}
	readIndexes := func(ctx context.Context, q Querier, s []string) error { return c.readIndexes(ctx, q, s, share) }
	var indexes func() error
	if q2 != nil {
		// The indexes go into the tables' own lists and into a catalog of
		// their own for what is not modelled; the columns go into the
		// tables' column lists meanwhile.
		c.Table(QName{}) // the index by name, built before both read it
		ic := &Catalog{Tables: c.Tables, tables: c.tables}
		done := make(chan error, 1)
		go func() {
			err := ic.readIndexes(ctx, q2, names, share)
			if err == nil {
				err = readAtlasOnly(ctx, q2, names, share)
			}
			done <- err
		}()
		indexes = func() error {
			err := <-done
			c.Unmodelled = append(c.Unmodelled, ic.Unmodelled...)
			return err
		}
		readIndexes = func(context.Context, Querier, []string) error { return indexes() }
	}
	steps := []struct {
		what string
		fn   func(context.Context, Querier, []string) error
	}{
		{"columns", func(ctx context.Context, q Querier, s []string) error { return c.readColumns(ctx, q, s, share) }},
		{"indexes", readIndexes},
		{"constraints", c.readConstraints},
		{"Atlas's foreign keys and checks", func(ctx context.Context, q Querier, s []string) error {
			if q2 != nil {
				return nil // read with the indexes
			}
			return readAtlasOnly(ctx, q, s, share)
		}},
		{"sequences", c.readSequences},
		{"enums", c.readEnums},
		{"domains", c.readDomains},
		{"security labels", c.readSecurityLabels},
	}
	for i, s := range steps {
		if err := s.fn(ctx, q, names); err != nil {
			if indexes != nil && i == 0 {
				indexes() //nolint:errcheck // the first error is returned
			}
			return nil, fmt.Errorf("read %s from pg_catalog: %w", s.what, err)
		}
	}
	// Database-level objects (casts, foreign-data wrappers, servers,
	// publications, ...) are modelled by InspectObjects.
	sortObjects(c.Unmodelled)
	return c, nil
}

// securityLabelsQuery lists the security labels (SECURITY LABEL, which
// PostgreSQL accepts once a label provider such as sepgsql is loaded) on
// objects of the schemas, and on database-level objects of this database
// other than the schemas left out; labels on shared objects (roles,
// databases, tablespaces) live in pg_shseclabel, outside any state.
const securityLabelsQuery = `
SELECT COALESCE(n.nspname, ''), l.objtype, l.objname, l.provider
FROM pg_catalog.pg_seclabels l
	LEFT JOIN pg_catalog.pg_namespace n ON n.oid = l.objnamespace
WHERE l.objtype NOT IN ('role', 'database', 'tablespace')
	AND (n.nspname = ANY($1) OR (l.objnamespace IS NULL AND (l.objtype <> 'schema' OR l.objname = ANY($1))))
ORDER BY 1, 2, 3, 4`

// readSecurityLabels reports security labels as not modelled: no plan
// sets them, so they stop the commands that plan rather than go missing.
func (c *Catalog) readSecurityLabels(ctx context.Context, q Querier, schemas []string) error {
	return each(ctx, q, securityLabelsQuery, []any{schemas}, func(r *sql.Rows) error {
		var schema, objtype, name, provider string
		if err := r.Scan(&schema, &objtype, &name, &provider); err != nil {
			return err
		}
		c.Unmodelled = append(c.Unmodelled, Object{Kind: KindSecurityLabel, Schema: schema, Name: name,
			Detail: fmt.Sprintf("security label of provider %s on %s %s: not planned (set it with SECURITY LABEL yourself, or --exclude the object)", provider, objtype, name)})
		return nil
	})
}

// readAtlasOnly reads for share the rows of Atlas's foreign keys and
// check constraints queries, which the catalog reads its own way
// (readConstraints).
func readAtlasOnly(ctx context.Context, q Querier, schemas []string, share *sharedCatalog) error {
	if err := readShared(ctx, q, schemas, share, catalogFKs, sharedFKsQuery); err != nil {
		return err
	}
	return readShared(ctx, q, schemas, share, catalogChecks, sharedChecksQuery)
}

func (c *Catalog) readSchemas(ctx context.Context, q Querier, schemas []string) error {
	query := `SELECT n.nspname, COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = n.oid AND dsc.classoid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_namespace n WHERE ` + userSchemas
	var args []any
	if len(schemas) > 0 {
		query += ` AND n.nspname = ANY($1)`
		args = append(args, schemas)
	}
	return each(ctx, q, query, args, func(r *sql.Rows) error {
		var name, comment string
		if err := r.Scan(&name, &comment); err != nil {
			return err
		}
		c.Schemas[name] = comment
		return nil
	})
}

const catTablesQuery = `
SELECT n.nspname, c.relname, c.relkind, c.relpersistence,
	COALESCE(pn.nspname, ''), COALESCE(pc.relname, ''),
	COALESCE(pg_catalog.pg_get_expr(c.relpartbound, c.oid), ''),
	CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) ELSE '' END,
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = c.oid AND dsc.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dsc.objsubid = 0), ''),
	c.relrowsecurity, c.relforcerowsecurity,
	COALESCE((SELECT pg_catalog.string_agg(o, ', ' ORDER BY o) FROM pg_catalog.unnest(c.reloptions) o), ''),
	COALESCE((SELECT pg_catalog.json_agg(pg_catalog.json_build_array(ipn.nspname, ipc.relname) ORDER BY i.inhseqno)::text
		FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class ipc ON ipc.oid = i.inhparent JOIN pg_catalog.pg_namespace ipn ON ipn.oid = ipc.relnamespace
		WHERE i.inhrelid = c.oid AND NOT c.relispartition), ''),
	c.relacl IS NOT NULL,
	COALESCE(am.amname, ''),
	c.relreplident::text,
	COALESCE((SELECT ri.relname FROM pg_catalog.pg_index rx JOIN pg_catalog.pg_class ri ON ri.oid = rx.indexrelid
		WHERE rx.indrelid = c.oid AND rx.indisreplident), ''),
	c.reltablespace <> 0
FROM pg_catalog.pg_class c
	JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	LEFT JOIN pg_catalog.pg_inherits pi ON c.relispartition AND pi.inhrelid = c.oid
	LEFT JOIN pg_catalog.pg_class pc ON pc.oid = pi.inhparent
	LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
	LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY($1) AND ` + "%s" + `
ORDER BY 1, 2`

func (c *Catalog) readTables(ctx context.Context, q Querier, schemas []string) error {
	return each(ctx, q, fmt.Sprintf(catTablesQuery, extFree("pg_class", "c.oid")), []any{schemas}, func(r *sql.Rows) error {
		var (
			t                                     = &TableInfo{}
			kind, persist, replident              string
			pSchema, pName, options, inherits, am string
			rls, forceRLS, hasACL, tablespace     bool
		)
		if err := r.Scan(&t.Schema, &t.Name, &kind, &persist, &pSchema, &pName, &t.Bound, &t.PartitionKey, &t.Comment,
			&rls, &forceRLS, &options, &inherits, &hasACL, &am, &replident, &t.ReplicaIndex, &tablespace); err != nil {
			return err
		}
		t.Kind, t.Persistence = kind[0], persist[0]
		if pName != "" {
			t.Parent = &QName{Schema: pSchema, Name: pName}
		}
		c.Tables = append(c.Tables, t)
		prop := func(detail string) {
			c.Unmodelled = append(c.Unmodelled, Object{Kind: KindTableProperty, Schema: t.Schema, Name: t.Name, Detail: detail})
		}
		// rls and forceRLS: modelled with the policies (obj_policy.go).
		t.Options = options
		if inherits != "" {
			if err := t.readInherits(inherits); err != nil {
				return err
			}
		}
		if hasACL {
			c.Unmodelled = append(c.Unmodelled, Object{Kind: KindPrivileges, Schema: t.Schema, Name: t.Name, Detail: "grants on table"})
		}
		if am != "" && am != "heap" {
			prop("access method " + am)
		}
		t.ReplicaIdentity = replident[0]
		if tablespace {
			prop("tablespace")
		}
		return nil
	})
}

func (c *Catalog) readColumns(ctx context.Context, q Querier, schemas []string, share *sharedCatalog) error {
	atlasRows := sharedTables(share, catalogColumns, schemas)
	keep := atlasRows != nil
	err := each(ctx, q, catColumnsQuery, []any{schemas}, func(r *sql.Rows) error {
		var (
			schema, typtype, identity, compression string
			storage, typStorage                    string
			seqSchema, seqName                     string
			col                                    = &ColumnInfo{}
			seq                                    SeqOptions
			hasACL                                 bool
		)
		vals, err := scanShared(r, 1+numAtlasColumns, &col.NotNull, &col.TypeName.Schema, &col.TypeName.Name, &identity, &col.Collation, &col.Local,
			&seqSchema, &seqName, &seq.Type, &seq.Start, &seq.Increment, &seq.Min, &seq.Max, &seq.Cache, &seq.Cycle,
			&hasACL, &col.Statistics, &compression, &storage, &typStorage, &col.Options)
		if err != nil {
			return err
		}
		schema = valString(vals[0])
		av := vals[1:]
		table := valString(av[0])
		if keep {
			atlasRows[schema] = append(atlasRows[schema], sharedRow{table: table, vals: av})
		}
		t, ok := c.Table(QName{schema, table})
		if !ok {
			return nil // not a table, or one excluded from scope
		}
		col.Name, col.Type, col.Num = valString(av[1]), valString(av[3]), int(valInt(av[23]))
		col.Default, col.Generated, col.Comment = valString(av[5]), valString(av[18]), valString(av[19])
		typtype = valString(av[20])
		if typtype == "" {
			return fmt.Errorf("column %s.%s.%s: no type kind", schema, table, col.Name)
		}
		col.TypeKind = typtype[0]
		if identity != "" {
			col.Identity = identity[0]
			if seqName != "" {
				col.IdentitySeq = &IdentitySeq{Name: QName{seqSchema, seqName}, SeqOptions: seq}
			}
		}
		t.Columns = append(t.Columns, col)
		if hasACL {
			c.Unmodelled = append(c.Unmodelled, Object{Kind: KindPrivileges, Schema: schema, Table: table, Name: col.Name, Detail: "grants on column"})
		}
		col.Storage, col.TypeStorage = storage[0], typStorage[0]
		col.Compression = map[string]string{"p": "pglz", "l": "lz4"}[compression]
		return nil
	})
	if err == nil {
		share.publish(catalogColumns, atlasRows)
	}
	return err
}

const catConstraintsQuery = `
SELECT n.nspname, c.relname, k.conname, k.contype::text, pg_catalog.pg_get_constraintdef(k.oid),
	k.conparentid <> 0 OR k.coninhcount > 0, k.conislocal, COALESCE(pk.conname, ''),
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = k.oid AND dsc.classoid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND dsc.objsubid = 0), ''),
	CASE WHEN k.contype IN ('p', 'u', 'x', 'f') THEN COALESCE(ic.relname, '') ELSE '' END,
	COALESCE(rn.nspname, ''), COALESCE(rc.relname, '')
FROM pg_catalog.pg_constraint k
	JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
	JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	LEFT JOIN pg_catalog.pg_constraint pk ON pk.oid = k.conparentid
	LEFT JOIN pg_catalog.pg_class ic ON ic.oid = k.conindid
	LEFT JOIN pg_catalog.pg_class rc ON rc.oid = k.confrelid
	LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
WHERE k.contype IN ('c', 'f', 'p', 'u', 'x') AND c.relkind IN ('r', 'p') AND n.nspname = ANY($1) AND %s
ORDER BY 1, 2, 3`

func (c *Catalog) readConstraints(ctx context.Context, q Querier, schemas []string) error {
	return each(ctx, q, fmt.Sprintf(catConstraintsQuery, extFree("pg_class", "c.oid")), []any{schemas}, func(r *sql.Rows) error {
		var (
			schema, table, typ string
			refSchema, refName string
			k                  = &ConstraintInfo{}
		)
		if err := r.Scan(&schema, &table, &k.Name, &typ, &k.Def, &k.Inherited, &k.Local, &k.Parent, &k.Comment, &k.Index, &refSchema, &refName); err != nil {
			return err
		}
		if refName != "" {
			k.RefTable = &QName{Schema: refSchema, Name: refName}
		}
		k.Type = typ[0]
		if t, ok := c.Table(QName{schema, table}); ok {
			t.Constraints = append(t.Constraints, k)
		}
		return nil
	})
}

func (c *Catalog) readIndexes(ctx context.Context, q Querier, schemas []string, share *sharedCatalog) error {
	// What Atlas reads of INCLUDE columns (from 11) and NULLS NOT
	// DISTINCT (from 15) depends on the server.
	var version int
	if err := each(ctx, q, "SELECT pg_catalog.current_setting('server_version_num')::int", nil, func(r *sql.Rows) error {
		return r.Scan(&version)
	}); err != nil {
		return err
	}
	included, notDistinct := "false", "false"
	if version >= 110000 {
		included = atlasIncludedExpr
	}
	if version >= 150000 {
		notDistinct = atlasNotDistinctExpr
	}
	atlasRows := sharedTables(share, catalogIndexes, schemas)
	keep := atlasRows != nil
	err := each(ctx, q, fmt.Sprintf(catIndexesQuery, included, notDistinct), []any{schemas}, func(r *sql.Rows) error {
		var (
			first, valid, clustered bool
			attNames                string
			idx                     = &IndexInfo{}
		)
		vals, err := scanShared(r, 1+numAtlasIndexColumns, &first, &idx.Def, &idx.Constraint, &idx.Parent, &valid, &clustered, &attNames, &idx.Statistics)
		if err != nil {
			return err
		}
		schema := valString(vals[0])
		av := vals[1:]
		table := valString(av[0])
		if keep {
			atlasRows[schema] = append(atlasRows[schema], sharedRow{table: table, vals: av})
		}
		if !first {
			return nil
		}
		t, ok := c.Table(QName{schema, table})
		if !ok {
			return nil // not a table, or one excluded from scope
		}
		idx.Name, idx.Comment = valString(av[1]), valString(av[14])
		if err := json.Unmarshal([]byte(attNames), &idx.AttNames); err != nil {
			return fmt.Errorf("index %s.%s: column names %s: %w", schema, idx.Name, attNames, err)
		}
		idx.Def = sortIndexOptions(idx.Def)
		t.Indexes = append(t.Indexes, idx)
		if clustered {
			t.ClusterIndex = idx.Name
		}
		if !valid {
			why := "invalid (a failed CREATE INDEX CONCURRENTLY)"
			if t.Kind == 'p' {
				// PostgreSQL marks an index of a partitioned table invalid
				// until every partition has its index attached.
				why = "invalid: created ON ONLY the partitioned table and not yet attached on every partition (ALTER INDEX ... ATTACH PARTITION)"
			}
			c.Unmodelled = append(c.Unmodelled, Object{Kind: KindIndex, Schema: schema, Table: table, Name: idx.Name, Detail: why})
		}
		return nil
	})
	if err == nil {
		share.publish(catalogIndexes, atlasRows)
	}
	return err
}

const catSequencesQuery = `
SELECT n.nspname, c.relname, pg_catalog.format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = c.oid AND dsc.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dsc.objsubid = 0), ''),
	COALESCE(d.deptype::text, ''), COALESCE(tn.nspname, ''), COALESCE(tc.relname, ''), COALESCE(a.attname, ''),
	c.relacl IS NOT NULL, c.relpersistence = 'u'
FROM pg_catalog.pg_sequence s
	JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid
	JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
		AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
	LEFT JOIN pg_catalog.pg_class tc ON tc.oid = d.refobjid
	LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
	LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE n.nspname = ANY($1) AND %s
ORDER BY 1, 2`

func (c *Catalog) readSequences(ctx context.Context, q Querier, schemas []string) error {
	return each(ctx, q, fmt.Sprintf(catSequencesQuery, extFree("pg_class", "c.oid")), []any{schemas}, func(r *sql.Rows) error {
		var (
			s                            = &Sequence{}
			deptype, tSchema, tName, col string
			hasACL, unlogged             bool
		)
		if err := r.Scan(&s.Schema, &s.Name, &s.Type, &s.Start, &s.Increment, &s.Min, &s.Max, &s.Cache, &s.Cycle,
			&s.Comment, &deptype, &tSchema, &tName, &col, &hasACL, &unlogged); err != nil {
			return err
		}
		if deptype == "i" {
			return nil // the sequence of an identity column: part of the column
		}
		if deptype == "a" {
			s.OwnedBy = &ColumnRef{Table: QName{tSchema, tName}, Column: col}
		}
		c.Sequences = append(c.Sequences, s)
		if hasACL {
			c.Unmodelled = append(c.Unmodelled, Object{Kind: KindPrivileges, Schema: s.Schema, Name: s.Name, Detail: "grants on sequence"})
		}
		s.Unlogged = unlogged
		return nil
	})
}

const catEnumsQuery = `
SELECT n.nspname, t.typname,
	pg_catalog.json_agg(e.enumlabel ORDER BY e.enumsortorder)::text,
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = t.oid AND dsc.classoid = 'pg_catalog.pg_type'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_type t
	JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
	LEFT JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid
WHERE t.typtype = 'e' AND n.nspname = ANY($1) AND %s
GROUP BY n.nspname, t.typname, t.oid
ORDER BY 1, 2`

func (c *Catalog) readEnums(ctx context.Context, q Querier, schemas []string) error {
	return each(ctx, q, fmt.Sprintf(catEnumsQuery, extFree("pg_type", "t.oid")), []any{schemas}, func(r *sql.Rows) error {
		var (
			e      = &Enum{}
			values string
		)
		if err := r.Scan(&e.Schema, &e.Name, &values, &e.Comment); err != nil {
			return err
		}
		var vs []*string
		if err := json.Unmarshal([]byte(values), &vs); err != nil {
			return fmt.Errorf("enum %s values: %w", e.Name, err)
		}
		for _, v := range vs {
			if v != nil {
				e.Values = append(e.Values, *v)
			}
		}
		c.Enums = append(c.Enums, e)
		return nil
	})
}

const catDomainsQuery = `
SELECT n.nspname, t.typname, pg_catalog.format_type(t.typbasetype, t.typtypmod), t.typnotnull,
	COALESCE(t.typdefault, ''),
	CASE WHEN t.typcollation <> 0 AND t.typcollation <> bt.typcollation
		THEN pg_catalog.quote_ident(con.nspname) || '.' || pg_catalog.quote_ident(co.collname) ELSE '' END,
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = t.oid AND dsc.classoid = 'pg_catalog.pg_type'::pg_catalog.regclass AND dsc.objsubid = 0), ''),
	COALESCE((SELECT pg_catalog.json_agg(pg_catalog.json_build_array(k.conname, pg_catalog.pg_get_constraintdef(k.oid)) ORDER BY k.conname)
		FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c')::text, '[]'),
	t.typacl IS NOT NULL
FROM pg_catalog.pg_type t
	JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
	JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
	LEFT JOIN pg_catalog.pg_collation co ON co.oid = t.typcollation
	LEFT JOIN pg_catalog.pg_namespace con ON con.oid = co.collnamespace
WHERE t.typtype = 'd' AND n.nspname = ANY($1) AND %s
ORDER BY 1, 2`

func (c *Catalog) readDomains(ctx context.Context, q Querier, schemas []string) error {
	return each(ctx, q, fmt.Sprintf(catDomainsQuery, extFree("pg_type", "t.oid")), []any{schemas}, func(r *sql.Rows) error {
		var (
			d      = &Domain{}
			checks string
			hasACL bool
		)
		if err := r.Scan(&d.Schema, &d.Name, &d.BaseType, &d.NotNull, &d.Default, &d.Collation, &d.Comment, &checks, &hasACL); err != nil {
			return err
		}
		var cs [][2]string
		if err := json.Unmarshal([]byte(checks), &cs); err != nil {
			return fmt.Errorf("domain %s constraints: %w", d.Name, err)
		}
		for _, k := range cs {
			d.Constraints = append(d.Constraints, DomainConstraint{Name: k[0], Def: k[1]})
		}
		c.Domains = append(c.Domains, d)
		if hasACL {
			c.Unmodelled = append(c.Unmodelled, Object{Kind: KindPrivileges, Schema: d.Schema, Name: d.Name, Detail: "grants on domain"})
		}
		return nil
	})
}

// each runs query and calls fn for every row.
func each(ctx context.Context, q Querier, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
