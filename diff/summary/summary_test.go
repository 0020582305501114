package summary_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/diff"
	"github.com/schemactl/schemactl/diff/summary"
	"github.com/schemactl/schemactl/internal/corpus"
	"github.com/schemactl/schemactl/internal/markdown/mdtest"
	"github.com/schemactl/schemactl/schema"
)

func TestMain(m *testing.M) { os.Exit(devdb.Main(m)) }

var update = flag.Bool("update", false, "rewrite the golden files of testdata")

// proved plans old to new on real databases and proves the plan.
func proved(t *testing.T, oldDDL, newDDL string) *diff.Plan {
	t.Helper()
	ctx := context.Background()
	open := func(ddl string) *schema.State {
		db, err := schema.OpenDB(devdb.ForTest(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if strings.TrimSpace(ddl) != "" {
			if _, err := db.ExecContext(ctx, ddl); err != nil {
				t.Fatalf("load DDL: %v", err)
			}
		}
		st, err := schema.InspectDB(ctx, db, schema.Scope{})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	fromDB, err := schema.OpenDB(devdb.ForTest(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fromDB.Close() })
	if _, err := fromDB.ExecContext(ctx, oldDDL); err != nil {
		t.Fatal(err)
	}
	from, err := schema.InspectDB(ctx, fromDB, schema.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	to := open(newDDL)
	plan, err := diff.Diff(ctx, from, to, diff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := diff.Prove(ctx, fromDB, plan, to, schema.Scope{}); err != nil {
		t.Fatalf("prove: %v\n%s", err, plan.SQL())
	}
	return plan
}

const ordersV1 = `CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, name text, legacy_code varchar(10));
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers, total integer NOT NULL);`

const ordersV2 = `CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, name text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers, total bigint NOT NULL, note text);
CREATE INDEX orders_note_idx ON orders (note);
CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders, amount integer NOT NULL);
CREATE INDEX refunds_order_id_idx ON refunds (order_id);`

// TestSummaryOrders: a plan that adds a column and an index, drops a
// column, widens a type, sets NOT NULL and adds a table says so by
// object, with each step's lock, duration and hazards.
func TestSummaryOrders(t *testing.T) {
	s := summary.Of(proved(t, ordersV1, ordersV2))
	var text bytes.Buffer
	if err := s.Text(&text); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	for _, want := range []string{
		"table public.orders: ",
		"add column note text",
		"add index orders_note_idx",
		"change type of column total to bigint USING total::bigint: ACCESS EXCLUSIVE, rewrite; rewrites the table; no rewrite when",
		"drop column legacy_code: ACCESS EXCLUSIVE, brief; loses data",
		"set column name NOT NULL: ACCESS EXCLUSIVE, scan",
		"table public.refunds (new): create table (3 columns)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if s.DataLoss != 1 || s.Rewrites != 1 || s.Statements == 0 {
		t.Errorf("counts: %d data loss, %d rewrites, %d statements\n%s", s.DataLoss, s.Rewrites, s.Statements, out)
	}
	// The new table's own index and key take no lock that matters.
	for _, o := range s.Objects {
		if o.Name == "public.refunds" {
			for _, st := range o.Steps {
				if st.Lock != "" {
					t.Errorf("step on a new table has lock %s: %s", st.Lock, st.Action)
				}
			}
		}
	}
	var md, js bytes.Buffer
	if err := s.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := s.JSON(&js); err != nil {
		t.Fatal(err)
	}
	mdtest.CheckStructure(t, md.String())
	var doc map[string]any
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"statements", "transactional", "objects", "dataLoss", "rewrites", "exclusive"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	golden(t, "orders.txt", out)
	golden(t, "orders.md", md.String())
	golden(t, "orders.json", js.String())
}

// TestSummaryPagila: pagila created from nothing is all new objects: no
// hazard, and every statement is accounted for.
func TestSummaryPagila(t *testing.T) {
	src, err := os.ReadFile(corpus.Require(t, "pagila", "schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	plan := proved(t, "SELECT 1", string(src))
	s := summary.Of(plan)
	if s.DataLoss != 0 || s.Rewrites != 0 || s.Exclusive != 0 {
		t.Errorf("pagila from empty: %s", s.Headline())
	}
	steps := map[int]bool{}
	for _, o := range s.Objects {
		for _, st := range o.Steps {
			steps[st.Statement] = true
		}
	}
	if len(steps) != len(plan.Stmts) {
		t.Errorf("%d of %d statements have a step", len(steps), len(plan.Stmts))
	}
	var md bytes.Buffer
	if err := s.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	mdtest.CheckStructure(t, md.String())
	golden(t, "pagila.md", md.String())
}

func golden(t *testing.T, name, out string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run %s -update writes it)", err, t.Name())
	}
	if out != string(want) {
		t.Errorf("differs from %s (-update rewrites it); got:\n%s", path, out)
	}
}
