package schema_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/schema"
)

// TestScopeSchemas: with a schema scope (--schema), an extension
// installed in a schema out of the scope is left out like the rest of
// that schema, one in the scope is kept; a database the user names that
// holds none of the schemas is an error (a mistyped name), while a dev
// database holding none of them (an empty state) is an empty state.
func TestScopeSchemas(t *testing.T) {
	ctx := context.Background()
	url := dbWith(t, `CREATE SCHEMA ext; CREATE EXTENSION citext SCHEMA ext; CREATE EXTENSION pg_trgm SCHEMA public;
		CREATE SCHEMA app; CREATE TABLE app.u (e ext.citext)`)
	extensions := func(st *schema.State) []string {
		var names []string
		for _, o := range schema.Objects(st.Realm) {
			if x, ok := o.(*schema.PgExtension); ok {
				names = append(names, x.Name)
			}
		}
		return names
	}
	st, err := schema.Inspect(ctx, url, schema.Scope{Schemas: []string{"app", "ext"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(extensions(st), ","); got != "citext" {
		t.Errorf("extensions in scope app, ext: %q, want citext (pg_trgm is in public)", got)
	}
	if st, err = schema.Inspect(ctx, url, schema.Scope{}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(extensions(st), ","); got != "citext,pg_trgm" {
		t.Errorf("extensions without a scope: %q", got)
	}
	if _, err := schema.Inspect(ctx, url, schema.Scope{Schemas: []string{"apq"}}); err == nil || !strings.Contains(err.Error(), "none of the schemas apq exists") {
		t.Errorf("a scope naming no schema of the database: %v", err)
	}
	file := filepath.Join(t.TempDir(), "empty.sql")
	if err := os.WriteFile(file, []byte("-- nothing yet\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := schema.Load(ctx, "file://"+file, schema.LoadOptions{Dev: dev(t), Scope: schema.Scope{Schemas: []string{"app"}}})
	if err != nil {
		t.Fatalf("an empty desired state in scope app: %v", err)
	}
	defer l.Close(ctx)
	if len(l.Realm.Schemas) != 0 {
		t.Errorf("schemas of an empty state: %v", l.Realm.Schemas)
	}
}

// TestInvalidPartitionedIndex: an index created ON ONLY a partitioned
// table and not attached on every partition is named for what it is, not
// for a failed CREATE INDEX CONCURRENTLY.
func TestInvalidPartitionedIndex(t *testing.T) {
	ctx := context.Background()
	url := dbWith(t, `CREATE TABLE m (id int, at date) PARTITION BY RANGE (at);
		CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
		CREATE INDEX m_id ON ONLY m (id)`)
	st, err := schema.Inspect(ctx, url, schema.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range st.Catalog.Unmodelled {
		got = append(got, o.String())
	}
	if len(got) != 1 || !strings.Contains(got[0], "m_id") || !strings.Contains(got[0], "ON ONLY the partitioned table and not yet attached on every partition") {
		t.Errorf("unmodelled: %q", got)
	}
}

// TestSecurityLabelsNotModelled: a security label (written into
// pg_seclabel directly, as no label provider ships with PostgreSQL's
// packages here) is reported as not modelled, so that the commands that
// plan stop instead of leaving it out.
func TestSecurityLabelsNotModelled(t *testing.T) {
	ctx := context.Background()
	url := dbWith(t, `CREATE SCHEMA app; CREATE TABLE app.t (a int); CREATE TABLE public.u (a int);
		INSERT INTO pg_catalog.pg_seclabel VALUES ('app.t'::regclass, 'pg_class'::regclass, 0, 'selinux', 'system_u:object_r:sepgsql_table_t:s0'),
			('app.t'::regclass, 'pg_class'::regclass, 1, 'selinux', 'system_u:object_r:sepgsql_secret_table_t:s0')`)
	labels := func(scope schema.Scope) []string {
		t.Helper()
		st, err := schema.Inspect(ctx, url, scope)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range st.Catalog.Unmodelled {
			if o.Kind == schema.KindSecurityLabel {
				got = append(got, o.String())
			}
		}
		return got
	}
	got := labels(schema.Scope{})
	if len(got) != 2 || !strings.Contains(strings.Join(got, "\n"), "security label of provider selinux on table app.t") || !strings.Contains(strings.Join(got, "\n"), "on column app.t.a") {
		t.Errorf("labels: %q", got)
	}
	if got := labels(schema.Scope{Schemas: []string{"public"}}); len(got) != 0 {
		t.Errorf("labels outside the scope: %q", got)
	}
}

// dbWith returns the URL of a fresh database on which sql has run.
func dbWith(t *testing.T, sql string) string {
	t.Helper()
	url := devdb.ForTest(t)
	db, err := schema.OpenDB(url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(context.Background(), sql); err != nil {
		t.Fatal(err)
	}
	return url
}
