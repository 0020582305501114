package importer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// reFlywayFile is a Flyway SQL migration name: V (versioned), U (undo), B
// (baseline) with a version, or R (repeatable) without one, then __ and
// the description.
var reFlywayFile = regexp.MustCompile(`^([VUB])([0-9][0-9._]*?)__(.*)\.sql$|^R__(.*)\.sql$`)

// reFlywayCallback is the name of a Flyway SQL callback (beforeMigrate.sql,
// afterEachMigrate__x.sql, ...).
var reFlywayCallback = regexp.MustCompile(`^(before|after)[A-Z][A-Za-z]*(__.*)?\.sql$`)

// rePlaceholder is a Flyway placeholder: ${name}.
var rePlaceholder = regexp.MustCompile(`\$\{[^}]*\}`)

// flywayScript is one script found in a Flyway location.
type flywayScript struct {
	path, kind, desc string
	version          []*big.Int // nil for R
}

// flyway reads a Flyway location (subdirectories included): on a new
// database Flyway runs the latest baseline (B) script, the versioned (V)
// scripts above it by version, then the repeatable (R) scripts by
// description. U scripts are the down parts. A script runs outside a
// transaction when its <script>.sql.conf says executeInTransaction=false,
// or when it holds a statement PostgreSQL refuses in a transaction block
// (Flyway detects those).
func (s *source) flyway() ([]Migration, error) {
	var scripts []flywayScript
	err := filepath.WalkDir(s.dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		n := e.Name()
		if strings.HasPrefix(n, ".") && p != s.dir {
			if e.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if e.IsDir() {
			return nil
		}
		if err := checkNotCode(p, "Flyway"); err != nil {
			return err
		}
		if strings.HasSuffix(n, ".sql.conf") || !strings.HasSuffix(n, ".sql") {
			if !strings.HasSuffix(n, ".sql.conf") {
				s.skip(p, "not a .sql file")
			}
			return nil
		}
		if reFlywayCallback.MatchString(n) {
			return fmt.Errorf("%s: a Flyway callback runs around migrations, not as one; Atlas has no callbacks: fold its SQL into a migration, remove it, then import again", p)
		}
		m := reFlywayFile.FindStringSubmatch(n)
		if m == nil {
			s.skip(p, "not a Flyway migration name (V<version>__<description>.sql, U..., B..., R__...)")
			return nil
		}
		if m[1] == "" {
			scripts = append(scripts, flywayScript{path: p, kind: "R", desc: m[4]})
			return nil
		}
		v, err := flywayVersion(m[2])
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		scripts = append(scripts, flywayScript{path: p, kind: m[1], desc: m[3], version: v})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.flywayOrder(scripts)
}

// flywayVersion reads 1.2.3 or 1_2_3 as numbers, dropping trailing zero
// parts as Flyway does (1.0 is 1).
func flywayVersion(v string) ([]*big.Int, error) {
	var parts []*big.Int
	for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == '.' || r == '_' }) {
		n, ok := new(big.Int).SetString(p, 10)
		if !ok {
			return nil, fmt.Errorf("version %q is not made of numbers", v)
		}
		parts = append(parts, n)
	}
	for len(parts) > 1 && parts[len(parts)-1].Sign() == 0 {
		parts = parts[:len(parts)-1]
	}
	return parts, nil
}

func cmpVersion(a, b []*big.Int) int {
	for i := 0; i < len(a) || i < len(b); i++ {
		x, y := big.NewInt(0), big.NewInt(0)
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if c := x.Cmp(y); c != 0 {
			return c
		}
	}
	return 0
}

func versionString(v []*big.Int) string {
	ss := make([]string, len(v))
	for i, p := range v {
		ss[i] = p.String()
	}
	return strings.Join(ss, ".")
}

func (s *source) flywayOrder(scripts []flywayScript) ([]Migration, error) {
	byKind := map[string][]flywayScript{}
	for _, sc := range scripts {
		byKind[sc.kind] = append(byKind[sc.kind], sc)
	}
	for _, k := range []string{"V", "U", "B"} {
		l := byKind[k]
		slices.SortFunc(l, func(a, b flywayScript) int { return cmpVersion(a.version, b.version) })
		for i := 1; i < len(l); i++ {
			if cmpVersion(l[i-1].version, l[i].version) == 0 {
				return nil, fmt.Errorf("%s: version %s is also the version of %s (Flyway refuses it)", l[i].path, versionString(l[i].version), l[i-1].path)
			}
		}
	}
	undo := map[string]string{}
	for _, u := range byKind["U"] {
		undo[versionString(u.version)] = u.path
	}
	var run []flywayScript
	var floor []*big.Int
	if bs := byKind["B"]; len(bs) > 0 {
		b := bs[len(bs)-1]
		floor = b.version
		run = append(run, b)
		for _, o := range bs[:len(bs)-1] {
			s.skip(o.path, "a baseline below the latest one, which Flyway does not run on a new database")
		}
	}
	for _, v := range byKind["V"] {
		if floor != nil && cmpVersion(v.version, floor) <= 0 {
			s.skip(v.path, "at or below the baseline "+versionString(floor)+", which Flyway does not run on a new database")
			continue
		}
		run = append(run, v)
	}
	rs := byKind["R"]
	slices.SortFunc(rs, func(a, b flywayScript) int { return strings.Compare(a.desc, b.desc) })
	// Repeatable scripts run once, after the versioned ones: they take the
	// versions that follow the last one.
	next := []*big.Int{big.NewInt(0)}
	if len(run) > 0 {
		next = slices.Clone(run[len(run)-1].version)
	}
	for _, r := range rs {
		last := new(big.Int).Add(next[len(next)-1], big.NewInt(1))
		next = append(slices.Clone(next[:len(next)-1]), last)
		r.version = next
		run = append(run, r)
	}
	ms := make([]Migration, 0, len(run))
	for _, sc := range run {
		m, err := flywayMigration(sc)
		if err != nil {
			return nil, err
		}
		if sc.kind != "R" {
			m.Down = undo[versionString(sc.version)]
		}
		ms = append(ms, *m)
	}
	return ms, nil
}

func flywayMigration(sc flywayScript) (*Migration, error) {
	b, err := readFile(sc.path)
	if err != nil {
		return nil, err
	}
	if err := checkPlaceholders(sc.path, b); err != nil {
		return nil, err
	}
	conf, err := flywayConf(sc.path + ".conf")
	if err != nil {
		return nil, err
	}
	m := &Migration{Source: sc.path, Version: versionString(sc.version), Name: sc.desc, Up: tidy(b)}
	switch v := conf["executeInTransaction"]; v {
	case "", "true":
	case "false":
		m.NoTx = true
	default:
		return nil, fmt.Errorf("%s.conf: executeInTransaction=%s: expected true or false", sc.path, v)
	}
	found, _, err := outsideTx(sc.path, b)
	if err != nil {
		return nil, err
	}
	if len(found) > 0 {
		m.NoTx = true
	}
	return m, nil
}

// checkPlaceholders refuses a script with ${...}: Flyway replaces them
// when it runs the script, from its configuration.
func checkPlaceholders(p string, b []byte) error {
	loc := rePlaceholder.FindIndex(b)
	if loc == nil {
		return nil
	}
	line := bytes.Count(b[:loc[0]], []byte("\n")) + 1
	col := loc[0] - bytes.LastIndexByte(b[:loc[0]], '\n')
	return fmt.Errorf("%s:%d:%d: Flyway placeholder %s is replaced from Flyway's configuration when the script runs; an Atlas directory has no placeholders: write the value in, then import again", p, line, col, b[loc[0]:loc[1]])
}

// flywayConf reads a script's configuration file (key=value lines, #
// comments); a missing file is an empty configuration.
func flywayConf(p string) (map[string]string, error) {
	b, err := readFile(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	conf := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimSpace(sc.Text())
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: expected key=value", p, line)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "executeInTransaction":
		case "encoding":
			if !strings.EqualFold(v, "UTF-8") && !strings.EqualFold(v, "UTF8") {
				return nil, fmt.Errorf("%s:%d: encoding %s: only UTF-8 scripts are carried", p, line, v)
			}
		default:
			return nil, fmt.Errorf("%s:%d: script setting %s cannot be carried (only executeInTransaction and encoding are understood)", p, line, strconv.Quote(k))
		}
		conf[k] = v
	}
	return conf, nil
}
