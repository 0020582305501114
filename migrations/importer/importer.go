// Package importer converts a migration history written for another tool
// (golang-migrate, goose, dbmate, Flyway, Diesel, Sqitch, Ory's popx, Prisma Migrate, or a
// plain Atlas directory without atlas.sum) into an Atlas migration
// directory: one <version>_<name>.sql file per migration, in the order the
// source tool runs them, with `-- atlas:txmode none` on the files that the
// source tool runs outside a transaction, and atlas.sum.
package importer

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// The source formats Import reads.
const (
	FormatAtlas         = "atlas"
	FormatGolangMigrate = "golang-migrate"
	FormatGoose         = "goose"
	FormatDBMate        = "dbmate"
	FormatFlyway        = "flyway"
	FormatDiesel        = "diesel"
	FormatSqitch        = "sqitch"
	FormatPopx          = "popx"
	FormatPrisma        = "prisma"
)

// Formats lists the source formats, in the order the help text shows them.
var Formats = []string{FormatGolangMigrate, FormatGoose, FormatDBMate, FormatFlyway, FormatDiesel, FormatSqitch, FormatPopx, FormatPrisma, FormatAtlas}

// Migration is one migration of a source history, as the source tool runs
// it on PostgreSQL.
type Migration struct {
	// Source is the path of the file that holds the up part.
	Source string
	// Version is the source tool's version, as it will name the output
	// file (before any padding that keeps the order).
	Version string
	// Name is the description that follows the version in the output name;
	// it may be empty.
	Name string
	// Up is the SQL that the source tool runs, without the tool's own
	// annotations.
	Up []byte
	// NoTx is true when the source tool runs the migration outside a
	// transaction.
	NoTx bool
	// Down is the path of the down part (a file, or the file of Source for
	// a format that keeps both parts in one file); empty when there is none.
	Down string
}

// ParseURL reads a directory URL as Atlas spells it, file://PATH with an
// optional ?format=NAME, or a plain path. It returns the path and the
// format ("" when none is given).
func ParseURL(s string) (path, format string, err error) {
	if s == "" {
		return "", "", errors.New("empty migration directory")
	}
	if !strings.Contains(s, "://") {
		return s, "", nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", "", fmt.Errorf("migration directory URL %q: %w", s, err)
	}
	if u.Scheme != "file" {
		return "", "", fmt.Errorf("migration directory URL %q: only file:// is supported", s)
	}
	p := u.Host + u.Path
	if p == "" {
		return "", "", fmt.Errorf("migration directory URL %q has no path", s)
	}
	return p, u.Query().Get("format"), nil
}

// Read reads the source directory dir in the given format and returns its
// migrations in the order the source tool runs them on PostgreSQL, and the
// files the source tool itself ignores (each with the reason). Anything
// that cannot be carried into an Atlas directory (a Go or Java migration,
// a fizz file, a placeholder) is an error naming the file.
func Read(dir, format string) (ms []Migration, skipped []string, err error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("source directory: %w", err)
	}
	if !st.IsDir() {
		return nil, nil, fmt.Errorf("source directory %s is not a directory", dir)
	}
	src := &source{dir: dir}
	switch format {
	case FormatGolangMigrate:
		ms, err = src.golangMigrate()
	case FormatGoose:
		ms, err = src.goose()
	case FormatDBMate:
		ms, err = src.dbmate()
	case FormatFlyway:
		ms, err = src.flyway()
	case FormatDiesel:
		ms, err = src.diesel()
	case FormatSqitch:
		ms, err = src.sqitch()
	case FormatPopx:
		ms, err = src.popx()
	case FormatPrisma:
		ms, err = src.prisma()
	case FormatAtlas:
		ms, err = src.atlas()
	case "":
		return nil, nil, fmt.Errorf("no source format: add ?format=NAME to --from or give --dir-format (one of %s)", strings.Join(Formats, ", "))
	default:
		return nil, nil, fmt.Errorf("unknown source format %q (one of %s)", format, strings.Join(Formats, ", "))
	}
	if err != nil {
		return nil, nil, err
	}
	return ms, src.skipped, nil
}

// source is a source directory being read.
type source struct {
	dir string
	// skipped are the files the source tool ignores, with the reason.
	skipped []string
}

// skip notes a file that the source tool ignores.
func (s *source) skip(path, why string) {
	s.skipped = append(s.skipped, path+": "+why)
}

// readFile reads a file of the source.
func readFile(p string) ([]byte, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	return b, nil
}

// tidy trims the blank lines around a migration's SQL and ends it with one
// line break (an empty body stays empty).
func tidy(b []byte) []byte {
	s := strings.TrimRight(string(b), " \t\r\n")
	for {
		line, rest, ok := strings.Cut(s, "\n")
		if !ok || strings.TrimSpace(line) != "" {
			break
		}
		s = rest
	}
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return []byte(s + "\n")
}

// codeExts are the extensions of migrations written in a programming
// language: no tool of this package can carry them into SQL files.
var codeExts = []string{".go", ".java", ".class", ".kt", ".scala", ".py", ".rb", ".js", ".ts", ".fizz"}

// checkNotCode refuses a file that is a migration in code.
func checkNotCode(path, tool string) error {
	ext := strings.ToLower(filepath.Ext(path))
	if !slices.Contains(codeExts, ext) {
		return nil
	}
	what := strings.TrimPrefix(ext, ".") + " migration"
	switch ext {
	case ".go":
		what = "Go migration"
	case ".fizz":
		what = "fizz migration (a dialect-neutral DSL that only pop can translate)"
	}
	return fmt.Errorf("%s: a %s %s cannot be carried into an Atlas directory; rewrite it as SQL (run it once against a database and capture the statements), then import again", path, tool, what)
}

// listDir returns the regular files of dir (not its subdirectories),
// sorted by name, skipping hidden files.
func listDir(dir string) ([]string, error) {
	es, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("source directory: %w", err)
	}
	var names []string
	for _, e := range es {
		if strings.HasPrefix(e.Name(), ".") || e.IsDir() {
			continue
		}
		names = append(names, e.Name())
	}
	return names, nil
}
