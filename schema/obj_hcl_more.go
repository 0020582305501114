package schema

import (
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// The HCL blocks of casts, rules, languages, access methods, transforms,
// foreign-data wrappers, servers, user mappings, foreign tables and
// publications:
//
//	language "plx" { trusted = true  handler = "public.plh" }
//	access_method "heap2" { type = TABLE  handler = "heap_tableam_handler" }
//	cast { source = sql("public.pair")  target = sql("text")  function = "public.f(public.pair)"  as = ASSIGNMENT }
//	transform { type = sql("public.t")  language = "plx"  from_sql = "public.f(internal)" }
//	rule "r" { on = table.public.t  definition = <<SQL ... SQL }
//	foreign_data_wrapper "w" { handler = "public.h"  options = ["a=1"] }
//	server "s" { wrapper = "postgres_fdw"  options = ["host=db"] }
//	user_mapping { user = "PUBLIC"  server = "s"  options = ["user=app"] }
//	foreign_table "ft" { schema = schema.public  server = "s"  column "id" { type = sql("integer") } }
//	publication "p" { table { name = table.public.t  columns = ["id"]  where = "(id > 0)" }  publish = ["insert"] }
//	subscription "sub" { publications = ["p"]  slot_name = "sub"  binary = true }
//
// A user mapping's password is never written (NotInHCL says so); an HCL
// file may give one as an option ("password=..."). Neither is a
// subscription's connection string: an HCL file may give it (connection =
// "host=..."), compared by its hash; a subscription block without one
// leaves the connection alone.

// moreKinds are the kinds written by writeMoreObjects, in their order.
var moreKinds = []PgKind{PgKindLanguage, PgKindAccessMethod, PgKindCast, PgKindTransform, PgKindForeignWrapper,
	PgKindForeignServer, PgKindUserMapping, PgKindForeignTable, PgKindRule, PgKindPublication, PgKindSubscription}

func setStrings(b *hclwrite.Body, name string, vs []string) {
	if len(vs) == 0 {
		return
	}
	vals := make([]cty.Value, len(vs))
	for i, v := range vs {
		vals[i] = cty.StringVal(v)
	}
	b.SetAttributeValue(name, cty.ListVal(vals))
}

func setIf(b *hclwrite.Body, name, v string) {
	if v != "" {
		setString(b, name, v)
	}
}

// writeMoreObjects writes the blocks of this file's kinds; views names the
// views of the state (rules on views refer to view.<schema>.<name>).
func writeMoreObjects(body *hclwrite.Body, objs []PgObject) {
	views := map[PgRef]bool{}
	for _, o := range objs {
		if o.Ref().Kind == PgKindView || o.Ref().Kind == PgKindMatView {
			views[PgRef{Schema: o.Ref().Schema, Name: o.Ref().Name}] = true
		}
	}
	for _, k := range moreKinds {
		for _, o := range objs {
			if o.Ref().Kind == k {
				writeMoreObject(body, o, views)
			}
		}
	}
}

func writeMoreObject(body *hclwrite.Body, o PgObject, views map[PgRef]bool) {
	switch o := o.(type) {
	case *PgLanguage:
		b := newBlock(body, "language", o.ID.Name)
		if o.Trusted {
			b.SetAttributeValue("trusted", cty.True)
		}
		setString(b, "handler", o.Handler)
		setIf(b, "inline", o.Inline)
		setIf(b, "validator", o.Validator)
		setComment(b, o.Comment)
	case *PgAccessMethod:
		b := newBlock(body, "access_method", o.ID.Name)
		setIdent(b, "type", o.Type)
		setString(b, "handler", o.Handler)
		setComment(b, o.Comment)
	case *PgCast:
		body.AppendNewline()
		b := newPlainBlock(body, "cast")
		setSQL(b, "source", o.Source)
		setSQL(b, "target", o.Target)
		switch o.Method {
		case 'f':
			setString(b, "function", o.Function)
		case 'b':
			setIdent(b, "method", "BINARY")
		default:
			setIdent(b, "method", "INOUT")
		}
		switch o.Context {
		case 'a':
			setIdent(b, "as", "ASSIGNMENT")
		case 'i':
			setIdent(b, "as", "IMPLICIT")
		}
		setComment(b, o.Comment)
	case *PgTransform:
		body.AppendNewline()
		b := newPlainBlock(body, "transform")
		setSQL(b, "type", o.Type)
		setString(b, "language", unquoteIdent(o.Language))
		setIf(b, "from_sql", o.FromSQL)
		setIf(b, "to_sql", o.ToSQL)
		setComment(b, o.Comment)
	case *PgForeignWrapper:
		b := newBlock(body, "foreign_data_wrapper", o.ID.Name)
		setIf(b, "handler", o.Handler)
		setIf(b, "validator", o.Validator)
		setStrings(b, "options", o.Options)
		setComment(b, o.Comment)
	case *PgForeignServer:
		b := newBlock(body, "server", o.ID.Name)
		setString(b, "wrapper", unquoteIdent(o.Wrapper))
		setIf(b, "type", o.Type)
		setIf(b, "version", o.Version)
		setStrings(b, "options", o.Options)
		setComment(b, o.Comment)
	case *PgUserMapping:
		body.AppendNewline()
		b := newPlainBlock(body, "user_mapping")
		if o.User == "PUBLIC" {
			setString(b, "user", "PUBLIC")
		} else {
			setString(b, "user", unquoteIdent(o.User))
		}
		setString(b, "server", unquoteIdent(o.Server))
		setStrings(b, "options", o.Options)
	case *PgForeignTable:
		b := newBlock(body, "foreign_table", o.ID.Name)
		setRef(b, "schema", "schema", o.ID.Schema)
		setString(b, "server", unquoteIdent(o.Server))
		setIf(b, "partition_of", o.PartitionOf)
		setIf(b, "for_values", o.Bound)
		setStrings(b, "inherits", o.Inherits)
		for _, c := range o.Columns {
			if c.Inherited {
				writeInheritedColumn(b, c)
				continue
			}
			cb := newBlock(b, "column", unquoteIdent(c.Name))
			setSQL(cb, "type", c.Type)
			if c.NotNull {
				cb.SetAttributeValue("null", cty.False)
			}
			if c.Default != "" {
				setSQL(cb, "default", c.Default)
			}
			setIf(cb, "collate", c.Collation)
			setStrings(cb, "options", c.Options)
			setComment(cb, c.Comment)
		}
		setStrings(b, "checks", o.Checks)
		setStrings(b, "options", o.Options)
		setComment(b, o.Comment)
	case *PgRule:
		b := newBlock(body, "rule", o.ID.Sub)
		root := "table"
		if views[PgRef{Schema: o.ID.Schema, Name: o.ID.Name}] {
			root = "view"
		}
		setRef(b, "on", root, o.ID.Schema, o.ID.Name)
		setText(b, "definition", o.Def)
		if o.Enabled != 'O' {
			setString(b, "enabled", string(o.Enabled))
		}
		setComment(b, o.Comment)
	case *PgPublication:
		b := newBlock(body, "publication", o.ID.Name)
		if o.AllTables {
			b.SetAttributeValue("all_tables", cty.True)
		}
		for _, t := range o.Tables {
			tb := newPlainBlock(b, "table")
			setRef(tb, "name", "table", t.Schema, t.Name)
			cols := make([]string, len(t.Columns))
			for i, c := range t.Columns {
				cols[i] = unquoteIdent(c)
			}
			setStrings(tb, "columns", cols)
			setIf(tb, "where", t.Where)
		}
		setStrings(b, "schemas", o.SchemaNames)
		setStrings(b, "publish", o.Publish)
		if o.ViaRoot {
			b.SetAttributeValue("via_root", cty.True)
		}
		setComment(b, o.Comment)
	case *PgSubscription:
		b := newBlock(body, "subscription", o.ID.Name)
		setStrings(b, "publications", o.Publications)
		if !o.Enabled {
			b.SetAttributeValue("enabled", cty.False)
		}
		if o.SlotName == "" {
			b.SetAttributeValue("no_slot", cty.True)
		} else {
			setString(b, "slot_name", o.SlotName)
		}
		if o.SyncCommit != "off" {
			setString(b, "synchronous_commit", o.SyncCommit)
		}
		if o.Binary {
			b.SetAttributeValue("binary", cty.True)
		}
		if o.Streaming != "off" {
			setString(b, "streaming", o.Streaming)
		}
		if o.TwoPhase {
			b.SetAttributeValue("two_phase", cty.True)
		}
		if o.DisableOnError {
			b.SetAttributeValue("disable_on_error", cty.True)
		}
		if o.Origin != "" && o.Origin != "any" {
			setString(b, "origin", o.Origin)
		}
		setComment(b, o.Comment)
	}
}

// writeInheritedColumn writes what a column that a foreign partition or
// child inherits has of its own, nothing when it has nothing:
//
//	column "note" { inherited = true  default = sql("'r'::text")  null = false }
//
// drop_default = true says the parent's default is dropped, null = true
// that its NOT NULL is.
func writeInheritedColumn(b *hclwrite.Body, c PgForeignColumn) {
	if c.Default == c.ParentDefault && c.NotNull == c.ParentNotNull && len(c.Options) == 0 && c.Comment == "" {
		return
	}
	cb := newBlock(b, "column", unquoteIdent(c.Name))
	cb.SetAttributeValue("inherited", cty.True)
	switch {
	case c.Default != c.ParentDefault && c.Default == "":
		cb.SetAttributeValue("drop_default", cty.True)
	case c.Default != c.ParentDefault:
		setSQL(cb, "default", c.Default)
	}
	if c.NotNull != c.ParentNotNull {
		cb.SetAttributeValue("null", cty.BoolVal(!c.NotNull))
	}
	setStrings(cb, "options", c.Options)
	setComment(cb, c.Comment)
}

// moreNotInHCL lists what the blocks of this file leave out of o: a user
// mapping's password. ok is false when o is not of this file's kinds.
func moreNotInHCL(o PgObject) (left string, ok bool) {
	for _, k := range moreKinds {
		if o.Ref().Kind == k {
			if u, isUM := o.(*PgUserMapping); isUM && u.PasswordHash != "" {
				return o.Ref().String() + ": its password option (never written)", true
			}
			if s, isSub := o.(*PgSubscription); isSub && s.ConnHash != "" {
				return o.Ref().String() + ": its connection string (never written)", true
			}
			return "", true
		}
	}
	return "", false
}

// moreSQL turns a block of this file's kinds into SQL; before is set for
// the objects that tables may need (languages, access methods, wrappers,
// servers, user mappings).
func moreSQL(r *hclReader) (stmts []string, before bool) {
	q := QuoteIdent
	switch r.b.Type {
	case "language":
		l := &PgLanguage{Trusted: r.boolean("trusted", false), Handler: r.str("handler"), Inline: r.str("inline"), Validator: r.str("validator")}
		l.SQLName, l.Comment = q(r.name()), r.str("comment")
		return l.CreateSQL(false), true
	case "access_method":
		a := &PgAccessMethod{Type: strings.ToUpper(r.str("type")), Handler: r.str("handler")}
		a.SQLName, a.Comment = q(r.name()), r.str("comment")
		return a.CreateSQL(), true
	case "cast":
		c := &PgCast{Source: r.str("source"), Target: r.str("target"), Function: r.str("function"), Method: 'f', Context: 'e'}
		switch m := strings.ToUpper(r.str("method")); {
		case m == "BINARY":
			c.Method = 'b'
		case m == "INOUT":
			c.Method = 'i'
		case c.Function == "":
			r.fail("want function, or method = BINARY or INOUT")
		}
		switch strings.ToUpper(r.str("as")) {
		case "ASSIGNMENT":
			c.Context = 'a'
		case "IMPLICIT":
			c.Context = 'i'
		}
		c.SQLName, c.Comment = "("+c.Source+" AS "+c.Target+")", r.str("comment")
		return c.CreateSQL(), false
	case "transform":
		t := &PgTransform{Type: r.str("type"), Language: q(r.str("language")), FromSQL: r.str("from_sql"), ToSQL: r.str("to_sql")}
		t.SQLName, t.Comment = "FOR "+t.Type+" LANGUAGE "+t.Language, r.str("comment")
		return t.CreateSQL(), false
	case "foreign_data_wrapper":
		w := &PgForeignWrapper{Handler: r.str("handler"), Validator: r.str("validator"), Options: r.strs("options")}
		w.SQLName, w.Comment = q(r.name()), r.str("comment")
		return w.CreateSQL(), true
	case "server":
		s := &PgForeignServer{Wrapper: q(r.str("wrapper")), Type: r.str("type"), Version: r.str("version"), Options: r.strs("options")}
		s.SQLName, s.Comment = q(r.name()), r.str("comment")
		return s.CreateSQL(), true
	case "user_mapping":
		u := &PgUserMapping{User: r.str("user"), Server: q(r.str("server")), Options: r.strs("options")}
		if u.User != "PUBLIC" {
			u.User = q(u.User)
		}
		return u.CreateSQL(), true
	case "foreign_table":
		f := &PgForeignTable{Server: q(r.str("server")), Options: r.strs("options"), Checks: r.strs("checks"),
			PartitionOf: r.str("partition_of"), Bound: r.str("for_values"), Inherits: r.strs("inherits")}
		if (f.PartitionOf == "") != (f.Bound == "") {
			r.fail("give partition_of and for_values together")
		}
		f.SQLName, f.Comment = r.qname(), r.str("comment")
		for _, c := range r.blocks("column") {
			if c.boolean("inherited", false) {
				// What the column has of its own (writeInheritedColumn).
				col := PgForeignColumn{Name: q(c.name()), Inherited: true, Default: c.str("default"), Options: c.strs("options"), Comment: c.str("comment")}
				if c.boolean("drop_default", false) {
					col.ParentDefault = "(the parent's)"
				}
				if c.has("null") {
					col.NotNull = !c.boolean("null", true)
					col.ParentNotNull = !col.NotNull
				}
				f.Columns = append(f.Columns, col)
				if c.err != nil {
					r.err = c.err
				}
				continue
			}
			f.Columns = append(f.Columns, PgForeignColumn{Name: q(c.name()), Type: c.str("type"), NotNull: !c.boolean("null", true),
				Default: c.str("default"), Collation: c.str("collate"), Options: c.strs("options"), Comment: c.str("comment")})
			if c.err != nil {
				r.err = c.err
			}
		}
		return f.CreateSQL(), false
	case "rule":
		t, _ := r.table("on")
		rl := &PgRule{Table: t.String(), Name: q(r.name()), Def: r.str("definition"), Enabled: 'O'}
		if en := r.str("enabled"); en != "" {
			if !strings.Contains("ODRA", en) || len(en) != 1 {
				r.fail("enabled: want O, D, R or A")
			} else {
				rl.Enabled = en[0]
			}
		}
		rl.SQLName, rl.Comment = rl.Name+" ON "+rl.Table, r.str("comment")
		return rl.CreateSQL(false), false
	case "publication":
		p := &PgPublication{AllTables: r.boolean("all_tables", false), Publish: r.strs("publish"), ViaRoot: r.boolean("via_root", false)}
		if !r.has("publish") {
			p.Publish = []string{"insert", "update", "delete", "truncate"}
		}
		for _, tb := range r.blocks("table") {
			t, _ := tb.table("name")
			pt := PgPublicationTable{Table: t.String(), Where: tb.str("where")}
			for _, c := range tb.strs("columns") {
				pt.Columns = append(pt.Columns, q(c))
			}
			p.Tables = append(p.Tables, pt)
			if tb.err != nil {
				r.err = tb.err
			}
		}
		for _, s := range r.strs("schemas") {
			p.Schemas = append(p.Schemas, q(s))
		}
		p.SQLName, p.Comment = q(r.name()), r.str("comment")
		return p.CreateSQL(), false
	case "subscription":
		s := &PgSubscription{Publications: r.strs("publications"), Enabled: r.boolean("enabled", true), SlotName: r.str("slot_name"),
			SyncCommit: r.str("synchronous_commit"), Binary: r.boolean("binary", false), Streaming: r.str("streaming"),
			TwoPhase: r.boolean("two_phase", false), DisableOnError: r.boolean("disable_on_error", false), Origin: r.str("origin")}
		switch {
		case r.boolean("no_slot", false) && s.SlotName != "":
			r.fail("give slot_name or no_slot = true, not both")
		case !r.boolean("no_slot", false) && s.SlotName == "":
			s.SlotName = r.name()
		}
		if s.SyncCommit == "" {
			s.SyncCommit = "off"
		}
		if s.Streaming == "" {
			s.Streaming = "off"
		}
		if len(s.Publications) == 0 {
			r.fail("publications: want at least one")
		}
		hash := ""
		if c := r.str("connection"); c != "" {
			hash = HashPassword(c)
		}
		s.SQLName, s.Comment = q(r.name()), r.str("comment")
		return s.CreateSQL(DevConnInfo(hash)), false
	}
	return nil, false
}
