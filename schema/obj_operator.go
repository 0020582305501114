package schema

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// PgOperator is an operator (CREATE OPERATOR). Its reference's name holds
// the argument types, as regoperator prints them: "===(integer,integer)".
type PgOperator struct {
	PgHeader
	// Symbol is the operator's name (===).
	Symbol string
	// Left and Right are the argument types, Left "" for a prefix operator.
	Left, Right string
	// Function is the function that implements it.
	Function string
	// Commutator and Negator are qualified operator names, "" when none.
	Commutator, Negator string
	// Restrict and Join are the selectivity estimators, "" when none.
	Restrict, Join string
	// Hashes and Merges are set for operators that support hash and merge
	// joins.
	Hashes, Merges bool
}

// PgOpFamily is an operator family with the members that no operator
// class of it holds (those added by ALTER OPERATOR FAMILY ... ADD).
type PgOpFamily struct {
	PgHeader
	// Method is the index access method (btree, hash, ...).
	Method string
	// Members are the loose members, as ALTER OPERATOR FAMILY ... ADD takes
	// them: "OPERATOR 1 public.<<< (integer, bigint)" or
	// "FUNCTION 1 (integer, bigint) public.cmp(integer,bigint)".
	Members []string
	// DropForms give, for each member read from a database, the form that
	// ALTER OPERATOR FAMILY ... DROP takes.
	DropForms map[string]string
}

// PgOpClass is an operator class with its members.
type PgOpClass struct {
	PgHeader
	// Method is the index access method; Type the indexed data type.
	Method, Type string
	// Default is set for the default class of the type and method.
	Default bool
	// Family is the qualified operator family the class belongs to.
	Family string
	// Storage is the type stored in the index when not Type.
	Storage string
	// Members are the class's operators and functions, as CREATE OPERATOR
	// CLASS takes them.
	Members []string
}

const operatorsQuery = `
SELECT o.oid::int8, n.nspname, o.oprname,
	COALESCE(pg_catalog.format_type(NULLIF(o.oprleft, 0), NULL), ''), pg_catalog.format_type(o.oprright, NULL),
	o.oprcode::regproc::text,
	COALESCE((SELECT ` + "pg_catalog.quote_ident(cn.nspname) || '.' || c.oprname" + ` FROM pg_catalog.pg_operator c
		JOIN pg_catalog.pg_namespace cn ON cn.oid = c.oprnamespace WHERE c.oid = o.oprcom), ''),
	COALESCE((SELECT ` + "pg_catalog.quote_ident(cn.nspname) || '.' || c.oprname" + ` FROM pg_catalog.pg_operator c
		JOIN pg_catalog.pg_namespace cn ON cn.oid = c.oprnamespace WHERE c.oid = o.oprnegate), ''),
	COALESCE(NULLIF(o.oprrest, 0)::regproc::text, ''), COALESCE(NULLIF(o.oprjoin, 0)::regproc::text, ''),
	o.oprcanhash, o.oprcanmerge,
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = o.oid AND dsc.classoid = 'pg_catalog.pg_operator'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
WHERE o.oprcode <> 0 AND n.nspname = ANY($1) AND %s
ORDER BY 2, 3`

// opMembers lists the members of the operator families and classes:
// owner catalog, owner oid, the member as CREATE/ALTER take it, and the
// form DROP takes.
const opMembersQuery = `
SELECT d.refclassid::regclass::text, d.refobjid::int8,
	'OPERATOR ' || a.amopstrategy || ' ' || pg_catalog.quote_ident(n.nspname) || '.' || o.oprname
		|| ' (' || pg_catalog.format_type(a.amoplefttype, NULL) || ', ' || pg_catalog.format_type(a.amoprighttype, NULL) || ')'
		|| CASE WHEN a.amoppurpose = 'o' THEN ' FOR ORDER BY ' || (SELECT pg_catalog.quote_ident(fn.nspname) || '.' || pg_catalog.quote_ident(f.opfname)
			FROM pg_catalog.pg_opfamily f JOIN pg_catalog.pg_namespace fn ON fn.oid = f.opfnamespace WHERE f.oid = a.amopsortfamily) ELSE '' END,
	'OPERATOR ' || a.amopstrategy || ' (' || pg_catalog.format_type(a.amoplefttype, NULL) || ', ' || pg_catalog.format_type(a.amoprighttype, NULL) || ')',
	a.amopstrategy::int8, 0
FROM pg_catalog.pg_amop a
JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_amop'::regclass AND d.objid = a.oid AND d.deptype IN ('i', 'a')
	AND d.refclassid IN ('pg_catalog.pg_opclass'::regclass, 'pg_catalog.pg_opfamily'::regclass)
JOIN pg_catalog.pg_operator o ON o.oid = a.amopopr JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
WHERE a.oid >= 16384
UNION ALL
SELECT d.refclassid::regclass::text, d.refobjid::int8,
	'FUNCTION ' || p.amprocnum || ' (' || pg_catalog.format_type(p.amproclefttype, NULL) || ', ' || pg_catalog.format_type(p.amprocrighttype, NULL) || ') '
		|| p.amproc::regprocedure::text,
	'FUNCTION ' || p.amprocnum || ' (' || pg_catalog.format_type(p.amproclefttype, NULL) || ', ' || pg_catalog.format_type(p.amprocrighttype, NULL) || ')',
	p.amprocnum::int8, 1
FROM pg_catalog.pg_amproc p
JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_amproc'::regclass AND d.objid = p.oid AND d.deptype IN ('i', 'a')
	AND d.refclassid IN ('pg_catalog.pg_opclass'::regclass, 'pg_catalog.pg_opfamily'::regclass)
WHERE p.oid >= 16384
ORDER BY 1, 2, 6, 5, 3`

const opFamiliesQuery = `
SELECT f.oid::int8, n.nspname, f.opfname, am.amname, COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = f.oid AND dsc.classoid = 'pg_catalog.pg_opfamily'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_opfamily f JOIN pg_catalog.pg_namespace n ON n.oid = f.opfnamespace
JOIN pg_catalog.pg_am am ON am.oid = f.opfmethod
WHERE n.nspname = ANY($1) AND %s
ORDER BY 2, 3, 4`

const opClassesQuery = `
SELECT c.oid::int8, n.nspname, c.opcname, am.amname, pg_catalog.format_type(c.opcintype, NULL), c.opcdefault,
	pg_catalog.quote_ident(fn.nspname) || '.' || pg_catalog.quote_ident(f.opfname),
	COALESCE(pg_catalog.format_type(NULLIF(c.opckeytype, 0), NULL), ''),
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = c.oid AND dsc.classoid = 'pg_catalog.pg_opclass'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_namespace n ON n.oid = c.opcnamespace
JOIN pg_catalog.pg_am am ON am.oid = c.opcmethod
JOIN pg_catalog.pg_opfamily f ON f.oid = c.opcfamily JOIN pg_catalog.pg_namespace fn ON fn.oid = f.opfnamespace
WHERE n.nspname = ANY($1) AND %s
ORDER BY 2, 3, 4`

func (in *objInspector) readOperators(ctx context.Context) error {
	var oid int64
	var schemaName, name string
	err := in.query(ctx, fmt.Sprintf(operatorsQuery, notExtMember("pg_operator", "o.oid")), func(rows *sql.Rows) error {
		o := &PgOperator{}
		if err := rows.Scan(&oid, &schemaName, &o.Symbol, &o.Left, &o.Right, &o.Function, &o.Commutator, &o.Negator,
			&o.Restrict, &o.Join, &o.Hashes, &o.Merges, &o.Comment); err != nil {
			return err
		}
		o.setName(schemaName, o.Symbol)
		in.add("pg_operator", oid, o)
		return nil
	})
	if err != nil {
		return fmt.Errorf("operators: %w", err)
	}
	err = in.query(ctx, fmt.Sprintf(opFamiliesQuery, notExtMember("pg_opfamily", "f.oid")), func(rows *sql.Rows) error {
		f := &PgOpFamily{DropForms: map[string]string{}}
		if err := rows.Scan(&oid, &schemaName, &name, &f.Method, &f.Comment); err != nil {
			return err
		}
		f.setName(schemaName, name)
		in.add("pg_opfamily", oid, f)
		return nil
	})
	if err != nil {
		return fmt.Errorf("operator families: %w", err)
	}
	err = in.query(ctx, fmt.Sprintf(opClassesQuery, notExtMember("pg_opclass", "c.oid")), func(rows *sql.Rows) error {
		c := &PgOpClass{}
		if err := rows.Scan(&oid, &schemaName, &name, &c.Method, &c.Type, &c.Default, &c.Family, &c.Storage, &c.Comment); err != nil {
			return err
		}
		c.setName(schemaName, name)
		in.add("pg_opclass", oid, c)
		return nil
	})
	if err != nil {
		return fmt.Errorf("operator classes: %w", err)
	}
	err = in.queryArgs(ctx, opMembersQuery, nil, func(rows *sql.Rows) error {
		var (
			cat, def, drop string
			num, fn        int64
		)
		if err := rows.Scan(&cat, &oid, &def, &drop, &num, &fn); err != nil {
			return err
		}
		switch o := in.byOID[oidKey(cat, oid)].(type) {
		case *PgOpFamily:
			o.Members = append(o.Members, def)
			o.DropForms[def] = drop
		case *PgOpClass:
			o.Members = append(o.Members, def)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("operator class members: %w", err)
	}
	return nil
}

// opMemberDepsQuery lists what the members of operator classes and
// families use: the owner (class or family) and the operator or function.
const opMemberDepsQuery = `
SELECT own.refclassid::regclass::text, own.refobjid::int8, dep.refclassid::regclass::text, dep.refobjid::int8
FROM pg_catalog.pg_depend own
JOIN pg_catalog.pg_depend dep ON dep.classid = own.classid AND dep.objid = own.objid AND dep.deptype IN ('n', 'a')
	AND dep.refclassid NOT IN ('pg_catalog.pg_opclass'::regclass, 'pg_catalog.pg_opfamily'::regclass)
WHERE own.classid IN ('pg_catalog.pg_amop'::regclass, 'pg_catalog.pg_amproc'::regclass)
	AND own.refclassid IN ('pg_catalog.pg_opclass'::regclass, 'pg_catalog.pg_opfamily'::regclass)
	AND own.deptype IN ('i', 'a') AND own.objid >= 16384 AND dep.refobjid >= 16384`

// readOpMemberDeps adds to operator classes and families the objects
// their members use (pg_depend records them on the members).
func (in *objInspector) readOpMemberDeps(ctx context.Context) error {
	add := map[PgObject]map[PgRef]bool{}
	err := in.queryArgs(ctx, opMemberDepsQuery, nil, func(rows *sql.Rows) error {
		var ownCat, refCat string
		var ownOID, refOID int64
		if err := rows.Scan(&ownCat, &ownOID, &refCat, &refOID); err != nil {
			return err
		}
		o, ok := in.byOID[oidKey(ownCat, ownOID)]
		if !ok {
			return nil
		}
		ref, ok := in.resolve(refCat, refOID, "")
		if !ok || ref == o.Ref() {
			return nil
		}
		if add[o] == nil {
			add[o] = map[PgRef]bool{}
			for _, d := range o.Deps() {
				add[o][d] = true
			}
		}
		add[o][ref] = true
		return nil
	})
	if err != nil {
		return err
	}
	for o, refs := range add {
		o.(headed).header().DependsOn = sortedRefs(refs)
	}
	return nil
}

func (o *PgOperator) setName(schemaName, symbol string) {
	o.Symbol = symbol
	left := o.Left
	if left == "" {
		left = "NONE"
	}
	o.ID = PgRef{Kind: PgKindOperator, Schema: schemaName, Name: symbol + "(" + left + "," + o.Right + ")"}
	o.SQLName = QuoteIdent(schemaName) + "." + symbol
}

// Signature is the operator as DROP OPERATOR and COMMENT ON take it:
// public.=== (integer, integer).
func (o *PgOperator) Signature() string {
	left := o.Left
	if left == "" {
		left = "NONE"
	}
	return o.SQLName + " (" + left + ", " + o.Right + ")"
}

// CreateSQL returns the statements that create the operator.
func (o *PgOperator) CreateSQL() []string {
	opts := []string{"FUNCTION = " + o.Function}
	if o.Left != "" {
		opts = append(opts, "LEFTARG = "+o.Left)
	}
	opts = append(opts, "RIGHTARG = "+o.Right)
	if o.Commutator != "" {
		opts = append(opts, "COMMUTATOR = OPERATOR("+o.Commutator+")")
	}
	if o.Negator != "" {
		opts = append(opts, "NEGATOR = OPERATOR("+o.Negator+")")
	}
	if o.Restrict != "" {
		opts = append(opts, "RESTRICT = "+o.Restrict)
	}
	if o.Join != "" {
		opts = append(opts, "JOIN = "+o.Join)
	}
	if o.Hashes {
		opts = append(opts, "HASHES")
	}
	if o.Merges {
		opts = append(opts, "MERGES")
	}
	return withComment([]string{"CREATE OPERATOR " + o.SQLName + " (" + strings.Join(opts, ", ") + ")"}, "OPERATOR", o.Signature(), o.Comment)
}

func (o *PgOperator) hclType() string  { return "operator" }
func (o *PgOperator) hclLabel() string { return o.Symbol }

func (o *PgOperator) hclFields() []kindField {
	return []kindField{
		{name: "left", s: &o.Left, sql: true}, {name: "right", s: &o.Right, sql: true}, {name: "function", s: &o.Function},
		{name: "commutator", s: &o.Commutator}, {name: "negator", s: &o.Negator},
		{name: "restrict", s: &o.Restrict}, {name: "join", s: &o.Join},
		{name: "hashes", b: &o.Hashes}, {name: "merges", b: &o.Merges},
	}
}

func (f *PgOpFamily) setName(schemaName, name string) {
	f.ID = PgRef{Kind: PgKindOpFamily, Schema: schemaName, Name: name, Sub: "using " + f.Method}
	f.SQLName = QName{Schema: schemaName, Name: name}.String()
}

// Target is the family as DROP and COMMENT ON take it: public.f USING btree.
func (f *PgOpFamily) Target() string { return f.SQLName + " USING " + f.Method }

// CreateSQL returns the statements that create the family and add its
// loose members.
func (f *PgOpFamily) CreateSQL() []string {
	stmts := []string{"CREATE OPERATOR FAMILY " + f.Target()}
	if len(f.Members) > 0 {
		stmts = append(stmts, "ALTER OPERATOR FAMILY "+f.Target()+" ADD\n    "+strings.Join(f.Members, ",\n    "))
	}
	return withComment(stmts, "OPERATOR FAMILY", f.Target(), f.Comment)
}

func (f *PgOpFamily) hclType() string { return "operator_family" }

func (f *PgOpFamily) hclFields() []kindField {
	return []kindField{{name: "using", s: &f.Method, ident: true}, {name: "members", ss: &f.Members}}
}

func (c *PgOpClass) setName(schemaName, name string) {
	c.ID = PgRef{Kind: PgKindOpClass, Schema: schemaName, Name: name, Sub: "using " + c.Method}
	c.SQLName = QName{Schema: schemaName, Name: name}.String()
}

// Target is the class as DROP and COMMENT ON take it: public.c USING btree.
func (c *PgOpClass) Target() string { return c.SQLName + " USING " + c.Method }

// CreateSQL returns the statements that create the class in its family.
func (c *PgOpClass) CreateSQL() []string {
	def := ""
	if c.Default {
		def = "DEFAULT "
	}
	items := append([]string(nil), c.Members...)
	if c.Storage != "" {
		items = append(items, "STORAGE "+c.Storage)
	}
	stmt := fmt.Sprintf("CREATE OPERATOR CLASS %s %sFOR TYPE %s USING %s FAMILY %s AS\n    %s",
		c.SQLName, def, c.Type, c.Method, c.Family, strings.Join(items, ",\n    "))
	return withComment([]string{stmt}, "OPERATOR CLASS", c.Target(), c.Comment)
}

// SameDefinition reports whether o is the same class but for its comment.
func (c *PgOpClass) SameDefinition(o *PgOpClass) bool {
	return c.Method == o.Method && c.Type == o.Type && c.Default == o.Default && c.Family == o.Family &&
		c.Storage == o.Storage && strings.Join(c.Members, "\n") == strings.Join(o.Members, "\n")
}

func (c *PgOpClass) hclType() string { return "operator_class" }

func (c *PgOpClass) hclFields() []kindField {
	return []kindField{
		{name: "using", s: &c.Method, ident: true}, {name: "type", s: &c.Type, sql: true}, {name: "default", b: &c.Default},
		{name: "family", s: &c.Family}, {name: "storage", s: &c.Storage, sql: true}, {name: "members", ss: &c.Members},
	}
}
