// Package corpus finds the shared real-world test corpus (schemas and
// migration histories kept next to the repository, in ../shared/corpus).
package corpus

import (
	"errors"
	"os"
	"path/filepath"
)

// Dir returns the corpus directory: $SCHEMACTL_CORPUS when set, else the
// shared/corpus directory beside the repository's root (the directory
// holding go.mod, found from the working directory upwards), else
// /work/shared/corpus.
func Dir() (string, error) {
	if d := os.Getenv("SCHEMACTL_CORPUS"); d != "" {
		return d, nil
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				c := filepath.Join(filepath.Dir(d), "shared", "corpus")
				if st, err := os.Stat(c); err == nil && st.IsDir() {
					return c, nil
				}
				break
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	if st, err := os.Stat("/work/shared/corpus"); err == nil && st.IsDir() {
		return "/work/shared/corpus", nil
	}
	return "", errors.New("test corpus not found: set SCHEMACTL_CORPUS or keep shared/corpus beside the repository")
}

// Path returns a path inside the corpus, e.g. Path("pagila", "schema.sql").
func Path(parts ...string) (string, error) {
	d, err := Dir()
	if err != nil {
		return "", err
	}
	p := filepath.Join(append([]string{d}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		return "", err
	}
	return p, nil
}

// TB is the part of testing.TB that Require uses.
type TB interface {
	Helper()
	Skipf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Require returns a path inside the corpus for a test. Without the corpus
// the test is skipped, except in CI (CI=true), where it fails: CI always
// has the corpus, and a skipped corpus test there would hide a problem.
func Require(t TB, parts ...string) string {
	t.Helper()
	p, err := Path(parts...)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("corpus: %v", err)
		}
		t.Skipf("corpus not available: %v", err)
	}
	return p
}
