package atlashcl

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"ariga.io/atlas/schemahcl"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// This file reads project files with Atlas's own evaluator, schemahcl at
// the version go.mod pins, set up as Atlas's project loader sets it up:
// the atlas.env variable, Atlas's standard functions plus file, glob,
// fileset and getenv, the env block type, only the selected env's blocks,
// and the data source kinds of Atlas's releases. A function, variable,
// block or attribute Atlas does not know fails here.
//
// Atlas's data source handlers are in its command package, which cannot
// be imported; each is stood in for by a handler that accepts only the
// attributes Atlas documents for the kind and returns the value's shape
// (url; count, value and values for sql), so that references such as
// data.sql.NAME.values evaluate. composite_schema and external_schema
// are in Atlas's release builds, not its open-source one, whose loader
// knows the names but refuses to run them.

// atlasProject and atlasEnv are the parts of Atlas's project file
// schema the tests read back.
type (
	atlasProject struct {
		Envs []*atlasEnv `spec:"env"`
		schemahcl.DefaultExtension
	}
	atlasEnv struct {
		Name      string          `spec:"name,name"`
		URL       string          `spec:"url"`
		Dev       string          `spec:"dev"`
		Schemas   []string        `spec:"schemas"`
		Exclude   []string        `spec:"exclude"`
		Migration *atlasMigration `spec:"migration"`
		schemahcl.DefaultExtension
	}
	atlasMigration struct {
		Dir             string `spec:"dir"`
		Format          string `spec:"format"`
		Baseline        string `spec:"baseline"`
		RevisionsSchema string `spec:"revisions_schema"`
		schemahcl.DefaultExtension
	}
)

var registerAtlasEnv sync.Once

// atlasDataKinds are the attributes (and nested blocks) Atlas documents
// for each data source kind, and the attributes of its value.
var atlasDataKinds = map[string]struct{ attrs, blocks, value []string }{
	"sql":              {attrs: []string{"url", "query", "args"}, value: []string{"count", "value", "values"}},
	"external_schema":  {attrs: []string{"program", "working_dir"}, value: []string{"url"}},
	"composite_schema": {blocks: []string{"schema"}, value: []string{"url"}},
	"hcl_schema":       {attrs: []string{"path", "paths", "vars"}, value: []string{"url"}},
	"template_dir":     {attrs: []string{"path", "vars"}, value: []string{"url"}},
	"external":         {attrs: []string{"program", "working_dir"}},
	"runtimevar":       {attrs: []string{"url"}},
	"remote_dir":       {attrs: []string{"name", "tag"}, value: []string{"url"}},
	"aws_rds_token":    {attrs: []string{"endpoint", "region", "username", "profile"}},
}

// atlasLoad evaluates env of the project file at path as Atlas's loader.
func atlasLoad(t *testing.T, path, env string, vars map[string]cty.Value) (*atlasEnv, error) {
	t.Helper()
	registerAtlasEnv.Do(func() { schemahcl.Register("env", &atlasEnv{}) })
	base, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	parser := hclparse.NewParser()
	f, diags := parser.ParseHCLFile(path)
	if diags.HasErrors() {
		return nil, diags
	}
	// Atlas evaluates the selected env's blocks and every other block.
	body := f.Body.(*hclsyntax.Body)
	kept := body.Blocks[:0:0]
	for _, b := range body.Blocks {
		if b.Type != "env" || len(b.Labels) == 1 && b.Labels[0] == env {
			kept = append(kept, b)
		}
	}
	body.Blocks = kept
	opts := []schemahcl.Option{
		schemahcl.WithContext(context.Background()),
		schemahcl.WithScopedEnums("env.migration.format", "atlas", "golang-migrate", "goose", "flyway", "liquibase", "dbmate"),
		schemahcl.WithVariables(map[string]cty.Value{"atlas": cty.ObjectVal(map[string]cty.Value{"env": cty.StringVal(env)})}),
		schemahcl.WithFunctions(map[string]function.Function{
			"file":    schemahcl.MakeFileFunc(base),
			"glob":    schemahcl.MakeGlobFunc(base),
			"fileset": schemahcl.MakeFileSetFunc(base),
			"getenv":  atlasGetenv,
		}),
	}
	for kind, spec := range atlasDataKinds {
		opts = append(opts, schemahcl.WithDataSource(kind, func(_ context.Context, ectx *hcl.EvalContext, b *hclsyntax.Block) (cty.Value, error) {
			for n, a := range b.Body.Attributes {
				if !contains(spec.attrs, n) {
					return cty.NilVal, fmt.Errorf("data.%s.%s: unexpected attribute %q", kind, b.Labels[1], n)
				}
				if _, diags := a.Expr.Value(ectx); diags.HasErrors() {
					return cty.NilVal, diags
				}
			}
			for _, nb := range b.Body.Blocks {
				if !contains(spec.blocks, nb.Type) {
					return cty.NilVal, fmt.Errorf("data.%s.%s: unexpected block %q", kind, b.Labels[1], nb.Type)
				}
				for _, a := range nb.Body.Attributes {
					if _, diags := a.Expr.Value(ectx); diags.HasErrors() {
						return cty.NilVal, diags
					}
				}
			}
			obj := map[string]cty.Value{}
			for _, n := range spec.value {
				switch n {
				case "count":
					obj[n] = cty.NumberIntVal(1)
				case "value":
					obj[n] = cty.StringVal("value-of-" + b.Labels[1])
				case "values":
					obj[n] = cty.ListVal([]cty.Value{cty.StringVal("value-of-" + b.Labels[1])})
				default:
					obj[n] = cty.StringVal("mem://" + kind + "/" + b.Labels[1])
				}
			}
			return cty.ObjectVal(obj), nil
		}))
	}
	var p atlasProject
	if err := schemahcl.New(opts...).Eval(parser, &p, vars); err != nil {
		return nil, err
	}
	for _, e := range p.Envs {
		if e.Name == env {
			return e, nil
		}
	}
	return nil, fmt.Errorf("no env %q", env)
}

// atlasGetenv is getenv as Atlas has it: "" for an unset variable.
var atlasGetenv = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "key", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.StringVal(os.Getenv(args[0].AsString())), nil
	},
})

func TestAtlasLoadsDataSources(t *testing.T) {
	t.Setenv("DB_URL", "postgres://localhost:5432/app")
	path := filepath.Join("testdata", "datasources.hcl")
	for _, env := range []string{"orm", "composite", "hcl", "tenants"} {
		e, err := atlasLoad(t, path, env, nil)
		if err != nil {
			t.Fatalf("Atlas's loader, env %s: %v", env, err)
		}
		switch env {
		case "orm":
			if _, ok := e.Extra.Attr("src"); !ok || e.Dev != "postgres://localhost:5432/dev?sslmode=disable" || e.Migration.Dir != "file://migrations" {
				t.Errorf("env orm: %+v", e)
			}
		case "tenants":
			if e.URL != "postgres://app:p%2540ss@localhost:5432/app" || strings.Join(e.Schemas, ",") != "value-of-tenants" ||
				e.Migration.Dir != "mem://template_dir/migrations" || e.Migration.Format != "atlas" {
				t.Errorf("env tenants: %+v %+v", e, e.Migration)
			}
		}
	}
	// The project files of the repository.
	for path, envs := range map[string][]string{
		filepath.Join("..", "..", "atlas.hcl"):                   nil,
		filepath.Join("..", "..", "example", "orm", "atlas.hcl"): nil,
	} {
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		for _, env := range append(envs, envLabels(t, path)...) {
			if _, err := atlasLoad(t, path, env, nil); err != nil {
				t.Errorf("Atlas's loader, %s env %s: %v", path, env, err)
			}
		}
	}
}

// TestAtlasRefusesUnknown checks that the loader above does refuse what
// Atlas does not know, so that a pass means something.
func TestAtlasRefusesUnknown(t *testing.T) {
	for src, want := range map[string]string{
		`env "a" { url = nosuch("x") }`:                                                   "nosuch",
		`env "a" { url = data.nosuch.x.url }` + "\n" + `data "nosuch" "x" {}`:             "nosuch",
		`data "sql" "x" { timeout = "1s" }` + "\n" + `env "a" { url = data.sql.x.value }`: `unexpected attribute "timeout"`,
		`env "a" { url = local.nope }`:                                                    `no variable named "local"`,
	} {
		path := filepath.Join(t.TempDir(), "atlas.hcl")
		os.WriteFile(path, []byte(src), 0o644)
		if _, err := atlasLoad(t, path, "a", nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", src, err, want)
		}
	}
}

// envLabels lists the env labels of a project file.
func envLabels(t *testing.T, path string) []string {
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var out []string
	for _, b := range f.Body.(*hclsyntax.Body).Blocks {
		if b.Type == "env" && len(b.Labels) == 1 {
			out = append(out, b.Labels[0])
		}
	}
	sort.Strings(out)
	return out
}
