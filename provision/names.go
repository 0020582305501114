// Package provision locks a service into its own namespace on a shared
// PostgreSQL database: a privileged role creates, once and idempotently,
// the service's login role, the schema it owns, and the grants that keep it
// out of `public` and out of other services' schemas; the service's
// migrations then run as that unprivileged role.
package provision

import (
	"fmt"
	"regexp"
	"strings"
)

// RoleSuffix is appended to a service name to form its role name by
// convention (service "orders" runs as role "orders_svc").
const RoleSuffix = "_svc"

// maxIdent is PostgreSQL's identifier length limit (NAMEDATALEN-1).
const maxIdent = 63

// Names are the database objects of one service.
type Names struct {
	// Service is the service's name, e.g. "orders".
	Service string
	// Database holds the service's schema; by convention the service name.
	Database string
	// Schema is the only schema the service may write; by convention the
	// service name.
	Schema string
	// Role is the login role the service's migrations run as; by
	// convention the service name followed by RoleSuffix.
	Role string
}

// reServiceName is what a service name may look like: a lower-case SQL
// identifier that needs no quoting, so that derived names are predictable.
var reServiceName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// ForService derives the names of service name by convention: database
// NAME, schema NAME, role NAME_svc. Overrides that are not empty replace
// the derived name of the same field.
func ForService(name string, overrides Names) (Names, error) {
	if !reServiceName.MatchString(name) {
		return Names{}, fmt.Errorf("invalid service name %q: use lower-case letters, digits and underscores, starting with a letter or underscore", name)
	}
	if len(name)+len(RoleSuffix) > maxIdent {
		return Names{}, fmt.Errorf("service name %q is too long: at most %d characters", name, maxIdent-len(RoleSuffix))
	}
	n := Names{Service: name, Database: name, Schema: name, Role: name + RoleSuffix}
	if overrides.Database != "" {
		n.Database = overrides.Database
	}
	if overrides.Schema != "" {
		n.Schema = overrides.Schema
	}
	if overrides.Role != "" {
		n.Role = overrides.Role
	}
	return n, n.Validate()
}

// Validate checks that every name is a usable identifier, and that the
// schema is not one the service must never own.
func (n Names) Validate() error {
	for _, f := range []struct{ what, v string }{{"database", n.Database}, {"schema", n.Schema}, {"role", n.Role}} {
		switch {
		case f.v == "":
			return fmt.Errorf("service %q: empty %s name", n.Service, f.what)
		case len(f.v) > maxIdent:
			return fmt.Errorf("service %q: %s name %q is longer than %d bytes", n.Service, f.what, f.v, maxIdent)
		case strings.ContainsRune(f.v, 0):
			return fmt.Errorf("service %q: %s name contains a NUL byte", n.Service, f.what)
		}
	}
	if reserved(n.Schema) {
		return fmt.Errorf("service %q: schema %q cannot be a service schema (reserved or shared)", n.Service, n.Schema)
	}
	if strings.HasPrefix(n.Role, "pg_") || n.Role == "public" {
		return fmt.Errorf("service %q: role name %q is reserved by PostgreSQL", n.Service, n.Role)
	}
	return nil
}

// reserved reports whether schema is a system schema or `public`.
func reserved(schema string) bool {
	return schema == "public" || schema == "information_schema" || strings.HasPrefix(schema, "pg_")
}

// EnvName turns a service name into the upper-case stem of its
// environment variables, e.g. "orders" -> "ORDERS".
func EnvName(service string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(service) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// PasswordEnv is the environment variable that holds the service role's
// password by convention: NAME_DB_PASSWORD in upper case (ORDERS_DB_PASSWORD).
func PasswordEnv(service string) string { return EnvName(service) + "_DB_PASSWORD" }
