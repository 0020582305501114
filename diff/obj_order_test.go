package diff

import (
	"strings"
	"testing"

	"ariga.io/atlas/sql/migrate"
)

func TestPlanGraphCycle(t *testing.T) {
	g := &planGraph{}
	a := g.add("create function public.f()", 2, 0, []*migrate.Change{{Cmd: "a"}})
	b := g.add("modify table public.t", 1, 0, []*migrate.Change{{Cmd: "b"}})
	c := g.add("create view public.v", 2, 1, []*migrate.Change{{Cmd: "c"}})
	free := g.add("create extension citext", 0, 0, []*migrate.Change{{Cmd: "d"}})
	g.edge(a, b)
	g.edge(b, c)
	g.edge(c, a)
	g.edge(free, a)
	_, err := g.order()
	if err == nil {
		t.Fatal("want a cycle error")
	}
	want := "cannot order the plan: dependency cycle: create function public.f() -> modify table public.t -> create view public.v -> create function public.f()"
	if err.Error() != want {
		t.Fatalf("got %q\nwant %q", err, want)
	}
}

func TestPlanGraphOrder(t *testing.T) {
	g := &planGraph{}
	create := g.add("create view", 2, 0, []*migrate.Change{{Cmd: "create view"}})
	atlas1 := g.add("atlas 1", 1, 0, []*migrate.Change{{Cmd: "atlas 1"}})
	atlas2 := g.add("atlas 2", 1, 1, []*migrate.Change{{Cmd: "atlas 2"}})
	drop := g.add("drop view", 0, 0, []*migrate.Change{{Cmd: "drop view"}})
	typ := g.add("create domain", 2, 1, []*migrate.Change{{Cmd: "create domain"}})
	g.edge(atlas1, atlas2)
	g.edge(typ, atlas2) // the second table uses the domain
	g.edge(atlas2, create)
	nodes, err := g.order()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range nodes {
		got = append(got, n.label)
	}
	if s := strings.Join(got, ", "); s != "drop view, atlas 1, create domain, atlas 2, create view" {
		t.Fatalf("order: %s", s)
	}
	_ = drop
}

// TestPlanObjectsCycle: a column default that calls a function whose
// SQL-standard body reads the same table cannot be planned with
// statements that each create a whole object (CREATE TABLE with its
// defaults, CREATE FUNCTION): the error names the cycle.
func TestPlanObjectsCycle(t *testing.T) {
	t.Parallel()
	_, err := roundTrip(t, ``, `CREATE TABLE t (id int);
CREATE FUNCTION cnt() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM t; END;
ALTER TABLE t ADD COLUMN c bigint DEFAULT cnt();`, ObjectOptions{})
	want := `dependency cycle: create "t" table -> create function public.cnt() -> create "t" table`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("want an error containing %q, got %v", want, err)
	}
}
