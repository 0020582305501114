// Package bigschema generates a large, deterministic PostgreSQL schema for
// benchmarks and round-trip tests: tables over several schemas with
// btree, partial, expression and GIN indexes, foreign keys, partitioned
// tables, views, materialized views, functions, triggers, enums, domains,
// sequences and comments, plus a changed version of it (about 2% of the
// objects added, altered or dropped).
//
// At scale 1 it has 1,500 tables over 10 schemas, 6,000 indexes, about
// 1,500 foreign keys, 40 partitioned tables with 400 partitions, 300 views
// and materialized views, 400 functions and 200 triggers. Smaller scales
// shrink every count proportionally (at least one of each).
package bigschema

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Options say how large the schema is and which pseudo-random sequence
// shapes it. The same options always give the same SQL.
type Options struct {
	// Scale multiplies every object count; 1 is the full benchmark size.
	Scale float64
	// Seed selects the pseudo-random choices (column types, references).
	Seed uint64
}

// Full-scale counts.
const (
	fullTables      = 1500
	fullPartitioned = 40
	partsPerTable   = 10
	fullViews       = 240
	fullMatViews    = 60
	fullTrigFuncs   = 100
	fullFuncs       = 300
	fullTriggers    = 200
	maxSchemas      = 10
)

type column struct {
	name, typ string
	notNull   bool
	def       string
	comment   string
	dropped   bool
}

type index struct {
	name, def string // def: everything after "ON table"
	unique    bool
	dropped   bool
}

type fkey struct {
	name, col string
	to        *table
	action    string
	inline    bool
	dropped   bool
}

type table struct {
	schema, name string
	cols         []column
	idx          []index
	fks          []fkey
	checks       []string
	comment      string
	dropped      bool
	referenced   bool // by a foreign key, view, function or trigger
	triggered    bool // has a trigger

	// Partitioned tables only.
	partBy string
	parts  []partition
}

type partition struct {
	name, bound string
}

type view struct {
	schema, name string
	mat          bool
	body         string
	comment      string
	index        string // a unique index of a materialized view, or ""
}

type function struct {
	schema, name string
	sig          string // (args) RETURNS ... LANGUAGE ... [attributes]
	body         string
	comment      string
	trigger      bool
	kind         int // what the body does (0, 1, 2, ...)
}

type trigger struct {
	name    string
	on      *table
	timing  string // BEFORE UPDATE, AFTER INSERT OR DELETE, ...
	level   string // ROW or STATEMENT
	when    string
	fn      *function
	dropped bool
}

type schemaObjs struct {
	name      string
	enums     [][]string // name, then labels
	domains   [][2]string
	sequences []string // full CREATE SEQUENCE statements' tails
}

// model is a whole generated database.
type model struct {
	schemas  []*schemaObjs
	tables   []*table // regular tables first, then partitioned ones
	views    []*view
	funcs    []*function
	triggers []*trigger
	rng      *rand.Rand
	seq      int // a counter for new names
}

func scaled(n int, scale float64) int {
	v := int(math.Round(float64(n) * scale))
	if v < 1 {
		return 1
	}
	return v
}

func (m *model) pick(n int) int { return m.rng.IntN(n) }

// build generates the model for the options.
func build(o Options) *model {
	if o.Scale <= 0 {
		o.Scale = 1
	}
	m := &model{rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))}
	nt := scaled(fullTables, o.Scale)
	ns := nt / 15
	if ns > maxSchemas {
		ns = maxSchemas
	}
	if ns < 1 {
		ns = 1
	}
	for s := 0; s < ns; s++ {
		name := fmt.Sprintf("app%02d", s)
		m.schemas = append(m.schemas, &schemaObjs{
			name: name,
			enums: [][]string{
				{"status", "active", "inactive", "archived"},
				{"priority", "low", "normal", "high", "urgent"},
			},
			domains: [][2]string{
				{"amount", "numeric(12,2) CHECK (VALUE >= 0)"},
				{"email", "text CHECK (VALUE ~ '@')"},
			},
			sequences: []string{
				"shared_id_seq",
				"ticket_seq INCREMENT BY 10 MINVALUE 100 START WITH 100 CACHE 5",
				"cycle_seq AS integer MAXVALUE 9999 CYCLE",
			},
		})
	}
	for i := 0; i < nt; i++ {
		m.tables = append(m.tables, m.newTable(m.schemas[i%ns].name, fmt.Sprintf("t%04d", i)))
	}
	np := scaled(fullPartitioned, o.Scale)
	for i := 0; i < np; i++ {
		m.tables = append(m.tables, m.newPartitioned(m.schemas[i%ns].name, fmt.Sprintf("events%03d", i), i))
	}
	m.addViews(scaled(fullViews, o.Scale), scaled(fullMatViews, o.Scale))
	m.addFuncs(scaled(fullTrigFuncs, o.Scale), scaled(fullFuncs, o.Scale))
	m.addTriggers(scaled(fullTriggers, o.Scale))
	return m
}

// regular returns a random regular (not partitioned) table that is kept.
func (m *model) regular() *table {
	for {
		t := m.tables[m.pick(len(m.tables))]
		if t.partBy == "" && !t.dropped {
			return t
		}
	}
}

var extraTypes = []string{"integer", "bigint", "smallint", "boolean", "date", "uuid", "double precision", "numeric(10,4)", "varchar(40)", "text", "interval", "inet", "bytea", "timestamp without time zone", "integer[]"}

// newTable is a regular table with four indexes and, past the first
// table, a foreign key to an earlier table.
func (m *model) newTable(sch, name string) *table {
	t := &table{schema: sch, name: name}
	switch m.pick(3) {
	case 0:
		t.cols = append(t.cols, column{name: "id", typ: "bigint", notNull: true, def: "GENERATED BY DEFAULT AS IDENTITY"})
	case 1:
		t.cols = append(t.cols, column{name: "id", typ: "bigserial", notNull: true})
	default:
		t.cols = append(t.cols, column{name: "id", typ: "bigint", notNull: true, def: fmt.Sprintf("DEFAULT nextval('%s.shared_id_seq'::regclass)", sch)})
	}
	codeLen := 32 + 8*m.pick(12)
	t.cols = append(t.cols,
		column{name: "name", typ: "text", notNull: true},
		column{name: "code", typ: fmt.Sprintf("varchar(%d)", codeLen)},
		column{name: "status", typ: sch + ".status", notNull: true, def: "DEFAULT 'active'"},
		column{name: "prio", typ: sch + ".priority"},
		column{name: "amount", typ: sch + ".amount", def: "DEFAULT 0"},
		column{name: "contact", typ: sch + ".email"},
		column{name: "payload", typ: "jsonb", notNull: true, def: "DEFAULT '{}'::jsonb"},
		column{name: "tags", typ: "text[]"},
		column{name: "created_at", typ: "timestamp with time zone", notNull: true, def: "DEFAULT now()"},
		column{name: "updated_at", typ: "timestamp with time zone"},
		column{name: "note", typ: "text"},
	)
	for k, n := 0, m.pick(4); k < n; k++ {
		t.cols = append(t.cols, column{name: fmt.Sprintf("extra%d", k), typ: extraTypes[m.pick(len(extraTypes))]})
	}
	if m.pick(3) == 0 {
		t.cols[1].comment = "Display name of the " + name + " row."
	}
	if m.pick(2) == 0 {
		t.comment = fmt.Sprintf("Table %s.%s: generated for the large-schema benchmark.", sch, name)
	}
	if m.pick(2) == 0 {
		t.checks = append(t.checks, fmt.Sprintf("%s_name_check CHECK (char_length(name) > 0)", name))
	}
	if m.pick(4) == 0 {
		t.idx = append(t.idx, index{name: name + "_code_key", def: "(code)", unique: true})
	}
	first := "(name)"
	if len(m.tables) > 0 {
		to := m.regularBefore()
		to.referenced = true
		t.cols = append(t.cols, column{name: "ref_id", typ: "bigint"})
		actions := []string{"", " ON DELETE CASCADE", " ON DELETE SET NULL", " ON UPDATE CASCADE ON DELETE RESTRICT", " DEFERRABLE INITIALLY DEFERRED"}
		t.fks = append(t.fks, fkey{name: name + "_ref_id_fkey", col: "ref_id", to: to, action: actions[m.pick(len(actions))], inline: m.pick(2) == 0})
		first = "(ref_id)"
	}
	t.idx = append(t.idx,
		index{name: name + "_ref_idx", def: "USING btree " + first},
		index{name: name + "_live_idx", def: "USING btree (created_at DESC) WHERE (status <> 'archived'::" + sch + ".status)"},
		index{name: name + "_lower_name_idx", def: "USING btree (lower(name))"},
	)
	if m.pick(2) == 0 {
		t.idx = append(t.idx, index{name: name + "_payload_idx", def: "USING gin (payload jsonb_path_ops)"})
	} else {
		t.idx = append(t.idx, index{name: name + "_tags_idx", def: "USING gin (tags)"})
	}
	return t
}

// regularBefore is a random earlier regular table.
func (m *model) regularBefore() *table {
	for {
		t := m.tables[m.pick(len(m.tables))]
		if t.partBy == "" {
			return t
		}
	}
}

// newPartitioned is a range, list or hash partitioned table with ten
// partitions and two indexes on the parent.
func (m *model) newPartitioned(sch, name string, i int) *table {
	t := &table{schema: sch, name: name}
	owner := m.regular()
	owner.referenced = true
	t.cols = []column{
		{name: "id", typ: "bigint", notNull: true},
		{name: "account_id", typ: "bigint", notNull: true},
		{name: "region", typ: "text", notNull: true},
		{name: "kind", typ: sch + ".priority", notNull: true, def: "DEFAULT 'normal'"},
		{name: "created_at", typ: "timestamp with time zone", notNull: true},
		{name: "body", typ: "jsonb"},
	}
	t.fks = []fkey{{name: name + "_account_id_fkey", col: "account_id", to: owner, inline: i%2 == 0}}
	switch i % 3 {
	case 0:
		t.partBy = "RANGE (created_at)"
		for p := 0; p < partsPerTable-1; p++ {
			t.parts = append(t.parts, partition{name: fmt.Sprintf("%s_m%02d", name, p+1),
				bound: fmt.Sprintf("FOR VALUES FROM ('2025-%02d-01 00:00:00+00') TO ('2025-%02d-01 00:00:00+00')", p+1, p+2)})
		}
		t.parts = append(t.parts, partition{name: name + "_default", bound: "DEFAULT"})
		t.idx = []index{{name: name + "_pkey_idx", def: "USING btree (id, created_at)", unique: true}}
	case 1:
		t.partBy = "LIST (region)"
		for p := 0; p < partsPerTable; p++ {
			t.parts = append(t.parts, partition{name: fmt.Sprintf("%s_r%02d", name, p),
				bound: fmt.Sprintf("FOR VALUES IN ('r%02d', 'x%02d')", p, p)})
		}
		t.idx = []index{{name: name + "_pkey_idx", def: "USING btree (id, region)", unique: true}}
	default:
		t.partBy = "HASH (id)"
		for p := 0; p < partsPerTable; p++ {
			t.parts = append(t.parts, partition{name: fmt.Sprintf("%s_h%02d", name, p),
				bound: fmt.Sprintf("FOR VALUES WITH (modulus %d, remainder %d)", partsPerTable, p)})
		}
		t.idx = []index{{name: name + "_pkey_idx", def: "USING btree (id)", unique: true}}
	}
	t.idx = append(t.idx,
		index{name: name + "_account_idx", def: "USING btree (account_id, created_at)"},
		index{name: name + "_body_idx", def: "USING gin (body)"},
	)
	t.comment = "Partitioned " + t.partBy + "."
	return t
}

func (m *model) addViews(nv, nm int) {
	for i := 0; i < nv; i++ {
		t := m.regular()
		t.referenced = true
		v := &view{schema: t.schema, name: fmt.Sprintf("v%04d", i)}
		if i%5 == 4 && len(m.views) > 0 {
			prev := m.views[len(m.views)-1]
			if !prev.mat {
				v.schema = prev.schema
				v.body = fmt.Sprintf("SELECT id, name, status FROM %s.%s WHERE status <> 'archived'::%s.status", prev.schema, prev.name, prev.schema)
			}
		}
		if v.body == "" {
			v.body = fmt.Sprintf("SELECT t.id, t.name, t.status, t.amount, t.created_at FROM %s.%s t WHERE t.created_at > '2020-01-01 00:00:00+00'::timestamp with time zone", t.schema, t.name)
			if fk := t.fks; len(fk) > 0 {
				v.body = fmt.Sprintf("SELECT t.id, t.name, t.status, t.amount, t.created_at, r.name AS ref_name FROM %s.%s t LEFT JOIN %s.%s r ON r.id = t.ref_id", t.schema, t.name, fk[0].to.schema, fk[0].to.name)
				fk[0].to.referenced = true
			}
		}
		if i%4 == 0 {
			v.comment = "View " + v.name + "."
		}
		m.views = append(m.views, v)
	}
	for i := 0; i < nm; i++ {
		t := m.regular()
		t.referenced = true
		v := &view{schema: t.schema, name: fmt.Sprintf("mv%04d", i), mat: true,
			body: fmt.Sprintf("SELECT t.status, count(*) AS n, sum(t.amount) AS total FROM %s.%s t GROUP BY t.status", t.schema, t.name)}
		if i%2 == 0 {
			v.index = "(status)"
		}
		m.views = append(m.views, v)
	}
}

func (m *model) addFuncs(ntrig, nfunc int) {
	for i := 0; i < ntrig; i++ {
		s := m.schemas[i%len(m.schemas)].name
		f := &function{schema: s, name: fmt.Sprintf("trg_fn%03d", i), trigger: true, kind: i % 3,
			sig: "() RETURNS trigger LANGUAGE plpgsql"}
		switch i % 3 {
		case 0:
			f.body = "BEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND"
		case 1:
			f.body = fmt.Sprintf("BEGIN\n  IF TG_OP = 'DELETE' THEN\n    RETURN OLD;\n  END IF;\n  NEW.note := coalesce(NEW.note, '%d');\n  RETURN NEW;\nEND", i)
		default:
			f.body = "BEGIN\n  PERFORM pg_notify('changes', TG_TABLE_NAME);\n  RETURN NULL;\nEND"
		}
		m.funcs = append(m.funcs, f)
	}
	for i := 0; i < nfunc; i++ {
		s := m.schemas[i%len(m.schemas)].name
		f := &function{schema: s, name: fmt.Sprintf("fn%03d", i), kind: i % 4}
		switch i % 4 {
		case 0:
			f.sig = "(a integer, b integer DEFAULT 1) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE"
			f.body = fmt.Sprintf("SELECT a * b + %d", i)
		case 1:
			t := m.regular()
			t.referenced = true
			f.schema = t.schema
			f.sig = "(p_id bigint) RETURNS text LANGUAGE sql STABLE"
			f.body = fmt.Sprintf("SELECT name FROM %s.%s WHERE id = p_id", t.schema, t.name)
		case 2:
			f.sig = "(n integer) RETURNS TABLE(k integer, sq bigint) LANGUAGE plpgsql"
			f.body = fmt.Sprintf("BEGIN\n  FOR k IN 1..n LOOP\n    sq := k::bigint * k + %d;\n    RETURN NEXT;\n  END LOOP;\nEND", i)
		default:
			f.sig = "(VARIADIC xs text[]) RETURNS text LANGUAGE sql IMMUTABLE STRICT"
			f.body = fmt.Sprintf("SELECT array_to_string(xs, '%d')", i%10)
		}
		if i%5 == 0 {
			f.comment = "Function " + f.name + "."
		}
		m.funcs = append(m.funcs, f)
	}
}

func (m *model) addTriggers(n int) {
	var fns []*function
	for _, f := range m.funcs {
		if f.trigger {
			fns = append(fns, f)
		}
	}
	for i := 0; i < n; i++ {
		m.triggers = append(m.triggers, m.newTrigger(fmt.Sprintf("trg%03d", i), fns[i%len(fns)], i))
	}
}

// newTrigger is a trigger on a random regular table calling fn.
func (m *model) newTrigger(name string, fn *function, i int) *trigger {
	t := m.regular()
	t.referenced = true
	t.triggered = true
	tr := &trigger{name: name, on: t, fn: fn, level: "ROW"}
	switch fn.kind {
	default:
		tr.timing = "BEFORE UPDATE"
		if i%2 == 0 {
			tr.when = "(old.* IS DISTINCT FROM new.*)"
		}
	case 1:
		tr.timing = "BEFORE INSERT OR UPDATE"
	case 2:
		tr.timing = "AFTER INSERT OR DELETE"
		if i%2 == 0 {
			tr.level = "STATEMENT"
		}
	}
	return tr
}
