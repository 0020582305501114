package atlashcl

import (
	"fmt"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// evalCompositeSchema reads a data "composite_schema" block: several
// states, each loaded into a schema of its own, make one.
//
//	data "composite_schema" "app" {
//	  schema "public" {
//	    url = data.external_schema.orm.url
//	  }
//	  schema "audit" {
//	    url = "file://audit.sql"
//	  }
//	}
//
// Each url is SQL: a data.external_schema, or file:// SQL files (an .hcl
// file names its schemas itself and is refused). Its statements run with
// the schema (created when missing) first on the search_path, so that
// unqualified names land in it.
func evalCompositeSchema(ev *strictEval, b *hclsyntax.Block) (cty.Value, error) {
	st := &State{}
	seen := map[string]bool{}
	for _, sb := range b.Body.Blocks {
		if len(sb.Labels) != 1 || sb.Labels[0] == "" {
			return cty.NilVal, ev.errAt(sb.DefRange(), "data.composite_schema: a schema block needs the schema name as its label: schema \"NAME\" { url = ... }")
		}
		schema := sb.Labels[0]
		if seen[schema] {
			return cty.NilVal, ev.errAt(sb.DefRange(), fmt.Sprintf("data.composite_schema: schema %q is given twice", schema))
		}
		seen[schema] = true
		if err := checkBlockShape(ev, sb, "schema block", []string{"url"}, nil); err != nil {
			return cty.NilVal, err
		}
		a, ok := sb.Body.Attributes["url"]
		if !ok {
			return cty.NilVal, ev.errAt(sb.DefRange(), fmt.Sprintf("data.composite_schema: schema %q needs a url", schema))
		}
		u, err := ev.str(a)
		if err != nil {
			return cty.NilVal, err
		}
		inner, ok := ev.refs.states[u]
		if !ok {
			st.Parts = append(st.Parts, StatePart{Schema: schema, URL: u})
			continue
		}
		if len(inner.HCL) > 0 {
			return cty.NilVal, ev.errAt(a.Expr.Range(), fmt.Sprintf("data.composite_schema: schema %q: %s is HCL, which names its schemas itself; a composite_schema binds SQL to a schema", schema, inner.Block))
		}
		for _, p := range inner.Parts {
			if p.Schema != "" {
				return cty.NilVal, ev.errAt(a.Expr.Range(), fmt.Sprintf("data.composite_schema: schema %q: %s binds schemas already", schema, inner.Block))
			}
			p.Schema = schema
			st.Parts = append(st.Parts, p)
		}
	}
	if len(st.Parts) == 0 {
		return cty.NilVal, ev.blockErr(b, `no schema block: schema "NAME" { url = ... }`)
	}
	return ev.stateURL(b, st), nil
}

// evalHCLSchema reads a data "hcl_schema" block: Atlas HCL schema files
// evaluated with variables.
//
//	data "hcl_schema" "app" {
//	  path = "schema.hcl"              # or paths = ["a.hcl", "b.hcl"]
//	  vars = { tenant = "acme" }
//	}
func evalHCLSchema(ev *strictEval, b *hclsyntax.Block) (cty.Value, error) {
	st := &State{}
	path, err := ev.attrStr(b, "path", false)
	if err != nil {
		return cty.NilVal, err
	}
	if a, ok := b.Body.Attributes["paths"]; ok {
		if path != "" {
			return cty.NilVal, ev.blockErr(b, "give path or paths, not both")
		}
		if st.HCL, err = ev.strs(a); err != nil {
			return cty.NilVal, err
		}
	} else if path != "" {
		st.HCL = []string{path}
	}
	if len(st.HCL) == 0 {
		return cty.NilVal, ev.blockErr(b, `attribute "path" (or "paths") is required`)
	}
	if st.Vars, err = ev.varsAttr(b); err != nil {
		return cty.NilVal, err
	}
	return ev.stateURL(b, st), nil
}

// varsAttr evaluates a block's vars attribute, a map or an object.
func (ev *strictEval) varsAttr(b *hclsyntax.Block) (map[string]cty.Value, error) {
	a, ok := b.Body.Attributes["vars"]
	if !ok {
		return nil, nil
	}
	v, err := ev.value(a.Expr)
	if err != nil {
		return nil, err
	}
	if v.IsNull() || !(v.Type().IsMapType() || v.Type().IsObjectType()) {
		return nil, ev.errAt(a.Expr.Range(), "vars must be a map, as in vars = { name = \"value\" }, got "+v.Type().FriendlyName())
	}
	return v.AsValueMap(), nil
}
