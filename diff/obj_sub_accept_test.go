package diff

import (
	"context"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/schema"
)

// subSecret is the password in the subscriptions' connection string: no
// plan, warning or error may hold it.
const subSecret = "s3cr3t-Pa55"

// The subscriptions are created as a live database has them: with their
// connection string, without connecting (publisher.invalid resolves to
// nothing, so the apply worker of an enabled one never reaches anything).
const subConn = "'host=publisher.invalid dbname=app user=rep password=" + subSecret + "'"

func sub(with string) string {
	return `CREATE SUBSCRIPTION s CONNECTION ` + subConn + ` PUBLICATION p WITH (connect = false` + with + `);
`
}

var subscriptionCases = []objCase{
	{name: "unchanged subscription", old: sub(""), new: sub(""), absent: []string{"SUBSCRIPTION"}},
	{name: "create subscription is refused", old: "", new: sub(", binary = true"),
		wantErr: "subscription s must be created with its connection string: create it on the target yourself (CREATE SUBSCRIPTION s CONNECTION '...' PUBLICATION \"p\" WITH (enabled = false, slot_name = 's', synchronous_commit = 'off', binary = true"},
	{name: "drop subscription", old: sub("") + `ALTER SUBSCRIPTION s ENABLE;`, new: "",
		want: []string{`ALTER SUBSCRIPTION s DISABLE`, `ALTER SUBSCRIPTION s SET (slot_name = NONE)`, `DROP SUBSCRIPTION s`}},
	{name: "drop subscription without slot", old: sub(", slot_name = NONE"), new: "",
		want: []string{`ALTER SUBSCRIPTION s DISABLE`, `DROP SUBSCRIPTION s`}, absent: []string{`slot_name`}},
	{name: "publications", old: sub(""), new: `CREATE SUBSCRIPTION s CONNECTION ` + subConn + ` PUBLICATION p, "Q" WITH (connect = false);`,
		want: []string{`ALTER SUBSCRIPTION s SET PUBLICATION "p", "Q" WITH (refresh = false)`}},
	{name: "publications in another order are the same", old: `CREATE SUBSCRIPTION s CONNECTION ` + subConn + ` PUBLICATION a, b WITH (connect = false);`,
		new: `CREATE SUBSCRIPTION s CONNECTION ` + subConn + ` PUBLICATION b, a WITH (connect = false);`, absent: []string{"SUBSCRIPTION"}},
	{name: "options", old: sub(""), new: sub(", binary = true, streaming = on, synchronous_commit = 'local', disable_on_error = true"),
		want: []string{`ALTER SUBSCRIPTION s SET (synchronous_commit = 'local', binary = true, streaming = on, disable_on_error = true)`}},
	{name: "options back to their defaults", old: sub(", binary = true, streaming = on, synchronous_commit = 'local', disable_on_error = true"), new: sub(""),
		want: []string{`ALTER SUBSCRIPTION s SET (synchronous_commit = 'off', binary = false, streaming = off, disable_on_error = false)`}},
	{name: "enable", old: sub(""), new: sub("") + `ALTER SUBSCRIPTION s ENABLE;`, want: []string{`ALTER SUBSCRIPTION s ENABLE`}},
	{name: "disable", old: sub("") + `ALTER SUBSCRIPTION s ENABLE;`, new: sub(""), want: []string{`ALTER SUBSCRIPTION s DISABLE`}},
	{name: "slot unset", old: sub("") + `ALTER SUBSCRIPTION s ENABLE;`, new: sub(", slot_name = NONE"),
		want: []string{`ALTER SUBSCRIPTION s DISABLE`, `ALTER SUBSCRIPTION s SET (slot_name = NONE)`}},
	{name: "slot set and enabled", old: sub(", slot_name = NONE"), new: sub(", slot_name = 'other'") + `ALTER SUBSCRIPTION s ENABLE;`,
		want: []string{`ALTER SUBSCRIPTION s SET (slot_name = 'other')`, `ALTER SUBSCRIPTION s ENABLE`}},
	{name: "comment", old: sub(""), new: sub("") + `COMMENT ON SUBSCRIPTION s IS 'feed';`, want: []string{`COMMENT ON SUBSCRIPTION s IS 'feed'`}},
	{name: "connection change is refused", old: sub(""),
		new:     `CREATE SUBSCRIPTION s CONNECTION 'host=other.invalid password=` + subSecret + `x' PUBLICATION p WITH (connect = false);`,
		wantErr: "the connection string of subscription s differs (ALTER SUBSCRIPTION s CONNECTION '...')"},
	{name: "two_phase change is refused", old: sub(""), new: sub(", two_phase = true"),
		wantErr: "subscription s must be dropped and created again (two_phase cannot change in place)"},
}

// TestSubscriptionAcceptance runs the subscription cases through the
// commands' pipeline (plan, proof, empty second diff) and requires that no
// plan, warning or error holds the connection string's password.
func TestSubscriptionAcceptance(t *testing.T) {
	t.Parallel()
	for _, c := range subscriptionCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			plan, err := roundTripState(t, c.old, c.new, c.opts)
			stmts := planChanges(plan)
			if plan != nil {
				if strings.Contains(plan.SQL()+strings.Join(plan.Warnings, "\n"), subSecret) {
					t.Errorf("the plan holds the password:\n%s", plan.SQL())
				}
			}
			if err != nil && strings.Contains(err.Error(), subSecret) {
				t.Errorf("the error holds the password: %v", err)
			}
			checkCase(t, c, stmts, err)
		})
	}
}

// TestSubscriptionWarnings: what a plan leaves to do on the publisher is
// said.
func TestSubscriptionWarnings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, from := loadState(t, sub(""), schema.Scope{})
	_, to := loadState(t, `CREATE SUBSCRIPTION s CONNECTION `+subConn+` PUBLICATION p, q WITH (connect = false);`, schema.Scope{})
	_, none := loadState(t, "", schema.Scope{})
	plan, err := Diff(ctx, from, to, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(plan.Warnings, "\n"); !strings.Contains(w, "the tables of publication(s) \"q\" are not replicated until ALTER SUBSCRIPTION s REFRESH PUBLICATION") {
		t.Errorf("warnings: %q", w)
	}
	plan, err = Diff(ctx, from, none, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(plan.Warnings, "\n"); !strings.Contains(w, "its replication slot \"s\" there is left") || !strings.Contains(w, "pg_drop_replication_slot('s')") {
		t.Errorf("warnings: %q", w)
	}
}

// TestSubscriptionDevCopy: a live database's subscription is recreated on
// a dev database (for a proof) with the stand-in connection string, which
// inspects as the same connection.
func TestSubscriptionDevCopy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, live := loadState(t, sub(", binary = true")+`ALTER SUBSCRIPTION s ENABLE; COMMENT ON SUBSCRIPTION s IS 'feed';`, schema.Scope{})
	emptyDB, empty := loadState(t, "", schema.Scope{})
	if _, err := Diff(ctx, empty, live, Options{}); err == nil {
		t.Fatal("a plan creating a subscription for a target must fail")
	}
	plan, err := Diff(ctx, empty, live, Options{DevCopy: true})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plan.SQL(), subSecret) || !strings.Contains(plan.SQL(), "connect = false") {
		t.Fatalf("dev copy plan:\n%s", plan.SQL())
	}
	if err := Prove(ctx, emptyDB, plan, live, schema.Scope{}); err != nil {
		t.Fatalf("prove: %v\n%s", err, plan.SQL())
	}
	// A different connection string on the live side is a difference.
	_, other := loadState(t, `CREATE SUBSCRIPTION s CONNECTION 'host=other.invalid' PUBLICATION p WITH (connect = false, binary = true);
ALTER SUBSCRIPTION s ENABLE; COMMENT ON SUBSCRIPTION s IS 'feed';`, schema.Scope{})
	got, err := schema.InspectDB(ctx, emptyDB, schema.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if diffs, err := Differences(got, other); err != nil || len(diffs) != 1 || diffs[0] != "subscription s differs" {
		t.Errorf("differences: %v %v", diffs, err)
	}
}

// TestSubscriptionDevDatabaseDrops: a dev database that holds
// subscriptions is dropped (PostgreSQL refuses DROP DATABASE while it has
// any).
func TestSubscriptionDevDatabaseDrops(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := devdb.ProviderForTest(t)
	d, err := p.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db, err := schema.OpenDB(d.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, sub("")+`ALTER SUBSCRIPTION s ENABLE;`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := d.Close(ctx); err != nil {
		t.Fatalf("close: %v", err)
	}
}
