package migrations

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// reQuoted finds the first double-quoted name of a PostgreSQL message.
var reQuoted = regexp.MustCompile(`"([^"]+)"`)

// BaselineHint returns, for the error of a statement that failed on a dev
// database, a hint when PostgreSQL refused it because a relation, role,
// schema, function, type or setting is missing that the directory never
// creates (SQLSTATE 42P01, 42704, 3F000, 42883): production has it
// (created by hand, by the previous migration tool, by its runner's
// settings), and a dev baseline provides it. It returns "" for any other
// error.
func BaselineHint(err error) string {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) || pg.Severity == "FATAL" {
		return "" // a refused connection (e.g. an unknown setting in its options) is not a statement's error
	}
	return BaselineHintFor(pg.Code, pg.Message)
}

// BaselineHintFor is BaselineHint for an SQLSTATE code and message.
func BaselineHintFor(code, msg string) string {
	name := "name"
	if m := reQuoted.FindStringSubmatch(msg); m != nil {
		name = m[1]
	}
	var example string
	switch {
	case code == "42P01" && (name == "schema_migrations" || strings.HasSuffix(name, ".schema_migrations")):
		example = "CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL); (golang-migrate's table)"
	case code == "42P01":
		example = fmt.Sprintf("CREATE TABLE %s (...); or, if the previous runner set a search_path, ALTER DATABASE app SET search_path = app, public;", name)
	case code == "42704" && strings.HasPrefix(msg, "role "):
		example = fmt.Sprintf("CREATE ROLE %s;", name)
	case code == "42704" && strings.HasPrefix(msg, "type "):
		example = fmt.Sprintf("CREATE EXTENSION ...; or CREATE TYPE %s ...;", name)
	case code == "42704":
		example = fmt.Sprintf("the statement that creates %s", name)
	case code == "3F000" && strings.Contains(msg, "no schema has been selected"):
		example = "ALTER DATABASE app SET search_path = app, public; (the runner's search_path; any database name sets the dev database)"
	case code == "3F000":
		example = fmt.Sprintf("CREATE SCHEMA %s;", name)
	case code == "42883":
		example = "CREATE EXTENSION ...; or the CREATE FUNCTION it needs"
	default:
		return ""
	}
	return "the directory never creates it; if production has it, give the dev database a baseline that provides it: " +
		"--dev-baseline file://baseline.sql (or dev_baseline = \"file://baseline.sql\" in the env of atlas.hcl) holding e.g. " + example
}
