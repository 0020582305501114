package schema

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// PgTrigger is a trigger on a table, view or materialized view, including
// constraint triggers. Its Ref has the table in Schema/Name and the trigger
// name in Sub.
type PgTrigger struct {
	PgHeader
	// Table is the quoted, qualified name of the trigger's table.
	Table string
	// Name is the quoted trigger name.
	Name string
	// Def is the CREATE TRIGGER statement pg_get_triggerdef prints.
	Def string
	// Enabled is pg_trigger.tgenabled: 'O' origin (the default), 'D'
	// disabled, 'R' replica, 'A' always.
	Enabled byte
	// Constraint is set for constraint triggers.
	Constraint bool
	// Type is pg_trigger.tgtype: bit 0 row, 1 before, 2 insert, 3 delete,
	// 4 update, 5 truncate, 6 instead of.
	Type int
	// UpdateOf are the columns of UPDATE OF.
	UpdateOf []string
	// Function is the qualified trigger function, Args its arguments.
	Function string
	Args     []string
	// OldTable and NewTable are the REFERENCING transition table names.
	OldTable, NewTable string
	// Deferrable and InitiallyDeferred are a constraint trigger's timing.
	Deferrable, InitiallyDeferred bool
	// From is the qualified referenced table of a constraint trigger.
	From string
}

const triggersQuery = `
SELECT t.oid::int8, n.nspname, c.relname, t.tgname,
	pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname), pg_catalog.quote_ident(t.tgname),
	pg_catalog.pg_get_triggerdef(t.oid), t.tgenabled::text, t.tgconstraint <> 0,
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = t.oid AND dsc.classoid = 'pg_catalog.pg_trigger'::pg_catalog.regclass AND dsc.objsubid = 0), ''),
	t.tgtype::int, t.tgfoid::regproc::text,
	(SELECT json_agg(a.attname ORDER BY k.i) FROM pg_catalog.unnest(t.tgattr::int2[]) WITH ORDINALITY k(n, i)
	 JOIN pg_catalog.pg_attribute a ON a.attrelid = t.tgrelid AND a.attnum = k.n),
	pg_catalog.encode(t.tgargs, 'escape'), t.tgnargs,
	COALESCE(t.tgoldtable::text, ''), COALESCE(t.tgnewtable::text, ''), t.tgdeferrable, t.tginitdeferred,
	COALESCE(NULLIF(t.tgconstrrelid, 0)::regclass::text, '')
FROM pg_catalog.pg_trigger t
JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND n.nspname = ANY($1) AND %s AND %s
ORDER BY 2, 3, 4`

func (in *objInspector) readTriggers(ctx context.Context) error {
	q := fmt.Sprintf(triggersQuery, notExtMember("pg_class", "c.oid"), notExtMember("pg_trigger", "t.oid"))
	return in.query(ctx, q, func(rows *sql.Rows) error {
		var (
			oid                         int64
			t                           = &PgTrigger{}
			schemaName, table, name, en string
		)
		var (
			cols    []byte
			args    string
			argsNum int
		)
		if err := rows.Scan(&oid, &schemaName, &table, &name, &t.Table, &t.Name, &t.Def, &en, &t.Constraint, &t.Comment,
			&t.Type, &t.Function, &cols, &args, &argsNum, &t.OldTable, &t.NewTable, &t.Deferrable, &t.InitiallyDeferred, &t.From); err != nil {
			return err
		}
		if err := jsonInto(cols, &t.UpdateOf); err != nil {
			return err
		}
		t.Args = triggerArgs(args, argsNum)
		t.Enabled = en[0]
		t.ID = PgRef{Kind: PgKindTrigger, Schema: schemaName, Name: table, Sub: name}
		t.SQLName = t.Name + " ON " + t.Table
		in.add("pg_trigger", oid, t)
		return nil
	})
}

// PgEventTrigger is a database-level event trigger.
type PgEventTrigger struct {
	PgHeader
	// Event is ddl_command_start, ddl_command_end, sql_drop or table_rewrite.
	Event string
	// Tags are the command tags of the WHEN TAG IN filter.
	Tags []string
	// Function is the qualified trigger function.
	Function string
	// Enabled is pg_event_trigger.evtenabled ('O', 'D', 'R' or 'A').
	Enabled byte
}

const eventTriggersQuery = `
SELECT e.oid::int8, e.evtname, pg_catalog.quote_ident(e.evtname), e.evtevent, e.evtfoid::regproc::text,
	e.evtenabled::text, COALESCE(pg_catalog.array_to_json(e.evttags)::text, '[]'),
	COALESCE((SELECT dsc.description FROM pg_catalog.pg_description dsc WHERE dsc.objoid = e.oid AND dsc.classoid = 'pg_catalog.pg_event_trigger'::pg_catalog.regclass AND dsc.objsubid = 0), '')
FROM pg_catalog.pg_event_trigger e
WHERE %s
ORDER BY 2`

func (in *objInspector) readEventTriggers(ctx context.Context) error {
	q := fmt.Sprintf(eventTriggersQuery, notExtMember("pg_event_trigger", "e.oid"))
	return in.queryArgs(ctx, q, nil, func(rows *sql.Rows) error {
		var (
			oid           int64
			e             = &PgEventTrigger{}
			name, en, tag string
		)
		if err := rows.Scan(&oid, &name, &e.SQLName, &e.Event, &e.Function, &en, &tag, &e.Comment); err != nil {
			return err
		}
		e.Enabled = en[0]
		if err := jsonInto([]byte(tag), &e.Tags); err != nil {
			return err
		}
		e.ID = PgRef{Kind: PgKindEventTrigger, Name: name}
		in.add("pg_event_trigger", oid, e)
		return nil
	})
}

// triggerArgs splits tgargs as encode(..., 'escape') prints it: arguments
// end with a NUL byte (\000), backslashes are doubled.
func triggerArgs(s string, n int) []string {
	if n == 0 {
		return nil
	}
	parts := strings.Split(s, `\000`)
	out := make([]string, 0, n)
	for i := 0; i < n && i < len(parts); i++ {
		out = append(out, strings.ReplaceAll(parts[i], `\\`, `\`))
	}
	return out
}
