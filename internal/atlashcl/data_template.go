package atlashcl

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"text/template"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/schemactl/schemactl/migrations"
)

// evalTemplateDir renders a data "template_dir" block: a migration
// directory whose files are Go templates, executed with vars.
//
//	data "template_dir" "migrations" {
//	  path = "migrations"
//	  vars = { schema = "tenant_a" }
//	}
//	env "tenant_a" {
//	  migration {
//	    dir = data.template_dir.migrations.url
//	  }
//	}
//
// Every file under path is parsed as a template (so that one may include
// another by its base name); the top-level .sql files are the migrations.
// A variable the templates use but vars lacks is an error. The rendered
// directory, with an atlas.sum of its own, is written under the user's
// cache directory (schemactl/template_dir/HASH/NAME, HASH naming the
// content), and url is its file:// URL: commands read it like any
// directory. It is a rendering: new migrations are written to path.
func evalTemplateDir(ev *strictEval, b *hclsyntax.Block) (cty.Value, error) {
	path, err := ev.attrStr(b, "path", true)
	if err != nil {
		return cty.NilVal, err
	}
	vars, err := ev.varsAttr(b)
	if err != nil {
		return cty.NilVal, err
	}
	data := map[string]any{}
	for k, v := range vars {
		if data[k], err = goValue(v); err != nil {
			return cty.NilVal, ev.blockErr(b, "vars.%s: %v", k, err)
		}
	}
	files, err := renderTemplates(path, data)
	if err != nil {
		return cty.NilVal, ev.blockErr(b, "%v", err)
	}
	dir, err := writeRendered(b.Labels[1], files)
	if err != nil {
		return cty.NilVal, ev.blockErr(b, "write the rendered directory: %v", err)
	}
	ev.refs.rendered[filepath.Clean(dir)] = [2]string{"data.template_dir." + b.Labels[1], path}
	return cty.ObjectVal(map[string]cty.Value{"url": cty.StringVal("file://" + dir)}), nil
}

// goValue converts a template variable: a string, number, bool, or a list
// or map of them.
func goValue(v cty.Value) (any, error) {
	t := v.Type()
	switch {
	case v.IsNull():
		return nil, nil
	case t == cty.String:
		return v.AsString(), nil
	case t == cty.Bool:
		return v.True(), nil
	case t == cty.Number:
		if i, acc := v.AsBigFloat().Int64(); acc == big.Exact {
			return i, nil
		}
		f, _ := v.AsBigFloat().Float64()
		return f, nil
	case t.IsListType() || t.IsTupleType() || t.IsSetType():
		var out []any
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			g, err := goValue(e)
			if err != nil {
				return nil, err
			}
			out = append(out, g)
		}
		return out, nil
	case t.IsMapType() || t.IsObjectType():
		out := map[string]any{}
		for k, e := range v.AsValueMap() {
			g, err := goValue(e)
			if err != nil {
				return nil, err
			}
			out[k] = g
		}
		return out, nil
	}
	return nil, fmt.Errorf("want a string, a number, a bool, or a list or map of them, got %s", t.FriendlyName())
}

// renderTemplates executes the top-level .sql templates of dir.
func renderTemplates(dir string, data map[string]any) (map[string][]byte, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("path %s is not a directory", dir)
	}
	t := template.New("").Option("missingkey=error")
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || d.Name() == migrations.SumFileName {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if _, err := t.New(d.Name()).Parse(string(b)); err != nil {
			return fmt.Errorf("%s: %v", p, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	tops, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		return nil, err
	}
	if len(tops) == 0 {
		return nil, fmt.Errorf("path %s has no .sql file", dir)
	}
	out := map[string][]byte{}
	for _, p := range tops {
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, filepath.Base(p), data); err != nil {
			return nil, fmt.Errorf("%s: %v", p, err)
		}
		out[filepath.Base(p)] = buf.Bytes()
	}
	return out, nil
}

// writeRendered writes rendered files and their atlas.sum to
// CACHE/schemactl/template_dir/HASH/name and returns that directory. A
// directory already there with the same HASH holds the same files.
func writeRendered(name string, files map[string][]byte) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%d:%s%d:", len(n), n, len(files[n]))
		h.Write(files[n])
	}
	root := filepath.Join(cache, "schemactl", "template_dir")
	final := filepath.Join(root, hex.EncodeToString(h.Sum(nil))[:32], name)
	if same(final, files) {
		return final, nil
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(final), "."+name+".*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(tmp, n), files[n], 0o644); err != nil {
			return "", err
		}
	}
	if err := migrations.WriteSum(tmp); err != nil {
		return "", err
	}
	os.RemoveAll(final)
	if err := os.Rename(tmp, final); err != nil && !same(final, files) {
		return "", err
	}
	return final, nil
}

// same reports whether dir holds exactly files and an atlas.sum.
func same(dir string, files map[string][]byte) bool {
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != len(files)+1 {
		return false
	}
	for n, b := range files {
		got, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil || !bytes.Equal(got, b) {
			return false
		}
	}
	_, err = os.Stat(filepath.Join(dir, migrations.SumFileName))
	return err == nil
}
