// Package devdb hands out fresh, empty PostgreSQL databases ("dev
// databases") and takes them back.
//
// Three kinds of provider exist: a private local cluster started from the
// machine's own PostgreSQL programs on tmpfs (the default, see StartLocal),
// any server the user points at with a postgres:// URL (see OpenRemote), and
// a container started through Docker (docker://IMAGE, see OpenDocker). Open
// picks one from a --dev-url value. ForTest gives Go tests a database of
// their own.
package devdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Provider hands out fresh, empty databases.
type Provider interface {
	// NewDatabase creates a fresh, empty database. The caller must Close it.
	NewDatabase(ctx context.Context) (*Database, error)
	// Close releases the provider: databases it handed out are dropped or
	// go away with the server it started.
	Close() error
	// String describes the provider without any password.
	String() string
}

// Database is one fresh database handed out by a Provider.
type Database struct {
	// URL connects to the database. It may hold a password (remote mode):
	// pass it through pgurl.Redact before printing it.
	URL string
	// Name is the database's name on its server.
	Name string

	drop func(context.Context) error
	once sync.Once
	err  error
}

// Close drops the database. It is safe to call more than once.
func (d *Database) Close(ctx context.Context) error {
	d.once.Do(func() {
		if d.drop != nil {
			d.err = d.drop(context.WithoutCancel(ctx))
		}
	})
	return d.err
}

// Open returns the provider that a --dev-url value names:
//
//	""                     the local default: the cluster left running by
//	                       `schemactl dev start` when it is up and healthy,
//	                       otherwise a private cluster for this process
//	postgres://...         scratch databases on that server (also postgresql://)
//	docker://postgres/15   a container of image postgres:15 (docker://IMAGE:TAG too)
func Open(ctx context.Context, devURL string) (Provider, error) {
	switch {
	case devURL == "" || devURL == "local" || devURL == "embedded":
		if c, err := AttachRunning(ctx, Options{}); err == nil && c != nil {
			return c, nil
		}
		return StartLocal(ctx, Options{})
	case strings.HasPrefix(devURL, "postgres://"), strings.HasPrefix(devURL, "postgresql://"):
		return OpenRemote(ctx, devURL)
	case strings.HasPrefix(devURL, "docker://"):
		return OpenDocker(ctx, devURL)
	default:
		return nil, checkDevURL(devURL)
	}
}

// errClosed is the error of a Lazy used after Close.
var errClosed = errors.New("the dev database provider is closed")

// checkDevURL returns the error of a dev URL that Open does not take.
func checkDevURL(devURL string) error {
	switch {
	case devURL == "" || devURL == "local" || devURL == "embedded",
		strings.HasPrefix(devURL, "postgres://"), strings.HasPrefix(devURL, "postgresql://"),
		strings.HasPrefix(devURL, "docker://"):
		return nil
	}
	return fmt.Errorf("unsupported --dev-url %q: use postgres://..., docker://postgres/15, or leave it empty for the embedded local database", redactScheme(devURL))
}

// redactScheme keeps only the scheme of an unrecognised URL, so that an
// unexpected form never prints a password.
func redactScheme(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		return u[:i+3] + "..."
	}
	if len(u) > 20 {
		return u[:20] + "..."
	}
	return u
}

// newName returns a database name that cannot collide with a user's own.
func newName(prefix string) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return prefix + hex.EncodeToString(b[:])
}

// WithDatabase creates a fresh database on p, calls fn with it, and drops it
// afterwards, also when fn fails or ctx is cancelled.
func WithDatabase(ctx context.Context, p Provider, fn func(*Database) error) error {
	db, err := p.NewDatabase(ctx)
	if err != nil {
		return err
	}
	fnErr := fn(db)
	if err := db.Close(ctx); err != nil && fnErr == nil {
		return err
	}
	return fnErr
}
