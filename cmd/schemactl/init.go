package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/schemactl/schemactl/migrations"
	"github.com/schemactl/schemactl/provision"
)

func initCommand() *cli.Command {
	return &cli.Command{
		Name:      "init",
		Usage:     "write a commented starter atlas.hcl and an empty migrations/ directory (touches no database)",
		ArgsUsage: "[directory]",
		Description: `Writes, in the directory (default: the current one), an atlas.hcl that Atlas reads
too, with one env whose service block locks the service into its own schema, and an
empty migration directory with its atlas.sum. Refuses to overwrite an existing
atlas.hcl unless --force. No database is contacted.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "service", Usage: "service `NAME` (default: the directory's name, made a valid name)"},
			&cli.StringFlag{Name: "env", Value: "prod", Usage: "name of the env to write"},
			&cli.BoolFlag{Name: "force", Usage: "overwrite an existing atlas.hcl"},
		},
		Action: runInit,
	}
}

func runInit(c *cli.Context) error {
	if c.NArg() > 1 {
		return usagef("init takes at most one directory")
	}
	root := c.Args().First()
	if root == "" {
		root = "."
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	name := c.String("service")
	if name == "" {
		name = serviceNameFrom(filepath.Base(abs))
	}
	names, err := provision.ForService(name, provision.Names{})
	if err != nil {
		return usageError{err}
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	hclPath := filepath.Join(root, "atlas.hcl")
	if _, err := os.Stat(hclPath); err == nil && !c.Bool("force") {
		return fmt.Errorf("%s exists; pass --force to overwrite it", hclPath)
	}
	dir := filepath.Join(root, "migrations")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, "atlas.sum")); errors.Is(err, fs.ErrNotExist) {
		if err := migrations.WriteSum(dir); err != nil {
			return err
		}
	}
	if err := os.WriteFile(hclPath, []byte(starterHCL(c.String("env"), names)), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "wrote %s (env %q, service %q) and %s/\n", hclPath, c.String("env"), name, dir)
	fmt.Fprintf(c.App.Writer, "next: export %s and ADMIN_DATABASE_URL, then: schemactl provision --env %s\n", provision.PasswordEnv(name), c.String("env"))
	return nil
}

// serviceNameFrom makes a service name of a directory name.
func serviceNameFrom(base string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(base) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9' && b.Len() > 0, r == '_':
			b.WriteRune(r)
		case r == '-' || r == '.' || r == ' ':
			if b.Len() > 0 {
				b.WriteByte('_')
			}
		}
	}
	s := strings.Trim(b.String(), "_")
	if s == "" || len(s) > 40 {
		return "app"
	}
	return s
}

// starterHCL is the commented atlas.hcl that init writes. It uses only
// what Atlas accepts: getenv() and the escaped $${VAR} form.
func starterHCL(env string, n provision.Names) string {
	r := strings.NewReplacer("@ENV@", env, "@NAME@", n.Service, "@ROLE@", n.Role, "@PWVAR@", provision.PasswordEnv(n.Service))
	return r.Replace(`# Project file of schemactl, also valid for Atlas (atlasgo.io): Atlas
# ignores the service block, which only schemactl reads.
#
# Environment variables: getenv("VAR") works in both tools. schemactl refuses
# a variable that is not set and names it (Atlas would use ""). Inside the
# service block, "$${VAR}" works too.
#
#   schemactl provision --env @ENV@        # once per deploy, as a privileged role
#   schemactl migrate apply --env @ENV@    # as the service role @ROLE@

env "@ENV@" {
  # The service connection. Leave it out to connect with DB_HOST, DB_PORT,
  # DB_USER, DB_PASSWORD, DB_NAME (DB_HOST may be a socket directory such as
  # /cloudsql/PROJECT:REGION:INSTANCE), else the PG* variables. schemactl
  # connects as the service role to the service database whatever the URL
  # leaves out; a URL naming another user or database is an error.
  url = getenv("DATABASE_URL")

  migration {
    dir = "file://migrations"
    # The history lives in the service schema, the only one its role writes.
    revisions_schema = "@NAME@"
  }

  service "@NAME@" {
    # Names by convention, change them here if needed:
    # database = "@NAME@"
    # schema   = "@NAME@"
    # role     = "@ROLE@"

    # The service role's password (provision sets it; apply logs in with it
    # when the url has none).
    password = getenv("@PWVAR@")

    # The privileged connection: provision, and migration files whose top
    # comments say -- schemactl:privileged (e.g. CREATE EXTENSION). Read only
    # when needed; left out, the PG* variables are used.
    admin_url = getenv("ADMIN_DATABASE_URL")

    # search_path = ["@NAME@", "public"]
  }
}
`)
}
