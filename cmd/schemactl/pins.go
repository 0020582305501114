package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/schemactl/schemactl/internal/atlashcl"
	"github.com/schemactl/schemactl/internal/pin"
	"github.com/schemactl/schemactl/migrations"
)

// envPins reads the pin blocks of --env; none without --env.
func envPins(c *cli.Context) ([]atlashcl.Pin, error) {
	name := c.String("env")
	if name == "" {
		return nil, nil
	}
	path := strings.TrimPrefix(c.String("config"), "file://")
	return atlashcl.LoadPins(path, name, nil)
}

// dirDigest is the digest of the migration directory at dir as atlas.sum's
// first line holds it (without "h1:"), computed from its files.
func dirDigest(dir string) (string, error) {
	sum, err := migrations.Hash(dir)
	if err != nil {
		return "", err
	}
	first, _, _ := bytes.Cut(sum, []byte("\n"))
	return strings.TrimPrefix(string(first), "h1:"), nil
}

// pinWhat names a pin in messages: its file, key or pattern and name.
func pinWhat(p atlashcl.Pin) string {
	if p.Key != "" {
		return fmt.Sprintf("pin %q (%s)", p.Name, p.Key)
	}
	return fmt.Sprintf("pin %q (pattern %s)", p.Name, p.Pattern)
}

// updatePins writes the directory's hash into every pin of --env and says
// on stdout which values changed.
func updatePins(c *cli.Context, dir string) error {
	pins, err := envPins(c)
	if err != nil || len(pins) == 0 {
		return err
	}
	digest, err := dirDigest(dir)
	if err != nil {
		return err
	}
	for _, p := range pins {
		found, changed, err := pin.Update(p.Path, p.Key, p.Pattern, p.Value(digest))
		if err != nil {
			return fmt.Errorf("%s: %s: %w", p.Pos, pinWhat(p), err)
		}
		if changed {
			fmt.Fprintf(c.App.Writer, "%s: %s updated: %q -> %q\n", p.Path, pinWhat(p), found, p.Value(digest))
		}
	}
	return nil
}

// stalePin is a pin whose value is not the directory's hash.
type stalePin struct {
	pin         atlashcl.Pin
	line        int
	found, want string
}

func (s stalePin) String() string {
	return fmt.Sprintf("%s:%d: %s is stale: found %q, expected %q", s.pin.Path, s.line, pinWhat(s.pin), s.found, s.want)
}

// checkPinValues compares every pin of --env with digest.
func checkPinValues(c *cli.Context, digest string) ([]stalePin, error) {
	pins, err := envPins(c)
	if err != nil {
		return nil, err
	}
	var stale []stalePin
	for _, p := range pins {
		src, err := os.ReadFile(p.Path)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", p.Pos, pinWhat(p), err)
		}
		v, err := pin.Find(p.Path, src, p.Key, p.Pattern)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", p.Pos, pinWhat(p), err)
		}
		if want := p.Value(digest); v.Found != want {
			stale = append(stale, stalePin{pin: p, line: v.Line, found: v.Found, want: want})
		}
	}
	return stale, nil
}

// checkPins is the check step for the pins of --env: each stale pin is
// printed on stderr, and check fails at its end.
func checkPins(c *cli.Context, r *checkRun) error {
	stale, err := checkPinValues(c, r.d.Sum.Sum())
	if err != nil {
		return err
	}
	var lines []string
	for _, s := range stale {
		lines = append(lines, fmt.Sprintf("%s (run: schemactl migrate hash --env %s)", s, c.String("env")))
		fmt.Fprintln(c.App.ErrWriter, lines[len(lines)-1])
	}
	r.stalePins = len(stale)
	if r.md != nil && len(stale) > 0 {
		r.md.record("pins", true, strings.Join(lines, "\n"))
	}
	return nil
}

// pinsError is check's failure for stale pins, nil when there is none.
func (r *checkRun) pinsError() error {
	if r.stalePins == 0 {
		return nil
	}
	return exitError{code: 1, msg: fmt.Sprintf("%d pinned migration hash(es) are stale", r.stalePins)}
}
