package diff

import "github.com/schemactl/schemactl/schema"

// unloggedKeyword is "UNLOGGED " for an unlogged sequence.
func unloggedKeyword(s *schema.Sequence) string {
	if s.Unlogged {
		return "UNLOGGED "
	}
	return ""
}

// sequencePersistence makes a sequence logged or unlogged. A sequence
// owned by a table that becomes logged or unlogged follows the table
// (tableProperties), which PostgreSQL does by itself.
func sequencePersistence(s1, s2 *schema.Sequence) []Stmt {
	if s1.Unlogged == s2.Unlogged {
		return nil
	}
	to := "LOGGED"
	if s2.Unlogged {
		to = "UNLOGGED"
	}
	return []Stmt{{SQL: "ALTER SEQUENCE " + s2.QName.String() + " SET " + to, Comment: "make sequence " + s2.Name + " " + map[bool]string{true: "unlogged", false: "logged"}[s2.Unlogged]}}
}
