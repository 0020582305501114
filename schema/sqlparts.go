package schema

import (
	"github.com/schemactl/schemactl/internal/pgquote"
)

// partFiles turns the SQL texts of a state into files to run: each
// bound to a schema is preceded by a statement that creates the schema
// and puts it first on the search_path; the search_path is reset after
// them, before the state is inspected.
func partFiles(parts []Part) ([]*sqlFile, error) {
	var files []*sqlFile
	bound := false
	for _, p := range parts {
		if p.Schema != "" {
			q := pgquote.Ident(p.Schema)
			f, err := sqlText("composite_schema schema "+q, []byte("CREATE SCHEMA IF NOT EXISTS "+q+";\nSET search_path TO "+q+";\n"))
			if err != nil {
				return nil, err
			}
			files = append(files, f)
			bound = true
		}
		f, err := sqlText(p.Name, p.Bytes)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	if bound {
		f, err := sqlText("composite_schema", []byte("RESET search_path;\n"))
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// sqlText splits SQL text named name in messages, as readSQLFile a file.
func sqlText(name string, src []byte) (*sqlFile, error) {
	return splitSQL(name, name, src)
}
