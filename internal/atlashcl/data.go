package atlashcl

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Data sources and locals of a project file, as Atlas spells them:
//
//	locals {
//	  url = "postgres://localhost/app"
//	}
//	data "sql" "tenants" {
//	  url   = local.url
//	  query = "SELECT name FROM tenants WHERE active = $1"
//	  args  = [true]
//	}
//	data "external_schema" "orm" {
//	  program = ["python3", "load_models.py"]
//	}
//	env "dev" {
//	  src = data.external_schema.orm.url
//	}
//
// A data block is evaluated the first time an expression refers to it
// (data.TYPE.NAME), once per command. The kinds are in dataKinds.

// dataKind evaluates one kind of data block.
type dataKind struct {
	// attrs are the attributes the block may have, blocks its nested
	// block types.
	attrs, blocks []string
	eval          func(ev *strictEval, b *hclsyntax.Block) (cty.Value, error)
}

// dataKinds are the data sources schemactl evaluates.
func dataKinds() map[string]dataKind {
	return map[string]dataKind{
		"sql":              {attrs: []string{"url", "query", "args"}, eval: evalSQLData},
		"external_schema":  {attrs: []string{"program", "working_dir"}, eval: evalExternalSchema},
		"composite_schema": {blocks: []string{"schema"}, eval: evalCompositeSchema},
		"hcl_schema":       {attrs: []string{"path", "paths", "vars"}, eval: evalHCLSchema},
		"template_dir":     {attrs: []string{"path", "vars"}, eval: evalTemplateDir},
	}
}

// dataKey names a data block: data.TYPE.NAME.
type dataKey struct{ typ, name string }

func (k dataKey) String() string { return "data." + k.typ + "." + k.name }

// refs holds what the project file's data and locals blocks evaluated to.
type refs struct {
	ctx        context.Context
	data       map[dataKey]*hclsyntax.Block
	dataDone   map[dataKey]cty.Value
	locals     map[string]*hclsyntax.Attribute
	localsDone map[string]cty.Value
	active     map[string]bool
	// states are the desired states data sources computed, by URL.
	states map[string]*State
	// rendered are the template_dir renderings, by directory: the
	// block and its template directory.
	rendered map[string][2]string
}

// State is a desired state a data source computed (external_schema,
// composite_schema, hcl_schema): its URL, the data source's url
// attribute, stands for it in an env's src.
type State struct {
	// URL is the data source's url.
	URL string
	// Block names the data source, as data.TYPE.NAME.
	Block string
	// Parts are SQL the state is made of, in order (external_schema,
	// composite_schema).
	Parts []StatePart
	// HCL are the .hcl files of an hcl_schema, and Vars the values of
	// their variables.
	HCL  []string
	Vars map[string]cty.Value
}

// StatePart is one piece of a state: SQL text a program printed, or a
// state URL (file://...) loaded as usual, in a schema of its own for a
// composite_schema.
type StatePart struct {
	// Schema is the schema the part's objects are created in ("" for the
	// SQL's own choice).
	Schema string
	// URL is a state URL to load (file://...); empty for SQL text.
	URL string
	// Name stands for the text in messages (the program and the data
	// source); Bytes is the SQL.
	Name  string
	Bytes []byte
}

func newRefs(body *hclsyntax.Body) *refs {
	r := &refs{
		ctx:  context.Background(),
		data: map[dataKey]*hclsyntax.Block{}, dataDone: map[dataKey]cty.Value{},
		locals: map[string]*hclsyntax.Attribute{}, localsDone: map[string]cty.Value{},
		active: map[string]bool{}, states: map[string]*State{}, rendered: map[string][2]string{},
	}
	for _, b := range body.Blocks {
		switch {
		case b.Type == "data" && len(b.Labels) == 2:
			k := dataKey{b.Labels[0], b.Labels[1]}
			if _, dup := r.data[k]; !dup {
				r.data[k] = b
			}
		case b.Type == "locals":
			for n, a := range b.Body.Attributes {
				if _, dup := r.locals[n]; !dup {
					r.locals[n] = a
				}
			}
		}
	}
	return r
}

// refValues collects the data and local values one expression refers to.
type refValues struct {
	data   map[string]map[string]cty.Value
	locals map[string]cty.Value
}

// set puts the collected values into the evaluation context.
func (rv *refValues) set(vars map[string]cty.Value) {
	if rv.data != nil {
		obj := map[string]cty.Value{}
		for typ, names := range rv.data {
			obj[typ] = cty.ObjectVal(names)
		}
		vars["data"] = cty.ObjectVal(obj)
	}
	if rv.locals != nil {
		vars["local"] = cty.ObjectVal(rv.locals)
	}
}

// reference evaluates a data.TYPE.NAME or local.NAME traversal into rv.
func (ev *strictEval) reference(tr hcl.Traversal, rv *refValues) error {
	names := make([]string, 0, 3)
	for _, step := range tr[1:] {
		a, ok := step.(hcl.TraverseAttr)
		if !ok {
			break
		}
		names = append(names, a.Name)
	}
	if tr.RootName() == "local" {
		if len(names) < 1 {
			return ev.errAt(tr.SourceRange(), "write local.NAME")
		}
		v, err := ev.local(names[0], tr.SourceRange())
		if err != nil {
			return err
		}
		if rv.locals == nil {
			rv.locals = map[string]cty.Value{}
		}
		rv.locals[names[0]] = v
		return nil
	}
	if len(names) < 2 {
		return ev.errAt(tr.SourceRange(), "write data.TYPE.NAME, as in data.external_schema.orm.url")
	}
	k := dataKey{names[0], names[1]}
	v, err := ev.dataValue(k, tr.SourceRange())
	if err != nil {
		return err
	}
	if rv.data == nil {
		rv.data = map[string]map[string]cty.Value{}
	}
	if rv.data[k.typ] == nil {
		rv.data[k.typ] = map[string]cty.Value{}
	}
	rv.data[k.typ][k.name] = v
	return nil
}

// local evaluates local.NAME.
func (ev *strictEval) local(name string, at hcl.Range) (cty.Value, error) {
	r := ev.refs
	if v, ok := r.localsDone[name]; ok {
		return v, nil
	}
	a, ok := r.locals[name]
	if !ok {
		return cty.NilVal, ev.errAt(at, fmt.Sprintf("no local %q is declared (locals { %s = ... })", name, name))
	}
	key := "local." + name
	if r.active[key] {
		return cty.NilVal, ev.errAt(at, fmt.Sprintf("local %q refers to itself", name))
	}
	r.active[key] = true
	defer delete(r.active, key)
	v, err := ev.value(a.Expr)
	if err != nil {
		return cty.NilVal, err
	}
	r.localsDone[name] = v
	return v, nil
}

// dataValue evaluates data block k (once).
func (ev *strictEval) dataValue(k dataKey, at hcl.Range) (cty.Value, error) {
	r := ev.refs
	if v, ok := r.dataDone[k]; ok {
		return v, nil
	}
	b, ok := r.data[k]
	if !ok {
		return cty.NilVal, ev.errAt(at, fmt.Sprintf("no data source %s is declared (data %q %q { ... })", k, k.typ, k.name))
	}
	kinds := dataKinds()
	kind, ok := kinds[k.typ]
	if !ok {
		known := make([]string, 0, len(kinds))
		for n := range kinds {
			known = append(known, n)
		}
		sort.Strings(known)
		return cty.NilVal, ev.errAt(b.DefRange(), fmt.Sprintf("data source kind %q is not supported by schemactl (supported: %s)", k.typ, strings.Join(known, ", ")))
	}
	if r.active[k.String()] {
		return cty.NilVal, ev.errAt(at, fmt.Sprintf("%s refers to itself", k))
	}
	if err := checkBlockShape(ev, b, k.String(), kind.attrs, kind.blocks); err != nil {
		return cty.NilVal, err
	}
	r.active[k.String()] = true
	defer delete(r.active, k.String())
	v, err := kind.eval(ev, b)
	if err != nil {
		return cty.NilVal, err
	}
	r.dataDone[k] = v
	return v, nil
}

// checkBlockShape refuses attributes and blocks a data source does not
// take.
func checkBlockShape(ev *strictEval, b *hclsyntax.Block, what string, attrs, blocks []string) error {
	for n, a := range b.Body.Attributes {
		if !contains(attrs, n) {
			return ev.errAt(a.NameRange, fmt.Sprintf("%s: unknown attribute %q (known: %s)", what, n, strings.Join(attrs, ", ")))
		}
	}
	for _, nb := range b.Body.Blocks {
		if !contains(blocks, nb.Type) {
			return ev.errAt(nb.DefRange(), fmt.Sprintf("%s: unexpected block %q", what, nb.Type))
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// blockErr formats an error of data block b at its position.
func (ev *strictEval) blockErr(b *hclsyntax.Block, format string, args ...any) error {
	return ev.errAt(b.DefRange(), fmt.Sprintf("data.%s.%s: ", b.Labels[0], b.Labels[1])+fmt.Sprintf(format, args...))
}

// attrStr evaluates a string attribute of a block; "" when it is absent
// and optional.
func (ev *strictEval) attrStr(b *hclsyntax.Block, name string, required bool) (string, error) {
	a, ok := b.Body.Attributes[name]
	if !ok {
		if required {
			return "", ev.blockErr(b, "attribute %q is required", name)
		}
		return "", nil
	}
	return ev.str(a)
}

// stateURL registers a computed state under the URL mem://TYPE/NAME and
// returns the data source's value, an object with that url.
func (ev *strictEval) stateURL(b *hclsyntax.Block, st *State) cty.Value {
	st.URL = "mem://" + b.Labels[0] + "/" + b.Labels[1]
	st.Block = "data." + b.Labels[0] + "." + b.Labels[1]
	ev.refs.states[st.URL] = st
	return cty.ObjectVal(map[string]cty.Value{"url": cty.StringVal(st.URL)})
}

// State returns the desired state a data source of the env's project
// file computed, by its URL (an env's src may be data.TYPE.NAME.url).
// It is known once an expression referring to the data source was
// evaluated, as Src.Value does.
func (e *Env) State(url string) (*State, bool) {
	if e.ev == nil {
		return nil, false
	}
	st, ok := e.ev.refs.states[url]
	return st, ok
}

// WithContext makes the env's data sources (a data "sql" query, an
// external_schema program) run under ctx: cancelling it stops them.
func (e *Env) WithContext(ctx context.Context) *Env {
	if e.ev != nil && ctx != nil {
		e.ev.refs.ctx = ctx
	}
	return e
}

// Rendering tells whether dir is a data "template_dir" rendering the env
// evaluated, and names the block and its template directory: new
// migrations go to the templates, not to the rendering.
func (e *Env) Rendering(dir string) (block, templates string, ok bool) {
	if e.ev == nil {
		return "", "", false
	}
	r, ok := e.ev.refs.rendered[filepath.Clean(dir)]
	return r[0], r[1], ok
}
