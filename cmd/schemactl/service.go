package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/urfave/cli/v2"

	"github.com/schemactl/schemactl/internal/atlashcl"
	"github.com/schemactl/schemactl/migrations"
	"github.com/schemactl/schemactl/provision"
)

// serviceFlags are the flags of the commands that act for one service
// (provision, and migrate apply/status/set).
func serviceFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "env", Usage: "`NAME` of an env in the project file: its url, migration dir and revisions_schema, and its service block"},
		&cli.StringFlag{Name: "config", Value: "file://atlas.hcl", Usage: "project file"},
		&cli.StringFlag{Name: "service", Usage: "service `NAME` without a project file: database NAME, schema NAME, role NAME_svc, password from $NAME_DB_PASSWORD"},
		&cli.StringFlag{Name: "database", Usage: "override the service's database name"},
		&cli.StringFlag{Name: "schema", Usage: "override the service's schema name"},
		&cli.StringFlag{Name: "role", Usage: "override the service's role name"},
		&cli.StringFlag{Name: "password-env", Usage: "environment variable `VAR` holding the service role's password"},
		&cli.StringFlag{Name: "admin-url", EnvVars: []string{"SCHEMACTL_ADMIN_URL"}, Usage: "privileged connection (provision, and files marked -- schemactl:privileged); default: admin_url of the service block, else the libpq PG* variables"},
	}
}

// retryFlags bound the connection attempts while a server comes up.
func retryFlags() []cli.Flag {
	return []cli.Flag{
		&cli.IntFlag{Name: "connect-retries", Usage: "retry a server that is not up yet at most `N` times (0: until --connect-timeout)"},
		&cli.DurationFlag{Name: "connect-retry-interval", Usage: "wait this long between connection attempts (default: a backoff from 25ms to 1s)"},
	}
}

// connOptions are the connection options of the flags.
func connOptions(c *cli.Context) migrations.ConnOptions {
	timeout := c.Duration("connect-timeout")
	if timeout == 0 {
		timeout = -1 // a single attempt
	}
	return migrations.ConnOptions{ConnectTimeout: timeout, AppName: "schemactl",
		Retries: c.Int("connect-retries"), RetryInterval: c.Duration("connect-retry-interval")}
}

// projectEnv reads the --env of the project file; nil without --env.
func projectEnv(c *cli.Context) (*atlashcl.ServiceEnv, error) {
	if c.String("env") == "" {
		return nil, nil
	}
	path := strings.TrimPrefix(c.String("config"), "file://")
	if _, err := os.Stat(path); err != nil {
		return nil, usagef("--env %s: project file %s: %v", c.String("env"), path, errors.Unwrap(err))
	}
	return atlashcl.LoadServiceEnv(path, c.String("env"), nil)
}

// migrateDirOf is the --dir flag, else the env's migration dir.
func migrateDirOf(c *cli.Context) (string, error) {
	if c.IsSet("dir") {
		return c.String("dir"), nil
	}
	env, err := projectEnv(c)
	if err != nil || env == nil || env.Dir == "" {
		return c.String("dir"), err
	}
	return env.Dir, nil
}

// service is one service a command acts for: its names, where its
// password comes from, and its connections.
type service struct {
	provision.Names
	SearchPath []string
	env        *atlashcl.ServiceEnv // nil without --env
	block      *atlashcl.Service    // nil without a service block
	// password returns the service role's password, "" when none is
	// configured; passwordFrom says where it comes from.
	password     func() (string, error)
	passwordFrom string
	secrets      []string // passwords seen, masked in every message

	admin *pgx.Conn // the privileged connection, once opened
}

// openService resolves the service of --env or --service; nil when the
// command acts for no service.
func openService(c *cli.Context) (*service, error) {
	env, err := projectEnv(c)
	if err != nil {
		return nil, err
	}
	return serviceOf(c, env)
}

// serviceOf resolves the service of env (nil without --env) and the
// service flags; nil when the command acts for no service.
func serviceOf(c *cli.Context, env *atlashcl.ServiceEnv) (s *service, err error) {
	name := c.String("service")
	s = &service{env: env}
	if env != nil && env.Service != nil {
		s.block = env.Service
		if name != "" && name != s.block.Name {
			return nil, usagef("--service %s, but env %q configures service %q (%s)", name, env.Name, s.block.Name, s.block.Pos)
		}
		name = s.block.Name
	}
	if name == "" {
		for _, f := range []string{"database", "schema", "role", "password-env"} {
			if c.IsSet(f) {
				return nil, usagef("--%s needs a service: --service NAME, or --env with a service block", f)
			}
		}
		return nil, nil
	}
	var over provision.Names
	if s.block != nil {
		over = provision.Names{Database: s.block.Database, Schema: s.block.Schema, Role: s.block.Role}
		s.SearchPath = s.block.SearchPath
	}
	for _, f := range []struct {
		flag string
		dst  *string
	}{{"database", &over.Database}, {"schema", &over.Schema}, {"role", &over.Role}} {
		if v := c.String(f.flag); v != "" {
			*f.dst = v
		}
	}
	if s.Names, err = provision.ForService(name, over); err != nil {
		return nil, usageError{err}
	}
	if len(s.SearchPath) == 0 {
		s.SearchPath = provision.DefaultSearchPath(s.Schema)
	}
	envVar := c.String("password-env")
	switch {
	case envVar == "" && s.block != nil && s.block.Password.IsSet():
		s.passwordFrom = "the password of service " + s.block.Pos
		s.password = s.block.Password.Value
	case envVar == "" && s.block != nil:
		s.password = func() (string, error) { return "", nil }
	default:
		if envVar == "" {
			envVar = provision.PasswordEnv(name)
		}
		s.passwordFrom = "$" + envVar
		s.password = func() (string, error) {
			v, ok := os.LookupEnv(envVar)
			if !ok {
				return "", fmt.Errorf("environment variable %s is not set (the password of role %q; --password-env VAR reads another)", envVar, s.Role)
			}
			return v, nil
		}
	}
	return s, nil
}

// servicePassword returns the password, remembering it as a secret.
func (s *service) servicePassword() (string, error) {
	pw, err := s.password()
	if pw != "" {
		s.secrets = append(s.secrets, pw)
	}
	return pw, err
}

// searchPathValue is the search_path setting of the service.
func (s *service) searchPathValue() string {
	q := make([]string, len(s.SearchPath))
	for i, p := range s.SearchPath {
		q[i] = pgx.Identifier{p}.Sanitize()
	}
	return strings.Join(q, ", ")
}

// targetConfig resolves the connection of a migrate command and the schema
// of its history table: --url, else the env's url, else DB_* variables,
// else the libpq environment; for a service, as its role, on its database,
// with its search_path, keeping the history in its schema.
func targetConfig(c *cli.Context, s *service) (*pgx.ConnConfig, string, error) {
	var env *atlashcl.ServiceEnv
	if s != nil {
		env = s.env
	} else if e, err := projectEnv(c); err != nil {
		return nil, "", err
	} else {
		env = e
	}
	return resolveTarget(c, migrations.ConnSource{URL: c.String("url")}, env, s)
}

// resolveTarget is targetConfig with the connection src and the env
// given: one target of a fleet.
func resolveTarget(c *cli.Context, src migrations.ConnSource, env *atlashcl.ServiceEnv, s *service) (*pgx.ConnConfig, string, error) {
	revisions := c.String("revisions-schema")
	if env != nil {
		src.EnvName = env.Name
		if src.URL == "" && env.URL.IsSet() {
			u, err := env.URL.Value()
			if err != nil {
				return nil, "", err
			}
			src.EnvURL = u
		}
		if revisions == "" {
			revisions = env.RevisionsSchema
		}
	}
	r, err := src.Resolve()
	if err != nil {
		return nil, "", err
	}
	if s == nil {
		return r.Config, revisions, nil
	}
	cfg := r.Config
	if r.User != "" && r.User != s.Role {
		return nil, "", fmt.Errorf("%s connects as %q, but the migrations of service %q run as its role %q: leave the user out or make it %q (the privileged role runs only files marked -- schemactl:privileged)",
			r.From, r.User, s.Service, s.Role, s.Role)
	}
	if r.Database != "" && r.Database != s.Database {
		return nil, "", fmt.Errorf("%s names database %q, but service %q lives in database %q: leave it out, or set the service's database", r.From, r.Database, s.Service, s.Database)
	}
	if revisions != "" && revisions != s.Schema {
		return nil, "", fmt.Errorf("the history of service %q must live in its schema %q (the only one its role may write), not in %q", s.Service, s.Schema, revisions)
	}
	cfg.User, cfg.Database = s.Role, s.Database
	if !r.Password {
		pw, err := s.servicePassword()
		if err != nil {
			return nil, "", err
		}
		if pw != "" {
			cfg.Password = pw
		}
	}
	cfg.RuntimeParams["search_path"] = s.searchPathValue()
	return cfg, s.Schema, nil
}

// adminConfig is the privileged connection: --admin-url, else admin_url
// of the service block, else the libpq environment; always on the
// service's database. entry is the database the source names, to create
// the service's database from when it does not exist yet.
func (s *service) adminConfig(c *cli.Context) (cfg *pgx.ConnConfig, entry, from string, err error) {
	raw, from := c.String("admin-url"), "--admin-url"
	if raw == "" && s.block != nil && s.block.AdminURL.IsSet() {
		from = "admin_url of service " + s.block.Pos
		if raw, err = s.block.AdminURL.Value(); err != nil {
			return nil, "", "", err
		}
	}
	if raw == "" {
		from = "the libpq environment (PG* variables)"
	}
	if cfg, err = migrations.ParseConnConfig(raw); err != nil {
		return nil, "", "", fmt.Errorf("privileged connection (%s): %w", from, err)
	}
	if cfg.Password != "" {
		s.secrets = append(s.secrets, cfg.Password)
	}
	if cfg.User == s.Role {
		return nil, "", "", fmt.Errorf("the privileged connection (%s) connects as the service role %q", from, s.Role)
	}
	entry, cfg.Database = cfg.Database, s.Database
	return cfg, entry, from, nil
}

// privileged is the connector of files marked -- schemactl:privileged:
// the privileged role on the service's database, with the service's
// search_path so that their statements need no schema either.
func (s *service) privileged(c *cli.Context) migrations.PrivilegedConnector {
	return func(ctx context.Context) (*pgx.Conn, error) {
		cfg, _, from, err := s.adminConfig(c)
		if err != nil {
			return nil, err
		}
		cfg.RuntimeParams["search_path"] = s.searchPathValue()
		conn, err := migrations.ConnectConfig(ctx, cfg, connOptions(c))
		if err != nil {
			return nil, fmt.Errorf("privileged connection (%s): %w", from, err)
		}
		s.admin = conn
		return conn, nil
	}
}

// close closes the privileged connection, if one was opened.
func (s *service) close() {
	if s != nil && s.admin != nil {
		s.admin.Close(context.Background())
	}
}

// permissionHint explains a permission error of a service's migration.
func (s *service) permissionHint(err error) string {
	var pgErr *pgconn.PgError
	if s == nil || !errors.As(err, &pgErr) || pgErr.Code != "42501" {
		return ""
	}
	return fmt.Sprintf("hint: service %q runs its migrations as role %q, which may only create and change objects in schema %q; a file that must do more (an extension, a grant) runs as the privileged role when its top comments say -- schemactl:privileged",
		s.Service, s.Role, s.Schema)
}

// connectAdmin opens the privileged connection for provisioning, creating
// the service's database first when it does not exist.
func (s *service) connectAdmin(c *cli.Context, out func(string), dryRun bool) (*pgx.Conn, *pgx.ConnConfig, error) {
	cfg, entry, from, err := s.adminConfig(c)
	if err != nil {
		return nil, nil, err
	}
	opts := connOptions(c)
	conn, err := migrations.ConnectConfig(c.Context, cfg.Copy(), opts)
	var pgErr *pgconn.PgError
	if err == nil || !errors.As(err, &pgErr) || pgErr.Code != "3D000" {
		if err != nil {
			err = fmt.Errorf("privileged connection (%s): %w", from, err)
		}
		return conn, cfg, err
	}
	// The service's database does not exist: create it from the entry
	// database (or "postgres").
	ecfg := cfg.Copy()
	ecfg.Database = entry
	if entry == "" || entry == s.Database {
		ecfg.Database = "postgres"
	}
	econn, err := migrations.ConnectConfig(c.Context, ecfg, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("privileged connection (%s) to database %q, to create database %q: %w", from, ecfg.Database, s.Database, err)
	}
	defer econn.Close(context.Background())
	if dryRun {
		out(fmt.Sprintf("create database %s", pgx.Identifier{s.Database}.Sanitize()))
		return nil, cfg, nil
	}
	if _, err := econn.Exec(c.Context, "CREATE DATABASE "+pgx.Identifier{s.Database}.Sanitize()); err != nil {
		return nil, nil, fmt.Errorf("create database %q: %w", s.Database, err)
	}
	out(fmt.Sprintf("created database %s", pgx.Identifier{s.Database}.Sanitize()))
	conn, err = migrations.ConnectConfig(c.Context, cfg.Copy(), opts)
	if err != nil {
		return nil, nil, fmt.Errorf("privileged connection (%s): %w", from, err)
	}
	return conn, cfg, nil
}

// checkLogin is provision's CheckLogin: a login as the role on the server
// of the privileged connection.
func checkLogin(admin *pgx.ConnConfig) func(ctx context.Context, role, password string) error {
	return func(ctx context.Context, role, password string) error {
		cfg := admin.Copy()
		cfg.User, cfg.Password = role, password
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return err
		}
		return conn.Close(ctx)
	}
}
