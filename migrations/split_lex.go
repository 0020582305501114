package migrations

import (
	"bytes"
)

// scanStmt scans the statement starting at offset i. It returns the offset
// where the statement's text ends (where its delimiter starts, or the end
// of the file) and the offset after the delimiter.
//
// It follows psql's lexer: a delimiter ends a statement only outside
// quotes, comments and parentheses, and, for CREATE [OR REPLACE]
// FUNCTION/PROCEDURE, outside BEGIN ... END blocks (where CASE ... END
// nests), which is how SQL-standard function bodies (BEGIN ATOMIC) are
// kept whole.
func (s *scanner) scanStmt(i int) (end, next int, err error) {
	src, n := s.src, len(s.src)
	var (
		paren, begin int
		idents       [4]byte // first letters of the leading keywords
		nidents      int
	)
	for i < n {
		if s.custom {
			if paren == 0 && bytes.HasPrefix(src[i:], s.delim) {
				return i, i + len(s.delim), nil
			}
		} else if src[i] == ';' && paren == 0 && begin == 0 {
			return i, i + 1, nil
		}
		c := src[i]
		switch {
		case c == '\'':
			if i, err = s.skipString(i, false); err != nil {
				return 0, 0, err
			}
		case c == '"':
			if i, err = s.skipQuotedIdent(i); err != nil {
				return 0, 0, err
			}
		case c == '-' && i+1 < n && src[i+1] == '-':
			i = lineEnd(src, i)
		case c == '/' && i+1 < n && src[i+1] == '*':
			if i, err = s.skipBlockComment(i); err != nil {
				return 0, 0, err
			}
		case c == '$':
			if i, err = s.skipDollar(i); err != nil {
				return 0, 0, err
			}
		case c == '(':
			paren++
			i++
		case c == ')':
			if paren > 0 {
				paren--
			}
			i++
		case (c == 'e' || c == 'E') && i+1 < n && src[i+1] == '\'':
			if i, err = s.skipString(i+1, true); err != nil {
				return 0, 0, err
			}
		case (c == 'u' || c == 'U') && i+2 < n && src[i+1] == '&' && (src[i+2] == '\'' || src[i+2] == '"'):
			if src[i+2] == '\'' {
				i, err = s.skipString(i+2, false)
			} else {
				i, err = s.skipQuotedIdent(i + 2)
			}
			if err != nil {
				return 0, 0, err
			}
		case isIdentStart(c):
			j := i + 1
			for j < n && isIdentCont(src[j]) {
				j++
			}
			if !s.custom {
				begin = trackBegin(src[i:j], &idents, &nidents, paren, begin)
			}
			i = j
		case c >= '0' && c <= '9':
			// A number, with any letters glued to it, is not an identifier.
			j := i + 1
			for j < n && (isIdentCont(src[j]) && src[j] != '$' || src[j] == '.') {
				j++
			}
			i = j
		default:
			i++
		}
	}
	return n, n, nil
}

// trackBegin follows psql's heuristic for SQL-standard function bodies:
// in a statement that starts CREATE [OR REPLACE] FUNCTION|PROCEDURE, at
// parenthesis depth 0, BEGIN opens a block, CASE inside a block opens one
// more, and END closes one. It returns the new block depth.
func trackBegin(word []byte, idents *[4]byte, nidents *int, paren, begin int) int {
	if *nidents < len(idents) {
		for _, kw := range [...]string{"create", "function", "procedure", "or", "replace"} {
			if equalFold(word, kw) {
				idents[*nidents] = kw[0]
				break
			}
		}
	}
	*nidents++
	if idents[0] != 'c' || paren != 0 {
		return begin
	}
	if !(idents[1] == 'f' || idents[1] == 'p' ||
		idents[1] == 'o' && idents[2] == 'r' && (idents[3] == 'f' || idents[3] == 'p')) {
		return begin
	}
	switch {
	case equalFold(word, "begin"):
		begin++
	case equalFold(word, "case"):
		if begin > 0 {
			begin++
		}
	case equalFold(word, "end"):
		if begin > 0 {
			begin--
		}
	}
	return begin
}

// equalFold reports whether word equals the lower-case ASCII keyword kw,
// ignoring ASCII case.
func equalFold(word []byte, kw string) bool {
	if len(word) != len(kw) {
		return false
	}
	for i := range word {
		c := word[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != kw[i] {
			return false
		}
	}
	return true
}

// isIdentStart reports whether c may start an unquoted identifier or key
// word (PostgreSQL counts every byte of a multi-byte character as a letter).
func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

// isIdentCont reports whether c may continue an unquoted identifier.
func isIdentCont(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9' || c == '$'
}

// skipString skips the string literal whose opening quote is at q and
// returns the offset after its closing quote. A doubled quote stands for
// one quote; with backslash escapes (E'...'), so does a backslash-quote.
func (s *scanner) skipString(q int, backslash bool) (int, error) {
	src, n := s.src, len(s.src)
	for i := q + 1; i < n; i++ {
		switch src[i] {
		case '\\':
			if backslash {
				i++
			}
		case '\'':
			if i+1 < n && src[i+1] == '\'' {
				i++
				continue
			}
			return i + 1, nil
		}
	}
	return 0, s.errorf(q, "unterminated quoted string")
}

// skipQuotedIdent skips the quoted identifier whose opening quote is at q.
func (s *scanner) skipQuotedIdent(q int) (int, error) {
	src, n := s.src, len(s.src)
	for i := q + 1; i < n; i++ {
		if src[i] == '"' {
			if i+1 < n && src[i+1] == '"' {
				i++
				continue
			}
			return i + 1, nil
		}
	}
	return 0, s.errorf(q, "unterminated quoted identifier")
}

// skipBlockComment skips the (possibly nested) /* */ comment at i.
func (s *scanner) skipBlockComment(i int) (int, error) {
	src, n := s.src, len(s.src)
	depth := 0
	for j := i; j+1 < n; j++ {
		switch {
		case src[j] == '/' && src[j+1] == '*':
			depth++
			j++
		case src[j] == '*' && src[j+1] == '/':
			depth--
			j++
			if depth == 0 {
				return j + 1, nil
			}
		}
	}
	return 0, s.errorf(i, "unterminated /* comment")
}

// skipDollar skips what starts with '$' at i: a dollar-quoted string
// ($$...$$ or $tag$...$tag$), a parameter ($1), or a lone '$'.
func (s *scanner) skipDollar(i int) (int, error) {
	src, n := s.src, len(s.src)
	j := i + 1
	if j < n && src[j] >= '0' && src[j] <= '9' {
		for j < n && src[j] >= '0' && src[j] <= '9' {
			j++
		}
		return j, nil
	}
	if j < n && isIdentStart(src[j]) {
		for j < n && isIdentCont(src[j]) && src[j] != '$' {
			j++
		}
	}
	if j >= n || src[j] != '$' {
		return i + 1, nil // not a dollar quote
	}
	tag := src[i : j+1]
	k := bytes.Index(src[j+1:], tag)
	if k < 0 {
		return 0, s.errorf(i, "unterminated dollar-quoted string %s", tag)
	}
	return j + 1 + k + len(tag), nil
}
