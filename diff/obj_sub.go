package diff

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	atlas "ariga.io/atlas/sql/schema"

	"github.com/schemactl/schemactl/internal/pgquote"
	"github.com/schemactl/schemactl/schema"
)

// subscriptionGen plans subscriptions. A plan never connects to a
// publisher: it creates no replication slot there and drops none, and
// changes publications with refresh = false. A connection string is never
// written into a plan: checkSubscriptions stops a plan that would have to
// set one (creating a subscription, or changing its connection), except
// on a dev copy of a live database (dev), where the stand-in connection
// string of package schema, which carries the hash of the real one and
// connects nowhere, is used.
type subscriptionGen struct{ dev bool }

// conninfo is the connection string a statement of the plan gives for s:
// the dev stand-in on a dev copy; elsewhere '...', which PostgreSQL
// refuses as a connection string (such a statement is never planned:
// checkSubscriptions stops first).
func (g subscriptionGen) conninfo(s *schema.PgSubscription) string {
	if g.dev {
		return schema.DevConnInfo(s.ConnHash)
	}
	return "..."
}

func (g subscriptionGen) create(o schema.PgObject) []string {
	s := o.(*schema.PgSubscription)
	return s.CreateSQL(g.conninfo(s))
}

// drop disables the subscription and unsets its slot before dropping it,
// so that DROP SUBSCRIPTION does not connect to the publisher to drop the
// slot there: the plan says so in a warning (subscriptionWarnings).
func (subscriptionGen) drop(o schema.PgObject) []string {
	s := o.(*schema.PgSubscription)
	stmts := []string{"ALTER SUBSCRIPTION " + s.SQLName + " DISABLE"}
	if s.SlotName != "" {
		stmts = append(stmts, "ALTER SUBSCRIPTION "+s.SQLName+" SET (slot_name = NONE)")
	}
	return append(stmts, "DROP SUBSCRIPTION "+s.SQLName)
}

// connDiffers tells whether the connection strings of two subscriptions
// are known to differ: both hashes known and not equal.
func connDiffers(from, to *schema.PgSubscription) bool {
	return from.ConnHash != "" && to.ConnHash != "" && from.ConnHash != to.ConnHash
}

func (g subscriptionGen) alter(fo, to schema.PgObject) ([]string, bool) {
	from, s := fo.(*schema.PgSubscription), to.(*schema.PgSubscription)
	if from.TwoPhase != s.TwoPhase {
		return nil, true
	}
	name := "ALTER SUBSCRIPTION " + s.SQLName
	var stmts []string
	if from.Enabled && !s.Enabled {
		stmts = append(stmts, name+" DISABLE")
	}
	var opts []string
	if from.SlotName != s.SlotName {
		if s.SlotName == "" {
			opts = append(opts, "slot_name = NONE")
		} else {
			opts = append(opts, "slot_name = "+pgquote.Literal(s.SlotName))
		}
	}
	if from.SyncCommit != s.SyncCommit {
		opts = append(opts, "synchronous_commit = "+pgquote.Literal(s.SyncCommit))
	}
	if from.Binary != s.Binary {
		opts = append(opts, "binary = "+strconv.FormatBool(s.Binary))
	}
	if from.Streaming != s.Streaming {
		opts = append(opts, "streaming = "+s.Streaming)
	}
	if from.DisableOnError != s.DisableOnError {
		opts = append(opts, "disable_on_error = "+strconv.FormatBool(s.DisableOnError))
	}
	if from.Origin != s.Origin && s.Origin != "" {
		opts = append(opts, "origin = "+s.Origin)
	}
	if len(opts) > 0 {
		stmts = append(stmts, name+" SET ("+strings.Join(opts, ", ")+")")
	}
	if connDiffers(from, s) {
		stmts = append(stmts, name+" CONNECTION "+pgquote.Literal(g.conninfo(s)))
	}
	if !equalStrings(sortedCopy(from.Publications), sortedCopy(s.Publications)) {
		stmts = append(stmts, name+" SET PUBLICATION "+s.PublicationsSQL()+" WITH (refresh = false)")
	}
	if !from.Enabled && s.Enabled {
		stmts = append(stmts, name+" ENABLE")
	}
	return append(stmts, commentChange("SUBSCRIPTION", s.SQLName, from.Comment, s.Comment)...), false
}

func sortedCopy(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	return out
}

// checkSubscriptions fails when a plan would have to set the connection
// string of a subscription (create it, create it again, change its
// connection), or cannot tell whether its connection differs (the target
// was inspected by a role that may not read it). A plan is printed and
// stored; a connection string, which holds the password to the
// publisher, never is. A dev copy (dev) creates its subscriptions with the
// stand-in connection string instead.
func checkSubscriptions(actions []*objAction, dev bool) error {
	if dev {
		return nil
	}
	var msgs []string
	for _, a := range actions {
		s, ok := a.to.(*schema.PgSubscription)
		if !ok {
			continue
		}
		from, _ := a.from.(*schema.PgSubscription)
		switch {
		case from == nil:
			msgs = append(msgs, fmt.Sprintf("subscription %s must be created with its connection string: create it on the target yourself (%s)", s.SQLName, s.CreateHint()))
		case a.recreate:
			msgs = append(msgs, fmt.Sprintf("subscription %s must be dropped and created again (two_phase cannot change in place), with its connection string: do it on the target yourself (%s)", s.SQLName, s.CreateHint()))
		case from.ConnHidden && s.ConnHash != "":
			msgs = append(msgs, fmt.Sprintf("the connection string of subscription %s cannot be compared: pg_subscription.subconninfo is readable only by superusers and members of pg_read_all_data; inspect the target as one", s.SQLName))
		case connDiffers(from, s):
			msgs = append(msgs, fmt.Sprintf("the connection string of subscription %s differs (ALTER SUBSCRIPTION %s CONNECTION '...')", s.SQLName, s.SQLName))
		}
	}
	if len(msgs) > 0 {
		return fmt.Errorf("plan: %s: schemactl writes no connection string into a plan; set it on the target database yourself, then plan again", strings.Join(msgs, "; "))
	}
	return nil
}

// subscriptionWarnings tells what a plan from one realm to another leaves
// to be done on the publisher, which a plan never connects to.
func subscriptionWarnings(from, to *atlas.Realm) []string {
	subs := func(r *atlas.Realm) map[string]*schema.PgSubscription {
		m := map[string]*schema.PgSubscription{}
		for _, o := range schema.Objects(r) {
			if s, ok := o.(*schema.PgSubscription); ok {
				m[s.ID.Name] = s
			}
		}
		return m
	}
	f, t := subs(from), subs(to)
	var out []string
	for _, name := range sortedUnionKeys(f, t) {
		a, b := f[name], t[name]
		switch {
		case b == nil && a.SlotName != "":
			out = append(out, fmt.Sprintf("subscription %s is dropped without connecting to the publisher: its replication slot %s there is left, and holds WAL until you drop it on the publisher (SELECT pg_drop_replication_slot(%s))",
				a.SQLName, pgquote.Ident(a.SlotName), pgquote.Literal(a.SlotName)))
		case a != nil && b != nil:
			var added []string
			for _, p := range b.Publications {
				if !slices.Contains(a.Publications, p) {
					added = append(added, pgquote.Ident(p))
				}
			}
			if len(added) > 0 {
				out = append(out, fmt.Sprintf("subscription %s: the tables of publication(s) %s are not replicated until ALTER SUBSCRIPTION %s REFRESH PUBLICATION, which connects to the publisher: run it yourself",
					b.SQLName, strings.Join(added, ", "), b.SQLName))
			}
			if a.SlotName != b.SlotName && b.SlotName != "" {
				out = append(out, fmt.Sprintf("subscription %s now uses the replication slot %s, which the plan does not create on the publisher", b.SQLName, pgquote.Ident(b.SlotName)))
			}
		}
	}
	return out
}

func sortedUnionKeys[V any](a, b map[string]V) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
