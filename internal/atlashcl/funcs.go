package atlashcl

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	ctyyaml "github.com/zclconf/go-cty-yaml"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/schemactl/schemactl/internal/pgurl"
)

// functions are the functions an expression of a project file may call:
// the ones Atlas's project files know, under Atlas's names. getenv is the
// strict one (an unset variable is an error); file, glob and fileset read
// paths relative to the project file's directory.
func (ev *strictEval) functions() map[string]function.Function {
	fns := map[string]function.Function{
		"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "chomp": stdlib.ChompFunc,
		"chunklist": stdlib.ChunklistFunc, "coalescelist": stdlib.CoalesceListFunc, "compact": stdlib.CompactFunc,
		"concat": stdlib.ConcatFunc, "contains": stdlib.ContainsFunc, "csvdecode": stdlib.CSVDecodeFunc,
		"distinct": stdlib.DistinctFunc, "element": stdlib.ElementFunc, "flatten": stdlib.FlattenFunc,
		"floor": stdlib.FloorFunc, "format": stdlib.FormatFunc, "formatdate": stdlib.FormatDateFunc,
		"formatlist": stdlib.FormatListFunc, "indent": stdlib.IndentFunc, "index": stdlib.IndexFunc,
		"join": stdlib.JoinFunc, "jsondecode": stdlib.JSONDecodeFunc, "jsonencode": stdlib.JSONEncodeFunc,
		"keys": stdlib.KeysFunc, "length": stdlib.LengthFunc, "log": stdlib.LogFunc, "lower": stdlib.LowerFunc,
		"max": stdlib.MaxFunc, "merge": stdlib.MergeFunc, "min": stdlib.MinFunc, "parseint": stdlib.ParseIntFunc,
		"pow": stdlib.PowFunc, "range": stdlib.RangeFunc, "regex": stdlib.RegexFunc, "regexall": stdlib.RegexAllFunc,
		"regexreplace": stdlib.RegexReplaceFunc, "replace": stdlib.ReplaceFunc, "reverse": stdlib.ReverseListFunc,
		"setintersection": stdlib.SetIntersectionFunc, "setproduct": stdlib.SetProductFunc,
		"setsubtract": stdlib.SetSubtractFunc, "setunion": stdlib.SetUnionFunc, "signum": stdlib.SignumFunc,
		"slice": stdlib.SliceFunc, "sort": stdlib.SortFunc, "split": stdlib.SplitFunc, "strrev": stdlib.ReverseFunc,
		"substr": stdlib.SubstrFunc, "timeadd": stdlib.TimeAddFunc, "title": stdlib.TitleFunc, "trim": stdlib.TrimFunc,
		"trimprefix": stdlib.TrimPrefixFunc, "trimspace": stdlib.TrimSpaceFunc, "trimsuffix": stdlib.TrimSuffixFunc,
		"upper": stdlib.UpperFunc, "values": stdlib.ValuesFunc, "zipmap": stdlib.ZipmapFunc,
		"yamldecode": ctyyaml.YAMLDecodeFunc, "yamlencode": ctyyaml.YAMLEncodeFunc,
		"try": tryfunc.TryFunc, "can": tryfunc.CanFunc,
		"tostring": toFunc(cty.String), "tonumber": toFunc(cty.Number), "tobool": toFunc(cty.Bool),
		"tolist": toFunc(cty.List(cty.DynamicPseudoType)), "toset": toFunc(cty.Set(cty.DynamicPseudoType)),
		"startswith": strPredicate(strings.HasPrefix), "endswith": strPredicate(strings.HasSuffix),
		"regexpescape": strFunc(regexp.QuoteMeta),
		"urlescape":    strFunc(url.QueryEscape),
		"empty":        collectionFunc(func(v cty.Value) bool { return v.LengthInt() == 0 }),
		"alltrue": collectionFunc(func(v cty.Value) bool {
			for it := v.ElementIterator(); it.Next(); {
				if _, e := it.Element(); e.IsNull() || !e.Type().Equals(cty.Bool) || e.False() {
					return false
				}
			}
			return true
		}),
		"urlsetpath":  urlFunc([]string{"url", "path"}, func(u *url.URL, a []string) { u.Path = a[0]; u.RawPath = "" }),
		"urlqueryset": urlFunc([]string{"url", "key", "value"}, func(u *url.URL, a []string) { q := u.Query(); q.Set(a[0], a[1]); u.RawQuery = q.Encode() }),
		"urluserinfo": urlUserinfoFunc(),
		"getenv":      ev.getenvFunc(),
		"file":        ev.fileFunc(),
		"glob":        ev.globFunc(false),
		"fileset":     ev.globFunc(true),
	}
	return fns
}

// toFunc converts its argument to want, as Atlas's to* functions do.
func toFunc(want cty.Type) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "v", Type: cty.DynamicPseudoType, AllowNull: true}},
		Type: func(args []cty.Value) (cty.Type, error) {
			if convert.GetConversionUnsafe(args[0].Type(), want) == nil {
				return cty.NilType, function.NewArgErrorf(0, "cannot convert %s to %s", args[0].Type().FriendlyName(), want.FriendlyNameForConstraint())
			}
			if want.Equals(cty.List(cty.DynamicPseudoType)) || want.Equals(cty.Set(cty.DynamicPseudoType)) {
				c, err := convert.Convert(args[0], want)
				if err != nil {
					return cty.NilType, function.NewArgError(0, err)
				}
				return c.Type(), nil
			}
			return want, nil
		},
		Impl: func(args []cty.Value, ret cty.Type) (cty.Value, error) {
			v, err := convert.Convert(args[0], ret)
			if err != nil {
				return cty.NilVal, function.NewArgErrorf(0, "cannot convert %s to %s", args[0].Type().FriendlyName(), ret.FriendlyNameForConstraint())
			}
			return v, nil
		},
	})
}

// strFunc is a function of one string to a string.
func strFunc(f func(string) string) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "s", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.StringVal(f(args[0].AsString())), nil
		},
	})
}

// strPredicate is a function of two strings to a bool.
func strPredicate(f func(s, t string) bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "s", Type: cty.String}, {Name: "t", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.BoolVal(f(args[0].AsString(), args[1].AsString())), nil
		},
	})
}

// collectionFunc is a predicate on a list, set, map or tuple.
func collectionFunc(f func(cty.Value) bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "collection", Type: cty.DynamicPseudoType}},
		Type: func(args []cty.Value) (cty.Type, error) {
			t := args[0].Type()
			if !t.IsListType() && !t.IsSetType() && !t.IsMapType() && !t.IsTupleType() {
				return cty.NilType, function.NewArgErrorf(0, "want a list, a set, a map or a tuple, got %s", t.FriendlyName())
			}
			return cty.Bool, nil
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) { return cty.BoolVal(f(args[0])), nil },
	})
}

// parseURL parses a URL argument; the error never holds the URL's
// password.
func parseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("invalid URL %s", pgurl.Redact(s))
	}
	return u, nil
}

// urlFunc is a function of a URL and string arguments that changes the
// URL.
func urlFunc(names []string, set func(u *url.URL, args []string)) function.Function {
	params := make([]function.Parameter, len(names))
	for i, n := range names {
		params[i] = function.Parameter{Name: n, Type: cty.String}
	}
	return function.New(&function.Spec{
		Params: params,
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			u, err := parseURL(args[0].AsString())
			if err != nil {
				return cty.NilVal, err
			}
			rest := make([]string, 0, len(args)-1)
			for _, a := range args[1:] {
				rest = append(rest, a.AsString())
			}
			set(u, rest)
			return cty.StringVal(u.String()), nil
		},
	})
}

// urlUserinfoFunc is urluserinfo(url, user[, password]).
func urlUserinfoFunc() function.Function {
	return function.New(&function.Spec{
		Params:   []function.Parameter{{Name: "url", Type: cty.String}, {Name: "user", Type: cty.String}},
		VarParam: &function.Parameter{Name: "password", Type: cty.String, AllowNull: true},
		Type:     function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if len(args) > 3 {
				return cty.NilVal, fmt.Errorf("urluserinfo takes a URL, a user and at most one password")
			}
			u, err := parseURL(args[0].AsString())
			if err != nil {
				return cty.NilVal, err
			}
			u.User = url.User(args[1].AsString())
			if len(args) == 3 && !args[2].IsNull() {
				u.User = url.UserPassword(args[1].AsString(), args[2].AsString())
			}
			return cty.StringVal(u.String()), nil
		},
	})
}

// path resolves p against the project file's directory.
func (ev *strictEval) path(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(ev.base, p)
}

// fileFunc is file(path): the content of a file.
func (ev *strictEval) fileFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			b, err := os.ReadFile(ev.path(args[0].AsString()))
			if err != nil {
				return cty.NilVal, err
			}
			return cty.StringVal(string(b)), nil
		},
	})
}

// globFunc is glob(pattern), or fileset(pattern) with ** for any number
// of directories: the matching paths, sorted.
func (ev *strictEval) globFunc(doubleStar bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "pattern", Type: cty.String}},
		Type:   function.StaticReturnType(cty.List(cty.String)),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			pattern := ev.path(args[0].AsString())
			var matches []string
			var err error
			if doubleStar {
				matches, err = doublestar.Glob(pattern)
			} else {
				matches, err = filepath.Glob(pattern)
			}
			if err != nil {
				return cty.NilVal, fmt.Errorf("pattern %q: %w", args[0].AsString(), err)
			}
			if len(matches) == 0 {
				return cty.ListValEmpty(cty.String), nil
			}
			sort.Strings(matches)
			vals := make([]cty.Value, len(matches))
			for i, m := range matches {
				vals[i] = cty.StringVal(m)
			}
			return cty.ListVal(vals), nil
		},
	})
}
