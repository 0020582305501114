// Package atlashcl reads atlas.hcl project files: the env blocks Atlas
// defines, and the blocks schemactl adds to them, which Atlas ignores.
package atlashcl

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/schemactl/schemactl/internal/srcpos"
)

// Service is the `service` block of an env: the service whose migrations
// run as an unprivileged role locked into its own schema. Atlas accepts
// any block inside an env and ignores this one.
//
//	env "prod" {
//	  url = getenv("DATABASE_URL")      # Atlas's own: the service connection
//	  migration {
//	    dir              = "file://migrations"
//	    revisions_schema = "orders"     # the history lives in the service schema
//	  }
//	  service "orders" {
//	    database    = "app"             # default: the service name
//	    schema      = "orders"          # default: the service name
//	    role        = "orders_svc"      # default: the service name + "_svc"
//	    password    = getenv("ORDERS_DB_PASSWORD")
//	    admin_url   = getenv("ADMIN_DATABASE_URL")  # privileged; default: libpq PG* variables
//	    search_path = ["orders", "public"]          # default
//	  }
//	}
type Service struct {
	// Name is the block's label, the service name.
	Name string
	// Database, Schema and Role are as written; empty means the
	// convention (see provision.ForService).
	Database, Schema, Role string
	// Password is the service role's password.
	Password Lazy
	// AdminURL is the privileged connection; unset means the libpq
	// environment (PGHOST, PGUSER, PGPASSWORD, ...).
	AdminURL Lazy
	// SearchPath is the role's search_path; empty means the default.
	SearchPath []string
	// Pos is where the block starts, as file:line:col.
	Pos string
}

// Lazy is an attribute evaluated only when a command needs it, so that a
// variable that only another command needs (the privileged URL, say, at a
// service's deploy) may be unset.
type Lazy struct {
	set  bool
	eval func() (string, error)
}

// IsSet reports whether the attribute is written in the block.
func (l Lazy) IsSet() bool { return l.set }

// Value evaluates the attribute ("" when it is not set).
func (l Lazy) Value() (string, error) {
	if !l.set {
		return "", nil
	}
	return l.eval()
}

// serviceAttrs are the attributes a service block may have.
var serviceAttrs = map[string]bool{"database": true, "schema": true, "role": true, "password": true, "admin_url": true, "search_path": true}

// ErrNoEnv is returned (wrapped) when the file defines no env of the name.
var ErrNoEnv = errors.New("env not defined")

// LoadService reads the service block of env name from the project file at
// path, evaluating its attributes with lookup (os.LookupEnv when nil): see
// the package's strict rules for getenv("VAR"), "${VAR}" and "$${VAR}". It
// returns nil when the env has no service block, and an error when the file
// defines no such env.
func LoadService(path, env string, lookup Lookup) (*Service, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read project file: %w", err)
	}
	return ParseService(path, src, env, lookup)
}

// ParseService is LoadService on the file's content.
func ParseService(filename string, src []byte, env string, lookup Lookup) (*Service, error) {
	se, err := ParseServiceEnv(filename, src, env, lookup)
	if err != nil {
		return nil, err
	}
	return se.Service, nil
}

// ServiceEnv is what commands acting for a service read from an env: the
// Atlas attributes they use and the service block.
type ServiceEnv struct {
	// Name is the env's name.
	Name string
	// URL is the env's url attribute (the service connection).
	URL Lazy
	// Dir and RevisionsSchema are the migration block's dir and
	// revisions_schema ("" when not set).
	Dir, RevisionsSchema string
	// Service is the service block; nil when the env has none.
	Service *Service
}

// LoadServiceEnv reads env name from the project file at path: see
// LoadService.
func LoadServiceEnv(path, env string, lookup Lookup) (*ServiceEnv, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read project file: %w", err)
	}
	return ParseServiceEnv(path, src, env, lookup)
}

// ParseServiceEnv is LoadServiceEnv on the file's content.
func ParseServiceEnv(filename string, src []byte, env string, lookup Lookup) (*ServiceEnv, error) {
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
	if a := forEachAttr(envs); a != nil {
		return nil, fmt.Errorf("%s: env %q has for_each: it names a fleet of targets, which the fleet commands read (migrate apply, status and set, and provision, with --env)", pos(a.NameRange), env)
	}
	return serviceEnvOf(ev, envs, env)
}

// serviceEnvOf evaluates the env blocks envs of env name with ev.
func serviceEnvOf(ev *strictEval, envs []*hclsyntax.Block, env string) (*ServiceEnv, error) {
	var err error
	se := &ServiceEnv{Name: env}
	for _, e := range envs {
		if a, ok := e.Body.Attributes["url"]; ok && !se.URL.set {
			se.URL = Lazy{set: true, eval: func() (string, error) { return ev.str(a) }}
		}
		for _, b := range e.Body.Blocks {
			if b.Type != "migration" {
				continue
			}
			for name, dst := range map[string]*string{"dir": &se.Dir, "revisions_schema": &se.RevisionsSchema} {
				if a, ok := b.Body.Attributes[name]; ok && *dst == "" {
					v, err := ev.str(a)
					if err != nil {
						return nil, err
					}
					*dst = v
				}
			}
		}
	}
	se.Service, err = serviceBlock(ev, envs, env)
	return se, err
}

// serviceBlock reads the service block of the env blocks.
func serviceBlock(ev *strictEval, envs []*hclsyntax.Block, env string) (*Service, error) {
	var err error
	var block *hclsyntax.Block
	for _, e := range envs {
		for _, b := range e.Body.Blocks {
			if b.Type != "service" {
				continue
			}
			if block != nil {
				return nil, fmt.Errorf("%s: env %q has a second service block (the first is at line %d); one env is one service", pos(b.DefRange()), env, block.DefRange().Start.Line)
			}
			block = b
		}
	}
	if block == nil {
		return nil, nil
	}
	if len(block.Labels) != 1 || block.Labels[0] == "" {
		return nil, fmt.Errorf("%s: a service block needs the service name as its label: service \"NAME\" { ... }", pos(block.DefRange()))
	}
	s := &Service{Name: block.Labels[0], Pos: pos(block.DefRange())}
	for _, b := range block.Body.Blocks {
		return nil, fmt.Errorf("%s: unexpected block %q in service block", pos(b.DefRange()), b.Type)
	}
	names := make([]string, 0, len(block.Body.Attributes))
	for n := range block.Body.Attributes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a := block.Body.Attributes[n]
		if !serviceAttrs[n] {
			return nil, fmt.Errorf("%s: unknown attribute %q in service block (known: admin_url, database, password, role, schema, search_path)", pos(a.NameRange), n)
		}
		if n == "search_path" {
			if s.SearchPath, err = ev.strs(a); err != nil {
				return nil, err
			}
			continue
		}
		switch n {
		case "password", "admin_url":
			l := Lazy{set: true, eval: func() (string, error) { return ev.str(a) }}
			if n == "password" {
				s.Password = l
			} else {
				s.AdminURL = l
			}
			continue
		}
		v, err := ev.str(a)
		if err != nil {
			return nil, err
		}
		switch n {
		case "database":
			s.Database = v
		case "schema":
			s.Schema = v
		case "role":
			s.Role = v
		}
	}
	return s, nil
}

// envBlocks returns the env blocks Atlas would select for name: the ones
// labelled name, else the unlabelled ones whose name attribute is
// atlas.env.
func envBlocks(file *hcl.File, name string) ([]*hclsyntax.Block, error) {
	var labelled, dynamic []*hclsyntax.Block
	for _, b := range file.Body.(*hclsyntax.Body).Blocks {
		if b.Type != "env" {
			continue
		}
		switch {
		case len(b.Labels) == 1 && b.Labels[0] == name:
			labelled = append(labelled, b)
		case len(b.Labels) == 0:
			if a, ok := b.Body.Attributes["name"]; ok {
				if tr, ok := a.Expr.(*hclsyntax.ScopeTraversalExpr); ok && len(tr.Traversal) == 2 && tr.Traversal.RootName() == "atlas" {
					if at, ok := tr.Traversal[1].(hcl.TraverseAttr); ok && at.Name == "env" {
						dynamic = append(dynamic, b)
					}
				}
			}
		}
	}
	if len(labelled) > 0 {
		return labelled, nil
	}
	return dynamic, nil
}

// envNames lists the labels of the file's env blocks.
func envNames(file *hcl.File) []string {
	var names []string
	for _, b := range file.Body.(*hclsyntax.Body).Blocks {
		if b.Type == "env" && len(b.Labels) == 1 {
			names = append(names, fmt.Sprintf("%q", b.Labels[0]))
		}
	}
	if len(names) == 0 {
		return []string{"none"}
	}
	return names
}

func pos(r hcl.Range) string {
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}
