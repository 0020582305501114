package pgurl

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzURL checks URL and DSN handling on any user, password, host and
// database: Redact never lets a password through, in a URL (any text
// around it) or as a password= keyword, and leaves text without one
// alone; WithDatabase then Database give back the database asked for.
func FuzzURL(f *testing.F) {
	for _, s := range [][5]string{
		{"alice", "hunter2", "db.example.com:5432", "app", "connection to "},
		{"a@b", "p:w/d?#", "localhost", "my db", "failed: "},
		{"", "secret", "[::1]:5432", "x", ""},
		{"u", "pa ss'wd", "/run/postgresql", "d", "dial error\n"},
		{"u", "pass", "h", "d?sslmode=disable", "postgresql://"},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4])
	}
	f.Fuzz(func(t *testing.T, user, password, host, db, text string) {
		for _, scheme := range []string{"postgres", "postgresql"} {
			u := &url.URL{Scheme: scheme, User: url.UserPassword(user, password), Host: host, Path: "/" + db}
			raw := u.String()
			parsed, err := url.Parse(raw)
			if err != nil || parsed.User == nil || Password(raw) != password {
				continue // not a URL that pgx would read either
			}
			// The password as the URL spells it.
			spelled := strings.TrimPrefix(parsed.User.String(), url.User(user).String()+":")
			msg := text + raw + " failed"
			red := Redact(msg)
			// The message without the password, as the URL spells its other
			// parts (a database "a b" is "a%20b" there): the password's text
			// may appear in it by chance.
			others := text + strings.Replace(raw, ":"+spelled+"@", "@", 1) + " failed"
			if len(spelled) >= 4 && !strings.Contains(others, spelled) && !strings.Contains(Mask, spelled) && strings.Contains(red, spelled) {
				t.Fatalf("Redact(%q) = %q keeps the password %q", msg, red, spelled)
			}
			if p := Password(Redact(raw)); p != "" && p != Mask {
				t.Fatalf("Redact(%q) = %q still has password %q", raw, Redact(raw), p)
			}
			with, err := WithDatabase(raw, db)
			if err != nil {
				t.Fatalf("WithDatabase(%q): %v", raw, err)
			}
			if got := Database(with); got != db {
				t.Fatalf("WithDatabase(%q, %q) = %q, whose database is %q", raw, db, with, got)
			}
		}
		// The keyword form of a connection string.
		if password != "" && !strings.ContainsAny(password, " \t\n&;\"'") && !strings.ContainsAny(text, "'") {
			dsn := text + " host=h password=" + password + " dbname=d"
			red := Redact(dsn)
			rest := text + " host=h password=" + Mask + " dbname=d"
			if len(password) >= 4 && !strings.Contains(rest, password) && strings.Contains(red, password) {
				t.Fatalf("Redact(%q) = %q keeps the password", dsn, red)
			}
		}
		// Text with no URL and no keyword comes back unchanged.
		if !strings.Contains(text, "://") && !strings.Contains(strings.ToLower(text), "password=") && Redact(text) != text {
			t.Fatalf("Redact(%q) = %q", text, Redact(text))
		}
	})
}
