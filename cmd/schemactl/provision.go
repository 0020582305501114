package main

import (
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/urfave/cli/v2"

	"github.com/schemactl/schemactl/internal/pgurl"
	"github.com/schemactl/schemactl/migrations"
	"github.com/schemactl/schemactl/provision"
)

func provisionCommand() *cli.Command {
	return &cli.Command{
		Name:  "provision",
		Usage: "as a privileged role, set up a service's role, schema and grants on a shared database (idempotent)",
		Description: `Locks a service into its own namespace: connects with the privileged connection
(--admin-url, else admin_url of the service block, else the PG* variables) and, in
one transaction, makes sure that
  - the database exists (created when missing),
  - the service role exists (LOGIN, with the configured password, sent as a SCRAM
    verifier; never SUPERUSER, CREATEDB, CREATEROLE, REPLICATION or BYPASSRLS),
  - the service schema exists, owned by the role, with no privileges for PUBLIC,
  - nobody but owners may create in public, and the role may not create schemas,
  - the role holds no grant on other schemas nor membership in their owners,
  - the role's search_path in the database is its schema, then public,
  - the history table atlas_schema_revisions exists in the schema, owned by the role.
Each action taken is reported; a rerun changes nothing and says so. Safe on every
deploy. The service comes from --env (its service block) or --service NAME
(database NAME, schema NAME, role NAME_svc, password from $NAME_DB_PASSWORD).`,
		Flags: append(append(serviceFlags(),
			&cli.BoolFlag{Name: "dry-run", Usage: "report what would change, change nothing"},
			&cli.DurationFlag{Name: "connect-timeout", Value: migrations.DefaultConnectTimeout, Usage: "keep retrying this long while the server is starting up (0 for one attempt)"},
		), append(retryFlags(), fleetFlags()...)...),
		Action: runProvision,
	}
}

func runProvision(c *cli.Context) (err error) {
	if c.NArg() > 0 {
		return usagef("provision takes no arguments")
	}
	if ok, err := isFleet(c); err != nil || ok {
		if err != nil {
			return err
		}
		return fleetProvision(c)
	}
	s, err := openService(c)
	if err != nil {
		return err
	}
	if s == nil {
		return usagef("provision needs a service: --env NAME (an env with a service block) or --service NAME")
	}
	_, err = provisionService(c, s, c.App.Writer)
	return err
}

// provisionService provisions the service s, reporting on w; it returns
// the number of changes made (or planned, with --dry-run).
func provisionService(c *cli.Context, s *service, w io.Writer) (changes int, err error) {
	defer func() {
		if err != nil {
			err = pgurl.RedactError(err, s.secrets...)
		}
	}()
	pw, err := s.servicePassword()
	if err != nil {
		return 0, err
	}
	dry := c.Bool("dry-run")
	verb := ""
	if dry {
		verb = "would "
	}
	fmt.Fprintf(w, "service %s: database %s, schema %s, role %s\n", s.Service,
		pgx.Identifier{s.Database}.Sanitize(), pgx.Identifier{s.Schema}.Sanitize(), pgx.Identifier{s.Role}.Sanitize())
	out := func(action string) {
		changes++
		fmt.Fprintf(w, "  %s%s\n", verb, action)
	}
	conn, adminCfg, err := s.connectAdmin(c, out, dry)
	if err != nil {
		return changes, err
	}
	if conn == nil { // dry run on a database that does not exist yet
		fmt.Fprintln(w, "dry run: the other actions are planned once the database exists; nothing was changed")
		return changes, nil
	}
	defer migrations.CloseWait(conn, 5*time.Second)
	res, err := provision.Provision(c.Context, conn, provision.Spec{Names: s.Names, Password: pw, SearchPath: s.SearchPath},
		provision.Options{DryRun: dry, CheckLogin: checkLogin(adminCfg)})
	if err != nil {
		return changes, err
	}
	for _, a := range res.Actions {
		out(a)
	}
	for _, warn := range res.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", warn)
	}
	switch {
	case changes == 0:
		fmt.Fprintln(w, "nothing to change: the role, schema, grants, search_path and history table are in place")
	case dry:
		fmt.Fprintf(w, "dry run: %d changes planned, nothing was changed\n", changes)
	default:
		fmt.Fprintf(w, "provisioned: %d changes\n", changes)
	}
	return changes, nil
}
