package schema

import (
	"encoding/csv"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	atlas "ariga.io/atlas/sql/schema"
)

// Scope selects what part of a database is inspected.
type Scope struct {
	// Schemas limits the inspection to these schemas; empty means every
	// user schema of the database.
	Schemas []string
	// Exclude are Atlas-style glob patterns of objects to leave out:
	// "schema", "schema.table", "schema.table.column", with an optional
	// type selector such as "*.tmp_*[type=table|view]".
	Exclude []string
	// IncludePrivileges reads GRANTs and default privileges too (see
	// ObjectOptions in obj_inspect.go).
	IncludePrivileges bool
	// IncludeRevisions keeps the migration history (the
	// atlas_schema_revisions schema, and a table of that name in any
	// schema) in the inspection. By default it is left out, so that a
	// declarative apply or a diff against a migrated database never
	// proposes to drop the history.
	IncludeRevisions bool
}

// revisionsExclude are the patterns that leave the migration history out.
var revisionsExclude = []string{"atlas_schema_revisions", "*.atlas_schema_revisions[type=table]"}

// exclusions returns the exclude patterns in force for the scope.
func (s Scope) exclusions() []string {
	if s.IncludeRevisions {
		return s.Exclude
	}
	return append(append([]string(nil), revisionsExclude...), s.Exclude...)
}

var reTypeSel = regexp.MustCompile(`\[type=([a-z|_ ]+)\]$`)

// pattern is one parsed exclude pattern: a glob per name part, and for
// each part the object types it is limited to (nil: any).
type pattern struct {
	globs []string
	types [][]string
}

func parsePatterns(raw []string) ([]pattern, error) {
	var out []pattern
	for _, p := range raw {
		r := csv.NewReader(strings.NewReader(p))
		r.Comma = '.'
		rec, err := r.ReadAll()
		if err != nil || len(rec) != 1 || len(rec[0]) == 0 || len(rec[0]) > 3 {
			return nil, fmt.Errorf("invalid exclude pattern %q: want schema[.object[.sub-object]] globs", p)
		}
		var pt pattern
		for _, part := range rec[0] {
			var types []string
			if m := reTypeSel.FindStringSubmatch(part); m != nil {
				part = strings.TrimSuffix(part, m[0])
				types = strings.Split(m[1], "|")
			}
			if _, err := filepath.Match(part, ""); err != nil {
				return nil, fmt.Errorf("invalid exclude pattern %q: %v", p, err)
			}
			pt.globs = append(pt.globs, part)
			pt.types = append(pt.types, types)
		}
		out = append(out, pt)
	}
	return out, nil
}

// matches reports whether the path of names (schema, object, sub-object)
// of the given type is excluded by the pattern.
func (p pattern) matches(typ string, path ...string) bool {
	if len(path) != len(p.globs) {
		return false
	}
	for i, g := range p.globs {
		if ok, _ := filepath.Match(g, path[i]); !ok {
			return false
		}
		if t := p.types[i]; t != nil {
			want := "schema"
			if i == len(path)-1 {
				want = typ
			} else if i == 1 {
				want = "table"
			}
			found := false
			for _, x := range t {
				if x == want {
					found = true
				}
			}
			if !found {
				return false
			}
		}
	}
	return true
}

// excluded reports whether any pattern excludes the object at path: the
// object itself, or its schema, or (for sub-objects) its table.
func excluded(pats []pattern, typ string, path ...string) bool {
	for _, p := range pats {
		switch len(p.globs) {
		case 1:
			if p.matches("schema", path[0]) {
				return true
			}
		case 2:
			if len(path) == 2 && p.matches(typ, path...) || len(path) == 3 && p.matches("table", path[:2]...) {
				return true
			}
		case 3:
			if len(path) == 3 && p.matches(typ, path...) {
				return true
			}
		}
	}
	return false
}

// applyExclude removes excluded objects from the realm and the catalog.
func applyExclude(r *atlas.Realm, c *Catalog, raw []string) (*atlas.Realm, error) {
	if len(raw) == 0 {
		return r, nil
	}
	pats, err := parsePatterns(raw)
	if err != nil {
		return nil, err
	}
	if r, err = atlas.ExcludeRealm(r, raw); err != nil {
		return nil, fmt.Errorf("exclude: %w", err)
	}
	for s := range c.Schemas {
		if excluded(pats, "schema", s) {
			delete(c.Schemas, s)
		}
	}
	var tables []*TableInfo
	for _, t := range c.Tables {
		if excluded(pats, "table", t.Schema, t.Name) {
			continue
		}
		var cols []*ColumnInfo
		for _, col := range t.Columns {
			if !excluded(pats, "column", t.Schema, t.Name, col.Name) {
				cols = append(cols, col)
			}
		}
		t.Columns = cols
		var idxs []*IndexInfo
		for _, idx := range t.Indexes {
			if !excluded(pats, "index", t.Schema, t.Name, idx.Name) {
				idxs = append(idxs, idx)
			}
		}
		t.Indexes = idxs
		var cons []*ConstraintInfo
		for _, k := range t.Constraints {
			typ := map[byte]string{'f': "fk", 'c': "check", 'p': "index", 'u': "index", 'x': "index"}[k.Type]
			if !excluded(pats, typ, t.Schema, t.Name, k.Name) {
				cons = append(cons, k)
			}
		}
		t.Constraints = cons
		tables = append(tables, t)
	}
	c.Tables, c.tables = tables, nil
	var seqs []*Sequence
	for _, s := range c.Sequences {
		if !excluded(pats, "sequence", s.Schema, s.Name) {
			seqs = append(seqs, s)
		}
	}
	c.Sequences = seqs
	var doms []*Domain
	for _, d := range c.Domains {
		if !excluded(pats, "domain", d.Schema, d.Name) {
			doms = append(doms, d)
		}
	}
	c.Domains = doms
	var enums []*Enum
	for _, e := range c.Enums {
		if !excluded(pats, "enum", e.Schema, e.Name) {
			enums = append(enums, e)
		}
	}
	c.Enums = enums
	var objs []Object
	for _, o := range c.Unmodelled {
		path := []string{o.Schema}
		if o.Table != "" {
			path = append(path, o.Table)
		}
		if o.Name != "" {
			path = append(path, o.Name)
		}
		typ := strings.ReplaceAll(string(o.Kind), " ", "_")
		if o.Schema != "" && excluded(pats, typ, path...) {
			continue
		}
		objs = append(objs, o)
	}
	c.Unmodelled = objs
	return r, nil
}
