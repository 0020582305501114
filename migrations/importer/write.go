package importer

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/schemactl/schemactl/migrations"
)

// NoTxHeader opens a file that runs outside a transaction: Atlas reads the
// directive only when a blank line separates it from the statements.
const NoTxHeader = "-- atlas:txmode none\n\n"

// File is one file of the output directory.
type File struct {
	// Name is the output name, <version>_<name>.sql.
	Name string
	// Bytes is the content.
	Bytes []byte
	// From is the migration it comes from.
	From Migration
}

// Report says what Import did.
type Report struct {
	// Files are the files written, in order.
	Files []File
	// NoTx counts the files marked -- atlas:txmode none.
	NoTx int
	// DownsDropped counts the down parts left out (an Atlas directory
	// has no down files).
	DownsDropped int
	// Skipped are the files of the source that its tool ignores, each
	// with the reason.
	Skipped []string
	// Padded is true when versions were padded with zeros to keep their
	// order as file names.
	Padded bool
}

// Render turns migrations (in run order) into the files of an Atlas
// directory. Each file is checked as schemactl reads migration files, and
// the names are checked to sort in the run order; an error names the
// source file.
func Render(ms []Migration) (*Report, error) {
	versions := make([]string, len(ms))
	for i, m := range ms {
		if m.Version == "" || strings.ContainsAny(m.Version, "_/\\") {
			return nil, fmt.Errorf("%s: version %q cannot start an Atlas file name (<version>_<name>.sql, the version without underscores)", m.Source, m.Version)
		}
		versions[i] = m.Version
	}
	out, padded, err := orderedVersions(versions)
	if err != nil {
		return nil, err
	}
	rep := &Report{Padded: padded}
	for i, m := range ms {
		name := out[i] + ".sql"
		if m.Name != "" {
			name = out[i] + "_" + m.Name + ".sql"
		}
		if strings.ContainsAny(name, "/\\\x00") {
			return nil, fmt.Errorf("%s: the output name %q is not a plain file name", m.Source, name)
		}
		body := m.Up
		if m.NoTx {
			// A file that says so already keeps one directive, now followed by
			// a blank line.
			rest, _ := bytes.CutPrefix(body, []byte("-- atlas:txmode none\n"))
			body = append([]byte(NoTxHeader), bytes.TrimLeft(rest, "\n")...)
			rep.NoTx++
		}
		if m.Down != "" {
			rep.DownsDropped++
		}
		f, err := migrations.ParseFile(name, body)
		if err != nil {
			return nil, fmt.Errorf("%s: cannot be carried as %s: %w", m.Source, name, err)
		}
		if m.NoTx && f.TxMode != migrations.TxModeNone {
			return nil, fmt.Errorf("%s: the source tool runs it outside a transaction, but its own atlas:txmode directive says otherwise; remove that directive", m.Source)
		}
		rep.Files = append(rep.Files, File{Name: name, Bytes: body, From: m})
	}
	if err := checkOrder(rep.Files); err != nil {
		return nil, err
	}
	return rep, nil
}

// checkOrder makes sure the file names sort in the run order with strictly
// increasing versions, as Atlas and schemactl run them.
func checkOrder(files []File) error {
	for i := 1; i < len(files); i++ {
		p, f := files[i-1], files[i]
		pv, _, _ := strings.Cut(p.Name, "_")
		fv, _, _ := strings.Cut(f.Name, "_")
		pv, fv = strings.TrimSuffix(pv, ".sql"), strings.TrimSuffix(fv, ".sql")
		if pv == fv {
			return fmt.Errorf("%s and %s: both become version %s", p.From.Source, f.From.Source, fv)
		}
		if p.Name >= f.Name || pv >= fv {
			return fmt.Errorf("%s runs before %s, but as %s and %s they would sort the other way", p.From.Source, f.From.Source, p.Name, f.Name)
		}
	}
	return nil
}

// orderedVersions returns versions unchanged when they already sort, as
// file names, in the given order; otherwise versions made of numbers
// (separated by dots) are padded: each number to the width of the widest
// at its place, and missing places filled with 0, so that 2 sorts before
// 10 and 1 before 1.1.
func orderedVersions(vs []string) ([]string, bool, error) {
	if sortsInOrder(vs) {
		return vs, false, nil
	}
	var parts [][]string
	var widths []int
	for _, v := range vs {
		ps := strings.Split(v, ".")
		for j, p := range ps {
			if p == "" || strings.Trim(p, "0123456789") != "" {
				return nil, false, fmt.Errorf("versions do not sort in the order the source tool runs them (e.g. %s), and %q is not made of numbers to pad", firstDisorder(vs), v)
			}
			p = strings.TrimLeft(p, "0")
			if p == "" {
				p = "0"
			}
			ps[j] = p
			if j == len(widths) {
				widths = append(widths, 0)
			}
			widths[j] = max(widths[j], len(p))
		}
		parts = append(parts, ps)
	}
	out := make([]string, len(vs))
	for i, ps := range parts {
		padded := make([]string, len(widths))
		for j, w := range widths {
			p := "0"
			if j < len(ps) {
				p = ps[j]
			}
			padded[j] = strings.Repeat("0", w-len(p)) + p
		}
		out[i] = strings.Join(padded, ".")
	}
	if !sortsInOrder(out) {
		return nil, false, fmt.Errorf("versions do not sort in the order the source tool runs them, even padded with zeros (e.g. %s)", firstDisorder(out))
	}
	return out, true, nil
}

// sortsInOrder reports whether <v>_x.sql names sort as vs are ordered,
// with distinct versions.
func sortsInOrder(vs []string) bool {
	return firstDisorder(vs) == ""
}

func firstDisorder(vs []string) string {
	for i := 1; i < len(vs); i++ {
		a, b := vs[i-1], vs[i]
		// Names are <v>_... or <v>.sql: when neither version is a prefix of
		// the other, names sort as their versions do.
		if a >= b || strings.HasPrefix(b, a) {
			return fmt.Sprintf("%s before %s", a, b)
		}
	}
	return ""
}

// Write writes the files of rep and atlas.sum into dir, which must be
// empty of migration files (it is created when missing). Nothing is left
// behind when writing fails.
func Write(dir string, rep *Report) (err error) {
	if err := checkTarget(dir); err != nil {
		return err
	}
	created := false
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
		created = true
	}
	var written []string
	defer func() {
		if err == nil {
			return
		}
		for _, p := range written {
			os.Remove(p)
		}
		if created {
			os.Remove(dir)
		}
	}()
	for _, f := range rep.Files {
		p := filepath.Join(dir, f.Name)
		fh, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		written = append(written, p)
		_, werr := fh.Write(f.Bytes)
		if err := errors.Join(werr, fh.Close()); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
	}
	written = append(written, filepath.Join(dir, migrations.SumFileName))
	if err := migrations.WriteSum(dir); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Join(dir, migrations.SumFileName), err)
	}
	return nil
}

// checkTarget refuses a target directory that already holds migration
// files or an atlas.sum: an import starts a directory, it never mixes two
// histories or replaces files.
func checkTarget(dir string) error {
	es, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("target directory: %w", err)
	}
	var found []string
	for _, e := range es {
		if n := e.Name(); strings.HasSuffix(n, ".sql") || n == migrations.SumFileName {
			found = append(found, n)
		}
	}
	if len(found) > 0 {
		slices.Sort(found)
		return fmt.Errorf("target directory %s already holds %s (e.g. %s): import writes only into an empty directory; choose another --to or remove them first", dir, plural(len(found), "migration file"), found[0])
	}
	return nil
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// Import reads the source directory src in format and writes the Atlas
// directory dst with its atlas.sum.
func Import(src, format, dst string) (*Report, error) {
	if format == FormatAtlas && sameDir(src, dst) {
		return hashInPlace(src)
	}
	ms, skipped, err := Read(src, format)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("source directory %s holds no %s migration", src, format)
	}
	rep, err := Render(ms)
	if err != nil {
		return nil, err
	}
	rep.Skipped = skipped
	if err := Write(dst, rep); err != nil {
		return nil, err
	}
	return rep, nil
}

func sameDir(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}
