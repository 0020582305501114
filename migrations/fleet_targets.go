package migrations

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/schemactl/schemactl/internal/pgurl"
)

// TargetLine is one target of a targets file.
type TargetLine struct {
	// Conn is the connection string: a postgres:// URL or a libpq
	// keyword/value string.
	Conn string
	// Pos is where it is written, as file:line.
	Pos string
}

// ReadTargets reads a targets file: one connection string per line (a
// postgres:// URL or a libpq keyword/value string, completed by the libpq
// environment as --url is), blank lines and lines starting with # ignored.
// A line that does not parse is an error at its file:line, without its
// password.
func ReadTargets(path string) ([]TargetLine, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read targets file: %w", err)
	}
	return ParseTargets(path, src)
}

// ParseTargets is ReadTargets on the file's content.
func ParseTargets(path string, src []byte) ([]TargetLine, error) {
	var out []TargetLine
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		at := fmt.Sprintf("%s:%d", path, n)
		if _, err := ParseConnConfig(line); err != nil {
			return nil, fmt.Errorf("%s: %w", at, pgurl.RedactError(err, pgurl.Password(line)))
		}
		out = append(out, TargetLine{Conn: line, Pos: at})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read targets file %s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no targets (one connection string per line; # starts a comment)", path)
	}
	return out, nil
}
