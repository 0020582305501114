package diff

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/postgres"
	atlas "ariga.io/atlas/sql/schema"

	"github.com/schemactl/schemactl/schema"
)

// columnKey names a column of a table.
type columnKey struct {
	table  schema.QName
	column string
}

// matchedTables calls fn for every table (not partition) present in both
// states, with its Atlas and catalog descriptions on both sides.
func (p *planner) matchedTables(fn func(t1, t2 *atlas.Table, c1, c2 *schema.TableInfo) error) error {
	for _, s1 := range p.from.Realm.Schemas {
		s2, ok := p.to.Realm.Schema(s1.Name)
		if !ok {
			continue
		}
		for _, t1 := range s1.Tables {
			t2, ok := s2.Table(t1.Name)
			if !ok {
				continue
			}
			q := schema.QName{Schema: s1.Name, Name: t1.Name}
			c1, ok1 := p.from.Catalog.Table(q)
			c2, ok2 := p.to.Catalog.Table(q)
			if !ok1 || !ok2 {
				return fmt.Errorf("table %s.%s is missing from the catalog", q.Schema, q.Name)
			}
			if err := fn(t1, t2, c1, c2); err != nil {
				return err
			}
		}
	}
	return nil
}

// columnsBefore prepares column changes Atlas cannot plan well:
//   - a generated column whose expression changes, or a column that
//     becomes generated, is dropped here and added back by Atlas;
//   - identity is dropped here when it goes, and planned after Atlas
//     (identityAfter) otherwise, so Atlas sees no identity change;
//   - a type change that PostgreSQL cannot do as an assignment gets USING,
//     and the old default is dropped first when it may not convert.
func (p *planner) columnsBefore() error {
	p.using = map[columnKey]string{}
	return p.matchedTables(func(t1, t2 *atlas.Table, ti1, ti2 *schema.TableInfo) error {
		var clauses []string
		for _, c1 := range slices.Clone(t1.Columns) {
			c2, ok := t2.Column(c1.Name)
			if !ok {
				continue
			}
			ci1, _ := ti1.Column(c1.Name)
			ci2, _ := ti2.Column(c1.Name)
			if ci1 == nil || ci2 == nil {
				return fmt.Errorf("column %s.%s is missing from the catalog", ti1.Name, c1.Name)
			}
			col := schema.QuoteIdent(c1.Name)
			if ci2.Generated != "" && ci1.Generated != ci2.Generated {
				clauses = append(clauses, "DROP COLUMN "+col)
				dropRealmColumn(t1, c1)
				if ci1.Generated == "" {
					p.warnf("column %s.%s becomes a generated column: it is dropped and added back, its stored values are recomputed", ti1.Name, c1.Name)
				}
				continue
			}
			_, had := identityOf(c1)
			_, has := identityOf(c2)
			switch {
			case had && !has:
				clauses = append(clauses, "ALTER COLUMN "+col+" DROP IDENTITY")
				c1.Attrs = removeIdentity(c1.Attrs)
			case has:
				// Planned by identityAfter from the catalogs; Atlas must
				// not see a difference.
				c1.Attrs = append(removeIdentity(c1.Attrs), identityAttr(c2))
			}
			if ci1.Type != ci2.Type {
				using, err := p.usingFor(ci1, ci2)
				if err != nil {
					return err
				}
				if using != "" {
					p.using[columnKey{ti1.QName, c1.Name}] = using
				}
				if ci1.Default != "" && (using != "" || ci1.Default != ci2.Default) {
					clauses = append(clauses, "ALTER COLUMN "+col+" DROP DEFAULT")
					c1.Default = nil
				}
			}
		}
		if len(clauses) > 0 {
			p.pre = append(p.pre, Stmt{
				SQL:     fmt.Sprintf("ALTER TABLE %s\n  %s", ti1.QName, strings.Join(clauses, ",\n  ")),
				Comment: fmt.Sprintf("prepare table %s for changes to its columns", ti1.Name),
			})
		}
		return nil
	})
}

// usingFor returns the USING expression converting a column to its new
// type, or "" when PostgreSQL converts it as an assignment.
func (p *planner) usingFor(from, to *schema.ColumnInfo) (string, error) {
	col := schema.QuoteIdent(from.Name)
	if p.opts.Casts != nil {
		ok, err := p.opts.Casts.AssignmentCast(p.ctx, from.Type, to.Type)
		if err != nil {
			return "", err
		}
		if ok {
			return "", nil
		}
	} else if baseType(from.Type) == baseType(to.Type) {
		return "", nil
	}
	if from.TypeKind == 'e' {
		return fmt.Sprintf("%s::text::%s", col, to.Type), nil
	}
	return fmt.Sprintf("%s::%s", col, to.Type), nil
}

// baseType strips the type modifiers: "character varying(10)" gives
// "character varying".
func baseType(t string) string {
	if i := strings.IndexByte(t, '('); i >= 0 {
		j := strings.LastIndexByte(t, ')')
		if j > i {
			return t[:i] + t[j+1:]
		}
	}
	return t
}

// DBCasts answers CastChecker questions from a database's pg_cast.
type DBCasts struct{ DB *sql.DB }

const castQuery = `
WITH st AS (SELECT CASE WHEN typtype = 'd' THEN typbasetype ELSE oid END AS o FROM pg_catalog.pg_type WHERE oid = $1::pg_catalog.regtype),
	tt AS (SELECT CASE WHEN typtype = 'd' THEN typbasetype ELSE oid END AS o FROM pg_catalog.pg_type WHERE oid = $2::pg_catalog.regtype),
	pair AS (
		SELECT (SELECT o FROM st) AS s, (SELECT o FROM tt) AS t
		UNION ALL
		SELECT se.typelem, te.typelem FROM pg_catalog.pg_type se, pg_catalog.pg_type te
		WHERE se.oid = (SELECT o FROM st) AND te.oid = (SELECT o FROM tt) AND se.typcategory = 'A' AND te.typcategory = 'A'
	)
SELECT COALESCE(bool_or(
	pair.s = pair.t
	OR EXISTS (SELECT 1 FROM pg_catalog.pg_cast c WHERE c.castsource = pair.s AND c.casttarget = pair.t AND c.castcontext IN ('a', 'i'))
	OR (SELECT typcategory FROM pg_catalog.pg_type WHERE oid = pair.t) = 'S'), false)
FROM pair`

// AssignmentCast reports whether a value of type from converts to type to
// in an assignment; unknown types need USING.
func (c DBCasts) AssignmentCast(ctx context.Context, from, to string) (bool, error) {
	var ok bool
	if err := c.DB.QueryRowContext(ctx, castQuery, from, to).Scan(&ok); err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		return false, nil
	}
	return ok, nil
}

func identityOf(c *atlas.Column) (*postgres.Identity, bool) {
	for _, a := range c.Attrs {
		if id, ok := a.(*postgres.Identity); ok {
			return id, true
		}
	}
	return nil, false
}

func identityAttr(c *atlas.Column) *postgres.Identity {
	id, _ := identityOf(c)
	return id
}

func removeIdentity(attrs []atlas.Attr) []atlas.Attr {
	return slices.DeleteFunc(slices.Clone(attrs), func(a atlas.Attr) bool {
		_, ok := a.(*postgres.Identity)
		return ok
	})
}

// dropRealmColumn removes a column from an Atlas table together with what
// PostgreSQL drops with it: indexes, keys and checks that use it.
func dropRealmColumn(t *atlas.Table, c *atlas.Column) {
	uses := func(idx *atlas.Index) bool {
		for _, part := range idx.Parts {
			if part.C == c {
				return true
			}
		}
		return false
	}
	t.Columns = slices.DeleteFunc(t.Columns, func(x *atlas.Column) bool { return x == c })
	t.Indexes = slices.DeleteFunc(t.Indexes, uses)
	if t.PrimaryKey != nil && uses(t.PrimaryKey) {
		t.PrimaryKey = nil
	}
	t.ForeignKeys = slices.DeleteFunc(t.ForeignKeys, func(fk *atlas.ForeignKey) bool { return slices.Contains(fk.Columns, c) })
	t.Attrs = slices.DeleteFunc(t.Attrs, func(a atlas.Attr) bool {
		ck, ok := a.(*atlas.Check)
		if !ok {
			return false
		}
		var cols postgres.CheckColumns
		for _, x := range ck.Attrs {
			if cc, ok := x.(*postgres.CheckColumns); ok {
				cols = *cc
			}
		}
		return slices.Contains(cols.Columns, c.Name)
	})
}

// identityAfter plans identity columns from the catalogs: identity added
// to an existing column, options changed, and the options (and sequence
// name) of identity columns Atlas created, which it writes only in part.
func (p *planner) identityAfter() error {
	for _, t2 := range p.to.Catalog.Tables {
		if t2.IsPartition() {
			continue
		}
		t1, tableExisted := p.from.Catalog.Table(t2.QName)
		tableExisted = tableExisted && !p.recreated(t2.QName)
		var clauses []string
		var renames []Stmt
		for _, c2 := range t2.Columns {
			want := c2.IdentitySeq
			if want == nil {
				continue
			}
			col := schema.QuoteIdent(c2.Name)
			var c1 *schema.ColumnInfo
			if tableExisted {
				c1, _ = t1.Column(c2.Name)
			}
			defaultName := defaultObjectName(t2.Name, c2.Name, "seq")
			switch {
			case c1 == nil:
				// Atlas creates the column with its generation, start and
				// increment; the other options and the name follow.
				clauses = append(clauses, setIdentityOptions(col, defaultSeqOptions(want.SeqOptions), want.SeqOptions)...)
				if defaultName != want.Name.Name {
					renames = append(renames, Stmt{
						SQL:     fmt.Sprintf("ALTER SEQUENCE %s RENAME TO %s", schema.QName{Schema: t2.Schema, Name: defaultName}, schema.QuoteIdent(want.Name.Name)),
						Comment: fmt.Sprintf("name the identity sequence of %s.%s", t2.Name, c2.Name),
					})
				}
			case c1.IdentitySeq == nil:
				name := ""
				if defaultName != want.Name.Name {
					name = "SEQUENCE NAME " + want.Name.String() + " "
				}
				clauses = append(clauses, fmt.Sprintf("ALTER COLUMN %s ADD GENERATED %s AS IDENTITY (%s%s)", col, generation(c2.Identity), name, identityOptions(want.SeqOptions)))
			default:
				if c1.Identity != c2.Identity {
					clauses = append(clauses, fmt.Sprintf("ALTER COLUMN %s SET GENERATED %s", col, generation(c2.Identity)))
				}
				clauses = append(clauses, setIdentityOptions(col, c1.IdentitySeq.SeqOptions, want.SeqOptions)...)
				if c1.IdentitySeq.Name != want.Name {
					renames = append(renames, Stmt{
						SQL:     fmt.Sprintf("ALTER SEQUENCE %s RENAME TO %s", c1.IdentitySeq.Name, schema.QuoteIdent(want.Name.Name)),
						Comment: fmt.Sprintf("rename the identity sequence of %s.%s", t2.Name, c2.Name),
					})
				}
			}
		}
		if len(clauses) > 0 {
			p.post = append(p.post, Stmt{
				SQL:     fmt.Sprintf("ALTER TABLE %s\n  %s", t2.QName, strings.Join(clauses, ",\n  ")),
				Comment: fmt.Sprintf("set the identity options of table %s", t2.Name),
			})
		}
		p.post = append(p.post, renames...)
	}
	return nil
}

func generation(b byte) string {
	if b == 'a' {
		return "ALWAYS"
	}
	return "BY DEFAULT"
}

// defaultSeqOptions are the options PostgreSQL gives an identity sequence
// created with only the start and increment of o.
func defaultSeqOptions(o schema.SeqOptions) schema.SeqOptions {
	d := schema.SeqOptions{Type: o.Type, Start: o.Start, Increment: o.Increment, Cache: 1}
	lo, hi := typeRange(o.Type)
	if o.Increment > 0 {
		d.Min, d.Max = 1, hi
	} else {
		d.Min, d.Max = lo, -1
	}
	return d
}

func typeRange(t string) (int64, int64) {
	switch t {
	case "smallint":
		return -32768, 32767
	case "integer":
		return -2147483648, 2147483647
	default:
		return -9223372036854775808, 9223372036854775807
	}
}

func identityOptions(o schema.SeqOptions) string {
	cycle := "NO CYCLE"
	if o.Cycle {
		cycle = "CYCLE"
	}
	return fmt.Sprintf("START WITH %d INCREMENT BY %d MINVALUE %d MAXVALUE %d CACHE %d %s", o.Start, o.Increment, o.Min, o.Max, o.Cache, cycle)
}

// setIdentityOptions returns the ALTER COLUMN clauses changing identity
// options from have to want.
func setIdentityOptions(col string, h, w schema.SeqOptions) []string {
	var sets []string
	if h.Increment != w.Increment {
		sets = append(sets, fmt.Sprintf("SET INCREMENT BY %d", w.Increment))
	}
	if h.Min != w.Min {
		sets = append(sets, fmt.Sprintf("SET MINVALUE %d", w.Min))
	}
	if h.Max != w.Max {
		sets = append(sets, fmt.Sprintf("SET MAXVALUE %d", w.Max))
	}
	if h.Start != w.Start {
		sets = append(sets, fmt.Sprintf("SET START WITH %d", w.Start))
	}
	if h.Cache != w.Cache {
		sets = append(sets, fmt.Sprintf("SET CACHE %d", w.Cache))
	}
	if h.Cycle != w.Cycle {
		if w.Cycle {
			sets = append(sets, "SET CYCLE")
		} else {
			sets = append(sets, "SET NO CYCLE")
		}
	}
	if len(sets) == 0 {
		return nil
	}
	return []string{"ALTER COLUMN " + col + " " + strings.Join(sets, " ")}
}
