package schema

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// Options of foreign-data wrappers, servers, user mappings and foreign
// tables are kept as PostgreSQL stores them: "name=value" strings.

// OptionsSQL renders "name=value" options as an OPTIONS (...) clause, ""
// when there are none.
func OptionsSQL(opts []string) string {
	if len(opts) == 0 {
		return ""
	}
	parts := make([]string, len(opts))
	for i, o := range opts {
		k, v := SplitOption(o)
		parts[i] = QuoteIdent(k) + " " + QuoteLiteral(v)
	}
	return "OPTIONS (" + strings.Join(parts, ", ") + ")"
}

// SplitOption splits "name=value" at its first '='.
func SplitOption(o string) (name, value string) {
	name, value, _ = strings.Cut(o, "=")
	return name, value
}

// PgForeignWrapper is a foreign-data wrapper created with CREATE FOREIGN
// DATA WRAPPER (those of extensions, e.g. postgres_fdw, come with them).
type PgForeignWrapper struct {
	PgHeader
	// Handler and Validator are the qualified functions (regproc), ""
	// for NO HANDLER / NO VALIDATOR.
	Handler, Validator string
	// Options are the wrapper's options.
	Options []string
}

// CreateSQL returns the CREATE FOREIGN DATA WRAPPER statement and the
// comment.
func (w *PgForeignWrapper) CreateSQL() []string {
	s := "CREATE FOREIGN DATA WRAPPER " + w.SQLName
	if w.Handler != "" {
		s += " HANDLER " + w.Handler
	}
	if w.Validator != "" {
		s += " VALIDATOR " + w.Validator
	}
	if o := OptionsSQL(w.Options); o != "" {
		s += " " + o
	}
	return append([]string{s}, commentSQL("FOREIGN DATA WRAPPER", w.SQLName, w.Comment)...)
}

const wrappersQuery = `
SELECT w.oid::int8, w.fdwname, pg_catalog.quote_ident(w.fdwname),
	CASE WHEN w.fdwhandler <> 0 THEN w.fdwhandler::regproc::text ELSE '' END,
	CASE WHEN w.fdwvalidator <> 0 THEN w.fdwvalidator::regproc::text ELSE '' END,
	COALESCE(pg_catalog.array_to_json(w.fdwoptions)::text, '[]'),
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = w.oid AND dsc.classoid = 'pg_catalog.pg_foreign_data_wrapper'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_foreign_data_wrapper w
WHERE %s
ORDER BY 2`

func (in *objInspector) readForeignWrappers(ctx context.Context) error {
	return in.queryArgs(ctx, fmt.Sprintf(wrappersQuery, notExtMember("pg_foreign_data_wrapper", "w.oid")), nil, func(rows *sql.Rows) error {
		var (
			oid  int64
			w    = &PgForeignWrapper{}
			name string
			opts []byte
		)
		if err := rows.Scan(&oid, &name, &w.SQLName, &w.Handler, &w.Validator, &opts, &w.Comment); err != nil {
			return err
		}
		if err := jsonInto(opts, &w.Options); err != nil {
			return err
		}
		w.ID = PgRef{Kind: PgKindForeignWrapper, Name: name}
		in.add("pg_foreign_data_wrapper", oid, w)
		return nil
	})
}

// PgForeignServer is a foreign server (CREATE SERVER).
type PgForeignServer struct {
	PgHeader
	// Type and Version are the server's, "" when not given.
	Type, Version string
	// Wrapper is the quoted foreign-data wrapper name.
	Wrapper string
	// Options are the server's options.
	Options []string
}

// CreateSQL returns the CREATE SERVER statement and the comment.
func (s *PgForeignServer) CreateSQL() []string {
	q := "CREATE SERVER " + s.SQLName
	if s.Type != "" {
		q += " TYPE " + QuoteLiteral(s.Type)
	}
	if s.Version != "" {
		q += " VERSION " + QuoteLiteral(s.Version)
	}
	q += " FOREIGN DATA WRAPPER " + s.Wrapper
	if o := OptionsSQL(s.Options); o != "" {
		q += " " + o
	}
	return append([]string{q}, commentSQL("SERVER", s.SQLName, s.Comment)...)
}

const serversQuery = `
SELECT s.oid::int8, s.srvname, pg_catalog.quote_ident(s.srvname), COALESCE(s.srvtype, ''), COALESCE(s.srvversion, ''),
	pg_catalog.quote_ident(w.fdwname), COALESCE(pg_catalog.array_to_json(s.srvoptions)::text, '[]'),
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = s.oid AND dsc.classoid = 'pg_catalog.pg_foreign_server'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_foreign_server s JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = s.srvfdw
WHERE %s
ORDER BY 2`

func (in *objInspector) readForeignServers(ctx context.Context) error {
	return in.queryArgs(ctx, fmt.Sprintf(serversQuery, notExtMember("pg_foreign_server", "s.oid")), nil, func(rows *sql.Rows) error {
		var (
			oid  int64
			s    = &PgForeignServer{}
			name string
			opts []byte
		)
		if err := rows.Scan(&oid, &name, &s.SQLName, &s.Type, &s.Version, &s.Wrapper, &opts, &s.Comment); err != nil {
			return err
		}
		if err := jsonInto(opts, &s.Options); err != nil {
			return err
		}
		s.ID = PgRef{Kind: PgKindForeignServer, Name: name}
		in.add("pg_foreign_server", oid, s)
		return nil
	})
}

// PgUserMapping is a user mapping (CREATE USER MAPPING). Its Ref's Name
// is "for <user> server <server>". A password option is never kept in
// clear: Options leave it out and PasswordHash holds the SHA-256 of its
// value, so that a changed password is still a difference.
type PgUserMapping struct {
	PgHeader
	// User is the quoted role name, or PUBLIC; Server the quoted server.
	User, Server string
	// Options are the mapping's options other than password.
	Options []string
	// PasswordHash is "sha256:<hex>" of the password option's value, ""
	// when the mapping has no password option.
	PasswordHash string
}

// CreateSQL returns the CREATE USER MAPPING statement without the
// password option (see PasswordHash).
func (u *PgUserMapping) CreateSQL() []string {
	s := "CREATE USER MAPPING FOR " + u.User + " SERVER " + u.Server
	if o := OptionsSQL(u.Options); o != "" {
		s += " " + o
	}
	return []string{s}
}

// HashPassword returns the PasswordHash of a password value.
func HashPassword(v string) string {
	sum := sha256.Sum256([]byte(v))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// splitPassword takes the password option out of opts.
func splitPassword(opts []string) ([]string, string) {
	var out []string
	hash := ""
	for _, o := range opts {
		if k, v := SplitOption(o); k == "password" {
			hash = HashPassword(v)
			continue
		}
		out = append(out, o)
	}
	return out, hash
}

// The user mappings are read from pg_user_mappings, which hides the
// options of a mapping from a role that is neither a superuser, nor a
// member of the server's owner, nor the mapped role (with USAGE on the
// server): visible says whether this role sees them, by the same rule.
const userMappingsQuery = `
SELECT m.umid::int8, CASE WHEN m.umuser = 0 THEN 'PUBLIC' ELSE m.usename::text END,
	CASE WHEN m.umuser = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(m.usename) END,
	m.srvname, pg_catalog.quote_ident(m.srvname), COALESCE(pg_catalog.array_to_json(m.umoptions)::text, '[]'),
	(SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = CURRENT_USER)
		OR pg_catalog.pg_has_role(s.srvowner, 'USAGE')
		OR m.umuser = (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = CURRENT_USER) AND pg_catalog.has_server_privilege(s.oid, 'USAGE')
FROM pg_catalog.pg_user_mappings m JOIN pg_catalog.pg_foreign_server s ON s.oid = m.srvid
WHERE %s
ORDER BY 4, 2`

func (in *objInspector) readUserMappings(ctx context.Context) error {
	return in.queryArgs(ctx, fmt.Sprintf(userMappingsQuery, notExtMember("pg_foreign_server", "s.oid")), nil, func(rows *sql.Rows) error {
		var (
			oid          int64
			u            = &PgUserMapping{}
			user, server string
			opts         []byte
			all          []string
			visible      bool
		)
		if err := rows.Scan(&oid, &user, &u.User, &server, &u.Server, &opts, &visible); err != nil {
			return err
		}
		if !visible {
			return fmt.Errorf("user mapping for %s server %s: its options are hidden from this role; inspect as a superuser or a member of the server's owner", u.User, u.Server)
		}
		if err := jsonInto(opts, &all); err != nil {
			return fmt.Errorf("user mapping options: cannot decode them")
		}
		u.Options, u.PasswordHash = splitPassword(all)
		u.SQLName = "FOR " + u.User + " SERVER " + u.Server
		u.ID = PgRef{Kind: PgKindUserMapping, Name: "for " + user + " server " + server}
		u.DependsOn = []PgRef{{Kind: PgKindForeignServer, Name: server}}
		in.add("pg_user_mapping", oid, u)
		return nil
	})
}

// addForeignParents makes the foreign partitions and children depend on
// their parents (after readDeps, which sets the dependencies); a parent
// may be a foreign table itself.
func (in *objInspector) addForeignParents(context.Context) error {
	foreign := map[PgRef]bool{}
	for _, o := range Objects(in.r) {
		if f, ok := o.(*PgForeignTable); ok {
			foreign[f.ID] = true
		}
	}
	for _, o := range Objects(in.r) {
		f, ok := o.(*PgForeignTable)
		if !ok {
			continue
		}
		for _, p := range f.parents {
			if fp := (PgRef{Kind: PgKindForeignTable, Schema: p.Schema, Name: p.Name}); foreign[fp] {
				p = fp
			}
			if !slices.Contains(f.DependsOn, p) {
				f.DependsOn = append(f.DependsOn, p)
			}
		}
	}
	return nil
}

// PgForeignColumn is a column of a foreign table.
type PgForeignColumn struct {
	Name      string   `json:"name"` // quoted
	Type      string   `json:"type"` // format_type
	NotNull   bool     `json:"not_null"`
	Default   string   `json:"default"`   // pg_get_expr, "" when none
	Collation string   `json:"collation"` // qualified, "" for the type's
	Options   []string `json:"options"`
	Comment   string   `json:"comment"`
	// Inherited is set for a column that only comes from a parent (a
	// partition's columns, a child's inherited ones): it is not declared
	// by CREATE FOREIGN TABLE, which gives it the parent's default and NOT
	// NULL, ParentDefault and ParentNotNull.
	Inherited     bool   `json:"inherited"`
	ParentDefault string `json:"parent_default"`
	ParentNotNull bool   `json:"parent_not_null"`
}

// PgForeignTable is a foreign table (CREATE FOREIGN TABLE), with its
// columns and CHECK constraints; a partition of a partitioned table, or a
// child of tables it inherits from.
type PgForeignTable struct {
	PgHeader
	// Server is the quoted server name.
	Server string
	// Columns are the columns in order.
	Columns []PgForeignColumn
	// Checks are the table's own CHECK constraints as "CONSTRAINT name
	// CHECK (...)" (those it inherits come with its parents).
	Checks []string
	// Options are the table's options.
	Options []string
	// PartitionOf is the quoted, qualified parent of a partition, with
	// Bound its partition bound (FOR VALUES ... or DEFAULT).
	PartitionOf, Bound string
	// Inherits are the quoted, qualified parents of a child, in order.
	Inherits []string
	// parents are the tables of PartitionOf or Inherits, which the table
	// depends on (a partition's dependency is not an ordering one in
	// pg_depend: addForeignParents adds them).
	parents []PgRef
}

// inheritedAlters returns the ALTER COLUMN actions that give an inherited
// column what it has of its own: options, and a default or NOT NULL
// other than its parent's.
func (c PgForeignColumn) inheritedAlters() []string {
	col := "ALTER COLUMN " + c.Name
	var out []string
	if len(c.Options) > 0 {
		adds := make([]string, len(c.Options))
		for i, o := range c.Options {
			k, v := SplitOption(o)
			adds[i] = "ADD " + QuoteIdent(k) + " " + QuoteLiteral(v)
		}
		out = append(out, col+" OPTIONS ("+strings.Join(adds, ", ")+")")
	}
	switch {
	case c.Default != c.ParentDefault && c.Default == "":
		out = append(out, col+" DROP DEFAULT")
	case c.Default != c.ParentDefault:
		out = append(out, col+" SET DEFAULT "+c.Default)
	}
	switch {
	case c.NotNull && !c.ParentNotNull:
		out = append(out, col+" SET NOT NULL")
	case !c.NotNull && c.ParentNotNull:
		out = append(out, col+" DROP NOT NULL")
	}
	return out
}

// ColumnSQL renders one column's definition.
func (c PgForeignColumn) ColumnSQL() string {
	s := c.Name + " " + c.Type
	if o := OptionsSQL(c.Options); o != "" {
		s += " " + o
	}
	if c.Collation != "" {
		s += " COLLATE " + c.Collation
	}
	if c.NotNull {
		s += " NOT NULL"
	}
	if c.Default != "" {
		s += " DEFAULT " + c.Default
	}
	return s
}

// CreateSQL returns the CREATE FOREIGN TABLE statement, what its
// inherited columns have of their own (ALTER FOREIGN TABLE) and the
// comments.
func (f *PgForeignTable) CreateSQL() []string {
	parts := make([]string, 0, len(f.Columns)+len(f.Checks))
	for _, c := range f.Columns {
		if !c.Inherited {
			parts = append(parts, "    "+c.ColumnSQL())
		}
	}
	for _, c := range f.Checks {
		parts = append(parts, "    "+c)
	}
	s := "CREATE FOREIGN TABLE " + f.SQLName
	if f.PartitionOf != "" {
		s += " PARTITION OF " + f.PartitionOf
		if len(parts) > 0 {
			s += " (\n" + strings.Join(parts, ",\n") + "\n)"
		}
		s += " " + f.Bound
	} else {
		s += " (\n" + strings.Join(parts, ",\n") + "\n)"
		if len(f.Inherits) > 0 {
			s += " INHERITS (" + strings.Join(f.Inherits, ", ") + ")"
		}
	}
	s += " SERVER " + f.Server
	if o := OptionsSQL(f.Options); o != "" {
		s += " " + o
	}
	stmts := []string{s}
	var alters []string
	for _, c := range f.Columns {
		if c.Inherited {
			alters = append(alters, c.inheritedAlters()...)
		}
	}
	if len(alters) > 0 {
		stmts = append(stmts, "ALTER FOREIGN TABLE "+f.SQLName+" "+strings.Join(alters, ", "))
	}
	stmts = append(stmts, commentSQL("FOREIGN TABLE", f.SQLName, f.Comment)...)
	for _, c := range f.Columns {
		stmts = append(stmts, commentSQL("COLUMN", f.SQLName+"."+c.Name, c.Comment)...)
	}
	return stmts
}

const foreignTablesQuery = `
SELECT c.oid::int8, n.nspname, c.relname, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname),
	pg_catalog.quote_ident(s.srvname), COALESCE(pg_catalog.array_to_json(ft.ftoptions)::text, '[]'),
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = c.oid AND dsc.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dsc.objsubid = 0), ''),
	(SELECT json_agg(json_build_object('name', pg_catalog.quote_ident(a.attname), 'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
		'not_null', a.attnotnull, 'default', COALESCE(pg_catalog.pg_get_expr(d.adbin, d.adrelid), ''),
		'collation', CASE WHEN a.attcollation <> t.typcollation THEN pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) ELSE '' END,
		'options', COALESCE(pg_catalog.array_to_json(a.attfdwoptions), '[]'),
		'comment', COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = c.oid AND dsc.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dsc.objsubid = a.attnum), ''),
		'inherited', NOT a.attislocal,
		'parent_default', COALESCE((SELECT pg_catalog.pg_get_expr(pd.adbin, pd.adrelid)
			FROM pg_catalog.pg_inherits i
			JOIN pg_catalog.pg_attribute pa ON pa.attrelid = i.inhparent AND pa.attname = a.attname
			JOIN pg_catalog.pg_attrdef pd ON pd.adrelid = pa.attrelid AND pd.adnum = pa.attnum
			WHERE i.inhrelid = c.oid ORDER BY i.inhseqno LIMIT 1), ''),
		'parent_not_null', COALESCE((SELECT pg_catalog.bool_or(pa.attnotnull) FROM pg_catalog.pg_inherits i
			JOIN pg_catalog.pg_attribute pa ON pa.attrelid = i.inhparent AND pa.attname = a.attname
			WHERE i.inhrelid = c.oid), false)) ORDER BY a.attnum)
	 FROM pg_catalog.pg_attribute a
	 JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
	 LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
	 LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
	 LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
	 WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
	(SELECT json_agg('CONSTRAINT ' || pg_catalog.quote_ident(k.conname) || ' ' || pg_catalog.pg_get_constraintdef(k.oid) ORDER BY k.conname)
	 FROM pg_catalog.pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'c' AND k.conislocal),
	CASE WHEN c.relispartition THEN (SELECT pg_catalog.quote_ident(pn.nspname) || '.' || pg_catalog.quote_ident(p.relname)
		FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class p ON p.oid = i.inhparent
		JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace WHERE i.inhrelid = c.oid) ELSE '' END,
	CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) ELSE '' END,
	CASE WHEN NOT c.relispartition THEN (SELECT json_agg(pg_catalog.quote_ident(pn.nspname) || '.' || pg_catalog.quote_ident(p.relname) ORDER BY i.inhseqno)
		FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class p ON p.oid = i.inhparent
		JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace WHERE i.inhrelid = c.oid) END,
	(SELECT json_agg(json_build_array(pn.nspname, p.relname) ORDER BY i.inhseqno)
		FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class p ON p.oid = i.inhparent
		JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace WHERE i.inhrelid = c.oid)
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_foreign_table ft ON ft.ftrelid = c.oid
JOIN pg_catalog.pg_foreign_server s ON s.oid = ft.ftserver
WHERE c.relkind = 'f' AND n.nspname = ANY($1) AND %s
ORDER BY 2, 3`

func (in *objInspector) readForeignTables(ctx context.Context) error {
	return in.query(ctx, fmt.Sprintf(foreignTablesQuery, notExtMember("pg_class", "c.oid")), func(rows *sql.Rows) error {
		var (
			oid                int64
			f                  = &PgForeignTable{}
			schemaName, name   string
			opts, cols, checks []byte
			inherits, parents  []byte
			names              [][2]string
		)
		if err := rows.Scan(&oid, &schemaName, &name, &f.SQLName, &f.Server, &opts, &f.Comment, &cols, &checks,
			&f.PartitionOf, &f.Bound, &inherits, &parents); err != nil {
			return err
		}
		if err := jsonInto(parents, &names); err != nil {
			return err
		}
		for _, p := range names {
			f.parents = append(f.parents, TableRef(p[0], p[1]))
		}
		if err := jsonInto(inherits, &f.Inherits); err != nil {
			return err
		}
		if err := jsonInto(opts, &f.Options); err != nil {
			return err
		}
		if err := jsonInto(cols, &f.Columns); err != nil {
			return err
		}
		if err := jsonInto(checks, &f.Checks); err != nil {
			return err
		}
		f.ID = PgRef{Kind: PgKindForeignTable, Schema: schemaName, Name: name}
		in.add("pg_class", oid, f)
		return nil
	})
}
