package importer

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/schemactl/schemactl/migrations"
)

// atlas reads an Atlas directory (usually one without atlas.sum; one with
// must match it): its .sql files, by name, carried as they are.
func (s *source) atlas() ([]Migration, error) {
	dir := s.dir
	if _, err := os.Stat(filepath.Join(dir, migrations.SumFileName)); err == nil {
		if err := migrations.Verify(dir); err != nil {
			return nil, err
		}
	}
	names, err := listDir(dir)
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, n := range names {
		p := filepath.Join(dir, n)
		if err := checkNotCode(p, "Atlas"); err != nil {
			return nil, err
		}
		if !strings.HasSuffix(n, ".sql") {
			if n != migrations.SumFileName {
				s.skip(p, "not a .sql file")
			}
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		f, err := migrations.ParseFile(p, b)
		if err != nil {
			return nil, err
		}
		// Carry the bytes as they are: the directives are already Atlas's.
		ms = append(ms, Migration{Source: p, Version: f.Version, Name: f.Desc, Up: b})
	}
	return ms, nil
}

// hashInPlace writes the atlas.sum of an Atlas directory that has none
// (the directory is both the source and the target).
func hashInPlace(dir string) (*Report, error) {
	if _, err := os.Stat(filepath.Join(dir, migrations.SumFileName)); err == nil {
		if err := migrations.Verify(dir); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%s already has an %s that matches its files: nothing to import", dir, migrations.SumFileName)
	}
	ms, err := (&source{dir: dir}).atlas()
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("source directory %s holds no .sql migration file", dir)
	}
	rep, err := Render(ms)
	if err != nil {
		return nil, err
	}
	for i, f := range rep.Files {
		if f.Name != filepath.Base(ms[i].Source) {
			return nil, fmt.Errorf("%s: would have to be renamed %s to keep the order; import into another directory instead", ms[i].Source, f.Name)
		}
	}
	if err := migrations.WriteSum(dir); err != nil {
		return nil, err
	}
	return rep, nil
}
