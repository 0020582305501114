package migrations

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"ariga.io/atlas/sql/migrate"

	"github.com/schemactl/schemactl/internal/srcpos"
)

// SumFileName is the integrity file of a migration directory.
const SumFileName = migrate.HashFileName

// IntegrityError says how a migration directory differs from its
// atlas.sum: a file was edited, added or removed, or atlas.sum is missing
// or damaged.
type IntegrityError struct {
	// Dir is the directory path.
	Dir string
	// File is the file concerned (atlas.sum itself when it is missing or
	// damaged).
	File string
	// Reason is "edited", "added", "removed", "missing" or "damaged".
	Reason string
	// Detail adds what is known beyond the reason.
	Detail string
}

// Error explains the problem and the fix.
func (e *IntegrityError) Error() string {
	fix := fmt.Sprintf("if this is intended, run: schemactl migrate hash --dir file://%s", e.Dir)
	p := filepath.Join(e.Dir, e.File)
	switch e.Reason {
	case "missing":
		return fmt.Sprintf("%s: missing, but the directory has %s; to create it, run: schemactl migrate hash --dir file://%s", p, e.Detail, e.Dir)
	case "damaged":
		return fmt.Sprintf("%s: %s (a hand edit or a merge conflict?); restore it, or recompute it with: schemactl migrate hash --dir file://%s", p, e.Detail, e.Dir)
	}
	return fmt.Sprintf("%s: %s since %s was written (migration files must not change once applied); %s", p, e.Reason, SumFileName, fix)
}

// dirState is a directory read once: Atlas's view of it, with its files
// cached so that checking and parsing read each file once.
type dirState struct {
	*Dir
	local *migrate.LocalDir
	files []migrate.File
}

// cachedDir serves Atlas the files already read.
type cachedDir struct {
	*migrate.LocalDir
	files []migrate.File
}

func (c cachedDir) Files() ([]migrate.File, error) { return c.files, nil }

func (c cachedDir) Checksum() (migrate.HashFile, error) { return migrate.NewHashFile(c.files) }

// read reads the directory's .sql files through Atlas and computes its sum.
func read(path string) (*dirState, error) {
	local, err := migrate.NewLocalDir(path)
	if err != nil {
		return nil, fmt.Errorf("migration directory %s: %w", path, unwrapAtlas(err))
	}
	files, err := local.Files()
	if err != nil {
		return nil, fmt.Errorf("migration directory %s: %w", path, err)
	}
	for _, f := range files {
		if err := srcpos.CheckText(filepath.Join(path, f.Name()), f.Bytes()); err != nil {
			return nil, err
		}
	}
	sum, err := migrate.NewHashFile(files)
	if err != nil {
		return nil, fmt.Errorf("migration directory %s: %w", path, err)
	}
	return &dirState{Dir: &Dir{Path: path, Sum: sum}, local: local, files: files}, nil
}

// unwrapAtlas drops Atlas's "sql/migrate: " prefix from a wrapped error.
func unwrapAtlas(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}

// verify checks the directory against its atlas.sum as Atlas does.
func (d *dirState) verify() error {
	err := migrate.Validate(cachedDir{d.local, d.files})
	var ce *migrate.ChecksumError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, migrate.ErrChecksumNotFound):
		return &IntegrityError{Dir: d.Path, File: SumFileName, Reason: "missing", Detail: plural(len(d.files), ".sql file")}
	case errors.As(err, &ce):
		return &IntegrityError{Dir: d.Path, File: ce.File, Reason: ce.Reason.String()}
	case errors.Is(err, migrate.ErrChecksumFormat):
		return &IntegrityError{Dir: d.Path, File: SumFileName, Reason: "damaged", Detail: "a line is not <file> h1:<hash>"}
	case errors.Is(err, migrate.ErrChecksumMismatch):
		return &IntegrityError{Dir: d.Path, File: SumFileName, Reason: "damaged", Detail: "its first line does not match the lines below it"}
	default:
		return fmt.Errorf("check %s: %w", filepath.Join(d.Path, SumFileName), err)
	}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// Verify checks the migration directory at path against its atlas.sum
// without parsing the files.
func Verify(path string) error {
	d, err := read(path)
	if err != nil {
		return err
	}
	return d.verify()
}

// Hash computes the atlas.sum of the directory at path, exactly as Atlas
// writes it, without reading any existing atlas.sum.
func Hash(path string) ([]byte, error) {
	d, err := read(path)
	if err != nil {
		return nil, err
	}
	return d.Sum.MarshalText()
}

// WriteSum rewrites the directory's atlas.sum from its current files (the
// `migrate hash` command).
func WriteSum(path string) error {
	b, err := Hash(path)
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(path, SumFileName), b)
}

// writeFileAtomic replaces a file through a temporary file and a rename,
// so that a crash never leaves a half-written file.
func writeFileAtomic(p string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}
