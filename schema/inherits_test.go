package schema_test

import (
	"context"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/schema"
)

// Table inheritance is inspected (parents in order, checks local or
// inherited), fingerprinted, and reported as left out of HCL.
func TestInspectInheritance(t *testing.T) {
	ctx := context.Background()
	db, err := schema.OpenDB(devdb.ForTest(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `
		CREATE TABLE b (id int, CONSTRAINT pos CHECK (id > 0), CONSTRAINT mine CHECK (id < 9) NO INHERIT);
		CREATE TABLE a (tag text);
		CREATE TABLE c (x int, CONSTRAINT pos CHECK (id > 0)) INHERITS (b, a);`); err != nil {
		t.Fatal(err)
	}
	st, err := schema.InspectDB(ctx, db, schema.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	c, ok := st.Catalog.Table(schema.QName{Schema: "public", Name: "c"})
	if !ok {
		t.Fatal("table c missing")
	}
	if len(c.Inherits) != 2 || c.Inherits[0].Name != "b" || c.Inherits[1].Name != "a" {
		t.Fatalf("inherits = %v, want b, a", c.Inherits)
	}
	var checks []string
	for _, k := range c.Constraints {
		checks = append(checks, k.Name)
		if k.Name == "pos" && (!k.Inherited || !k.Local) {
			t.Errorf("check pos: inherited %v local %v, want both (declared in c too)", k.Inherited, k.Local)
		}
	}
	if strings.Join(checks, ",") != "pos" {
		t.Errorf("checks of c = %v, want pos only", checks)
	}
	if col, _ := c.Column("id"); col == nil || col.Local {
		t.Errorf("column id of c: %+v, want inherited only", col)
	}
	var def string
	for _, o := range st.Catalog.Objects() {
		if o.Kind == schema.KindTable && o.Name == "c" {
			def = o.Def
		}
	}
	if !strings.Contains(def, `INHERITS ("public"."a", "public"."b")`) {
		t.Errorf("table c described as %q, want its parents", def)
	}
	if got := strings.Join(schema.NotInHCL(st), "\n"); !strings.Contains(got, "inheritance of table") {
		t.Errorf("NotInHCL = %q, want the inheritance of c", got)
	}
}
