package schema

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	atlas "ariga.io/atlas/sql/schema"

	"github.com/schemactl/schemactl/internal/pgquote"
)

// PgKindBaseType is the kind of a user-defined base type (CREATE TYPE name
// (INPUT = ..., OUTPUT = ...)).
const PgKindBaseType PgKind = "base type"

// PgBaseType is a user-defined base type. Its I/O functions (input,
// output, receive, send) take or return the type, so they cannot exist
// without it nor it without them: those of the inspected schemas belong to
// the type (Funcs) and are not objects of their own. The type is created
// as a shell first, then its functions, then its definition. Its other
// support functions (typmod, analyze, subscript) take and return other
// types: they are functions of their own, which the type depends on, so
// that ALTER TYPE ... SET can take them up or leave them. Its implicit array type is not an object. A shell
// type left without a definition (CREATE TYPE name;) is a PgBaseType with
// Shell set and nothing else.
type PgBaseType struct {
	PgHeader
	// Shell is set for a shell type: created, commented and dropped, with
	// no definition nor functions.
	Shell bool
	// Input, Output, Receive, Send, TypmodIn, TypmodOut, Analyze and
	// Subscript are the support functions as regproc prints them, ""
	// when none (only Input and Output are required).
	Input, Output, Receive, Send, TypmodIn, TypmodOut, Analyze, Subscript string
	// InternalLength is the length in bytes, or "variable".
	InternalLength string
	// PassedByValue is set for types passed by value.
	PassedByValue bool
	// Alignment is char, int2, int4 or double.
	Alignment string
	// Storage is plain, external, extended or main.
	Storage string
	// Category is the one-letter type category; Preferred marks the
	// preferred type of its category.
	Category  string
	Preferred bool
	// Default is the default value as an SQL literal, "" when none.
	Default string
	// Element is the element type (format_type), "" when none.
	Element string
	// Delimiter is the array element delimiter.
	Delimiter string
	// Collatable is set for types that take a collation.
	Collatable bool
	// Funcs are the I/O functions of the type (input, output, receive,
	// send) that live in the inspected schemas, sorted by name.
	Funcs []PgTypeFunc
	// hclDefs and hclComments carry Funcs through the HCL block.
	hclDefs     []string
	hclComments map[string][]string
}

// PgTypeFunc is an I/O function of a base type.
type PgTypeFunc struct {
	// Name is the quoted, qualified name with argument types.
	Name string
	// Def is the CREATE OR REPLACE FUNCTION statement (pg_get_functiondef).
	Def string
	// Comment is the function's comment.
	Comment string
}

// Implicit array types are left out: their element's typarray points to
// them.
const baseTypesQuery = `
SELECT t.oid::int8, n.nspname, t.typname, pg_catalog.format_type(t.oid, NULL),
	t.typinput::regproc::text, t.typoutput::regproc::text,
	COALESCE(NULLIF(t.typreceive, 0)::regproc::text, ''), COALESCE(NULLIF(t.typsend, 0)::regproc::text, ''),
	COALESCE(NULLIF(t.typmodin, 0)::regproc::text, ''), COALESCE(NULLIF(t.typmodout, 0)::regproc::text, ''),
	COALESCE(NULLIF(t.typanalyze, 0)::regproc::text, ''), COALESCE(NULLIF(t.typsubscript, 0)::regproc::text, ''),
	pg_catalog.array_to_string(ARRAY[t.typinput, t.typoutput, t.typreceive, t.typsend]::int8[], ','),
	t.typlen::int8, t.typbyval, t.typalign::text, t.typstorage::text, t.typcategory::text, t.typispreferred,
	COALESCE(pg_catalog.quote_literal(t.typdefault), ''),
	COALESCE(pg_catalog.format_type(NULLIF(t.typelem, 0), NULL), ''), t.typdelim::text, t.typcollation <> 0,
	COALESCE(t.typarray, 0)::int8,
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = t.oid AND dsc.classoid = 'pg_catalog.pg_type'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'b' AND n.nspname = ANY($1) AND %s
	AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type e WHERE e.typarray = t.oid)
ORDER BY 2, 3`

var (
	typAlign   = map[string]string{"c": "char", "s": "int2", "i": "int4", "d": "double"}
	typStorage = map[string]string{"p": "plain", "e": "external", "x": "extended", "m": "main"}
)

// shellTypesQuery lists the shell types: user-defined pseudo-types, which
// only CREATE TYPE name makes.
const shellTypesQuery = `
SELECT t.oid::int8, n.nspname, t.typname, pg_catalog.format_type(t.oid, NULL),
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = t.oid AND dsc.classoid = 'pg_catalog.pg_type'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'p' AND n.nspname = ANY($1) AND %s
ORDER BY 2, 3`

// readShellTypes reads the shell types left without a definition.
func (in *objInspector) readShellTypes(ctx context.Context) error {
	return in.query(ctx, fmt.Sprintf(shellTypesQuery, notExtMember("pg_type", "t.oid")), func(rows *sql.Rows) error {
		var (
			oid              int64
			b                = &PgBaseType{Shell: true}
			schemaName, name string
		)
		if err := rows.Scan(&oid, &schemaName, &name, &b.SQLName, &b.Comment); err != nil {
			return err
		}
		b.ID = PgRef{Kind: PgKindBaseType, Schema: schemaName, Name: name}
		in.add("pg_type", oid, b)
		return nil
	})
}

// readBaseTypes reads the base types. It runs after readFunctions: the
// I/O functions read there are taken out of the schemas and into their
// type, which stands for them in dependencies.
func (in *objInspector) readBaseTypes(ctx context.Context) error {
	absorbed := map[PgObject]bool{}
	err := in.query(ctx, fmt.Sprintf(baseTypesQuery, notExtMember("pg_type", "t.oid")), func(rows *sql.Rows) error {
		var (
			oid, typlen, arr int64
			b                = &PgBaseType{}
			schemaName, name string
			align, storage   string
			funcs            string
		)
		if err := rows.Scan(&oid, &schemaName, &name, &b.SQLName, &b.Input, &b.Output, &b.Receive, &b.Send,
			&b.TypmodIn, &b.TypmodOut, &b.Analyze, &b.Subscript, &funcs, &typlen, &b.PassedByValue, &align, &storage,
			&b.Category, &b.Preferred, &b.Default, &b.Element, &b.Delimiter, &b.Collatable, &arr, &b.Comment); err != nil {
			return err
		}
		b.InternalLength = "variable"
		if typlen >= 0 {
			b.InternalLength = strconv.FormatInt(typlen, 10)
		}
		b.Alignment, b.Storage = typAlign[align], typStorage[storage]
		b.ID = PgRef{Kind: PgKindBaseType, Schema: schemaName, Name: name}
		for _, fs := range strings.Split(funcs, ",") {
			f, err := strconv.ParseInt(fs, 10, 64)
			if err != nil {
				return fmt.Errorf("base type %s: function oid %q: %w", b.SQLName, fs, err)
			}
			fn, ok := in.byOID[oidKey("pg_proc", f)].(*PgFunction)
			if f == 0 || !ok {
				continue
			}
			if !absorbed[fn] {
				b.Funcs = append(b.Funcs, PgTypeFunc{Name: fn.SQLName, Def: fn.Def, Comment: fn.Comment})
				absorbed[fn] = true
			}
			in.byOID[oidKey("pg_proc", f)] = b
		}
		slices.SortFunc(b.Funcs, func(x, y PgTypeFunc) int { return strings.Compare(x.Name, y.Name) })
		in.add("pg_type", oid, b)
		if arr != 0 {
			in.byOID[oidKey("pg_type", arr)] = b
		}
		return nil
	})
	if err != nil || len(absorbed) == 0 {
		return err
	}
	for _, s := range in.r.Schemas {
		s.Objects = slices.DeleteFunc(s.Objects, func(o atlas.Object) bool {
			p, ok := o.(PgObject)
			return ok && absorbed[p]
		})
	}
	return nil
}

// setName names the type read from an HCL block, and rebuilds its
// functions from the block's lists (it runs after they are read).
func (b *PgBaseType) setName(schemaName, name string) {
	if len(b.Funcs) == 0 {
		for _, d := range b.hclDefs {
			f := PgTypeFunc{Def: d, Name: funcNameOfDef(d)}
			if c := b.hclComments[f.Name]; len(c) > 0 {
				f.Comment = c[0]
			}
			b.Funcs = append(b.Funcs, f)
		}
	}
	b.ID = PgRef{Kind: PgKindBaseType, Schema: schemaName, Name: name}
	b.SQLName = QName{Schema: schemaName, Name: name}.String()
}

// Options returns the definition of the type: the list between the
// parentheses of CREATE TYPE name (...).
func (b *PgBaseType) Options() string {
	opts := []string{"INPUT = " + b.Input, "OUTPUT = " + b.Output}
	for _, f := range [...]struct{ k, v string }{
		{"RECEIVE", b.Receive}, {"SEND", b.Send}, {"TYPMOD_IN", b.TypmodIn}, {"TYPMOD_OUT", b.TypmodOut},
		{"ANALYZE", b.Analyze}, {"SUBSCRIPT", b.Subscript},
	} {
		if f.v != "" {
			opts = append(opts, f.k+" = "+f.v)
		}
	}
	opts = append(opts, "INTERNALLENGTH = "+strings.ToUpper(b.InternalLength))
	if b.PassedByValue {
		opts = append(opts, "PASSEDBYVALUE")
	}
	opts = append(opts, "ALIGNMENT = "+b.Alignment, "STORAGE = "+b.Storage, "CATEGORY = "+pgquote.Literal(b.Category))
	if b.Preferred {
		opts = append(opts, "PREFERRED = true")
	}
	if b.Default != "" {
		opts = append(opts, "DEFAULT = "+b.Default)
	}
	if b.Element != "" {
		opts = append(opts, "ELEMENT = "+b.Element)
	}
	opts = append(opts, "DELIMITER = "+pgquote.Literal(b.Delimiter))
	if b.Collatable {
		opts = append(opts, "COLLATABLE = true")
	}
	return strings.Join(opts, ", ")
}

// CreateSQL returns the statements that create the type: its shell, its
// I/O functions, its definition, and the comments.
func (b *PgBaseType) CreateSQL() []string {
	stmts := []string{"CREATE TYPE " + b.SQLName}
	if b.Shell {
		return withComment(stmts, "TYPE", b.SQLName, b.Comment)
	}
	for _, f := range b.Funcs {
		stmts = append(stmts, strings.TrimRight(f.Def, "\n"))
	}
	stmts = append(stmts, "CREATE TYPE "+b.SQLName+" ("+b.Options()+")")
	for _, f := range b.Funcs {
		stmts = withComment(stmts, "FUNCTION", f.Name, f.Comment)
	}
	return withComment(stmts, "TYPE", b.SQLName, b.Comment)
}

func (b *PgBaseType) hclType() string { return "base_type" }

func (b *PgBaseType) hclFields() []kindField {
	if b.Shell {
		return []kindField{{name: "shell", b: &b.Shell}}
	}
	b.hclDefs, b.hclComments = nil, nil
	for _, f := range b.Funcs {
		b.hclDefs = append(b.hclDefs, f.Def)
		if f.Comment != "" {
			if b.hclComments == nil {
				b.hclComments = map[string][]string{}
			}
			b.hclComments[f.Name] = []string{f.Comment}
		}
	}
	return []kindField{
		{name: "shell", b: &b.Shell},
		{name: "input", s: &b.Input}, {name: "output", s: &b.Output}, {name: "receive", s: &b.Receive},
		{name: "send", s: &b.Send}, {name: "typmod_in", s: &b.TypmodIn}, {name: "typmod_out", s: &b.TypmodOut},
		{name: "analyze", s: &b.Analyze}, {name: "subscript", s: &b.Subscript},
		{name: "internal_length", s: &b.InternalLength}, {name: "passed_by_value", b: &b.PassedByValue},
		{name: "alignment", s: &b.Alignment, ident: true}, {name: "storage", s: &b.Storage, ident: true},
		{name: "category", s: &b.Category}, {name: "preferred", b: &b.Preferred},
		{name: "default", s: &b.Default, sql: true}, {name: "element", s: &b.Element},
		{name: "delimiter", s: &b.Delimiter}, {name: "collatable", b: &b.Collatable},
		{name: "functions", ss: &b.hclDefs}, {name: "function_comments", m: &b.hclComments},
	}
}

// funcNameOfDef returns the name with argument types of the function that
// a CREATE OR REPLACE FUNCTION statement defines, as pg_get_functiondef
// prints it (the first line ends with it).
func funcNameOfDef(def string) string {
	line, _, _ := strings.Cut(def, "\n")
	return strings.TrimSpace(strings.TrimPrefix(line, "CREATE OR REPLACE FUNCTION "))
}
