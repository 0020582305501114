package importer

import (
	"bufio"
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
)

// reDBMateFile is a dbmate migration name: <version>_<name>.sql, the
// version the leading digits.
var reDBMateFile = regexp.MustCompile(`^([0-9]+)_?(.*)\.sql$`)

// reDBMateBlock is a dbmate block line: -- migrate:up or -- migrate:down,
// with options such as transaction:false.
var reDBMateBlock = regexp.MustCompile(`^--\s*migrate:(up|down)(.*)$`)

// dbmate reads a dbmate directory: files ordered by name, each with a
// -- migrate:up block (transaction:false runs it without a transaction)
// and an optional -- migrate:down block.
func (s *source) dbmate() ([]Migration, error) {
	names, err := listDir(s.dir)
	if err != nil {
		return nil, err
	}
	var ms []Migration
	seen := map[string]string{}
	for _, n := range names {
		p := filepath.Join(s.dir, n)
		if err := checkNotCode(p, "dbmate"); err != nil {
			return nil, err
		}
		m := reDBMateFile.FindStringSubmatch(n)
		if m == nil {
			s.skip(p, "not a dbmate migration name (<version>_<name>.sql)")
			continue
		}
		if prev, ok := seen[m[1]]; ok {
			return nil, fmt.Errorf("%s: version %s is also the version of %s", p, m[1], prev)
		}
		seen[m[1]] = p
		b, err := readFile(p)
		if err != nil {
			return nil, err
		}
		mg, err := parseDBMate(p, b)
		if err != nil {
			return nil, err
		}
		mg.Version, mg.Name = m[1], m[2]
		ms = append(ms, *mg)
	}
	return ms, nil
}

// parseDBMate takes the up block of a dbmate file.
func parseDBMate(p string, b []byte) (*Migration, error) {
	m := &Migration{Source: p}
	var body bytes.Buffer
	state, line, upLine := "", 0, 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64*1024), len(b)+1)
	for sc.Scan() {
		line++
		text := sc.Text()
		blk := reDBMateBlock.FindStringSubmatch(strings.TrimRight(text, "\r"))
		if blk == nil {
			if state == "up" {
				body.WriteString(text)
				body.WriteByte('\n')
			} else if state == "" && strings.TrimSpace(text) != "" && !strings.HasPrefix(strings.TrimSpace(text), "--") {
				return nil, fmt.Errorf("%s:%d: SQL before -- migrate:up (dbmate refuses it)", p, line)
			}
			continue
		}
		opts, err := dbmateOptions(p, line, blk[2])
		if err != nil {
			return nil, err
		}
		switch blk[1] {
		case "up":
			if upLine != 0 {
				return nil, fmt.Errorf("%s:%d: a second -- migrate:up (the first is at line %d)", p, line, upLine)
			}
			upLine, state = line, "up"
			m.NoTx = opts["transaction"] == "false"
		case "down":
			if upLine == 0 {
				return nil, fmt.Errorf("%s:%d: -- migrate:down before -- migrate:up", p, line)
			}
			if m.Down != "" {
				return nil, fmt.Errorf("%s:%d: a second -- migrate:down", p, line)
			}
			state, m.Down = "down", p
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if upLine == 0 {
		return nil, fmt.Errorf("%s: no -- migrate:up block (dbmate refuses such a file)", p)
	}
	m.Up = tidy(body.Bytes())
	return m, nil
}

// dbmateOptions reads the options after a block line: key:value words.
func dbmateOptions(p string, line int, s string) (map[string]string, error) {
	opts := map[string]string{}
	for _, w := range strings.Fields(s) {
		k, v, ok := strings.Cut(w, ":")
		if !ok || (k == "transaction" && v != "true" && v != "false") {
			return nil, fmt.Errorf("%s:%d: dbmate option %q: expected transaction:true or transaction:false", p, line, w)
		}
		if k != "transaction" {
			return nil, fmt.Errorf("%s:%d: unknown dbmate option %q", p, line, w)
		}
		opts[k] = v
	}
	return opts, nil
}
