package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/schemactl/schemactl/migrations"
)

// LoadDir reads the .sql files of a migration directory in version order
// and splits them into statements. Every file is marked Lint; callers
// narrow that down (see SelectLatest and SelectChanged).
func LoadDir(dir string) ([]*File, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	files := make([]*File, 0, len(paths))
	for _, p := range paths {
		f, err := LoadFile(p)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// LoadFile reads and splits one migration file.
func LoadFile(path string) (*File, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read migration file: %w", err)
	}
	sc, err := migrations.Scan(path, src, migrations.SplitOptions{})
	if err != nil {
		return nil, err
	}
	f := &File{Name: filepath.Base(path), Path: path, Src: src, Stmts: sc.Stmts, Directives: sc.Leading, Lint: true}
	for _, d := range sc.Leading {
		if d.Tool == "atlas" && d.Name == "txmode" && strings.TrimSpace(d.Args) == "none" {
			f.NoTx = true
		}
		if !d.Separated && d.Tool == "atlas" && (d.Name == "txmode" || d.Name == "nolint" || d.Name == "delimiter") {
			f.Notices = append(f.Notices, Finding{Code: codeDirective, Analyzer: "directives",
				Severity: checkInfo[codeDirective].Severity, Pos: d.Pos,
				Message: fmt.Sprintf("Atlas ignores the file directive %q: no blank line follows it", "-- "+d.String()),
				Why:     checkInfo[codeDirective].Why, Fix: checkInfo[codeDirective].Fix})
		}
	}
	return f, nil
}
