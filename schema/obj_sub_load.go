package schema

import (
	"fmt"
	"regexp"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/schemactl/schemactl/migrations"
)

// A dev database never connects to a publisher: the statements on
// subscriptions of a desired state (and of a migration directory replayed
// on a dev database) are rewritten before they run there.
//
//   - CREATE SUBSCRIPTION runs with connect = false (so no slot is
//     created on the publisher and nothing is copied) and the stand-in
//     connection string DevConnInfo, which carries the SHA-256 of the
//     one written; the subscription is then enabled as the statement
//     asked (ALTER SUBSCRIPTION ... ENABLE), which makes the dev server's
//     apply worker try the stand-in: a socket directory that does not
//     exist.
//   - ALTER SUBSCRIPTION ... CONNECTION gets the stand-in as well;
//     SET / ADD / DROP PUBLICATION run with refresh = false, and REFRESH
//     PUBLICATION (which asks the publisher for its tables) is skipped.
//   - DROP SUBSCRIPTION unsets the slot first, so that nothing connects to
//     drop it.

// reSubscriptionStmt matches the start of a statement on a subscription:
// only those are parsed.
var reSubscriptionStmt = regexp.MustCompile(`(?is)^\s*(CREATE|ALTER|DROP)\s+SUBSCRIPTION\s`)

// DevSubscriptionSQL returns the text that runs on a dev database instead
// of a statement on a subscription; ok is false for any other statement
// (and for text PostgreSQL's parser refuses: the server reports it).
// Everything that runs a migration's statements on a dev database (state
// loading, replays, lint) passes them through it.
func DevSubscriptionSQL(text string) (out string, ok bool, err error) {
	if !reSubscriptionStmt.MatchString(text) {
		return "", false, nil
	}
	tree, perr := pg.Parse(text)
	if perr != nil || len(tree.Stmts) != 1 {
		return "", false, nil
	}
	n := tree.Stmts[0].Stmt
	switch {
	case n.GetCreateSubscriptionStmt() != nil:
		c := n.GetCreateSubscriptionStmt()
		c.Conninfo = DevConnInfo(HashPassword(c.Conninfo))
		connect := optionBool(c.Options, "connect", true)
		enabled := optionBool(c.Options, "enabled", connect)
		c.Options = withoutOptions(c.Options, "connect", "create_slot", "copy_data", "enabled")
		c.Options = append(c.Options, pg.MakeSimpleDefElemNode("connect", pg.MakeStrNode("false"), -1))
		out, err = pg.Deparse(tree)
		if err == nil && enabled {
			out += ";\nALTER SUBSCRIPTION " + QuoteIdent(c.Subname) + " ENABLE"
		}
	case n.GetAlterSubscriptionStmt() != nil:
		a := n.GetAlterSubscriptionStmt()
		switch a.Kind {
		case pg.AlterSubscriptionType_ALTER_SUBSCRIPTION_CONNECTION:
			a.Conninfo = DevConnInfo(HashPassword(a.Conninfo))
		case pg.AlterSubscriptionType_ALTER_SUBSCRIPTION_SET_PUBLICATION, pg.AlterSubscriptionType_ALTER_SUBSCRIPTION_ADD_PUBLICATION,
			pg.AlterSubscriptionType_ALTER_SUBSCRIPTION_DROP_PUBLICATION:
			a.Options = append(withoutOptions(a.Options, "refresh", "copy_data"),
				pg.MakeSimpleDefElemNode("refresh", pg.MakeStrNode("false"), -1))
		case pg.AlterSubscriptionType_ALTER_SUBSCRIPTION_REFRESH:
			return "SELECT", true, nil
		default:
			return "", false, nil
		}
		out, err = pg.Deparse(tree)
	case n.GetDropSubscriptionStmt() != nil:
		d := n.GetDropSubscriptionStmt()
		name := QuoteIdent(d.Subname)
		unset := "ALTER SUBSCRIPTION " + name + " DISABLE; ALTER SUBSCRIPTION " + name + " SET (slot_name = NONE)"
		if !d.MissingOk {
			out, err = pg.Deparse(tree)
			return unset + ";\n" + out, err == nil, err
		}
		out = fmt.Sprintf(`DO $schemactl$ BEGIN
	IF EXISTS (SELECT FROM pg_catalog.pg_subscription s JOIN pg_catalog.pg_database d ON d.oid = s.subdbid
		WHERE s.subname = %s AND d.datname = pg_catalog.current_database()) THEN
		%s;
	END IF;
END $schemactl$;
`, QuoteLiteral(d.Subname), unset)
		dropped, derr := pg.Deparse(tree)
		return out + dropped, derr == nil, derr
	default:
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("rewrite the subscription statement for the dev database: %w", err)
	}
	return out, true, nil
}

// optionBool is the value of a boolean option of a WITH (...) list, def
// when the list lacks it.
func optionBool(opts []*pg.Node, name string, def bool) bool {
	for _, o := range opts {
		d := o.GetDefElem()
		if d == nil || !strings.EqualFold(d.Defname, name) {
			continue
		}
		switch {
		case d.Arg == nil:
			return true
		case d.Arg.GetBoolean() != nil:
			return d.Arg.GetBoolean().Boolval
		case d.Arg.GetInteger() != nil:
			return d.Arg.GetInteger().Ival != 0
		case d.Arg.GetString_() != nil:
			v := strings.ToLower(d.Arg.GetString_().Sval)
			return v != "false" && v != "off" && v != "0" && v != "no"
		}
		return true
	}
	return def
}

// withoutOptions returns opts without the options named.
func withoutOptions(opts []*pg.Node, names ...string) []*pg.Node {
	var out []*pg.Node
	for _, o := range opts {
		if d := o.GetDefElem(); d != nil {
			drop := false
			for _, n := range names {
				drop = drop || strings.EqualFold(d.Defname, n)
			}
			if drop {
				continue
			}
		}
		out = append(out, o)
	}
	return out
}

// DevSubscriptionFile returns f with its statements on subscriptions
// rewritten for a dev database (DevSubscriptionSQL), f itself when it has
// none.
func DevSubscriptionFile(f *migrations.File) (*migrations.File, error) {
	var stmts []migrations.Stmt
	for i, st := range f.Stmts {
		text, ok, err := DevSubscriptionSQL(st.Text)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", st.Pos, err)
		}
		if !ok {
			continue
		}
		if stmts == nil {
			stmts = append([]migrations.Stmt(nil), f.Stmts...)
		}
		stmts[i].Text = text
	}
	if stmts == nil {
		return f, nil
	}
	g := *f
	g.Stmts = stmts
	return &g, nil
}
