package diff

import (
	"context"
	"testing"

	"ariga.io/atlas/sql/postgres"
	atlas "ariga.io/atlas/sql/schema"

	"github.com/schemactl/schemactl/schema"
)

// TestAtlasColumnCollation shows what Atlas's inspection keeps of a
// column's collation (its name, without its schema: a plan written from
// it names a collation the search_path may not find) and that
// schema.InspectDB keeps the schema.
func TestAtlasColumnCollation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ddl := `CREATE SCHEMA app; CREATE COLLATION app.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE t (b text COLLATE app.ci, c text COLLATE "C", d text);`
	db, st := loadState(t, ddl, schema.Scope{})
	drv, err := postgres.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := drv.InspectRealm(ctx, &atlas.InspectRealmOption{Schemas: []string{"public"}})
	if err != nil {
		t.Fatal(err)
	}
	collation := func(r *atlas.Realm, col string) string {
		s, _ := r.Schema("public")
		tt, _ := s.Table("t")
		c, _ := tt.Column(col)
		var v atlas.Collation
		for _, a := range c.Attrs {
			if x, ok := a.(*atlas.Collation); ok {
				v = *x
			}
		}
		return v.V
	}
	if got := collation(raw, "b"); got != "ci" {
		t.Errorf("Atlas's collation of b: got %q, want the bare name ci", got)
	}
	for col, want := range map[string]string{"b": `app"."ci`, "c": "C", "d": ""} {
		if got := collation(st.Realm, col); got != want {
			t.Errorf("our collation of %s: got %q, want %q", col, got, want)
		}
	}
	// Atlas's own plan of the column names a collation that an empty
	// search_path cannot find; ours names it with its schema.
	s, _ := st.Realm.Schema("public")
	tt, _ := s.Table("t")
	plan, err := drv.PlanChanges(ctx, "t", []atlas.Change{&atlas.AddTable{T: tt}})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) == 0 || !containsStr(plan.Changes[0].Cmd, `COLLATE "app"."ci"`) {
		t.Fatalf("plan: %+v", plan.Changes)
	}
	if _, err := db.ExecContext(ctx, `SET search_path = ''; CREATE SCHEMA other; `+
		`CREATE TABLE other.t (b text COLLATE "ci")`); err == nil {
		t.Error(`COLLATE "ci" resolved without the schema on the search_path`)
	}
}

func containsStr(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
