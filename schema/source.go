package schema

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/schemactl/schemactl/internal/pgurl"
	"github.com/schemactl/schemactl/migrations"
)

// SourceKind tells what a state URL points at.
type SourceKind int

// The kinds of state sources.
const (
	SourceSQL        SourceKind = iota + 1 // .sql files, executed on a dev database
	SourceHCL                              // .hcl files in Atlas's schema language
	SourceMigrations                       // a migration directory, replayed on a dev database
	SourceDatabase                         // a live database, inspected read-only
)

// String names the kind.
func (k SourceKind) String() string {
	switch k {
	case SourceSQL:
		return "SQL files"
	case SourceHCL:
		return "HCL files"
	case SourceMigrations:
		return "migration directory"
	case SourceDatabase:
		return "database"
	}
	return "unknown source"
}

// Source is a parsed state URL.
type Source struct {
	Kind SourceKind
	// Raw is the URL as given (it may hold a password: print Redacted).
	Raw string
	// Files are the .sql or .hcl files, in the order they are loaded.
	Files []string
	// Dir is the migration directory.
	Dir string
	// Parts are SQL texts of a SourceSQL state, run after Files (a
	// program's output, a composite of schemas): see Part.
	Parts []Part
	// Vars are the values of the variables of a SourceHCL state's files.
	Vars map[string]cty.Value
}

// Part is SQL text of a state that is not a file of its own, such as
// what a program printed. Name stands for the file in messages (errors
// are at Name:line:col). With Schema set, the SQL runs with that schema
// (created when missing) first on the search_path, so that unqualified
// names land in it.
type Part struct {
	Schema, Name string
	Bytes        []byte
}

// Redacted is the URL without its password.
func (s *Source) Redacted() string { return pgurl.Redact(s.Raw) }

// ParseSource reads a state URL, as Atlas writes them:
//
//	file://schema.sql            one SQL file
//	file://schema/               every .sql file of a directory, in lexical order
//	file://schema/*.sql          a glob
//	file://schema.hcl            HCL files (several merge: a directory or a glob of .hcl)
//	file://migrations            a migration directory (one with an atlas.sum,
//	                             or any directory with ?format=atlas)
//	postgres://user@host/db      a live database
//
// A path without file:// is accepted too.
func ParseSource(raw string) (*Source, error) {
	src := &Source{Raw: raw}
	switch {
	case raw == "":
		return nil, errors.New("empty state URL: want file://schema.sql, file://schema.hcl, file://migrations or a postgres:// URL")
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		src.Kind = SourceDatabase
		return src, nil
	case strings.Contains(raw, "://") && !strings.HasPrefix(raw, "file://"):
		scheme, _, _ := strings.Cut(raw, "://")
		return nil, fmt.Errorf("unsupported state URL scheme %q: use file:// or postgres://", scheme)
	}
	path, format := raw, ""
	if strings.HasPrefix(raw, "file://") {
		u, err := url.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("invalid state URL %q: %v", raw, err)
		}
		path, format = u.Host+u.Path, u.Query().Get("format")
		if path == "" {
			return nil, fmt.Errorf("state URL %q has no path", raw)
		}
	}
	if format != "" && format != "atlas" {
		return nil, fmt.Errorf("state URL %q: format %q is not supported (only atlas)", raw, format)
	}
	if strings.ContainsAny(path, "*?[") {
		matches, err := filepath.Glob(path)
		if err != nil {
			return nil, fmt.Errorf("state URL %q: %v", raw, err)
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("state URL %q matches no file", raw)
		}
		sort.Strings(matches)
		return src.files(matches)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("state %s: %w", raw, err)
	}
	if !st.IsDir() {
		return src.files([]string{path})
	}
	if _, err := os.Stat(filepath.Join(path, migrations.SumFileName)); err == nil || format == "atlas" {
		src.Kind, src.Dir = SourceMigrations, path
		return src, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("state %s: %w", raw, err)
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && (strings.HasSuffix(e.Name(), ".sql") || strings.HasSuffix(e.Name(), ".hcl")) {
			files = append(files, filepath.Join(path, e.Name()))
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("state %s: the directory has no .sql or .hcl file", raw)
	}
	sort.Strings(files)
	return src.files(files)
}

// files sets the source to a list of files, all .sql or all .hcl.
func (s *Source) files(paths []string) (*Source, error) {
	var sql, hcl int
	for _, p := range paths {
		switch {
		case strings.HasSuffix(p, ".hcl"):
			hcl++
		case strings.HasSuffix(p, ".sql"):
			sql++
		default:
			return nil, fmt.Errorf("state %s: %s is neither a .sql nor an .hcl file", s.Raw, p)
		}
	}
	if sql > 0 && hcl > 0 {
		return nil, fmt.Errorf("state %s mixes .sql and .hcl files; use one language per state", s.Raw)
	}
	s.Files = paths
	if hcl > 0 {
		s.Kind = SourceHCL
	} else {
		s.Kind = SourceSQL
	}
	return s, nil
}

// ParseSources reads one state URL, or several that together make one
// state: file URLs of the same language, whose files load in the order
// given (Atlas's src may be a list).
func ParseSources(raws []string) (*Source, error) {
	switch len(raws) {
	case 0:
		return nil, fmt.Errorf("no desired state given")
	case 1:
		return ParseSource(raws[0])
	}
	out := &Source{Raw: strings.Join(raws, ", ")}
	for _, raw := range raws {
		src, err := ParseSource(raw)
		if err != nil {
			return nil, err
		}
		if src.Kind != SourceSQL && src.Kind != SourceHCL {
			return nil, fmt.Errorf("state %s: a list of states may only hold SQL or HCL files, not a %s", src.Redacted(), src.Kind)
		}
		if out.Kind != 0 && out.Kind != src.Kind {
			return nil, fmt.Errorf("states %s mix SQL and HCL; use one language per state", out.Redacted())
		}
		out.Kind = src.Kind
		out.Files = append(out.Files, src.Files...)
	}
	return out, nil
}
