package schema_test

import (
	"context"
	"encoding/json"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/diff"
	"github.com/schemactl/schemactl/schema"
)

const (
	subSecret = "Pa55-w0rd-5ub"
	subConn   = "host=publisher.invalid port=5432 dbname=app user=rep password=" + subSecret
)

// subDDL is a desired state as a user writes it: CREATE SUBSCRIPTION as
// run on the real subscriber, which connects to the publisher, creates
// the slot and copies the tables. The dev database loads it without
// connecting.
const subDDL = `CREATE SUBSCRIPTION feed CONNECTION '` + subConn + `' PUBLICATION orders, "Items"
	WITH (binary = true, streaming = on, synchronous_commit = 'local', disable_on_error = true, copy_data = true, create_slot = true);
COMMENT ON SUBSCRIPTION feed IS 'orders feed';
CREATE SUBSCRIPTION idle CONNECTION 'host=other.invalid' PUBLICATION p WITH (enabled = false, slot_name = NONE);
CREATE SUBSCRIPTION manual CONNECTION 'host=other.invalid' PUBLICATION p WITH (connect = false, two_phase = true, slot_name = 'm_slot');
`

func findSub(t *testing.T, st *schema.State, name string) *schema.PgSubscription {
	t.Helper()
	for _, o := range schema.Objects(st.Realm) {
		if s, ok := o.(*schema.PgSubscription); ok && s.ID.Name == name {
			return s
		}
	}
	t.Fatalf("no subscription %s", name)
	return nil
}

// TestSubscriptionLoad: CREATE SUBSCRIPTION of a desired state loads on the
// dev database without connecting, as the statement defines the
// subscription (enabled, its slot's name), with the hash of its
// connection string; the connection string is in no output.
func TestSubscriptionLoad(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"schema.sql": subDDL})
	st := mustLoad(t, "file://"+filepath.Join(dir, "schema.sql"), schema.LoadOptions{})
	feed := findSub(t, st.State, "feed")
	if !feed.Enabled || feed.SlotName != "feed" || !feed.Binary || feed.Streaming != "on" || feed.SyncCommit != "local" || !feed.DisableOnError ||
		feed.TwoPhase || strings.Join(feed.Publications, ",") != "orders,Items" || feed.Comment != "orders feed" || feed.ConnHash != schema.HashPassword(subConn) {
		t.Errorf("feed: %+v", feed)
	}
	if idle := findSub(t, st.State, "idle"); idle.Enabled || idle.SlotName != "" || idle.ConnHash != schema.HashPassword("host=other.invalid") {
		t.Errorf("idle: %+v", idle)
	}
	if m := findSub(t, st.State, "manual"); m.Enabled || m.SlotName != "m_slot" || !m.TwoPhase {
		t.Errorf("manual: %+v", m)
	}
	// The dev database holds the stand-in, never the connection string.
	var conns string
	if err := st.DB.QueryRowContext(t.Context(), `SELECT string_agg(subconninfo, ' ') FROM pg_subscription`).Scan(&conns); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(conns, "invalid") || !strings.Contains(conns, "/nonexistent/") {
		t.Errorf("dev connection strings: %s", conns)
	}
	// No output holds the secret: HCL, JSON of the objects, SQL from
	// empty (refused), differences.
	_, full := stateHCL(t, st)
	js, err := json.Marshal(schema.Objects(st.Realm))
	if err != nil {
		t.Fatal(err)
	}
	empty := mustLoad(t, "file://"+filepath.Join(writeFiles(t, map[string]string{"e.sql": ""}), "e.sql"), schema.LoadOptions{})
	_, planErr := diff.Diff(t.Context(), empty.State, st.State, diff.Options{})
	if planErr == nil || !strings.Contains(planErr.Error(), "subscription feed must be created with its connection string") {
		t.Errorf("plan from empty: %v", planErr)
	}
	diffs, err := diff.Differences(empty.State, st.State)
	if err != nil {
		t.Fatal(err)
	}
	out := string(full) + string(js) + planErr.Error() + strings.Join(diffs, "\n") + strings.Join(schema.NotInHCL(st.State), "\n")
	for _, s := range []string{subSecret, "publisher.invalid", "other.invalid"} {
		if strings.Contains(out, s) {
			t.Errorf("an output holds %q:\n%s", s, out)
		}
	}
}

// TestSubscriptionHCLRoundTrip writes subscriptions as HCL (without their
// connection strings, which NotInHCL lists) and loads them back: the same
// subscriptions, and the same connection where the HCL gives it.
func TestSubscriptionHCLRoundTrip(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"schema.sql": subDDL})
	want := mustLoad(t, "file://"+filepath.Join(dir, "schema.sql"), schema.LoadOptions{})
	_, full := stateHCL(t, want)
	text := string(full)
	for _, s := range []string{`subscription "feed"`, `publications       = ["orders", "Items"]`, `no_slot      = true`, `slot_name    = "m_slot"`, `two_phase    = true`, `comment            = "orders feed"`} {
		if !strings.Contains(text, s) {
			t.Errorf("HCL lacks %s:\n%s", s, text)
		}
	}
	if left := schema.NotInHCL(want.State); len(left) != 3 || !strings.Contains(left[0], "subscription feed: its connection string (never written)") {
		t.Errorf("not in HCL: %v", left)
	}
	// Without connection attributes the connections are left alone: no
	// difference.
	path := filepath.Join(dir, "schema.hcl")
	if err := os.WriteFile(path, full, 0o644); err != nil {
		t.Fatal(err)
	}
	got := mustLoad(t, "file://"+path, schema.LoadOptions{})
	diffs, err := diff.Differences(got.State, want.State)
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) > 0 {
		t.Fatalf("differences after the HCL round trip:\n%s\nHCL:\n%s", strings.Join(diffs, "\n"), text)
	}
	if plan, err := diff.Diff(t.Context(), want.State, got.State, diff.Options{}); err != nil || !plan.Empty() {
		t.Fatalf("plan: %v %v", plan, err)
	}
	// A connection given in HCL is compared by its hash.
	withConn := strings.Replace(text, `subscription "feed" {`, `subscription "feed" {
  connection = "`+subConn+`"`, 1)
	if err := os.WriteFile(path, []byte(withConn), 0o644); err != nil {
		t.Fatal(err)
	}
	got = mustLoad(t, "file://"+path, schema.LoadOptions{})
	if h := findSub(t, got.State, "feed").ConnHash; h != schema.HashPassword(subConn) {
		t.Errorf("hash from HCL: %s", h)
	}
	if diffs, err := diff.Differences(got.State, want.State); err != nil || len(diffs) > 0 {
		t.Errorf("differences with the connection: %v %v", diffs, err)
	}
	wrong := strings.Replace(withConn, "port=5432", "port=5433", 1)
	if err := os.WriteFile(path, []byte(wrong), 0o644); err != nil {
		t.Fatal(err)
	}
	got = mustLoad(t, "file://"+path, schema.LoadOptions{})
	if diffs, err := diff.Differences(got.State, want.State); err != nil || len(diffs) != 1 || diffs[0] != "subscription feed differs" {
		t.Errorf("differences with another connection: %v %v", diffs, err)
	}
}

// TestSubscriptionMigrationsReplay: a migration directory replayed on a
// dev database creates, alters and drops subscriptions without
// connecting to a publisher.
func TestSubscriptionMigrationsReplay(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"1_sub.sql": `CREATE SUBSCRIPTION a CONNECTION '` + subConn + `' PUBLICATION p;
CREATE SUBSCRIPTION b CONNECTION 'host=other.invalid' PUBLICATION p;
`,
		"2_alter.sql": `ALTER SUBSCRIPTION a ADD PUBLICATION q;
ALTER SUBSCRIPTION a REFRESH PUBLICATION;
ALTER SUBSCRIPTION a CONNECTION 'host=third.invalid';
DROP SUBSCRIPTION b;
DROP SUBSCRIPTION IF EXISTS nothing;
`,
	})
	st := mustLoad(t, "file://"+dir, schema.LoadOptions{})
	a := findSub(t, st.State, "a")
	if strings.Join(a.Publications, ",") != "p,q" || !a.Enabled || a.ConnHash != schema.HashPassword("host=third.invalid") {
		t.Errorf("a: %+v", a)
	}
	if n := len(schema.Objects(st.Realm)); n != 1 {
		t.Errorf("objects: %v", schema.Objects(st.Realm))
	}
}

// TestSubscriptionsAsNonSuperuser: a role that may not read the connection
// strings inspects the subscriptions without them, and a plan that would
// compare one stops, saying why.
func TestSubscriptionsAsNonSuperuser(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	admin := devdb.ForTest(t)
	db, err := schema.OpenDB(admin)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	name := "sub_" + pgurlDatabase(admin)
	if _, err := db.ExecContext(ctx, `CREATE ROLE `+name+` LOGIN;
CREATE SUBSCRIPTION feed CONNECTION '`+subConn+`' PUBLICATION p WITH (connect = false)`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.ExecContext(context.Background(), `DROP ROLE `+name)
	})
	u, err := neturl.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.User = neturl.User(name)
	live, err := schema.Inspect(ctx, u.String(), schema.Scope{})
	if err != nil {
		t.Fatalf("inspect as %s: %v", name, err)
	}
	if s := findSub(t, live, "feed"); !s.ConnHidden || s.ConnHash != "" {
		t.Errorf("feed: %+v", s)
	}
	dir := writeFiles(t, map[string]string{"schema.sql": `CREATE SUBSCRIPTION feed CONNECTION '` + subConn + `' PUBLICATION p WITH (enabled = false);`})
	want := mustLoad(t, "file://"+filepath.Join(dir, "schema.sql"), schema.LoadOptions{})
	_, err = diff.Diff(ctx, live, want.State, diff.Options{})
	if err == nil || !strings.Contains(err.Error(), "the connection string of subscription feed cannot be compared: pg_subscription.subconninfo is readable only by superusers and members of pg_read_all_data") {
		t.Errorf("plan: %v", err)
	}
	// A member of pg_read_all_data reads it.
	if _, err := db.ExecContext(ctx, `GRANT pg_read_all_data TO `+name); err != nil {
		t.Fatal(err)
	}
	live, err = schema.Inspect(ctx, u.String(), schema.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if s := findSub(t, live, "feed"); s.ConnHidden || s.ConnHash != schema.HashPassword(subConn) {
		t.Errorf("feed as a member of pg_read_all_data: %+v", s)
	}
}
