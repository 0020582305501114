package devdb

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/schemactl/schemactl/internal/pgquote"
	"github.com/schemactl/schemactl/internal/pgurl"
)

// Remote hands out scratch databases on a server the user points at with a
// postgres:// URL. The URL's user needs the CREATEDB privilege.
type Remote struct {
	url    string
	secret string

	mu    sync.Mutex
	admin *pgx.Conn
	dbs   map[string]bool
}

// scratchSettings are sent with every connection to a remote dev server
// (libpq's options parameter), overriding what the server, the database
// or the role sets: a role with a tight statement_timeout or
// idle_in_transaction_session_timeout (usual on a server a team shares)
// would cancel the loading of a large state. JIT compilation is off: the
// catalog queries of inspection and lint cost more than jit_above_cost on
// a large schema and take longer to compile than to run. lock_timeout
// stays as the server has it: lint reports what it finds in force.
const scratchSettings = "-c statement_timeout=0 -c idle_in_transaction_session_timeout=0 -c jit=off"

// withScratchSettings adds scratchSettings to the options of a
// postgres:// URL, after the user's own.
func withScratchSettings(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", pgurl.RedactError(fmt.Errorf("invalid dev database URL %s: %w", pgurl.Redact(raw), err), pgurl.Password(raw))
	}
	q := u.Query()
	q.Set("options", strings.TrimSpace(q.Get("options")+" "+scratchSettings))
	// Spaces as %20: pgx, like libpq, does not read + as a space.
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
	return u.String(), nil
}

// OpenRemote connects to the server of a postgres:// URL.
func OpenRemote(ctx context.Context, rawURL string) (*Remote, error) {
	secret := pgurl.Password(rawURL)
	rawURL, err := withScratchSettings(rawURL)
	if err != nil {
		return nil, err
	}
	r := &Remote{url: rawURL, secret: secret, dbs: map[string]bool{}}
	conn, err := pgx.Connect(ctx, rawURL)
	if err != nil {
		return nil, pgurl.RedactError(fmt.Errorf("connect to dev database %s: %w", pgurl.Redact(rawURL), err), r.secret)
	}
	r.admin = conn
	return r, nil
}

// String describes the server without its password.
func (r *Remote) String() string { return "remote " + pgurl.Redact(r.url) }

// NewDatabase creates a uniquely named scratch database.
func (r *Remote) NewDatabase(ctx context.Context) (*Database, error) {
	name := newName("schemactl_dev_")
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.admin == nil {
		return nil, fmt.Errorf("dev database connection is closed")
	}
	if _, err := r.admin.Exec(ctx, "CREATE DATABASE "+pgquote.Ident(name)); err != nil {
		return nil, pgurl.RedactError(fmt.Errorf("create scratch database on %s: %w", pgurl.Redact(r.url), err), r.secret)
	}
	u, err := pgurl.WithDatabase(r.url, name)
	if err != nil {
		return nil, err
	}
	r.dbs[name] = true
	return &Database{URL: u, Name: name, drop: func(ctx context.Context) error { return r.drop(ctx, name) }}, nil
}

func (r *Remote) drop(ctx context.Context, name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.dbs[name] || r.admin == nil {
		return nil
	}
	delete(r.dbs, name)
	u, err := pgurl.WithDatabase(r.url, name)
	if err != nil {
		return err
	}
	err = dropWithSubscriptions(ctx, u, func() error {
		_, err := r.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgquote.Ident(name)+" WITH (FORCE)")
		return err
	})
	if err != nil {
		return pgurl.RedactError(fmt.Errorf("drop scratch database %s: %w", name, err), r.secret)
	}
	return nil
}

// Close drops every scratch database still open and disconnects.
func (r *Remote) Close() error {
	r.mu.Lock()
	names := make([]string, 0, len(r.dbs))
	for n := range r.dbs {
		names = append(names, n)
	}
	r.mu.Unlock()
	var first error
	for _, n := range names {
		if err := r.drop(context.Background(), n); err != nil && first == nil {
			first = err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.admin != nil {
		r.admin.Close(context.Background())
		r.admin = nil
	}
	return first
}
