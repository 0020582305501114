package devdb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Binaries locates the PostgreSQL server programs used by the local mode.
type Binaries struct {
	// Dir is the directory holding initdb and postgres.
	Dir string
	// Stamp identifies the build of the postgres program (path, size and
	// modification time), so that cached data directories follow upgrades.
	Stamp string
}

// Initdb is the path of the initdb program.
func (b Binaries) Initdb() string { return filepath.Join(b.Dir, "initdb") }

// Postgres is the path of the postgres server program.
func (b Binaries) Postgres() string { return filepath.Join(b.Dir, "postgres") }

// FindBinaries looks for the PostgreSQL server programs, in order: the
// SCHEMACTL_PG_BIN environment variable, `pg_config --bindir`, the newest
// /usr/lib/postgresql/<version>/bin, then the PATH.
//
// It runs no program but pg_config: the server's version is read from the
// running server, which keeps cold starts short.
func FindBinaries(ctx context.Context) (Binaries, error) {
	var tried []string
	try := func(dir string) (Binaries, bool) {
		if dir == "" {
			return Binaries{}, false
		}
		tried = append(tried, dir)
		b := Binaries{Dir: dir}
		if !isExecutable(b.Initdb()) || !isExecutable(b.Postgres()) {
			return Binaries{}, false
		}
		st, err := os.Stat(b.Postgres())
		if err != nil {
			return Binaries{}, false
		}
		b.Stamp = fmt.Sprintf("%s %d %d", b.Postgres(), st.Size(), st.ModTime().UnixNano())
		return b, true
	}
	if dir := os.Getenv("SCHEMACTL_PG_BIN"); dir != "" {
		if b, ok := try(dir); ok {
			return b, nil
		}
		return Binaries{}, fmt.Errorf("SCHEMACTL_PG_BIN=%s holds no initdb and postgres programs", dir)
	}
	if out, err := exec.CommandContext(ctx, "pg_config", "--bindir").Output(); err == nil {
		if b, ok := try(strings.TrimSpace(string(out))); ok {
			return b, nil
		}
	}
	for _, dir := range debianBinDirs() {
		if b, ok := try(dir); ok {
			return b, nil
		}
	}
	if p, err := exec.LookPath("postgres"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		if b, ok := try(filepath.Dir(p)); ok {
			return b, nil
		}
	}
	return Binaries{}, errors.New("no PostgreSQL server programs (initdb, postgres) found; install PostgreSQL " +
		"(apt-get install postgresql), set SCHEMACTL_PG_BIN, or use --dev-url postgres://... or docker://postgres/15" +
		triedSuffix(tried))
}

func triedSuffix(tried []string) string {
	if len(tried) == 0 {
		return ""
	}
	return " (looked in " + strings.Join(tried, ", ") + ")"
}

// debianBinDirs lists /usr/lib/postgresql/<version>/bin, newest first.
func debianBinDirs() []string {
	entries, err := os.ReadDir("/usr/lib/postgresql")
	if err != nil {
		return nil
	}
	type v struct {
		n   float64
		dir string
	}
	var vs []v
	for _, e := range entries {
		n, err := strconv.ParseFloat(e.Name(), 64)
		if err != nil {
			continue
		}
		vs = append(vs, v{n, filepath.Join("/usr/lib/postgresql", e.Name(), "bin")})
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i].n > vs[j].n })
	dirs := make([]string, len(vs))
	for i := range vs {
		dirs[i] = vs[i].dir
	}
	return dirs
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}
