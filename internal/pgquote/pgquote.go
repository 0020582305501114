// Package pgquote quotes identifiers and string constants for SQL sent to
// PostgreSQL.
package pgquote

import "strings"

// Ident quotes an identifier: "name", with embedded double quotes doubled.
func Ident(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// Literal quotes a string constant so that it reads the same whatever
// standard_conforming_strings is: text with a backslash becomes an escape
// string constant (E'...') with its backslashes doubled.
func Literal(s string) string {
	q := strings.ReplaceAll(s, `'`, `''`)
	if strings.Contains(s, `\`) {
		return `E'` + strings.ReplaceAll(q, `\`, `\\`) + `'`
	}
	return `'` + q + `'`
}
