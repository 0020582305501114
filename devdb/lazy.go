package devdb

import (
	"context"
	"sync"
)

// Lazy is a Provider that opens the one a dev URL names (see Open) when a
// database is first asked of it: a command that turns out not to need a
// dev database (the inspection of a live database as JSON, say) neither
// starts the embedded server nor connects to a remote one.
type Lazy struct {
	ctx context.Context
	url string

	mu     sync.Mutex
	opened bool // Open was called (p or err is its result), or Close was
	p      Provider
	err    error
}

// OpenLazy returns a Lazy for devURL; ctx is the one the provider is
// opened with. An unsupported URL is an error at once, as with Open.
func OpenLazy(ctx context.Context, devURL string) (*Lazy, error) {
	if err := checkDevURL(devURL); err != nil {
		return nil, err
	}
	return &Lazy{ctx: ctx, url: devURL}, nil
}

// Provider opens the provider, the first time, and returns it.
func (l *Lazy) Provider() (Provider, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.opened {
		l.p, l.err = Open(l.ctx, l.url)
		l.opened = true
	}
	if l.err == nil && l.p == nil {
		return nil, errClosed
	}
	return l.p, l.err
}

// NewDatabase creates a fresh database on the provider, opening it first.
func (l *Lazy) NewDatabase(ctx context.Context) (*Database, error) {
	p, err := l.Provider()
	if err != nil {
		return nil, err
	}
	return p.NewDatabase(ctx)
}

// Close releases the provider if it was opened; it is not opened after.
func (l *Lazy) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.opened = true
	if l.p == nil {
		return nil
	}
	p := l.p
	l.p = nil
	return p.Close()
}

// String describes the provider, or the dev URL while it is not open,
// without any password.
func (l *Lazy) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.p != nil {
		return l.p.String()
	}
	if l.url == "" || l.url == "local" || l.url == "embedded" {
		return "embedded local database"
	}
	return redactScheme(l.url)
}

// Unwrap returns the provider a Lazy opened (nil when it has not), and
// any other provider as it is.
func Unwrap(p Provider) Provider {
	if l, ok := p.(*Lazy); ok {
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.p
	}
	return p
}
