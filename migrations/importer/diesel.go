package importer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// reDieselDir is a Diesel migration directory: <version>_<name>, the
// version digits with optional dashes (2024-01-31-120000).
var reDieselDir = regexp.MustCompile(`^([0-9][0-9-]*)_(.+)$`)

// reTOMLTx is the one metadata.toml setting Diesel knows.
var reTOMLTx = regexp.MustCompile(`^run_in_transaction\s*=\s*(true|false)\s*(#.*)?$`)

// diesel reads a Diesel migrations directory: one subdirectory per
// migration with up.sql, down.sql and an optional metadata.toml, ordered by
// version. run_in_transaction = false runs a migration without a
// transaction. The versions lose their dashes (2024-01-31-120000 becomes
// 20240131120000, Atlas's layout).
func (s *source) diesel() ([]Migration, error) {
	es, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("source directory: %w", err)
	}
	var ms []Migration
	seen := map[string]string{}
	for _, e := range es {
		p := filepath.Join(s.dir, e.Name())
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if !e.IsDir() {
			if err := checkNotCode(p, "Diesel"); err != nil {
				return nil, err
			}
			s.skip(p, "not a migration directory")
			continue
		}
		m := reDieselDir.FindStringSubmatch(e.Name())
		if m == nil {
			s.skip(p, "not a Diesel migration directory name (<version>_<name>)")
			continue
		}
		v := strings.ReplaceAll(m[1], "-", "")
		if prev, ok := seen[v]; ok {
			return nil, fmt.Errorf("%s: version %s is also the version of %s", p, v, prev)
		}
		seen[v] = p
		mg, err := dieselMigration(p)
		if err != nil {
			return nil, err
		}
		mg.Version, mg.Name = v, m[2]
		ms = append(ms, *mg)
	}
	return ms, nil
}

func dieselMigration(dir string) (*Migration, error) {
	es, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		switch n := e.Name(); n {
		case "up.sql", "down.sql", "metadata.toml":
		default:
			if err := checkNotCode(filepath.Join(dir, n), "Diesel"); err != nil {
				return nil, err
			}
		}
	}
	up := filepath.Join(dir, "up.sql")
	b, err := readFile(up)
	if err != nil {
		return nil, fmt.Errorf("%s: a Diesel migration needs up.sql: %w", dir, err)
	}
	m := &Migration{Source: up, Up: tidy(b)}
	if _, err := os.Stat(filepath.Join(dir, "down.sql")); err == nil {
		m.Down = filepath.Join(dir, "down.sql")
	}
	meta := filepath.Join(dir, "metadata.toml")
	mb, err := readFile(meta)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return m, nil
	case err != nil:
		return nil, err
	}
	for i, line := range strings.Split(string(mb), "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		mm := reTOMLTx.FindStringSubmatch(t)
		if mm == nil {
			return nil, fmt.Errorf("%s:%d: %q: only run_in_transaction = true|false is understood", meta, i+1, t)
		}
		m.NoTx = mm[1] == "false"
	}
	return m, nil
}
