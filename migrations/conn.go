package migrations

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgpassfile"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/schemactl/schemactl/internal/pgurl"
)

// DefaultConnectTimeout is how long Connect keeps retrying a server that is
// not accepting connections yet when ConnOptions.ConnectTimeout is zero.
const DefaultConnectTimeout = 10 * time.Second

// ConnOptions tunes Connect.
type ConnOptions struct {
	// ConnectTimeout bounds the whole connection attempt, retries included:
	// while the server is starting up (connection refused, socket file not
	// there yet, "the database system is starting up"), Connect retries
	// with a bounded backoff until this much time has passed. Zero means
	// DefaultConnectTimeout; a negative value means a single attempt.
	ConnectTimeout time.Duration
	// AppName is the application_name reported to the server when the URL
	// and PGAPPNAME name none.
	AppName string
	// Retries caps the retries after the first attempt (0: as many as
	// ConnectTimeout allows, which bounds the total time either way).
	Retries int
	// RetryInterval is a fixed wait between attempts (0: a backoff from
	// 25ms doubling up to 1s).
	RetryInterval time.Duration
}

// ParseConnConfig parses a target database URL the way libpq does:
// postgres:// and postgresql:// URLs or keyword/value strings, completed
// by the libpq environment variables (PGHOST, PGPORT, PGUSER, PGPASSWORD,
// PGDATABASE, PGSSLMODE, PGSERVICE, ...) and the password file
// (~/.pgpass or PGPASSFILE; for a unix socket, lines naming "localhost" or
// the socket directory) for whatever the URL leaves out. An empty URL
// uses the environment alone. Unix socket directories are given as a host
// starting with '/', e.g. postgres://user@/db?host=/cloudsql/proj:region:inst.
// Errors never contain the password.
func ParseConnConfig(rawURL string) (*pgx.ConnConfig, error) {
	if err := checkScheme(rawURL); err != nil {
		return nil, err
	}
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return nil, pgurl.RedactError(fmt.Errorf("invalid database URL: %w", unwrapParseError(err)), pgurl.Password(rawURL))
	}
	if cfg.Password == "" && strings.HasPrefix(cfg.Host, "/") {
		cfg.Password = socketPassword(cfg)
	}
	return cfg, nil
}

// socketPassword looks up the password file the way libpq does for a unix
// socket outside the default directory: by the socket directory as host
// name (pgx only tries "localhost", which libpq uses for the default
// directory alone).
func socketPassword(cfg *pgx.ConnConfig) string {
	path := os.Getenv("PGPASSFILE")
	if path == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		path = filepath.Join(home, ".pgpass")
	}
	pf, err := pgpassfile.ReadPassfile(path)
	if err != nil {
		return ""
	}
	return pf.FindPassword(cfg.Host, strconv.Itoa(int(cfg.Port)), cfg.Database, cfg.User)
}

// checkScheme rejects URLs of other databases or schemes early, with a
// message that does not repeat the URL.
func checkScheme(rawURL string) error {
	s := strings.TrimSpace(rawURL)
	if s == "" || strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") {
		return nil
	}
	if i := strings.Index(s, "://"); i >= 0 {
		return fmt.Errorf("unsupported database URL scheme %q: use postgres:// or postgresql://", s[:i+3])
	}
	if !strings.Contains(s, "=") {
		return errors.New("invalid database URL: expected postgres://... or keyword=value pairs")
	}
	return nil
}

// unwrapParseError drops pgconn's parse error wrapper, which may quote the
// connection string.
func unwrapParseError(err error) error {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) && errors.Unwrap(pe) != nil {
		return errors.Unwrap(pe)
	}
	return err
}

// Connect opens one connection to the database that rawURL names (see
// ParseConnConfig), retrying with a bounded exponential backoff while the
// server is starting up. The returned error never contains the password.
func Connect(ctx context.Context, rawURL string, opts ConnOptions) (*pgx.Conn, error) {
	cfg, err := ParseConnConfig(rawURL)
	if err != nil {
		return nil, err
	}
	return ConnectConfig(ctx, cfg, opts)
}

// ConnectConfig is Connect for an already parsed configuration.
func ConnectConfig(ctx context.Context, cfg *pgx.ConnConfig, opts ConnOptions) (*pgx.Conn, error) {
	if opts.AppName != "" {
		if _, ok := cfg.RuntimeParams["application_name"]; !ok {
			cfg.RuntimeParams["application_name"] = opts.AppName
		}
	}
	timeout := opts.ConnectTimeout
	if timeout == 0 {
		timeout = DefaultConnectTimeout
	}
	secret := cfg.Password
	start := time.Now()
	deadline := start.Add(timeout)
	delay := 25 * time.Millisecond
	if opts.RetryInterval > 0 {
		delay = opts.RetryInterval
	}
	for attempt := 1; ; attempt++ {
		actx, cancel := ctx, context.CancelFunc(func() {})
		if timeout > 0 {
			actx, cancel = context.WithDeadline(ctx, deadline)
		}
		conn, err := pgx.ConnectConfig(actx, cfg)
		cancel()
		if err == nil {
			return conn, nil
		}
		if ctx.Err() != nil {
			return nil, pgurl.RedactError(fmt.Errorf("connect to %s: %w", DescribeTarget(cfg), ctx.Err()), secret)
		}
		now := time.Now()
		if timeout < 0 || !Retryable(err) || now.Add(delay).After(deadline) || (opts.Retries > 0 && attempt > opts.Retries) {
			if attempt > 1 {
				err = fmt.Errorf("gave up after %d attempts in %s: %w", attempt, now.Sub(start).Round(time.Millisecond), err)
			}
			return nil, pgurl.RedactError(fmt.Errorf("connect to %s: %w", DescribeTarget(cfg), err), secret)
		}
		select {
		case <-ctx.Done():
			return nil, pgurl.RedactError(fmt.Errorf("connect to %s: %w", DescribeTarget(cfg), ctx.Err()), secret)
		case <-time.After(delay):
		}
		if opts.RetryInterval == 0 {
			delay = min(delay*2, time.Second)
		}
	}
}

// Retryable reports whether a connection error means the server is not
// ready yet (starting up, not listening, socket not created) rather than
// that the connection settings are wrong.
func Retryable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// 57P03 cannot_connect_now: the database system is starting up,
		// shutting down, or in recovery not accepting connections yet.
		return pgErr.Code == "57P03"
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNRESET) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return true
	}
	return false
}

// DescribeTarget describes the database of cfg for messages, without the
// password, e.g. database "app" on /run/postgresql (port 5432) as "app".
func DescribeTarget(cfg *pgx.ConnConfig) string {
	where := fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)
	if strings.HasPrefix(cfg.Host, "/") {
		where = fmt.Sprintf("%s (port %d)", cfg.Host, cfg.Port)
	}
	return fmt.Sprintf("database %q on %s as %q", cfg.Database, where, cfg.User)
}
