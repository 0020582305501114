package provision

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// isAuthFailure reports whether a login failed because of the password
// (SQLSTATE 28P01 invalid_password).
func isAuthFailure(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "28P01"
}
