package provision

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/schemactl/schemactl/internal/pgquote"
	"github.com/schemactl/schemactl/internal/pgurl"
	"github.com/schemactl/schemactl/migrations"
)

// Spec is what to provision for one service.
type Spec struct {
	Names
	// Password is the service role's password. Empty leaves the role's
	// password as it is (a new role then gets none: use another
	// authentication method, such as IAM or a client certificate).
	Password string
	// SearchPath is the role's search_path in the service database;
	// DefaultSearchPath when empty.
	SearchPath []string
}

// DefaultSearchPath is the service role's search_path unless configured:
// its own schema first, so that unqualified names need no schema, then
// `public`, where shared extensions usually live (it can read there, but
// not create).
func DefaultSearchPath(schema string) []string { return []string{schema, "public"} }

// Options tunes Provision.
type Options struct {
	// DryRun works out every action and then rolls them back.
	DryRun bool
	// CheckLogin, when set, is used to find out whether an existing role
	// already has Spec.Password when the privileged role may not read the
	// stored password verifiers (it is not a superuser): it should connect
	// as the role with the password and return the error, if any.
	CheckLogin func(ctx context.Context, role, password string) error
}

// Result tells what Provision did (or, with DryRun, would do).
type Result struct {
	Names
	// Actions are the changes made, one sentence each, in order.
	Actions []string
	// Warnings are findings that were left as they are.
	Warnings []string
	// DryRun is set when the actions were rolled back.
	DryRun bool
}

// Changed reports whether any action was taken.
func (r *Result) Changed() bool { return len(r.Actions) > 0 }

// lockKey serialises concurrent provisioning runs on one database (two
// deploys at once) with a transaction-level advisory lock.
const lockKey int64 = 0x73636d746c707276 // "scmtlprv"

// Provision makes the service's layout true on the database admin is
// connected to, in one transaction, as admin's (privileged) role:
//
//   - the service role exists, can log in, has the configured password and
//     no special attributes (superuser is refused; CREATEDB, CREATEROLE,
//     REPLICATION, BYPASSRLS are removed);
//   - the schema exists and is owned by the role, and PUBLIC has no
//     privileges on it;
//   - nobody but owners may create in `public` (CREATE revoked from PUBLIC
//     and from the role), and the role may not create schemas;
//   - the role holds no grant on other schemas, nor membership in a role
//     that owns one;
//   - the role's search_path in this database starts with its schema;
//   - the history table (atlas_schema_revisions) exists in the schema,
//     owned by the role.
//
// Each step first checks and acts only when needed, so a second run
// changes nothing. Errors never contain the password.
func Provision(ctx context.Context, admin *pgx.Conn, spec Spec, opts Options) (res *Result, err error) {
	res = &Result{Names: spec.Names, DryRun: opts.DryRun}
	defer func() {
		if err != nil {
			err = pgurl.RedactError(err, spec.Password)
		}
	}()
	if err := spec.Validate(); err != nil {
		return res, err
	}
	if len(spec.SearchPath) == 0 {
		spec.SearchPath = DefaultSearchPath(spec.Schema)
	}
	tx, err := admin.Begin(ctx)
	if err != nil {
		return res, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey); err != nil {
		return res, fmt.Errorf("take the provisioning lock: %w", err)
	}
	p := &run{tx: tx, spec: spec, opts: opts, res: res}
	steps := []func(context.Context) error{
		p.who,
		p.role,
		p.password,
		p.membership,
		p.schema,
		p.publicSchema,
		p.otherSchemas,
		p.memberships,
		p.databasePrivileges,
		p.searchPath,
		p.historyTable,
		p.verify,
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return res, err
		}
	}
	if opts.DryRun {
		return res, nil // the deferred rollback undoes everything
	}
	if err := tx.Commit(ctx); err != nil {
		return res, fmt.Errorf("commit: %w", err)
	}
	return res, nil
}

// run is the state of one Provision call.
type run struct {
	tx   pgx.Tx
	spec Spec
	opts Options
	res  *Result

	admin      string // current_user
	adminSuper bool
	dbName     string // current_database()
	serverNum  int    // server_version_num
	roleOID    uint32
	created    bool // the role was created by this run
}

// exec runs one change and records it.
func (p *run) exec(ctx context.Context, action, sql string) error {
	if _, err := p.tx.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", strings.TrimSuffix(action, "."), err)
	}
	p.res.Actions = append(p.res.Actions, action)
	return nil
}

func (p *run) warn(format string, args ...any) {
	p.res.Warnings = append(p.res.Warnings, fmt.Sprintf(format, args...))
}

func (p *run) qrole() string   { return pgquote.Ident(p.spec.Role) }
func (p *run) qschema() string { return pgquote.Ident(p.spec.Schema) }

// who reads the privileged role and the database.
func (p *run) who(ctx context.Context) error {
	var createRole bool
	err := p.tx.QueryRow(ctx, `SELECT current_user, r.rolsuper, r.rolcreaterole, current_database(), current_setting('server_version_num')::int
		FROM pg_catalog.pg_roles r WHERE r.rolname = current_user`).Scan(&p.admin, &p.adminSuper, &createRole, &p.dbName, &p.serverNum)
	if err != nil {
		return fmt.Errorf("read the privileged role: %w", err)
	}
	if p.dbName != p.spec.Database {
		return fmt.Errorf("connected to database %q, but service %q lives in database %q", p.dbName, p.spec.Service, p.spec.Database)
	}
	if p.admin == p.spec.Role {
		return fmt.Errorf("provisioning must run as a privileged role, not as the service role %q itself", p.spec.Role)
	}
	if !p.adminSuper && !createRole {
		return fmt.Errorf("role %q may not provision: it needs SUPERUSER or CREATEROLE (connect with the privileged connection)", p.admin)
	}
	return nil
}

// role creates the service role or corrects its attributes.
func (p *run) role(ctx context.Context) error {
	var super, login, createDB, createRole, repl, bypass bool
	err := p.tx.QueryRow(ctx, `SELECT oid, rolsuper, rolcanlogin, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls
		FROM pg_catalog.pg_roles WHERE rolname = $1`, p.spec.Role).Scan(&p.roleOID, &super, &login, &createDB, &createRole, &repl, &bypass)
	if errors.Is(err, pgx.ErrNoRows) {
		sql := "CREATE ROLE " + p.qrole() + " LOGIN"
		what := "created role " + p.qrole() + " (LOGIN"
		if p.spec.Password != "" {
			sql += " PASSWORD " + p.passwordLiteral()
			what += ", password set"
		}
		if err := p.exec(ctx, what+")", sql); err != nil {
			return err
		}
		p.created = true // the password step has nothing left to do
		return p.tx.QueryRow(ctx, `SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $1`, p.spec.Role).Scan(&p.roleOID)
	}
	if err != nil {
		return fmt.Errorf("look up role %s: %w", p.qrole(), err)
	}
	if super {
		return fmt.Errorf("role %s is a superuser: a service role must not be one (use another role name, or ALTER ROLE %s NOSUPERUSER)", p.qrole(), p.qrole())
	}
	var fix []string
	for _, a := range []struct {
		on   bool
		attr string
	}{{!login, "LOGIN"}, {createDB, "NOCREATEDB"}, {createRole, "NOCREATEROLE"}, {repl, "NOREPLICATION"}, {bypass, "NOBYPASSRLS"}} {
		if a.on {
			fix = append(fix, a.attr)
		}
	}
	if len(fix) > 0 {
		attrs := strings.Join(fix, " ")
		return p.exec(ctx, "set role "+p.qrole()+" to "+attrs, "ALTER ROLE "+p.qrole()+" "+attrs)
	}
	return nil
}

// passwordLiteral is the PASSWORD value: a SCRAM verifier computed here
// when possible, so that the password itself is never sent.
func (p *run) passwordLiteral() string {
	if v, ok := scramVerifier(p.spec.Password); ok {
		return pgquote.Literal(v)
	}
	return pgquote.Literal(p.spec.Password)
}

// password sets the password of an existing role when it differs.
func (p *run) password(ctx context.Context) error {
	if p.spec.Password == "" || p.created {
		return nil
	}
	action := "set the password of role " + p.qrole()
	if p.adminSuper {
		var stored *string
		if err := p.tx.QueryRow(ctx, `SELECT rolpassword FROM pg_catalog.pg_authid WHERE rolname = $1`, p.spec.Role).Scan(&stored); err != nil {
			return fmt.Errorf("read the password verifier of role %s: %w", p.qrole(), err)
		}
		if stored != nil {
			if match, known := matchesStored(*stored, p.spec.Role, p.spec.Password); known && match {
				return nil
			}
		}
	} else if p.opts.CheckLogin != nil {
		err := p.opts.CheckLogin(ctx, p.spec.Role, p.spec.Password)
		if err == nil {
			return nil
		}
		if !isAuthFailure(err) {
			action += " (a login with it failed: " + pgurl.RedactError(err, p.spec.Password).Error() + ")"
		}
	}
	return p.exec(ctx, action, "ALTER ROLE "+p.qrole()+" PASSWORD "+p.passwordLiteral())
}

// membership lets a privileged role that is not a superuser act as the
// service role, which creating a schema owned by it requires.
func (p *run) membership(ctx context.Context) error {
	if p.adminSuper {
		return nil
	}
	mode := "MEMBER"
	if p.serverNum >= 160000 {
		mode = "SET"
	}
	var ok bool
	if err := p.tx.QueryRow(ctx, `SELECT pg_has_role(current_user, $1::oid, $2)`, p.roleOID, mode).Scan(&ok); err != nil {
		return fmt.Errorf("check membership in role %s: %w", p.qrole(), err)
	}
	if ok {
		return nil
	}
	return p.exec(ctx, "granted role "+p.qrole()+" to "+pgquote.Ident(p.admin)+" (to create objects owned by it)",
		"GRANT "+p.qrole()+" TO "+pgquote.Ident(p.admin))
}

// schema creates the schema owned by the role, or hands it over.
func (p *run) schema(ctx context.Context) error {
	var owner string
	err := p.tx.QueryRow(ctx, `SELECT pg_catalog.pg_get_userbyid(nspowner) FROM pg_catalog.pg_namespace WHERE nspname = $1`, p.spec.Schema).Scan(&owner)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		if err := p.exec(ctx, "created schema "+p.qschema()+" owned by "+p.qrole(),
			"CREATE SCHEMA "+p.qschema()+" AUTHORIZATION "+p.qrole()); err != nil {
			return err
		}
	case err != nil:
		return fmt.Errorf("look up schema %s: %w", p.qschema(), err)
	case owner != p.spec.Role:
		if err := p.exec(ctx, "changed the owner of schema "+p.qschema()+" from "+pgquote.Ident(owner)+" to "+p.qrole(),
			"ALTER SCHEMA "+p.qschema()+" OWNER TO "+p.qrole()); err != nil {
			return err
		}
	}
	var public bool
	if err := p.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n, aclexplode(n.nspacl) a
		WHERE n.nspname = $1 AND a.grantee = 0)`, p.spec.Schema).Scan(&public); err != nil {
		return fmt.Errorf("read the privileges on schema %s: %w", p.qschema(), err)
	}
	if public {
		return p.exec(ctx, "revoked all privileges on schema "+p.qschema()+" from PUBLIC",
			"REVOKE ALL ON SCHEMA "+p.qschema()+" FROM PUBLIC")
	}
	return nil
}

// publicSchema revokes CREATE on `public` from PUBLIC and from the role.
func (p *run) publicSchema(ctx context.Context) error {
	var exists, fromPublic, fromRole, owns bool
	err := p.tx.QueryRow(ctx, `SELECT true,
		EXISTS (SELECT 1 FROM aclexplode(n.nspacl) a WHERE a.grantee = 0 AND a.privilege_type = 'CREATE'),
		EXISTS (SELECT 1 FROM aclexplode(n.nspacl) a WHERE a.grantee = $1 AND a.privilege_type = 'CREATE'),
		n.nspowner = $1
		FROM pg_catalog.pg_namespace n WHERE n.nspname = 'public'`, p.roleOID).Scan(&exists, &fromPublic, &fromRole, &owns)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // no public schema: nothing to protect
	}
	if err != nil {
		return fmt.Errorf("read the privileges on schema public: %w", err)
	}
	if owns {
		return fmt.Errorf("role %s owns schema public: a service role must own only its own schema (ALTER SCHEMA public OWNER TO pg_database_owner)", p.qrole())
	}
	if fromPublic {
		if err := p.exec(ctx, `revoked CREATE on schema "public" from PUBLIC`, `REVOKE CREATE ON SCHEMA public FROM PUBLIC`); err != nil {
			return err
		}
	}
	if fromRole {
		return p.exec(ctx, `revoked CREATE on schema "public" from `+p.qrole(), `REVOKE CREATE ON SCHEMA public FROM `+p.qrole())
	}
	return nil
}

// userSchemas is the condition for schemas that are neither system
// schemas nor `public`.
const userSchemas = `n.nspname <> 'public' AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'`

// otherSchemas revokes what the role was granted on other schemas, and
// warns about other schemas it owns.
func (p *run) otherSchemas(ctx context.Context) error {
	granted, err := p.names(ctx, `SELECT DISTINCT n.nspname FROM pg_catalog.pg_namespace n, aclexplode(n.nspacl) a
		WHERE a.grantee = $1 AND n.nspname <> $2 AND `+userSchemas+` ORDER BY 1`, p.roleOID, p.spec.Schema)
	if err != nil {
		return fmt.Errorf("read grants on other schemas: %w", err)
	}
	for _, s := range granted {
		if err := p.exec(ctx, "revoked all privileges on schema "+pgquote.Ident(s)+" from "+p.qrole(),
			"REVOKE ALL ON SCHEMA "+pgquote.Ident(s)+" FROM "+p.qrole()); err != nil {
			return err
		}
	}
	owned, err := p.names(ctx, `SELECT n.nspname FROM pg_catalog.pg_namespace n
		WHERE n.nspowner = $1 AND n.nspname <> $2 AND `+userSchemas+` ORDER BY 1`, p.roleOID, p.spec.Schema)
	if err != nil {
		return fmt.Errorf("read schemas owned by %s: %w", p.qrole(), err)
	}
	for _, s := range owned {
		p.warn("role %s also owns schema %s; left as it is", p.qrole(), pgquote.Ident(s))
	}
	return nil
}

// memberships revokes the role's membership in roles that own other
// schemas of this database or read or write all data.
func (p *run) memberships(ctx context.Context) error {
	roles, err := p.names(ctx, `SELECT g.rolname FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
		WHERE m.member = $1 AND (g.rolname IN ('pg_read_all_data', 'pg_write_all_data')
			OR EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n WHERE n.nspowner = m.roleid AND n.nspname <> $2 AND `+userSchemas+`))
		ORDER BY 1`, p.roleOID, p.spec.Schema)
	if err != nil {
		return fmt.Errorf("read the memberships of %s: %w", p.qrole(), err)
	}
	for _, r := range roles {
		if err := p.exec(ctx, "revoked membership in role "+pgquote.Ident(r)+" from "+p.qrole(),
			"REVOKE "+pgquote.Ident(r)+" FROM "+p.qrole()); err != nil {
			return err
		}
	}
	return nil
}

// database keeps the role from creating schemas in the database.
func (p *run) databasePrivileges(ctx context.Context) error {
	var owns, fromRole, fromPublic bool
	err := p.tx.QueryRow(ctx, `SELECT d.datdba = $1,
		EXISTS (SELECT 1 FROM aclexplode(d.datacl) a WHERE a.grantee = $1 AND a.privilege_type = 'CREATE'),
		EXISTS (SELECT 1 FROM aclexplode(d.datacl) a WHERE a.grantee = 0 AND a.privilege_type = 'CREATE')
		FROM pg_catalog.pg_database d WHERE d.datname = current_database()`, p.roleOID).Scan(&owns, &fromRole, &fromPublic)
	if err != nil {
		return fmt.Errorf("read the privileges on database %s: %w", pgquote.Ident(p.dbName), err)
	}
	if owns {
		return fmt.Errorf("role %s owns database %s: a service role must not own the shared database", p.qrole(), pgquote.Ident(p.dbName))
	}
	if fromPublic {
		if err := p.exec(ctx, "revoked CREATE on database "+pgquote.Ident(p.dbName)+" from PUBLIC",
			"REVOKE CREATE ON DATABASE "+pgquote.Ident(p.dbName)+" FROM PUBLIC"); err != nil {
			return err
		}
	}
	if fromRole {
		return p.exec(ctx, "revoked CREATE on database "+pgquote.Ident(p.dbName)+" from "+p.qrole(),
			"REVOKE CREATE ON DATABASE "+pgquote.Ident(p.dbName)+" FROM "+p.qrole())
	}
	return nil
}

// searchPath sets the role's search_path in this database.
func (p *run) searchPath(ctx context.Context) error {
	var want string
	if err := p.tx.QueryRow(ctx, `SELECT string_agg(quote_ident(s), ', ' ORDER BY i) FROM unnest($1::text[]) WITH ORDINALITY AS t(s, i)`,
		p.spec.SearchPath).Scan(&want); err != nil {
		return fmt.Errorf("format the search_path: %w", err)
	}
	var have *string
	err := p.tx.QueryRow(ctx, `SELECT substr(c, length('search_path=') + 1)
		FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase, unnest(s.setconfig) c
		WHERE d.datname = current_database() AND s.setrole = $1 AND c LIKE 'search\_path=%'`, p.roleOID).Scan(&have)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("read the search_path of role %s: %w", p.qrole(), err)
	}
	if have != nil && *have == want {
		return nil
	}
	return p.exec(ctx, "set the search_path of role "+p.qrole()+" in database "+pgquote.Ident(p.dbName)+" to "+want,
		"ALTER ROLE "+p.qrole()+" IN DATABASE "+pgquote.Ident(p.dbName)+" SET search_path TO "+want)
}

// historyTable creates the history table in the schema, owned by the
// role, in the layout migrate apply (and Atlas) uses.
func (p *run) historyTable(ctx context.Context) error {
	h := migrations.History{Schema: p.spec.Schema}
	var owner string
	err := p.tx.QueryRow(ctx, `SELECT pg_catalog.pg_get_userbyid(c.relowner) FROM pg_catalog.pg_class c
		JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
		p.spec.Schema, migrations.RevisionsTable).Scan(&owner)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		// As the role, so that it owns the table.
		if _, err := p.tx.Exec(ctx, "SET LOCAL ROLE "+p.qrole()); err != nil {
			return fmt.Errorf("act as role %s: %w", p.qrole(), err)
		}
		if err := h.Create(ctx, p.tx); err != nil {
			return err
		}
		if _, err := p.tx.Exec(ctx, "RESET ROLE"); err != nil {
			return fmt.Errorf("reset role: %w", err)
		}
		p.res.Actions = append(p.res.Actions, "created the history table "+h.Table())
		return nil
	case err != nil:
		return fmt.Errorf("look up the history table %s: %w", h.Table(), err)
	case owner != p.spec.Role:
		return p.exec(ctx, "changed the owner of the history table "+h.Table()+" from "+pgquote.Ident(owner)+" to "+p.qrole(),
			"ALTER TABLE "+h.Table()+" OWNER TO "+p.qrole())
	}
	return nil
}

// verify checks the effective privileges, which membership in other roles
// could widen beyond what the steps above control.
func (p *run) verify(ctx context.Context) error {
	var publicCreate, dbCreate, schemaCreate bool
	err := p.tx.QueryRow(ctx, `SELECT
		COALESCE((SELECT has_schema_privilege($1::oid, n.oid, 'CREATE') FROM pg_catalog.pg_namespace n WHERE n.nspname = 'public'), false),
		has_database_privilege($1::oid, current_database(), 'CREATE'),
		has_schema_privilege($1::oid, $2, 'CREATE')`, p.roleOID, p.spec.Schema).Scan(&publicCreate, &dbCreate, &schemaCreate)
	if err != nil {
		return fmt.Errorf("check the privileges of role %s: %w", p.qrole(), err)
	}
	switch {
	case publicCreate:
		return fmt.Errorf("role %s can still create objects in schema public through a role it is a member of; revoke that membership", p.qrole())
	case dbCreate:
		return fmt.Errorf("role %s can still create schemas in database %s through a role it is a member of; revoke that membership", p.qrole(), pgquote.Ident(p.dbName))
	case !schemaCreate:
		return fmt.Errorf("role %s cannot create objects in its own schema %s", p.qrole(), p.qschema())
	}
	return nil
}

// names runs a query that returns one text column.
func (p *run) names(ctx context.Context, sql string, args ...any) ([]string, error) {
	rows, err := p.tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
