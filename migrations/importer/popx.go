package importer

import (
	"bytes"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// rePopxFile is Ory popx's migration name:
// <version>_<name>[.<dialect>][.autocommit].(up|down).sql.
var rePopxFile = regexp.MustCompile(`^(\d+)_([^.]+)(\.[a-z0-9]+)?(\.autocommit)?\.(up|down)\.sql$`)

// popxDialects maps the dialect names popx accepts to its canonical ones.
var popxDialects = map[string]string{
	"postgres": "postgres", "postgresql": "postgres", "pg": "postgres",
	"cockroach": "cockroach", "cockroachdb": "cockroach", "crdb": "cockroach",
	"mysql": "mysql", "mariadb": "mariadb",
	"sqlite": "sqlite3", "sqlite3": "sqlite3",
}

// popx reads an Ory popx directory (subdirectories included), for
// PostgreSQL: for each version, the .postgres file if there is one, else
// the dialect-neutral one; files of other dialects are left out. popx runs
// a .autocommit file outside a transaction. Versions are ordered as
// strings, as popx orders them.
func (s *source) popx() ([]Migration, error) {
	type cand struct {
		path, name string
		specific   bool
		autocommit bool
	}
	ups := map[string]cand{}
	downs := map[string]cand{}
	err := filepath.WalkDir(s.dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			return nil
		}
		n := e.Name()
		if err := checkNotCode(p, "popx"); err != nil {
			return err
		}
		if filepath.Ext(n) != ".sql" {
			s.skip(p, "not a .sql file")
			return nil
		}
		m := rePopxFile.FindStringSubmatch(n)
		if m == nil {
			return fmt.Errorf("%s: not a popx migration name (<version>_<name>[.<dialect>][.autocommit].up.sql); popx refuses it", p)
		}
		dialect, autocommit := "all", m[4] != ""
		switch d := strings.TrimPrefix(m[3], "."); {
		case d == "autocommit":
			autocommit = true
		case d != "":
			c, ok := popxDialects[d]
			if !ok {
				s.skip(p, "dialect "+d+" is not one popx knows")
				return nil
			}
			dialect = c
		}
		if dialect != "all" && dialect != "postgres" {
			s.skip(p, "for "+dialect)
			return nil
		}
		c := cand{path: p, name: m[2], specific: dialect == "postgres", autocommit: autocommit}
		set := ups
		if m[5] == "down" {
			set = downs
		}
		if prev, ok := set[m[1]]; ok {
			if prev.specific == c.specific {
				return fmt.Errorf("%s: version %s has another %s file for PostgreSQL: %s", p, m[1], m[5], prev.path)
			}
			if prev.specific {
				s.skip(p, "dialect-neutral, and "+filepath.Base(prev.path)+" is PostgreSQL's")
				return nil
			}
			s.skip(prev.path, "dialect-neutral, and "+n+" is PostgreSQL's")
		}
		set[m[1]] = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	versions := make([]string, 0, len(ups))
	for v := range ups {
		versions = append(versions, v)
	}
	slices.Sort(versions)
	ms := make([]Migration, 0, len(versions))
	for _, v := range versions {
		c := ups[v]
		b, err := readFile(c.path)
		if err != nil {
			return nil, err
		}
		if i := bytes.Index(b, []byte("{{")); i >= 0 {
			line := bytes.Count(b[:i], []byte("\n")) + 1
			return nil, fmt.Errorf("%s:%d: popx runs the file as a Go template ({{ ... }}) with values of the running application; render it to plain SQL, then import again", c.path, line)
		}
		ms = append(ms, Migration{Source: c.path, Version: v, Name: c.name, Up: b, NoTx: c.autocommit, Down: downs[v].path})
	}
	return ms, nil
}
