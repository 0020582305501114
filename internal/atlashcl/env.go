package atlashcl

import (
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/schemactl/schemactl/internal/srcpos"
)

// Env is what an env block of a project file says to the schema and
// migration commands, Atlas's way:
//
//	env "dev" {
//	  src          = "file://schema.sql"        # desired state (a string or a list)
//	  url          = getenv("DATABASE_URL")     # the target database
//	  dev          = "docker://postgres/15"     # dev database ("" = embedded)
//	  schemas      = ["public"]                 # scope
//	  exclude      = ["*.tmp_*"]
//	  dev_baseline = "file://baseline.sql"      # schemactl: SQL run first in every dev database
//	  migration {
//	    dir              = "file://migrations"
//	    revisions_schema = "public"
//	    baseline         = "20240101000000"
//	  }
//	}
//
// Every value is evaluated when a command asks for it, so that a variable
// only another command needs may be unset: getenv("VAR"), "${VAR}" and
// "$${VAR}" read the environment (an unset variable is an error naming it
// and its position), var.NAME a variable block's default, atlas.env the
// env's name. Flags given on the command line win over the env.
type Env struct {
	// Name is the env's name.
	Name string
	// Src, Schemas and Exclude are list attributes (a single string is a
	// list of one).
	Src, Schemas, Exclude LazyList
	// URL, Dev and DevBaseline are string attributes.
	URL, Dev, DevBaseline Lazy
	// Migration holds the migration block's attributes.
	Migration struct {
		Dir, RevisionsSchema, Baseline, Format Lazy
	}
	// Pos is where the (first) env block starts, as file:line:col.
	Pos string
	ev  *strictEval // evaluates the attributes, data sources included (data.go)
}

// LazyList is a list attribute evaluated when a command needs it.
type LazyList struct {
	set  bool
	eval func() ([]string, error)
}

// IsSet reports whether the attribute is written in the block.
func (l LazyList) IsSet() bool { return l.set }

// Value evaluates the attribute (nil when it is not set).
func (l LazyList) Value() ([]string, error) {
	if !l.set {
		return nil, nil
	}
	return l.eval()
}

// LoadEnv reads env name from the project file at path.
func LoadEnv(path, name string, lookup Lookup) (*Env, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read project file: %w", err)
	}
	return ParseEnv(path, src, name, lookup)
}

// ParseEnv is LoadEnv on the file's content. Several blocks of the same
// name merge, the first value of an attribute winning, as in Atlas.
func ParseEnv(filename string, src []byte, name string, lookup Lookup) (*Env, error) {
	if err := srcpos.CheckText(filename, src); err != nil {
		return nil, err
	}
	file, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, srcpos.HCL(diags)
	}
	ev := newStrictEval(file, name, lookup)
	envs, err := envBlocks(file, name)
	if err != nil {
		return nil, err
	}
	if len(envs) == 0 {
		return nil, fmt.Errorf("%s: %w: %q (defined: %s)", filename, ErrNoEnv, name, strings.Join(envNames(file), ", "))
	}
	e := &Env{Name: name, Pos: pos(envs[0].DefRange()), ev: ev}
	str := func(dst *Lazy, a *hclsyntax.Attribute) {
		if !dst.set {
			*dst = Lazy{set: true, eval: func() (string, error) { return ev.str(a) }}
		}
	}
	list := func(dst *LazyList, a *hclsyntax.Attribute) {
		if !dst.set {
			*dst = LazyList{set: true, eval: func() ([]string, error) { return ev.strs(a) }}
		}
	}
	for _, b := range envs {
		for n, a := range b.Body.Attributes {
			switch n {
			case "src":
				list(&e.Src, a)
			case "schemas":
				list(&e.Schemas, a)
			case "exclude":
				list(&e.Exclude, a)
			case "url":
				str(&e.URL, a)
			case "dev":
				str(&e.Dev, a)
			case "dev_baseline":
				str(&e.DevBaseline, a)
			}
		}
		for _, mb := range b.Body.Blocks {
			if mb.Type != "migration" {
				continue
			}
			for n, a := range mb.Body.Attributes {
				switch n {
				case "dir":
					str(&e.Migration.Dir, a)
				case "revisions_schema":
					str(&e.Migration.RevisionsSchema, a)
				case "baseline":
					str(&e.Migration.Baseline, a)
				case "format":
					str(&e.Migration.Format, a)
				}
			}
		}
	}
	return e, nil
}
