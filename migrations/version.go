package migrations

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// VersionFormat is the layout of the versions schemactl (like Atlas) gives
// new files: the UTC time, yyyymmddhhmmss.
const VersionFormat = "20060102150405"

// NextVersion returns the version for a new migration file: the UTC time
// now in VersionFormat, unless that is not greater than every existing
// version (two files within one second, or a clock behind the directory),
// in which case it is the greatest version plus one (one second for a
// timestamp version). The result is greater than every existing version
// and no existing version is a prefix of it, so the new file also sorts
// after every existing one by name.
func NextVersion(existing []string, now time.Time) (string, error) {
	var max string
	for _, v := range existing {
		if v > max {
			max = v
		}
	}
	after := func(v string) bool { return v > max && !strings.HasPrefix(v, max) || max == "" }
	if v := now.UTC().Format(VersionFormat); after(v) {
		return v, nil
	}
	if t, err := time.Parse(VersionFormat, max); err == nil {
		return t.Add(time.Second).Format(VersionFormat), nil
	}
	if v, ok := incDigits(max); ok {
		return v, nil
	}
	return "", fmt.Errorf("cannot choose a version after %s that also sorts after it by file name", max)
}

// incDigits adds one to a decimal version, keeping its width.
func incDigits(v string) (string, bool) {
	if v == "" || strings.Trim(v, "0123456789") != "" {
		return "", false
	}
	b := []byte(v)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return string(b), true
		}
		b[i] = '0'
	}
	return "", false // all nines: a wider number would sort first
}

// NewFile adds a migration file to the directory at path, named
// <version>_<name>.sql (or <version>.sql when name is empty) with the
// given content, and updates atlas.sum. The directory must match its
// atlas.sum first. It returns the new file's path.
func NewFile(path, name string, content []byte, now time.Time) (string, error) {
	return NewFileEdit(path, name, content, now, nil)
}

// NewFileEdit is NewFile with a step between writing the file and updating
// atlas.sum: edit (when not nil) is called with the new file's path, e.g. to
// open an editor on it. When edit fails, the file is removed and atlas.sum
// is left as it was.
func NewFileEdit(path, name string, content []byte, now time.Time, edit func(file string) error) (string, error) {
	if strings.ContainsAny(name, `/\`+"\x00") || strings.TrimSpace(name) != name {
		return "", fmt.Errorf("migration name %q: use letters, digits and underscores (no path separators or surrounding spaces)", name)
	}
	d, err := read(path)
	if err != nil {
		return "", err
	}
	if err := d.verify(); err != nil {
		return "", err
	}
	versions := make([]string, len(d.files))
	for i, f := range d.files {
		versions[i] = f.Version()
	}
	v, err := NextVersion(versions, now)
	if err != nil {
		return "", fmt.Errorf("migration directory %s: %w", path, err)
	}
	base := v + ".sql"
	if name != "" {
		base = v + "_" + name + ".sql"
	}
	p := filepath.Join(path, base)
	fh, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", err
	}
	_, werr := fh.Write(content)
	if err := errors.Join(werr, fh.Close()); err != nil {
		os.Remove(p)
		return "", err
	}
	if edit != nil {
		if err := edit(p); err != nil {
			os.Remove(p)
			return "", fmt.Errorf("%w (the new file %s was removed)", err, p)
		}
	}
	if err := WriteSum(path); err != nil {
		os.Remove(p)
		return "", fmt.Errorf("update %s: %w", filepath.Join(path, SumFileName), err)
	}
	return p, nil
}
