package migrations

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// The component variables: a connection given piece by piece, the way
// platforms hand out secrets (DB_HOST may be a unix socket directory such
// as /cloudsql/PROJECT:REGION:INSTANCE).
const (
	EnvDBHost     = "DB_HOST"
	EnvDBPort     = "DB_PORT"
	EnvDBUser     = "DB_USER"
	EnvDBPassword = "DB_PASSWORD"
	EnvDBName     = "DB_NAME"
)

// componentVars are the component variables in DSN keyword order.
var componentVars = [...][2]string{{EnvDBHost, "host"}, {EnvDBPort, "port"}, {EnvDBUser, "user"}, {EnvDBPassword, "password"}, {EnvDBName, "dbname"}}

// ConnSource says where a connection's settings come from. Resolve takes
// the first source that is given, highest precedence first:
//
//  1. URL, the --url flag;
//  2. EnvURL, the url of the atlas.hcl env;
//  3. the component variables DB_HOST, DB_PORT, DB_USER, DB_PASSWORD and
//     DB_NAME, when any of them is set;
//  4. the libpq environment alone (PGHOST, PGPORT, PGUSER, PGPASSWORD,
//     PGDATABASE, PGSERVICE, ~/.pgpass, ...).
//
// Whatever the chosen source leaves out comes from the libpq environment,
// as in libpq itself.
type ConnSource struct {
	URL    string
	EnvURL string
	// EnvName names the atlas.hcl env in messages.
	EnvName string
}

// Resolved is a connection's settings and where they came from.
type Resolved struct {
	Config *pgx.ConnConfig
	// From names the source for messages, e.g. "--url" or "DB_* variables".
	From string
	// User and Database are what the source names itself; "" when it
	// leaves them to the libpq environment.
	User, Database string
	// Password tells whether the source gives a password itself.
	Password bool
}

// Resolve picks the source and parses it (see ParseConnConfig).
func (s ConnSource) Resolve() (*Resolved, error) {
	r := &Resolved{}
	var dsn string
	switch {
	case strings.TrimSpace(s.URL) != "":
		dsn, r.From = s.URL, "--url"
	case strings.TrimSpace(s.EnvURL) != "":
		dsn, r.From = s.EnvURL, fmt.Sprintf("the url of env %q", s.EnvName)
	default:
		var err error
		if dsn, err = componentDSN(); err != nil {
			return nil, err
		}
		r.From = "DB_* variables"
		if dsn == "" {
			r.From = "the libpq environment"
		}
	}
	cfg, err := ParseConnConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.From, err)
	}
	r.Config = cfg
	kv := explicitSettings(dsn)
	r.User, r.Database, r.Password = kv["user"], kv["dbname"], kv["password"] != ""
	return r, nil
}

// componentDSN builds a keyword/value connection string from the component
// variables that are set ("" when none is).
func componentDSN() (string, error) {
	var parts []string
	for _, kv := range componentVars {
		v, ok := os.LookupEnv(kv[0])
		if !ok || v == "" {
			continue
		}
		if kv[0] == EnvDBPort {
			if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 65535 {
				return "", fmt.Errorf("%s=%q is not a port number", EnvDBPort, v)
			}
		}
		parts = append(parts, kv[1]+"="+quoteDSNValue(v))
	}
	return strings.Join(parts, " "), nil
}

// quoteDSNValue quotes a keyword/value connection string value.
func quoteDSNValue(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// explicitSettings returns the settings a connection string names itself,
// by libpq keyword (user, password, dbname, host, ...). It reads URLs and
// keyword/value strings; what it cannot read comes back empty.
func explicitSettings(dsn string) map[string]string {
	out := map[string]string{}
	dsn = strings.TrimSpace(dsn)
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return out
		}
		if u.User != nil {
			out["user"] = u.User.Username()
			out["password"], _ = u.User.Password()
		}
		out["dbname"] = strings.TrimPrefix(u.Path, "/")
		for k, vs := range u.Query() {
			if len(vs) > 0 {
				out[k] = vs[0]
			}
		}
		return out
	}
	for rest := dsn; rest != ""; {
		rest = strings.TrimLeft(rest, " \t\n")
		eq := strings.IndexByte(rest, '=')
		if eq < 0 {
			break
		}
		key := strings.TrimSpace(rest[:eq])
		rest = strings.TrimLeft(rest[eq+1:], " \t\n")
		var val strings.Builder
		if strings.HasPrefix(rest, "'") {
			i := 1
			for ; i < len(rest) && rest[i] != '\''; i++ {
				if rest[i] == '\\' && i+1 < len(rest) {
					i++
				}
				val.WriteByte(rest[i])
			}
			rest = rest[min(i+1, len(rest)):]
		} else {
			i := strings.IndexAny(rest, " \t\n")
			if i < 0 {
				i = len(rest)
			}
			val.WriteString(rest[:i])
			rest = rest[i:]
		}
		out[key] = val.String()
	}
	return out
}
