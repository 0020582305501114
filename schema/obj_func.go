package schema

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/schemactl/schemactl/internal/pgquote"
)

// PgFunction is a function, procedure or aggregate. Overloads are told
// apart by their argument types (the Name of the Ref is "f(integer)").
type PgFunction struct {
	PgHeader
	// Kind is 'f' function, 'p' procedure, 'a' aggregate, 'w' window function.
	Kind byte
	// Name is the bare function name.
	Name string
	// IdentityArgs are the argument types that identify the function
	// (pg_get_function_identity_arguments).
	IdentityArgs string
	// Args are the arguments with names, modes and defaults
	// (pg_get_function_arguments).
	Args string
	// Result is pg_get_function_result ("" for procedures).
	Result string
	// Language is the implementation language.
	Language string
	// Volatility is 'i' immutable, 's' stable or 'v' volatile.
	Volatility byte
	// Strict, SecurityDefiner and Leakproof are the function's flags.
	Strict, SecurityDefiner, Leakproof bool
	// Config holds the SET options (e.g. "search_path=public").
	Config []string
	// ArgList are the arguments one by one (RETURNS TABLE columns left out).
	ArgList []PgFuncArg
	// Def is the complete CREATE OR REPLACE statement that
	// pg_get_functiondef prints for functions and procedures, or the
	// CREATE AGGREGATE statement built for aggregates. Two functions are
	// equal exactly when their Defs are.
	Def string
}

// PgFuncArg is one argument of a function.
type PgFuncArg struct {
	Name    string `json:"name"`
	Mode    string `json:"mode"` // i, o, b (INOUT), v (VARIADIC)
	Type    string `json:"type"`
	Default string `json:"default"`
}

const funcsQuery = `
SELECT p.oid::int8, n.nspname, p.proname, p.prokind::text,
	pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname),
	pg_catalog.pg_get_function_identity_arguments(p.oid),
	pg_catalog.pg_get_function_arguments(p.oid),
	COALESCE(pg_catalog.pg_get_function_result(p.oid), ''),
	l.lanname, p.provolatile::text, p.proisstrict, p.prosecdef, p.proleakproof,
	COALESCE(pg_catalog.array_to_json(p.proconfig)::text, '[]'),
	CASE WHEN p.prokind <> 'a' THEN pg_catalog.pg_get_functiondef(p.oid) ELSE '' END,
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = p.oid AND dsc.classoid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND dsc.objsubid = 0), ''),
	COALESCE(ag.aggkind::text, ''),
	COALESCE(ag.aggtransfn::regproc::text, ''), COALESCE(pg_catalog.format_type(ag.aggtranstype, NULL), ''),
	COALESCE(ag.aggtransspace, 0), COALESCE(ag.aggfinalfn::regproc::text, '-'), COALESCE(ag.aggfinalextra, false),
	COALESCE(ag.aggfinalmodify::text, ''), COALESCE(ag.aggcombinefn::regproc::text, '-'),
	COALESCE(ag.aggserialfn::regproc::text, '-'), COALESCE(ag.aggdeserialfn::regproc::text, '-'),
	ag.agginitval,
	COALESCE(ag.aggmtransfn::regproc::text, '-'), COALESCE(ag.aggminvtransfn::regproc::text, '-'),
	COALESCE(pg_catalog.format_type(NULLIF(ag.aggmtranstype, 0), NULL), ''), COALESCE(ag.aggmtransspace, 0),
	COALESCE(ag.aggmfinalfn::regproc::text, '-'), COALESCE(ag.aggmfinalextra, false),
	COALESCE(ag.aggmfinalmodify::text, ''), ag.aggminitval,
	COALESCE(NULLIF(ag.aggsortop, 0)::regoperator::text, ''), p.proparallel::text,
	(SELECT json_agg(json_build_object('name', COALESCE(p.proargnames[i], ''), 'mode', COALESCE(p.proargmodes[i]::text, 'i'),
		'type', pg_catalog.format_type(COALESCE(p.proallargtypes[i], p.proargtypes[i - 1]), NULL)) ORDER BY i)
	 FROM pg_catalog.generate_series(1, COALESCE(pg_catalog.array_length(p.proallargtypes, 1), p.pronargs)) i)
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
LEFT JOIN pg_catalog.pg_aggregate ag ON ag.aggfnoid = p.oid
WHERE n.nspname = ANY($1) AND %s
	AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend i WHERE i.classid = 'pg_catalog.pg_proc'::regclass AND i.objid = p.oid AND i.deptype = 'i')
ORDER BY 2, 3, 6`

func (in *objInspector) readFunctions(ctx context.Context) error {
	return in.query(ctx, fmt.Sprintf(funcsQuery, notExtMember("pg_proc", "p.oid")), func(rows *sql.Rows) error {
		var (
			oid                                     int64
			f                                       = &PgFunction{}
			schemaName, kind, vol, config, parallel string
			agg                                     aggRow
			args                                    []byte
		)
		if err := rows.Scan(&oid, &schemaName, &f.Name, &kind, &f.SQLName, &f.IdentityArgs, &f.Args, &f.Result,
			&f.Language, &vol, &f.Strict, &f.SecurityDefiner, &f.Leakproof, &config, &f.Def, &f.Comment,
			&agg.kind, &agg.sfunc, &agg.stype, &agg.sspace, &agg.finalfn, &agg.finalextra, &agg.finalmodify,
			&agg.combinefn, &agg.serialfn, &agg.deserialfn, &agg.initval,
			&agg.msfunc, &agg.minvfunc, &agg.mstype, &agg.msspace, &agg.mfinalfn, &agg.mfinalextra,
			&agg.mfinalmodify, &agg.minitval, &agg.sortop, &parallel, &args); err != nil {
			return err
		}
		if err := f.setArgs(args); err != nil {
			return err
		}
		f.Kind, f.Volatility = kind[0], vol[0]
		if err := jsonInto([]byte(config), &f.Config); err != nil {
			return err
		}
		f.SQLName += "(" + f.IdentityArgs + ")"
		pk := PgKindFunction
		switch f.Kind {
		case 'p':
			pk = PgKindProcedure
		case 'a':
			pk = PgKindAggregate
			f.Def = agg.createSQL(f.SQLName[:len(f.SQLName)-len(f.IdentityArgs)-2], f.Args, parallel)
		}
		f.ID = PgRef{Kind: pk, Schema: schemaName, Name: f.Name + "(" + f.IdentityArgs + ")"}
		in.add("pg_proc", oid, f)
		return nil
	})
}

// aggRow is the pg_aggregate row of an aggregate.
type aggRow struct {
	kind, sfunc, stype, finalfn, finalmodify, combinefn, serialfn, deserialfn string
	msfunc, minvfunc, mstype, mfinalfn, mfinalmodify, sortop                  string
	sspace, msspace                                                           int64
	finalextra, mfinalextra                                                   bool
	initval, minitval                                                         sql.NullString
}

// createSQL builds the CREATE AGGREGATE statement of an aggregate.
func (a aggRow) createSQL(name, args, parallel string) string {
	var opts []string
	add := func(k, v string) {
		if v != "" && v != "-" {
			opts = append(opts, k+" = "+v)
		}
	}
	modify := func(k, v, def string) {
		m := map[string]string{"r": "READ_ONLY", "s": "SHAREABLE", "w": "READ_WRITE"}[v]
		if v != "" && v != def {
			opts = append(opts, k+" = "+m)
		}
	}
	add("SFUNC", a.sfunc)
	add("STYPE", a.stype)
	if a.sspace != 0 {
		add("SSPACE", fmt.Sprint(a.sspace))
	}
	add("FINALFUNC", a.finalfn)
	if a.finalextra {
		opts = append(opts, "FINALFUNC_EXTRA")
	}
	defModify := "r"
	if a.kind != "n" {
		defModify = "w"
	}
	if a.finalfn != "-" {
		modify("FINALFUNC_MODIFY", a.finalmodify, defModify)
	}
	add("COMBINEFUNC", a.combinefn)
	add("SERIALFUNC", a.serialfn)
	add("DESERIALFUNC", a.deserialfn)
	if a.initval.Valid {
		add("INITCOND", pgquote.Literal(a.initval.String))
	}
	if a.msfunc != "-" {
		add("MSFUNC", a.msfunc)
		add("MINVFUNC", a.minvfunc)
		add("MSTYPE", a.mstype)
		if a.msspace != 0 {
			add("MSSPACE", fmt.Sprint(a.msspace))
		}
		add("MFINALFUNC", a.mfinalfn)
		if a.mfinalextra {
			opts = append(opts, "MFINALFUNC_EXTRA")
		}
		if a.mfinalfn != "-" {
			modify("MFINALFUNC_MODIFY", a.mfinalmodify, "r")
		}
		if a.minitval.Valid {
			add("MINITCOND", pgquote.Literal(a.minitval.String))
		}
	}
	add("SORTOP", a.sortop)
	switch parallel {
	case "s":
		opts = append(opts, "PARALLEL = SAFE")
	case "r":
		opts = append(opts, "PARALLEL = RESTRICTED")
	}
	if a.kind == "h" {
		opts = append(opts, "HYPOTHETICAL")
	}
	if args == "" {
		args = "*"
	}
	return "CREATE AGGREGATE " + name + "(" + args + ") (\n    " + strings.Join(opts, ",\n    ") + "\n)"
}

// setArgs decodes the argument list and takes each default from Args.
func (f *PgFunction) setArgs(js []byte) error {
	var all []PgFuncArg
	if err := jsonInto(js, &all); err != nil {
		return err
	}
	parts := splitTopLevel(f.Args, ',')
	k := 0
	for _, a := range all {
		if a.Mode == "t" {
			continue
		}
		if k < len(parts) {
			if _, d, ok := cutTopLevel(parts[k], " DEFAULT "); ok {
				a.Default = strings.TrimSpace(d)
			}
		}
		k++
		f.ArgList = append(f.ArgList, a)
	}
	return nil
}

// splitTopLevel splits s at sep outside parentheses, brackets and quotes.
func splitTopLevel(s string, sep byte) []string {
	var out []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(' || c == '[':
			depth++
		case c == ')' || c == ']':
			depth--
		case c == sep && depth == 0:
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	if strings.TrimSpace(s[start:]) != "" {
		out = append(out, strings.TrimSpace(s[start:]))
	}
	return out
}

// cutTopLevel cuts s around the first sep outside parentheses and quotes.
func cutTopLevel(s, sep string) (string, string, bool) {
	depth := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(' || c == '[':
			depth++
		case c == ')' || c == ']':
			depth--
		case depth == 0 && strings.HasPrefix(s[i:], sep):
			return s[:i], s[i+len(sep):], true
		}
	}
	return s, "", false
}
