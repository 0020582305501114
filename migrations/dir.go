package migrations

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"ariga.io/atlas/sql/migrate"

	"github.com/schemactl/schemactl/internal/srcpos"
)

// Dir is a migration directory read and checked by Open: its .sql files in
// the order Atlas runs them (by file name), each parsed into statements.
type Dir struct {
	// Path is the directory as given to Open.
	Path string
	// Files are the migration files, ordered by name.
	Files []*File
	// Sum is the directory's atlas.sum as Atlas computes it.
	Sum migrate.HashFile
}

// File is one migration file of a directory.
type File struct {
	// Name is the base name, e.g. 20240101120000_add_users.sql.
	Name string
	// Path is the name joined to the directory path; it is the file part
	// of every position and error about this file.
	Path string
	// Version and Desc are the parts of Name before and after the first
	// underscore, as Atlas reads them.
	Version, Desc string
	// Bytes is the file content.
	Bytes []byte
	// Stmts are the file's SQL statements.
	Stmts []Stmt
	// Meta are psql meta-command lines that are skipped (only \restrict
	// and \unrestrict are allowed in a migration file).
	Meta []MetaCommand
	// Delimiter is the statement delimiter (";" unless atlas:delimiter).
	Delimiter string
	// TxMode is "file" (the file runs in one transaction, the default) or
	// "none" (each statement runs on its own), from `-- atlas:txmode`.
	TxMode string
	// SumIgnore is true when Atlas leaves the file out of atlas.sum
	// (`-- atlas:sum ignore` on the first line).
	SumIgnore bool
	// Directives are the file directives schemactl honours: the atlas: and
	// schemactl: comments before the first statement, except a nolint that
	// no blank line separates from the first statement (it belongs to that
	// statement, as in Atlas).
	Directives []Directive
	// Warnings are places where Atlas would read the file differently.
	Warnings []Warning
}

// Warning is a difference between how schemactl and Atlas read a file,
// with the one-line change that makes both agree.
type Warning struct {
	Pos Pos
	Msg string
	Fix string
}

// String formats the warning as "file:line:col: message; fix: ...".
func (w Warning) String() string {
	if w.Fix == "" {
		return fmt.Sprintf("%s: %s", w.Pos, w.Msg)
	}
	return fmt.Sprintf("%s: %s; fix: %s", w.Pos, w.Msg, w.Fix)
}

// Directive returns the file directives with the given tool and name, e.g.
// ("atlas", "nolint").
func (f *File) Directive(tool, name string) []Directive {
	var ds []Directive
	for _, d := range f.Directives {
		if d.Tool == tool && d.Name == name {
			ds = append(ds, d)
		}
	}
	return ds
}

// Open reads the migration directory at path: it checks the directory
// against its atlas.sum (an edited, added or removed file, or a missing
// atlas.sum, is an error that names the file and the fix), checks the file
// names, and parses every file with its directives.
func Open(path string) (*Dir, error) {
	d, err := read(path)
	if err != nil {
		return nil, err
	}
	if err := d.verify(); err != nil {
		return nil, err
	}
	for _, f := range d.files {
		pf, err := ParseFile(filepath.Join(path, f.Name()), f.Bytes())
		if err != nil {
			return nil, err
		}
		d.Files = append(d.Files, pf)
	}
	if err := checkVersions(d.Files); err != nil {
		return nil, err
	}
	return d.Dir, nil
}

// Warnings returns the warnings of all files of d, in file order.
func (d *Dir) Warnings() []Warning {
	var ws []Warning
	for _, f := range d.Files {
		ws = append(ws, f.Warnings...)
	}
	return ws
}

// DirFromURL turns a --dir value into a directory path: file://PATH (the
// form Atlas uses, with an optional ?format=atlas) or a plain path.
func DirFromURL(s string) (string, error) {
	if !strings.Contains(s, "://") {
		if s == "" {
			return "", errors.New("empty migration directory")
		}
		return s, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("migration directory URL %q: %w", s, err)
	}
	if u.Scheme != "file" {
		return "", fmt.Errorf("migration directory URL %q: only file:// is supported", s)
	}
	if f := u.Query().Get("format"); f != "" && f != "atlas" {
		return "", fmt.Errorf("migration directory URL %q: format %q is not supported (only atlas)", s, f)
	}
	p := u.Host + u.Path // file://migrations is relative, file:///abs absolute
	if p == "" {
		return "", fmt.Errorf("migration directory URL %q has no path", s)
	}
	return p, nil
}

// ParseFile parses one migration file: its statements, psql meta-command
// lines, and directives. path is the file's path for messages; its base
// name gives the version and description. An unknown or misplaced
// directive is an error with file:line:col.
func ParseFile(path string, src []byte) (*File, error) {
	if err := srcpos.CheckText(path, src); err != nil {
		return nil, err
	}
	name := filepath.Base(path)
	lf := migrate.NewLocalFile(name, src)
	f := &File{Name: name, Path: path, Version: lf.Version(), Desc: lf.Desc(), Bytes: src, TxMode: TxModeFile}
	sc, err := Scan(path, src, SplitOptions{})
	if err != nil {
		return nil, err
	}
	f.Stmts, f.Delimiter = sc.Stmts, sc.Delimiter
	if err := f.directives(sc); err != nil {
		return nil, err
	}
	for _, m := range sc.Meta {
		if m.Name != "restrict" && m.Name != "unrestrict" {
			return nil, fmt.Errorf("%s: psql meta-command %s is not SQL and cannot run in a migration file", m.Pos, strings.Fields(m.Text)[0])
		}
		f.Meta = append(f.Meta, m)
		f.Warnings = append(f.Warnings, Warning{Pos: m.Pos, Msg: "psql line " + strings.Fields(m.Text)[0] + " is skipped by schemactl but Atlas sends it to the server and fails", Fix: "delete the line"})
	}
	return f, nil
}

// checkVersions refuses a directory whose versions are not distinct, or
// whose file-name order (the order Atlas runs files in) differs from the
// order of their versions.
func checkVersions(files []*File) error {
	for i, f := range files {
		if f.Version == "" {
			return fmt.Errorf("%s: a migration file name must be <version>_<description>.sql", f.Path)
		}
		if i == 0 {
			continue
		}
		p := files[i-1]
		switch {
		case p.Version == f.Version && (strings.HasSuffix(f.Name, ".up.sql") || strings.HasSuffix(f.Name, ".down.sql")):
			return fmt.Errorf("%s: version %s is also the version of %s: this looks like a golang-migrate directory (up and down files); schemactl reads Atlas directories, where each version is one <version>_<description>.sql file", f.Path, f.Version, p.Name)
		case p.Version == f.Version:
			return fmt.Errorf("%s: version %s is also the version of %s; each file needs its own version", f.Path, f.Version, p.Name)
		case p.Version > f.Version:
			return fmt.Errorf("%s: its name sorts after %s but its version %s is lower than %s, so Atlas would run and record them inconsistently; give the versions the same number of digits", f.Path, p.Name, f.Version, p.Version)
		}
	}
	return nil
}
