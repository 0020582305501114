// Package pgurl handles PostgreSQL connection URLs: redacting passwords for
// output and swapping the database name.
package pgurl

import (
	"errors"
	"net/url"
	"strings"
)

// Mask is what a redacted password is replaced with.
const Mask = "xxxxx"

// Redact returns s with the password of every postgres:// or postgresql://
// URL in it (and any password= keyword) replaced by Mask. It never fails:
// text that is not a URL comes back unchanged.
func Redact(s string) string {
	out := s
	for _, scheme := range []string{"postgres://", "postgresql://"} {
		out = redactScheme(out, scheme)
	}
	return redactKeyword(out)
}

func redactScheme(s, scheme string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, scheme)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i+len(scheme)])
		s = s[i+len(scheme):]
		// The authority ends at the first '/', '?', '#' or whitespace after
		// the last '@' that precedes it.
		end := strings.IndexAny(s, "/?# \t\n\"'`")
		if end < 0 {
			end = len(s)
		}
		auth := s[:end]
		if at := strings.LastIndex(auth, "@"); at >= 0 {
			userinfo := auth[:at]
			if c := strings.Index(userinfo, ":"); c >= 0 {
				b.WriteString(userinfo[:c+1])
				b.WriteString(Mask)
				b.WriteString(auth[at:])
				s = s[end:]
				continue
			}
		}
		// No password: the text after the scheme is searched again (it
		// may hold the next URL, as in "postgres://postgres://u:p@h").
	}
}

func redactKeyword(s string) string {
	const kw = "password="
	// ASCII lower case only: strings.ToLower may change the length of
	// the text (invalid UTF-8, some capitals), and its offsets index s.
	lower := asciiLower(s)
	var b strings.Builder
	pos := 0
	for {
		i := strings.Index(lower[pos:], kw)
		if i < 0 {
			b.WriteString(s[pos:])
			return b.String()
		}
		i += pos
		b.WriteString(s[pos : i+len(kw)])
		j := i + len(kw)
		k := j
		if k < len(s) && s[k] == '\'' {
			k++
			for k < len(s) && s[k] != '\'' {
				k++
			}
			if k < len(s) {
				k++
			}
		} else {
			for k < len(s) && !strings.ContainsRune(" \t\n&;\"", rune(s[k])) {
				k++
			}
		}
		if k > j {
			b.WriteString(Mask)
		}
		pos = k
	}
}

// asciiLower returns s with the ASCII capitals in lower case, byte for
// byte.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// RedactError wraps err so that its message has passwords redacted, and any
// literal occurrence of one of the given secrets masked too.
func RedactError(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	return &redactedError{err: err, secrets: secrets}
}

type redactedError struct {
	err     error
	secrets []string
}

func (e *redactedError) Error() string {
	msg := Redact(e.err.Error())
	for _, s := range e.secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, Mask)
		}
	}
	return msg
}

func (e *redactedError) Unwrap() error { return e.err }

// Password returns the password of a postgres URL, or "" when it has none or
// the URL does not parse.
func Password(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return ""
	}
	p, _ := u.User.Password()
	return p
}

// WithDatabase returns the URL raw with its database (path) replaced by db.
func WithDatabase(raw, db string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("invalid database URL: " + Redact(err.Error()))
	}
	u.Path = "/" + db
	u.RawPath = ""
	return u.String(), nil
}

// Database returns the database name of a postgres URL ("" when it has none).
func Database(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Path, "/")
}
