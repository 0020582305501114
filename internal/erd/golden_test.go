package erd_test

import (
	"strings"
	"testing"

	"github.com/schemactl/schemactl/internal/corpus"
	"github.com/schemactl/schemactl/internal/erd"
)

func TestGoldenExample(t *testing.T) {
	t.Parallel()
	m, g := render(t, build(t, load(t, "../../example/schema.sql")))
	golden(t, "example.mmd", m)
	golden(t, "example.dot", g)
}

func TestGoldenPagila(t *testing.T) {
	t.Parallel()
	d := build(t, load(t, corpus.Require(t, "pagila", "schema.sql")))
	m, g := render(t, d)
	golden(t, "pagila.mmd", m)
	golden(t, "pagila.dot", g)
	film, err := d.Lookup("film")
	if err != nil {
		t.Fatal(err)
	}
	m, g = render(t, d.Around([]erd.Name{film}, 1))
	golden(t, "pagila-film-1.mmd", m)
	golden(t, "pagila-film-1.dot", g)
}

func TestGoldenExampleChange(t *testing.T) {
	t.Parallel()
	d := erd.Compare(build(t, load(t, "../../example/schema.sql")), build(t, load(t, "testdata/example_next.sql")))
	m, g := render(t, d)
	golden(t, "example-change.mmd", m)
	golden(t, "example-change.dot", g)
	// Without a change, nothing is drawn.
	same := erd.Compare(build(t, load(t, "../../example/schema.sql")), build(t, load(t, "../../example/schema.sql")))
	if c := same.Changes(); len(c) != 0 {
		t.Fatalf("changes between equal states: %v", c)
	}
	m, g = render(t, same.Around(same.Changes(), 1))
	golden(t, "no-change.mmd", m)
	golden(t, "no-change.dot", g)
}

func TestGoldenKinds(t *testing.T) {
	t.Parallel()
	d := build(t, load(t, "testdata/kinds.sql"))
	m, g := render(t, d)
	golden(t, "kinds.mmd", m)
	golden(t, "kinds.dot", g)
	if _, err := d.Lookup("nosuch"); err == nil {
		t.Fatal("Lookup of a missing table: no error")
	}
	inv, err := d.Lookup("invoices")
	if err != nil || inv.Schema != "billing" {
		t.Fatalf("Lookup(invoices) = %v, %v", inv, err)
	}
	// Around the invoices: the people and class tables they reference, and
	// the views that read only those.
	a := d.Around([]erd.Name{inv}, 1)
	var names []string
	for _, e := range a.Entities {
		names = append(names, e.Name.String())
	}
	if got := strings.Join(names, " "); got != "billing.invoices billing.totals billing.yearly public.class public.people" {
		t.Fatalf("around invoices: %s", got)
	}
}
