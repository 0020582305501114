package importer

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// rePrismaDir is a Prisma Migrate migration directory:
// <timestamp>_<name>, the timestamp 14 digits as prisma migrate dev
// writes it (any digits are read).
var rePrismaDir = regexp.MustCompile(`^([0-9]+)_(.*)$`)

// rePrismaProvider is the provider line of migration_lock.toml.
var rePrismaProvider = regexp.MustCompile(`^provider\s*=\s*"([^"]*)"`)

// prismaProvider refuses a history written for another database than
// PostgreSQL, as migration_lock.toml records it.
func prismaProvider(path string) error {
	b, err := readFile(path)
	if err != nil {
		return err
	}
	for i, line := range strings.Split(string(b), "\n") {
		m := rePrismaProvider.FindStringSubmatch(strings.TrimSpace(line))
		if m != nil && m[1] != "postgresql" && m[1] != "postgres" {
			return fmt.Errorf("%s:%d: the migrations were written for provider %q, not PostgreSQL", path, i+1, m[1])
		}
	}
	return nil
}

// prisma reads a Prisma Migrate directory (prisma/migrations): one
// subdirectory per migration holding migration.sql, and
// migration_lock.toml. Prisma applies the migrations in the order of
// their directory names and sends each script as one query, which
// PostgreSQL runs in one implicit transaction; as for golang-migrate, a
// script holding a statement that cannot run in a transaction block
// (which then only ran as the script's one statement) runs without one.
// Prisma keeps no down scripts.
func (s *source) prisma() ([]Migration, error) {
	es, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("source directory: %w", err)
	}
	var ms []Migration
	seen := map[string]string{}
	for _, e := range es { // os.ReadDir sorts by name, Prisma's order
		p := filepath.Join(s.dir, e.Name())
		switch {
		case strings.HasPrefix(e.Name(), "."):
			continue
		case !e.IsDir() && e.Name() == "migration_lock.toml":
			if err := prismaProvider(p); err != nil {
				return nil, err
			}
			continue
		case !e.IsDir():
			if err := checkNotCode(p, "Prisma"); err != nil {
				return nil, err
			}
			s.skip(p, "not a migration directory")
			continue
		}
		m := rePrismaDir.FindStringSubmatch(e.Name())
		if m == nil {
			s.skip(p, "not a Prisma migration directory name (<timestamp>_<name>)")
			continue
		}
		if prev, ok := seen[m[1]]; ok {
			return nil, fmt.Errorf("%s: version %s is also the version of %s", p, m[1], prev)
		}
		seen[m[1]] = p
		sub, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("source directory: %w", err)
		}
		for _, f := range sub {
			if f.Name() != "migration.sql" {
				if err := checkNotCode(filepath.Join(p, f.Name()), "Prisma"); err != nil {
					return nil, err
				}
				s.skip(filepath.Join(p, f.Name()), "Prisma runs only migration.sql")
			}
		}
		up := filepath.Join(p, "migration.sql")
		b, err := readFile(up)
		if err != nil {
			return nil, fmt.Errorf("%s: a Prisma migration needs migration.sql: %w", p, err)
		}
		found, _, err := outsideTx(up, b)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Source: up, Version: m[1], Name: m[2], Up: tidy(b), NoTx: len(found) > 0})
	}
	return ms, nil
}
