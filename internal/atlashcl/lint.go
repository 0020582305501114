package atlashcl

import (
	"fmt"
	"os"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/schemactl/schemactl/internal/srcpos"
)

// Lint is what the `lint` blocks of a project file say, Atlas's way:
//
//	lint {
//	  latest = 1                   # lint the last N files
//	  git {
//	    base = "main"              # lint files changed since the merge base
//	  }
//	  destructive { error = false } # an analyzer: its findings become warnings
//	  concurrent_index { error = true }
//	  check "PG130" { error = true } # one code (schemactl's addition)
//	}
//
// A top-level lint block applies to every env; the env's own lint block
// is read after it and wins. Blocks and attributes this package does not
// know are left to Atlas and ignored.
type Lint struct {
	// Latest is the `latest` attribute (0 when absent).
	Latest int
	// GitBase and GitDir are the git block's base and dir.
	GitBase, GitDir string
	// Error holds the `error` attribute of analyzer blocks (by block type)
	// and of check blocks (by code).
	Error map[string]bool
}

// LoadLint reads the lint settings for env from the project file at path;
// env may be empty for the top-level lint block only.
func LoadLint(path, env string) (*Lint, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read project file: %w", err)
	}
	return ParseLint(path, src, env)
}

// ParseLint is LoadLint on the file's content.
func ParseLint(filename string, src []byte, env string) (*Lint, error) {
	if err := srcpos.CheckText(filename, src); err != nil {
		return nil, err
	}
	file, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, srcpos.HCL(diags)
	}
	l := &Lint{Error: map[string]bool{}}
	body := file.Body.(*hclsyntax.Body)
	for _, b := range body.Blocks {
		if b.Type == "lint" {
			if err := l.read(b); err != nil {
				return nil, err
			}
		}
	}
	if env != "" {
		envs, err := envBlocks(file, env)
		if err != nil {
			return nil, err
		}
		if len(envs) == 0 {
			return nil, fmt.Errorf("%s: %w: %q (defined: %s)", filename, ErrNoEnv, env, joinNames(envNames(file)))
		}
		for _, e := range envs {
			for _, b := range e.Body.Blocks {
				if b.Type == "lint" {
					if err := l.read(b); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	return l, nil
}

func joinNames(n []string) string {
	s := ""
	for i, x := range n {
		if i > 0 {
			s += ", "
		}
		s += x
	}
	return s
}

// read merges one lint block into l.
func (l *Lint) read(b *hclsyntax.Block) error {
	if a, ok := b.Body.Attributes["latest"]; ok {
		v, err := literal(a, cty.Number)
		if err != nil {
			return err
		}
		n, _ := v.AsBigFloat().Int64()
		if n < 0 {
			return fmt.Errorf("%s: latest must not be negative", pos(a.NameRange))
		}
		l.Latest = int(n)
	}
	for _, sub := range b.Body.Blocks {
		switch {
		case sub.Type == "git":
			for name, dst := range map[string]*string{"base": &l.GitBase, "dir": &l.GitDir} {
				if a, ok := sub.Body.Attributes[name]; ok {
					v, err := literal(a, cty.String)
					if err != nil {
						return err
					}
					*dst = v.AsString()
				}
			}
		case sub.Type == "check":
			if len(sub.Labels) != 1 {
				return fmt.Errorf("%s: a check block needs the code as its label: check \"PG101\" { error = true }", pos(sub.DefRange()))
			}
			if err := l.readError(sub, sub.Labels[0]); err != nil {
				return err
			}
		default:
			if err := l.readError(sub, sub.Type); err != nil {
				return err
			}
		}
	}
	return nil
}

func (l *Lint) readError(b *hclsyntax.Block, key string) error {
	a, ok := b.Body.Attributes["error"]
	if !ok {
		return nil
	}
	v, err := literal(a, cty.Bool)
	if err != nil {
		return err
	}
	l.Error[key] = v.True()
	return nil
}

// literal evaluates an attribute that must be a constant of type t.
func literal(a *hclsyntax.Attribute, t cty.Type) (cty.Value, error) {
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() {
		return cty.NilVal, fmt.Errorf("%s: %s must be a constant: %s", pos(a.NameRange), a.Name, diagSummary(diags))
	}
	if v.IsNull() || !v.Type().Equals(t) {
		return cty.NilVal, fmt.Errorf("%s: %s must be a %s", pos(a.NameRange), a.Name, t.FriendlyName())
	}
	return v, nil
}

// diagSummary is the summary and detail of the first error of diags,
// without its position (the caller gives the attribute's).
func diagSummary(diags hcl.Diagnostics) string {
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			if d.Detail != "" {
				return d.Summary + ": " + d.Detail
			}
			return d.Summary
		}
	}
	return "invalid expression"
}
