package importer

import (
	"bufio"
	"bytes"
	"fmt"
	"math/big"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// reGooseFile is a goose migration name: <version>_<name>.sql (or .go).
var reGooseFile = regexp.MustCompile(`^([0-9]+)_(.*)\.(sql|go)$`)

// reGooseAnnotation is a goose annotation line: -- +goose WORDS.
var reGooseAnnotation = regexp.MustCompile(`^--\s*\+goose\s+(.*?)\s*$`)

// goose reads a goose directory: SQL files ordered by version (as numbers),
// each with -- +goose Up and optionally -- +goose Down, StatementBegin and
// StatementEnd around statements with inner semicolons, and
// -- +goose NO TRANSACTION for a file goose runs without a transaction.
func (s *source) goose() ([]Migration, error) {
	names, err := listDir(s.dir)
	if err != nil {
		return nil, err
	}
	var ms []Migration
	num := map[string]*big.Int{}
	seen := map[string]string{}
	for _, n := range names {
		p := filepath.Join(s.dir, n)
		m := reGooseFile.FindStringSubmatch(n)
		if m == nil {
			if err := checkNotCode(p, "goose"); err != nil {
				return nil, err
			}
			s.skip(p, "not a goose migration name (<version>_<name>.sql)")
			continue
		}
		if m[3] == "go" {
			if strings.HasSuffix(n, "_test.go") {
				s.skip(p, "a Go test file")
				continue
			}
			return nil, checkNotCode(p, "goose")
		}
		v, _ := new(big.Int).SetString(m[1], 10)
		key := v.String()
		if prev, ok := seen[key]; ok {
			return nil, fmt.Errorf("%s: version %s is also the version of %s (goose refuses duplicate versions)", p, key, prev)
		}
		seen[key] = p
		num[m[1]] = v
		b, err := readFile(p)
		if err != nil {
			return nil, err
		}
		mg, err := parseGoose(p, b)
		if err != nil {
			return nil, err
		}
		mg.Version, mg.Name = m[1], m[2]
		ms = append(ms, *mg)
	}
	slices.SortFunc(ms, func(a, b Migration) int { return num[a.Version].Cmp(num[b.Version]) })
	return ms, nil
}

// parseGoose takes the up part of a goose SQL file, without the goose
// annotations.
func parseGoose(p string, b []byte) (*Migration, error) {
	const (
		before = iota
		up
		down
	)
	m := &Migration{Source: p}
	state, inStmt, line := before, false, 0
	var body bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64*1024), len(b)+1)
	for sc.Scan() {
		line++
		text := sc.Text()
		a := reGooseAnnotation.FindStringSubmatch(strings.TrimRight(text, "\r"))
		if a == nil {
			if state == up {
				body.WriteString(text)
				body.WriteByte('\n')
			}
			continue
		}
		switch cmd := strings.ToLower(strings.Join(strings.Fields(a[1]), " ")); cmd {
		case "up":
			if state != before {
				return nil, fmt.Errorf("%s:%d: a second -- +goose Up", p, line)
			}
			state = up
		case "down":
			if state != up {
				return nil, fmt.Errorf("%s:%d: -- +goose Down before -- +goose Up", p, line)
			}
			if inStmt {
				return nil, fmt.Errorf("%s:%d: -- +goose Down inside a StatementBegin block", p, line)
			}
			state = down
			m.Down = p
		case "statementbegin":
			if inStmt {
				return nil, fmt.Errorf("%s:%d: -- +goose StatementBegin inside another StatementBegin block", p, line)
			}
			if state == before {
				return nil, fmt.Errorf("%s:%d: -- +goose StatementBegin before -- +goose Up", p, line)
			}
			inStmt = true
		case "statementend":
			if !inStmt {
				return nil, fmt.Errorf("%s:%d: -- +goose StatementEnd without StatementBegin", p, line)
			}
			inStmt = false
		case "no transaction":
			m.NoTx = true
		case "envsub on":
			return nil, fmt.Errorf("%s:%d: -- +goose ENVSUB ON substitutes environment variables when goose runs the file; an Atlas directory has no such step: substitute the values and remove the annotation, then import again", p, line)
		case "envsub off":
		default:
			return nil, fmt.Errorf("%s:%d: unknown goose annotation %q", p, line, strings.TrimSpace(text))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if state == before {
		return nil, fmt.Errorf("%s: no -- +goose Up annotation (goose refuses such a file)", p)
	}
	if inStmt {
		return nil, fmt.Errorf("%s: -- +goose StatementBegin without StatementEnd", p)
	}
	m.Up = tidy(body.Bytes())
	return m, nil
}
