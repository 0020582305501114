package pgurl

import (
	"errors"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	cases := []struct{ in, want string }{
		{"postgres://u:secret@h:5432/db", "postgres://u:xxxxx@h:5432/db"},
		{"postgresql://u:s%40c@h/db?sslmode=disable", "postgresql://u:xxxxx@h/db?sslmode=disable"},
		{"postgres://u@h/db", "postgres://u@h/db"},
		{"postgres://h/db", "postgres://h/db"},
		{"dial postgres://a:b@c/d failed and postgres://e:f@g", "dial postgres://a:xxxxx@c/d failed and postgres://e:xxxxx@g"},
		{"host=x password=hunter2 user=y", "host=x password=xxxxx user=y"},
		{"host=x password='hunter 2' user=y", "host=x password=xxxxx user=y"},
		{"no url here", "no url here"},
	}
	for _, c := range cases {
		if got := Redact(c.in); got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestRedactError(t *testing.T) {
	err := RedactError(errors.New("auth failed for pw s3cr3t at postgres://u:s3cr3t@h/db"), "s3cr3t")
	if strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("secret leaked: %v", err)
	}
}

func TestWithDatabase(t *testing.T) {
	got, err := WithDatabase("postgres://u:p@h:1/old?sslmode=disable", "new")
	if err != nil || got != "postgres://u:p@h:1/new?sslmode=disable" {
		t.Fatalf("got %q %v", got, err)
	}
	if Database(got) != "new" {
		t.Fatalf("Database(%q) = %q", got, Database(got))
	}
}

// Two cases the fuzz target found: a scheme right before a URL hid its
// password, and text whose lower case has another length (invalid UTF-8,
// some capitals) made Redact panic.
func TestRedactFuzzFindings(t *testing.T) {
	for in, want := range map[string]string{
		"postgresql://postgresql://u:pass@h/d":         "postgresql://postgresql://u:xxxxx@h/d",
		"bad URL postgres://, then postgres://u:pw@h/": "bad URL postgres://, then postgres://u:xxxxx@h/",
		"\xeb\xc6 İİ password=secret dbname=d":         "\xeb\xc6 İİ password=xxxxx dbname=d",
		"PASSWORD=secret":                              "PASSWORD=xxxxx",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
