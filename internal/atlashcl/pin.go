package atlashcl

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/schemactl/schemactl/internal/srcpos"
)

// Pin is a pin block of an env: a value in a deploy file (a CloudFormation
// template, a Helm values file, a .env file, ...) that holds the hash of
// the env's migration directory, so that a deploy re-runs migrations
// exactly when the directory changed. Atlas accepts any block inside an
// env and ignores this one.
//
//	env "prod" {
//	  pin "cfn" {
//	    file = "deploy/template.yaml"                               # relative to the project file
//	    key  = "Resources.DBSchemaMigration.Properties.MigrationHash"  # YAML, JSON or TOML key path
//	  }
//	  pin "dotenv" {
//	    file    = ".env"
//	    pattern = "MIGRATION_HASH=(.*)"                             # the first group is the value
//	    format  = "h1"                                              # "h1:<digest>"; default: the digest alone
//	  }
//	}
type Pin struct {
	// Name is the block's label.
	Name string
	// File is the file attribute as written; Path is File joined to the
	// project file's directory (File itself when absolute).
	File, Path string
	// Key is a dot-separated key path (a number indexes a list); Pattern
	// a regular expression whose first group is the value. Exactly one
	// is set.
	Key, Pattern string
	// Format is PinFormatDigest (the default) or PinFormatH1.
	Format string
	// Pos is where the block starts, as file:line:col.
	Pos string
}

// The formats of a pinned value.
const (
	// PinFormatDigest is the directory's digest alone: the first line of
	// atlas.sum without its "h1:" prefix.
	PinFormatDigest = "digest"
	// PinFormatH1 is the first line of atlas.sum as written, "h1:<digest>".
	PinFormatH1 = "h1"
)

// Value is the value the pin holds for a directory whose atlas.sum starts
// with "h1:" + digest.
func (p Pin) Value(digest string) string {
	if p.Format == PinFormatH1 {
		return "h1:" + digest
	}
	return digest
}

var pinAttrs = map[string]bool{"file": true, "key": true, "pattern": true, "format": true}

// LoadPins reads the pin blocks of env name from the project file at path,
// in the order they are written. An env without pins gives none; a file
// without the env is an error (ErrNoEnv).
func LoadPins(path, env string, lookup Lookup) ([]Pin, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read project file: %w", err)
	}
	return ParsePins(path, src, env, lookup)
}

// ParsePins is LoadPins on the file's content; filename also anchors the
// pins' relative file paths.
func ParsePins(filename string, src []byte, env string, lookup Lookup) ([]Pin, error) {
	if err := srcpos.CheckText(filename, src); err != nil {
		return nil, err
	}
	file, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, srcpos.HCL(diags)
	}
	ev := newStrictEval(file, env, lookup)
	envs, err := envBlocks(file, env)
	if err != nil {
		return nil, err
	}
	if len(envs) == 0 {
		return nil, fmt.Errorf("%s: %w: %q (defined: %s)", filename, ErrNoEnv, env, strings.Join(envNames(file), ", "))
	}
	var pins []Pin
	seen := map[string]string{}
	for _, e := range envs {
		for _, b := range e.Body.Blocks {
			if b.Type != "pin" {
				continue
			}
			p, err := pinBlock(ev, filename, b)
			if err != nil {
				return nil, err
			}
			if at, ok := seen[p.Name]; ok {
				return nil, fmt.Errorf("%s: a second pin %q in env %q (the first is at %s)", p.Pos, p.Name, env, at)
			}
			seen[p.Name] = p.Pos
			pins = append(pins, p)
		}
	}
	return pins, nil
}

// pinBlock reads one pin block.
func pinBlock(ev *strictEval, filename string, b *hclsyntax.Block) (Pin, error) {
	at := pos(b.DefRange())
	if len(b.Labels) != 1 || b.Labels[0] == "" {
		return Pin{}, fmt.Errorf("%s: a pin block needs a name as its label: pin \"NAME\" { file = ... key = ... }", at)
	}
	p := Pin{Name: b.Labels[0], Pos: at, Format: PinFormatDigest}
	for _, nb := range b.Body.Blocks {
		return Pin{}, fmt.Errorf("%s: unexpected block %q in pin block", pos(nb.DefRange()), nb.Type)
	}
	names := make([]string, 0, len(b.Body.Attributes))
	for n := range b.Body.Attributes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a := b.Body.Attributes[n]
		if !pinAttrs[n] {
			return Pin{}, fmt.Errorf("%s: unknown attribute %q in pin block (known: file, format, key, pattern)", pos(a.NameRange), n)
		}
		v, err := ev.str(a)
		if err != nil {
			return Pin{}, err
		}
		switch n {
		case "file":
			p.File = v
		case "key":
			p.Key = v
		case "pattern":
			re, err := regexp.Compile(v)
			if err != nil {
				return Pin{}, fmt.Errorf("%s: pattern: %v", pos(a.Expr.Range()), err)
			}
			if re.NumSubexp() < 1 {
				return Pin{}, fmt.Errorf("%s: pattern %q has no group: put the value in parentheses, e.g. MIGRATION_HASH=(.*)", pos(a.Expr.Range()), v)
			}
			p.Pattern = v
		case "format":
			if v != PinFormatDigest && v != PinFormatH1 {
				return Pin{}, fmt.Errorf("%s: format %q: want %q (the digest alone, the default) or %q (\"h1:<digest>\", as in atlas.sum)", pos(a.Expr.Range()), v, PinFormatDigest, PinFormatH1)
			}
			p.Format = v
		}
	}
	switch {
	case p.File == "":
		return Pin{}, fmt.Errorf("%s: pin %q needs a file attribute", at, p.Name)
	case p.Key == "" && p.Pattern == "":
		return Pin{}, fmt.Errorf("%s: pin %q needs a key (a key path in a YAML, JSON or TOML file) or a pattern (a regular expression whose first group is the value)", at, p.Name)
	case p.Key != "" && p.Pattern != "":
		return Pin{}, fmt.Errorf("%s: pin %q has both key and pattern: keep one", at, p.Name)
	}
	p.Path = p.File
	if !filepath.IsAbs(p.File) {
		p.Path = filepath.Join(filepath.Dir(filename), p.File)
	}
	return p, nil
}
