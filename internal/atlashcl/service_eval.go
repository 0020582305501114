package atlashcl

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
)

// Lookup finds an environment variable; os.LookupEnv by default.
type Lookup func(name string) (string, bool)

// strictEval evaluates expressions of the blocks schemactl adds to an env
// with environment variables that must be set:
//
//   - getenv("VAR") is the value of VAR (Atlas's own function, which
//     gives "" for an unset variable; here an unset one is an error);
//   - "${VAR}", a bare name in a template, is the value of VAR (schemactl
//     only: Atlas refuses an unknown variable);
//   - "$${VAR}", the escaped form, is the value of VAR too: Atlas reads the
//     literal text ${VAR} and, not reading these blocks, ignores it;
//   - var.NAME is the default of a `variable "NAME"` block, atlas.env is
//     the selected env's name.
//
// A value taken from the environment is never expanded again.
type strictEval struct {
	file   *hcl.File
	env    string
	lookup Lookup
	vars   map[string]*hclsyntax.Block // variable blocks by name
	done   map[string]cty.Value        // evaluated variable defaults
	active map[string]bool             // variables being evaluated (cycles)
	base   string                      // the project file's directory (file, glob)
	refs   *refs                       // data and locals blocks
	each   *cty.Value                  // each.key and each.value of a for_each instance (nil outside one)
}

func newStrictEval(file *hcl.File, env string, lookup Lookup) *strictEval {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	body := file.Body.(*hclsyntax.Body)
	ev := &strictEval{file: file, env: env, lookup: lookup, vars: map[string]*hclsyntax.Block{}, done: map[string]cty.Value{}, active: map[string]bool{},
		base: filepath.Dir(body.SrcRange.Filename), refs: newRefs(body)}
	for _, b := range body.Blocks {
		if b.Type == "variable" && len(b.Labels) == 1 {
			ev.vars[b.Labels[0]] = b
		}
	}
	return ev
}

// unsetError names an environment variable that is not set.
type unsetError struct{ name string }

func (e unsetError) Error() string { return fmt.Sprintf("environment variable %s is not set", e.name) }

// getenvFunc is getenv that refuses an unset variable.
func (ev *strictEval) getenvFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "key", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			name := args[0].AsString()
			v, ok := ev.lookup(name)
			if !ok {
				return cty.NilVal, unsetError{name}
			}
			return cty.StringVal(v), nil
		},
	})
}

// context builds the evaluation context of expr: only the variables it
// refers to are resolved.
func (ev *strictEval) context(expr hcl.Expression) (*hcl.EvalContext, error) {
	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{"atlas": cty.ObjectVal(map[string]cty.Value{"env": cty.StringVal(ev.env)})},
		Functions: ev.functions(),
	}
	vars := map[string]cty.Value{}
	var rv refValues
	for _, tr := range expr.Variables() {
		root := tr.RootName()
		switch root {
		case "atlas":
			continue
		case "var":
			if len(tr) < 2 {
				return nil, ev.errAt(tr.SourceRange(), "var needs a variable name, as in var.NAME")
			}
			attr, ok := tr[1].(hcl.TraverseAttr)
			if !ok {
				return nil, ev.errAt(tr.SourceRange(), "write var.NAME")
			}
			v, err := ev.variable(attr.Name, tr.SourceRange())
			if err != nil {
				return nil, err
			}
			vars[attr.Name] = v
		case "each":
			v, err := ev.eachValue(tr)
			if err != nil {
				return nil, err
			}
			ctx.Variables["each"] = v
		case "local", "data":
			if err := ev.reference(tr, &rv); err != nil {
				return nil, err
			}
		default:
			v, ok := ev.lookup(root)
			if !ok {
				return nil, ev.errAt(tr.SourceRange(), unsetError{root}.Error())
			}
			ctx.Variables[root] = cty.StringVal(v)
		}
	}
	ctx.Variables["var"] = cty.ObjectVal(vars)
	rv.set(ctx.Variables)
	return ctx, nil
}

// variable evaluates the default of variable block name.
func (ev *strictEval) variable(name string, at hcl.Range) (cty.Value, error) {
	if v, ok := ev.done[name]; ok {
		return v, nil
	}
	b, ok := ev.vars[name]
	if !ok {
		return cty.NilVal, ev.errAt(at, fmt.Sprintf("no variable %q is declared (variable %q { default = ... })", name, name))
	}
	def, ok := b.Body.Attributes["default"]
	if !ok {
		return cty.NilVal, ev.errAt(b.DefRange(), fmt.Sprintf("variable %q has no default; schemactl reads variables from their defaults (e.g. default = getenv(\"VAR\"))", name))
	}
	if ev.active[name] {
		return cty.NilVal, ev.errAt(at, fmt.Sprintf("variable %q refers to itself", name))
	}
	ev.active[name] = true
	defer delete(ev.active, name)
	v, err := ev.value(def.Expr)
	if err != nil {
		return cty.NilVal, err
	}
	ev.done[name] = v
	return v, nil
}

// value evaluates any expression, expanding ${VAR} in the literal parts of
// string templates.
func (ev *strictEval) value(expr hclsyntax.Expression) (cty.Value, error) {
	if t, ok := expr.(*hclsyntax.TemplateExpr); ok {
		s, err := ev.template(t)
		if err != nil {
			return cty.NilVal, err
		}
		return cty.StringVal(s), nil
	}
	ctx, err := ev.context(expr)
	if err != nil {
		return cty.NilVal, err
	}
	v, diags := expr.Value(ctx)
	if diags.HasErrors() {
		return cty.NilVal, ev.diagError(diags)
	}
	return v, nil
}

// template evaluates a string template part by part. Adjacent literal
// parts (HCL splits text at an escaped $${) are joined before ${VAR} in
// them is expanded.
func (ev *strictEval) template(t *hclsyntax.TemplateExpr) (string, error) {
	var b, lit strings.Builder
	var litAt hcl.Range
	flush := func() error {
		if lit.Len() == 0 {
			return nil
		}
		s, err := ev.expand(lit.String(), litAt)
		lit.Reset()
		b.WriteString(s)
		return err
	}
	for _, part := range t.Parts {
		if l, ok := part.(*hclsyntax.LiteralValueExpr); ok && l.Val.Type() == cty.String {
			if lit.Len() == 0 {
				litAt = l.SrcRange
			}
			lit.WriteString(l.Val.AsString())
			continue
		}
		if err := flush(); err != nil {
			return "", err
		}
		v, err := ev.value(part)
		if err != nil {
			return "", err
		}
		s, err := ev.toString(v, part.Range())
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	if err := flush(); err != nil {
		return "", err
	}
	return b.String(), nil
}

// reDollarVar is ${NAME} in literal text (written $${NAME} in HCL).
var reDollarVar = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expand replaces ${NAME} in literal text with environment variables.
func (ev *strictEval) expand(s string, at hcl.Range) (string, error) {
	var missing string
	out := reDollarVar.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-1]
		v, ok := ev.lookup(name)
		if !ok && missing == "" {
			missing = name
		}
		return v
	})
	if missing != "" {
		return "", ev.errAt(at, unsetError{missing}.Error())
	}
	return out, nil
}

func (ev *strictEval) toString(v cty.Value, at hcl.Range) (string, error) {
	if v.IsNull() {
		return "", ev.errAt(at, "value is null, want a string")
	}
	sv, err := convert.Convert(v, cty.String)
	if err != nil {
		return "", ev.errAt(at, "want a string, got "+v.Type().FriendlyName())
	}
	return sv.AsString(), nil
}

// str evaluates a string attribute. A migration block's format may be
// written as Atlas's bare enum (format = atlas).
func (ev *strictEval) str(a *hclsyntax.Attribute) (string, error) {
	if tr, ok := a.Expr.(*hclsyntax.ScopeTraversalExpr); ok && a.Name == "format" && len(tr.Traversal) == 1 {
		return tr.Traversal.RootName(), nil
	}
	v, err := ev.value(a.Expr)
	if err != nil {
		return "", err
	}
	return ev.toString(v, a.Expr.Range())
}

// strs evaluates a list-of-strings attribute (a single string is a list of one).
func (ev *strictEval) strs(a *hclsyntax.Attribute) ([]string, error) {
	if tup, ok := a.Expr.(*hclsyntax.TupleConsExpr); ok {
		out := make([]string, 0, len(tup.Exprs))
		for _, e := range tup.Exprs {
			v, err := ev.value(e)
			if err != nil {
				return nil, err
			}
			s, err := ev.toString(v, e.Range())
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	v, err := ev.value(a.Expr)
	if err != nil {
		return nil, err
	}
	if v.Type() == cty.String {
		return []string{v.AsString()}, nil
	}
	if !v.CanIterateElements() {
		return nil, ev.errAt(a.Expr.Range(), "want a list of strings")
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		s, err := ev.toString(e, a.Expr.Range())
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// errAt formats an error at a position as file:line:col: message.
func (ev *strictEval) errAt(r hcl.Range, msg string) error {
	return fmt.Errorf("%s:%d:%d: %s", r.Filename, r.Start.Line, r.Start.Column, msg)
}

// diagError turns HCL diagnostics into one error with its position.
func (ev *strictEval) diagError(diags hcl.Diagnostics) error {
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		if d.Subject != nil {
			return ev.errAt(*d.Subject, msg)
		}
		return fmt.Errorf("%s", msg)
	}
	return diags
}
