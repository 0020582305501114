package atlashcl

import (
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/schemactl/schemactl/internal/srcpos"
)

// EnvInstance is one target of an env with for_each: the env evaluated
// with each.key and each.value bound to one element.
//
//	variable "tenants" { default = ["acme", "globex"] }
//	env "tenants" {
//	  for_each = toset(var.tenants)
//	  url      = urlsetpath(getenv("FLEET_URL"), each.value)
//	  migration { dir = "file://migrations" }
//	}
type EnvInstance struct {
	// Key is each.key: the element of a set or list, the key of a map.
	Key string
	// Env is the env with each bound.
	Env *ServiceEnv
}

// LoadFleetEnv reads env name of the project file at path as a fleet. It
// returns ok false when the env has no for_each (it is one target).
func LoadFleetEnv(path, env string, lookup Lookup) (instances []EnvInstance, ok bool, err error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, false, fmt.Errorf("read project file: %w", err)
	}
	return ParseFleetEnv(path, src, env, lookup)
}

// ParseFleetEnv is LoadFleetEnv on the file's content. for_each takes a
// set or list of strings (each.key and each.value are the element) or a
// map (each.key is the key, each.value the element, of any type); the
// instances come in the order of the keys.
func ParseFleetEnv(filename string, src []byte, env string, lookup Lookup) ([]EnvInstance, bool, error) {
	if err := srcpos.CheckText(filename, src); err != nil {
		return nil, false, err
	}
	file, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, false, srcpos.HCL(diags)
	}
	ev := newStrictEval(file, env, lookup)
	envs, err := envBlocks(file, env)
	if err != nil {
		return nil, false, err
	}
	if len(envs) == 0 {
		return nil, false, fmt.Errorf("%s: %w: %q (defined: %s)", filename, ErrNoEnv, env, strings.Join(envNames(file), ", "))
	}
	a := forEachAttr(envs)
	if a == nil {
		return nil, false, nil
	}
	v, err := ev.value(a.Expr)
	if err != nil {
		return nil, true, err
	}
	elems, err := ev.forEachElems(v, a.Expr.Range())
	if err != nil {
		return nil, true, err
	}
	out := make([]EnvInstance, 0, len(elems))
	// The instances share the evaluation's caches (variables, locals and
	// data sources, evaluated once): their lazy values take turns.
	var mu sync.Mutex
	guard := func(l *Lazy) {
		if l.set {
			eval := l.eval
			l.eval = func() (string, error) {
				mu.Lock()
				defer mu.Unlock()
				return eval()
			}
		}
	}
	for _, el := range elems {
		inst := *ev
		each := cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(el.key), "value": el.value})
		inst.each = &each
		se, err := serviceEnvOf(&inst, envs, env)
		if err != nil {
			return nil, true, fmt.Errorf("env %q, each.key %q: %w", env, el.key, err)
		}
		guard(&se.URL)
		if se.Service != nil {
			guard(&se.Service.Password)
			guard(&se.Service.AdminURL)
		}
		out = append(out, EnvInstance{Key: el.key, Env: se})
	}
	return out, true, nil
}

// forEachAttr returns the for_each attribute of the env blocks (the first
// one written), nil when they have none.
func forEachAttr(envs []*hclsyntax.Block) *hclsyntax.Attribute {
	for _, b := range envs {
		if a, ok := b.Body.Attributes["for_each"]; ok {
			return a
		}
	}
	return nil
}

type eachElem struct {
	key   string
	value cty.Value
}

// forEachElems lists the elements of a for_each value.
func (ev *strictEval) forEachElems(v cty.Value, at hcl.Range) ([]eachElem, error) {
	if v.IsNull() || !v.IsKnown() {
		return nil, ev.errAt(at, "for_each is null: want a set, a list or a map")
	}
	ty := v.Type()
	var out []eachElem
	seen := map[string]bool{}
	switch {
	case ty.IsMapType() || ty.IsObjectType():
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			out = append(out, eachElem{key: k.AsString(), value: e})
		}
	case ty.IsSetType() || ty.IsListType() || ty.IsTupleType():
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			s, err := ev.toString(e, at)
			if err != nil {
				return nil, ev.errAt(at, "for_each over a set or list wants strings (a map gives each.value of any type)")
			}
			if seen[s] {
				return nil, ev.errAt(at, fmt.Sprintf("for_each lists %q twice: each.key must be unique (use toset)", s))
			}
			seen[s] = true
			out = append(out, eachElem{key: s, value: cty.StringVal(s)})
		}
	default:
		return nil, ev.errAt(at, "for_each wants a set, a list or a map, got "+ty.FriendlyName())
	}
	return out, nil
}

// eachValue is the each object of the context: each.key and each.value in
// an instance of an env with for_each.
func (ev *strictEval) eachValue(tr hcl.Traversal) (cty.Value, error) {
	if ev.each == nil {
		return cty.NilVal, ev.errAt(tr.SourceRange(), "each.key and each.value exist only in an env with for_each")
	}
	return *ev.each, nil
}
