package schema

import (
	"sort"
	"strings"
)

// Storage parameters (reloptions) are a set: PostgreSQL keeps them in the
// order they were written, and two relations with the same parameters in
// another order are the same. The catalog reader sorts them, in table
// options, view options and in the WITH (...) of index definitions, so
// that every comparison is a set comparison.

// sortIndexOptions returns a pg_get_indexdef definition with the
// parameters of its WITH (...) clause sorted.
func sortIndexOptions(def string) string {
	start, end := indexOptionsSpan(def)
	if start < 0 {
		return def
	}
	opts := splitTopLevel(def[start:end], ',')
	for i := range opts {
		opts[i] = strings.TrimSpace(opts[i])
	}
	sort.Strings(opts)
	return def[:start] + strings.Join(opts, ", ") + def[end:]
}

// indexOptionsSpan finds the inside of the WITH (...) clause of an index
// definition: the first " WITH (" outside parentheses and quotes (the
// column list, INCLUDE and the predicate's strings cannot hold one before
// it). It returns -1, -1 when there is none.
func indexOptionsSpan(def string) (int, int) {
	const with = " WITH ("
	depth, quote := 0, byte(0)
	for i := 0; i < len(def); i++ {
		c := def[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
		case depth == 0 && strings.HasPrefix(def[i:], with):
			start := i + len(with)
			d, q := 1, byte(0)
			for j := start; j < len(def); j++ {
				switch ch := def[j]; {
				case q != 0:
					if ch == q {
						q = 0
					}
				case ch == '\'' || ch == '"':
					q = ch
				case ch == '(':
					d++
				case ch == ')':
					d--
					if d == 0 {
						return start, j
					}
				}
			}
			return -1, -1
		}
	}
	return -1, -1
}
