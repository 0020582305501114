package lint

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"ariga.io/atlas/sql/postgres"
	"ariga.io/atlas/sql/schema"
)

// The engine reads the realm itself, in Atlas's types, with one pg_catalog
// query: Atlas's InspectSchema runs seven queries (columns through
// information_schema), about 10 ms per call even for one table, which
// made inspection after every statement cost more than ten times the
// replay itself. The model holds what Atlas's analyzers and its diff
// look at: schemas, tables, columns (type, nullability, default),
// indexes (unique, parts, predicate), primary keys and foreign keys. The
// realms before and after a statement come from this same reader, so the
// Atlas diff between them sees exactly the statement's changes.

// realmTablesQuery returns one JSON row per table. $1 restricts it to
// table OIDs (NULL for every user table).
// tableJSON is one table (alias c, its namespace n) as a JSON array:
// schema, name, columns, indexes, foreign keys.
const tableJSON = `json_build_array(n.nspname, c.relname,
 array(SELECT json_build_array(a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
    CASE WHEN a.atthasdef THEN (SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum) END,
    a.attidentity, a.attgenerated)
   FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum),
 array(SELECT json_build_array(ic.relname, i.indisunique, i.indisprimary,
    array(SELECT json_build_array(CASE WHEN k.a <> 0 THEN (SELECT attname FROM pg_attribute WHERE attrelid = c.oid AND attnum = k.a) END,
       CASE WHEN k.a = 0 THEN pg_get_indexdef(i.indexrelid, k.n::int, true) END)
      FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(a, n) WHERE k.n <= i.indnkeyatts ORDER BY k.n),
    pg_get_expr(i.indpred, i.indrelid))
   FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = c.oid ORDER BY ic.relname),
 array(SELECT json_build_array(co.conname,
    array(SELECT (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = co.conrelid AND a.attnum = k.a)
      FROM unnest(co.conkey) WITH ORDINALITY AS k(a, n) ORDER BY k.n),
    rn.nspname, rc.relname,
    array(SELECT (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = co.confrelid AND a.attnum = k.a)
      FROM unnest(co.confkey) WITH ORDINALITY AS k(a, n) ORDER BY k.n),
    co.confupdtype, co.confdeltype)
   FROM pg_constraint co JOIN pg_class rc ON rc.oid = co.confrelid JOIN pg_namespace rn ON rn.oid = rc.relnamespace
   WHERE co.conrelid = c.oid AND co.contype = 'f' ORDER BY co.conname))`

// userTables restricts pg_class c (namespace n) to user tables.
const userTables = `c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
 AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'`

const realmTablesQuery = `SELECT ` + tableJSON + `
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ` + userTables + `
 AND ($1::text IS NULL OR c.oid = ANY($1::text::oid[]))
ORDER BY n.nspname, c.relname`

type jsonTable struct {
	schema, name string
	columns      [][]any
	indexes      [][]any
	fks          [][]any
}

// readTables reads tables (all when oids is nil) in Atlas's types. The
// tables' Schema fields are set by the caller.
func readTables(ctx context.Context, q schema.ExecQuerier, oids []uint32) (map[[2]string]*schema.Table, error) {
	var arg any // NULL: every table
	if oids != nil {
		a := make([]string, len(oids))
		for i, o := range oids {
			a[i] = strconv.FormatUint(uint64(o), 10)
		}
		arg = "{" + strings.Join(a, ",") + "}"
	}
	rows, err := q.QueryContext(ctx, realmTablesQuery, arg)
	if err != nil {
		return nil, fmt.Errorf("read tables: %w", err)
	}
	defer rows.Close()
	out := map[[2]string]*schema.Table{}
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, fmt.Errorf("read tables: %w", err)
		}
		if err := decodeTable(b, out); err != nil {
			return nil, err
		}
	}
	return out, rows.Err()
}

// decodeTable decodes one tableJSON value into out, in one pass over the
// JSON text.
func decodeTable(b []byte, out map[[2]string]*schema.Table) error {
	var row []any
	if err := json.Unmarshal(b, &row); err != nil {
		return fmt.Errorf("decode table: %w", err)
	}
	if len(row) != 5 {
		return fmt.Errorf("decode table: %d fields", len(row))
	}
	jt := jsonTable{schema: str(row[0]), name: str(row[1]),
		columns: arrays(row[2]), indexes: arrays(row[3]), fks: arrays(row[4])}
	out[[2]string{jt.schema, jt.name}] = buildTable(jt)
	return nil
}

// arrays reads a JSON array of arrays (null is empty).
func arrays(v any) [][]any {
	list, _ := v.([]any)
	out := make([][]any, 0, len(list))
	for _, e := range list {
		a, _ := e.([]any)
		out = append(out, a)
	}
	return out
}

func buildTable(jt jsonTable) *schema.Table {
	t := &schema.Table{Name: jt.name}
	cols := map[string]*schema.Column{}
	for _, c := range jt.columns {
		if len(c) != 6 {
			continue
		}
		raw := str(c[1])
		typ := parseType(raw)
		col := &schema.Column{Name: str(c[0]), Type: &schema.ColumnType{Type: typ, Raw: raw, Null: c[2] != true}}
		if def := str(c[3]); def != "" && str(c[5]) == "" {
			col.Default = &schema.RawExpr{X: def}
		}
		if g := str(c[5]); g != "" {
			col.Attrs = append(col.Attrs, &schema.GeneratedExpr{Expr: str(c[3]), Type: "STORED"})
		}
		if id := str(c[4]); id != "" {
			col.Attrs = append(col.Attrs, &postgres.Identity{Generation: identityGeneration(id)})
		}
		cols[col.Name] = col
		t.Columns = append(t.Columns, col)
	}
	for _, ix := range jt.indexes {
		if len(ix) != 5 {
			continue
		}
		idx := &schema.Index{Name: str(ix[0]), Unique: ix[1] == true, Table: t}
		parts, _ := ix[3].([]any)
		for i, p := range parts {
			pp, _ := p.([]any)
			if len(pp) != 2 {
				continue
			}
			part := &schema.IndexPart{SeqNo: i + 1}
			if c := cols[str(pp[0])]; c != nil {
				part.C = c
				c.Indexes = append(c.Indexes, idx)
			} else {
				part.X = &schema.RawExpr{X: str(pp[1])}
			}
			idx.Parts = append(idx.Parts, part)
		}
		if pred := str(ix[4]); pred != "" {
			idx.Attrs = append(idx.Attrs, &postgres.IndexPredicate{P: pred})
		}
		if ix[2] == true {
			t.PrimaryKey = idx
			continue
		}
		t.Indexes = append(t.Indexes, idx)
	}
	for _, fk := range jt.fks {
		if len(fk) != 7 {
			continue
		}
		ref := &schema.Table{Name: str(fk[3]), Schema: &schema.Schema{Name: str(fk[2])}}
		f := &schema.ForeignKey{Symbol: str(fk[0]), Table: t, RefTable: ref,
			OnUpdate: refAction(str(fk[5])), OnDelete: refAction(str(fk[6]))}
		names, _ := fk[1].([]any)
		for _, n := range names {
			if c := cols[str(n)]; c != nil {
				f.Columns = append(f.Columns, c)
				c.ForeignKeys = append(c.ForeignKeys, f)
			}
		}
		refs, _ := fk[4].([]any)
		for _, n := range refs {
			rc := &schema.Column{Name: str(n)}
			ref.Columns = append(ref.Columns, rc)
			f.RefColumns = append(f.RefColumns, rc)
		}
		t.ForeignKeys = append(t.ForeignKeys, f)
	}
	return t
}

func identityGeneration(c string) string {
	if c == "a" {
		return "ALWAYS"
	}
	return "BY DEFAULT"
}

func refAction(c string) schema.ReferenceOption {
	switch c {
	case "r":
		return schema.Restrict
	case "c":
		return schema.Cascade
	case "n":
		return schema.SetNull
	case "d":
		return schema.SetDefault
	}
	return schema.NoAction
}

// readRealm reads every user schema and table.
func readRealm(ctx context.Context, q schema.ExecQuerier, schemas map[string]bool) (*schema.Realm, error) {
	tables, err := readTables(ctx, q, nil)
	if err != nil {
		return nil, err
	}
	r := &schema.Realm{}
	byName := map[string]*schema.Schema{}
	for _, name := range sortedKeys(schemas) {
		s := &schema.Schema{Name: name, Realm: r}
		byName[name] = s
		r.Schemas = append(r.Schemas, s)
	}
	for _, key := range sortedTableKeys(tables) {
		s := byName[key[0]]
		if s == nil {
			continue
		}
		t := tables[key]
		t.Schema = s
		s.Tables = append(s.Tables, t)
	}
	return r, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

func sortedTableKeys(m map[[2]string]*schema.Table) [][2]string {
	out := make([][2]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortPairs(out)
	return out
}

func sortStrings(s []string) { sort.Strings(s) }

func sortPairs(p [][2]string) {
	sort.Slice(p, func(i, j int) bool {
		if p[i][0] != p[j][0] {
			return p[i][0] < p[j][0]
		}
		return p[i][1] < p[j][1]
	})
}

// parsedTypes caches postgres.ParseType, which is slow (regular
// expressions) and sees the same few type names over and over. Types are
// never modified after parsing, so columns can share them.
var parsedTypes sync.Map

func parseType(raw string) schema.Type {
	if t, ok := parsedTypes.Load(raw); ok {
		return t.(schema.Type)
	}
	t, err := postgres.ParseType(raw)
	if err != nil {
		t = &schema.UnsupportedType{T: raw}
	}
	parsedTypes.Store(raw, t)
	return t
}
