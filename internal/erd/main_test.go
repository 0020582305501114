package erd_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/internal/erd"
	"github.com/schemactl/schemactl/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestMain(m *testing.M) { os.Exit(devdb.Main(m)) }

// load loads a SQL file into a dev database and returns its state.
func load(t *testing.T, path string) *schema.State {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	l, err := schema.Load(ctx, "file://"+abs, schema.LoadOptions{Dev: devdb.ProviderForTest(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close(ctx) })
	return l.State
}

func build(t *testing.T, st *schema.State) *erd.Diagram {
	t.Helper()
	d, err := erd.Build(st)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// render returns the Mermaid and dot text of a diagram.
func render(t *testing.T, d *erd.Diagram) (mermaid, dot []byte) {
	t.Helper()
	var m, g bytes.Buffer
	if err := erd.Mermaid(&m, d); err != nil {
		t.Fatal(err)
	}
	if err := erd.Dot(&g, d); err != nil {
		t.Fatal(err)
	}
	return m.Bytes(), g.Bytes()
}

// golden compares got with testdata/name (rewritten with -update).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it); got:\n%s", p, got)
	}
}
