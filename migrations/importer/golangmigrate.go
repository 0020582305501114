package importer

import (
	"fmt"
	"math/big"
	"path/filepath"
	"regexp"
	"slices"
)

// reGolangMigrate is golang-migrate's file name: <version>_<title>.up.<ext>
// or .down.<ext>, the version an unsigned integer.
var reGolangMigrate = regexp.MustCompile(`^([0-9]+)_(.*)\.(up|down)\.([^.]+)$`)

// golangMigrate reads a golang-migrate directory. golang-migrate runs the
// up files by version (as numbers) and sends each file as one query:
// PostgreSQL runs the statements of such a query in one implicit
// transaction, so a file is transactional unless it holds a statement
// that cannot run in a transaction block (it could then only have run with
// one statement, or with x-multi-statement, which sends them one by one).
func (s *source) golangMigrate() ([]Migration, error) {
	names, err := listDir(s.dir)
	if err != nil {
		return nil, err
	}
	ups := map[string]*Migration{}
	downs := map[string]string{}
	num := map[string]*big.Int{}
	for _, n := range names {
		p := filepath.Join(s.dir, n)
		if err := checkNotCode(p, "golang-migrate"); err != nil {
			return nil, err
		}
		m := reGolangMigrate.FindStringSubmatch(n)
		if m == nil {
			s.skip(p, "not a golang-migrate file name (<version>_<title>.up.sql or .down.sql)")
			continue
		}
		if m[4] != "sql" {
			return nil, fmt.Errorf("%s: golang-migrate runs it as SQL, but only .sql files are carried; rename it to .%s.sql", p, m[3])
		}
		v, _ := new(big.Int).SetString(m[1], 10)
		key := v.String()
		num[key] = v
		if m[3] == "down" {
			if prev, ok := downs[key]; ok {
				return nil, fmt.Errorf("%s: version %s has a down file already (%s)", p, key, prev)
			}
			downs[key] = p
			continue
		}
		if prev, ok := ups[key]; ok {
			return nil, fmt.Errorf("%s: version %s has an up file already (%s)", p, key, prev.Source)
		}
		b, err := readFile(p)
		if err != nil {
			return nil, err
		}
		found, _, err := outsideTx(p, b)
		if err != nil {
			return nil, err
		}
		ups[key] = &Migration{Source: p, Version: m[1], Name: m[2], Up: tidy(b), NoTx: len(found) > 0}
	}
	keys := make([]string, 0, len(ups))
	for k := range ups {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return num[a].Cmp(num[b]) })
	ms := make([]Migration, 0, len(keys))
	for _, k := range keys {
		m := ups[k]
		m.Down = downs[k]
		ms = append(ms, *m)
	}
	for k, p := range downs {
		if ups[k] == nil {
			s.skip(p, "a down file without an up file")
		}
	}
	slices.Sort(s.skipped)
	return ms, nil
}
