package diff

import (
	"strings"

	"ariga.io/atlas/sql/postgres"
	atlas "ariga.io/atlas/sql/schema"
)

// stableArrayCasts rewrites, in an expression as PostgreSQL deparses it,
// each array of constants of one type cast to another array type,
// (ARRAY['a'::character varying, 'b'::character varying])::text[], into
// (ARRAY['a'::character varying, 'b'::character varying]::character varying[])::text[].
// PostgreSQL writes the first for x IN ('a', 'b') on a varchar column
// (an array coerced as a whole), but parsing it again pushes the cast
// into the elements, ARRAY[('a'::character varying)::text, ...], another
// expression to pg_get_constraintdef and pg_get_viewdef. With the
// elements' own array type named first, the outer cast is the whole
// array's again, as in the original. Anything else is left as it is.
func stableArrayCasts(sql string) string {
	const open = "(ARRAY["
	if !strings.Contains(sql, open) {
		return sql
	}
	var b strings.Builder
	i := 0
	for i < len(sql) {
		switch c := sql[i]; {
		case c == '\'' || c == '"':
			j := skipQuoted(sql, i)
			b.WriteString(sql[i:j])
			i = j
			continue
		case strings.HasPrefix(sql[i:], open):
			start := i + len(open)
			end := matchBracket(sql, start)
			if end > 0 && strings.HasPrefix(sql[end:], "])::") {
				if typ, ok := constArrayType(sql[start:end]); ok {
					b.WriteString(open + stableArrayCasts(sql[start:end]) + "]::" + typ + "[]")
					i = end + 1
					continue
				}
			}
		}
		b.WriteByte(sql[i])
		i++
	}
	return b.String()
}

// skipQuoted returns the index after the quoted string or identifier
// starting at i (doubled quotes inside).
func skipQuoted(s string, i int) int {
	q := s[i]
	j := i + 1
	for j < len(s) {
		if s[j] == q {
			if j+1 < len(s) && s[j+1] == q {
				j += 2
				continue
			}
			return j + 1
		}
		j++
	}
	return len(s)
}

// matchBracket returns the index of the ']' closing the array whose
// elements start at i, or -1.
func matchBracket(s string, i int) int {
	depth := 0
	for i < len(s) {
		switch s[i] {
		case '\'', '"':
			i = skipQuoted(s, i)
			continue
		case '[', '(':
			depth++
		case ')':
			depth--
		case ']':
			if depth == 0 {
				return i
			}
			depth--
		}
		i++
	}
	return -1
}

// constArrayType returns E when every element of the list is a quoted
// constant cast to the same type E ('a'::character varying).
func constArrayType(elems string) (string, bool) {
	typ := ""
	i := 0
	for i < len(elems) {
		if elems[i] != '\'' {
			return "", false
		}
		j := skipQuoted(elems, i)
		if !strings.HasPrefix(elems[j:], "::") {
			return "", false
		}
		k := strings.Index(elems[j:], ", ")
		t := elems[j+2:]
		next := len(elems)
		if k >= 0 {
			t = elems[j+2 : j+k]
			next = j + k + 2
		}
		if t == "" || strings.ContainsAny(t, "'[]") || strings.Contains(t, "(") && !strings.HasSuffix(t, ")") {
			return "", false
		}
		if typ == "" {
			typ = t
		} else if t != typ {
			return "", false
		}
		i = next
	}
	return typ, typ != ""
}

// stableArrayChecks applies stableArrayCasts to the checks and the
// partial indexes' predicates of the tables and changes Atlas plans; the
// returned function puts them back.
func stableArrayChecks(changes []atlas.Change) (restore func()) {
	var undo []func()
	set := func(p *string) {
		if x := stableArrayCasts(*p); x != *p {
			old := *p
			*p = x
			undo = append(undo, func() { *p = old })
		}
	}
	fix := func(attrs []atlas.Attr) {
		for _, a := range attrs {
			switch a := a.(type) {
			case *atlas.Check:
				set(&a.Expr)
			case *postgres.IndexPredicate:
				set(&a.P)
			}
		}
	}
	for _, ch := range changes {
		switch ch := ch.(type) {
		case *atlas.AddTable:
			fix(ch.T.Attrs)
			for _, idx := range ch.T.Indexes {
				fix(idx.Attrs)
			}
		case *atlas.ModifyTable:
			for _, x := range ch.Changes {
				switch x := x.(type) {
				case *atlas.AddCheck:
					fix([]atlas.Attr{x.C})
				case *atlas.ModifyCheck:
					fix([]atlas.Attr{x.To})
				case *atlas.AddIndex:
					fix(x.I.Attrs)
				case *atlas.ModifyIndex:
					fix(x.To.Attrs)
				}
			}
		}
	}
	return func() {
		for _, u := range undo {
			u()
		}
	}
}
